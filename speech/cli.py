"""CLI of the speech package: ``transcribe FILE... [--index DIR] --jsonl`` and ``ask_voice``.

Mounted by the application CLI as ``deputy-assistant transcribe`` (see docs/speech.md).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from .errors import AudioError

app = typer.Typer(help="语音识别", add_completion=False)


def _file_problem(f: Path) -> str | None:
    """What the file system says before the decoder is asked (a folder, a missing or unreadable file)."""
    if f.is_dir():
        return "这是一个文件夹，不是语音文件"
    if not f.exists():
        return "找不到这个文件"
    try:
        with open(f, "rb"):
            return None
    except OSError:
        return "无法读取这个文件（请检查权限）"


def _check_index(index: Path | None) -> None:
    from retrieval.index import MANIFEST

    if index is not None and not (index / MANIFEST).is_file():
        typer.echo(f"索引目录 {index} 中没有索引，请先运行 deputy-assistant index build", err=True)
        raise typer.Exit(2)


def _load_recognizer():
    from deputy_assistant.models import ModelMissingError

    from .recognizer import Recognizer

    try:
        return Recognizer.shared()
    except ModelMissingError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc


@app.command("transcribe")
def transcribe(
    files: Annotated[list[Path], typer.Argument(help="音频文件（OGG/Opus、MP3、M4A、WAV 等）")],
    index: Annotated[Optional[Path], typer.Option("--index", help="用该索引的词表纠正识别结果（默认内置语料）")] = None,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="每个文件输出一行 JSON")] = False,
) -> None:
    """离线识别语音，按领域词表纠错，输出识别文本。"""
    from .voice import corrector_for

    _check_index(index)
    recognizer = _load_recognizer()
    corrector = corrector_for(index)
    failed = 0
    for f in files:
        row: dict = {"file": str(f)}
        try:
            if problem := _file_problem(f):  # one bad path must not stop the other files
                failed += 1
                row.update(text="", raw_text="", confidence=0.0, duration_s=0.0, error=problem)
                _emit(row, f, jsonl)
                continue
            t = recognizer.transcribe_sync(f, corrector)
            row.update(text=t.text, raw_text=t.raw_text, confidence=round(t.confidence, 4), duration_s=round(t.duration_s, 3))
            if t.low_confidence and t.alternatives:
                row["alternatives"] = t.alternatives
        except AudioError as exc:
            failed += 1
            row.update(text="", raw_text="", confidence=0.0, duration_s=0.0, error=exc.user_message)
        _emit(row, f, jsonl)
    if failed:
        raise typer.Exit(1)


def _emit(row: dict, f: Path, jsonl: bool) -> None:
    if jsonl:
        typer.echo(json.dumps(row, ensure_ascii=False))
    elif "error" in row:
        typer.echo(f"{f}：{row['error']}", err=True)
    else:
        typer.echo(f"{f}\t{row['text']}\t（置信度 {row['confidence']:.2f}，{row['duration_s']:.1f} 秒）")


def ask_voice_command(file: Path, index: Path | None = None, top_k: int = 5, as_json: bool = False):
    """Body of ``deputy-assistant ask --voice FILE [--index DIR]``: prints transcript, answer and
    sources; returns the ``speech.voice.VoiceAnswer``. Unusable audio: Chinese message, exit 1."""
    from .voice import ask_voice

    if problem := _file_problem(file):
        typer.echo(f"{file}：{problem}", err=True)
        raise typer.Exit(1)
    _check_index(index)
    recognizer = _load_recognizer()
    try:
        va = ask_voice(file, index, top_k=top_k, recognizer=recognizer)
    except AudioError as exc:
        typer.echo(exc.user_message, err=True)
        raise typer.Exit(1) from exc
    if as_json:
        typer.echo(json.dumps(va.to_json(), ensure_ascii=False, indent=1))
        return va
    t, a = va.transcript, va.answer
    typer.echo(f"识别结果：{t.text}（置信度 {t.confidence:.2f}）")
    if t.low_confidence and t.alternatives:
        typer.echo("识别把握不大，您说的可能是：" + "；".join(t.alternatives))
    typer.echo("")
    from deputy_assistant.answer_print import print_answer

    print_answer(a, builtin=index is None)
    return va


def ask_voice(file: Path, index_dir: Path | None = None, top_k: int = 5):
    """What ``deputy-assistant ask --voice FILE [--index DIR]`` calls: prints and returns the answer."""
    return ask_voice_command(file, index_dir, top_k=top_k)
