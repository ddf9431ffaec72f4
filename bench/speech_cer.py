"""CER of offline recognition over ../shared/eval/speech (25 real recordings), raw vs corrected.

Usage: python bench/speech_cer.py [--model-dir DIR] [--out bench/results/speech_cer.json]
Reports CER per subset and overall, real-time factor (one worker thread, wall and CPU time) and
peak resident memory. Numbers are normalised the same way in reference and hypothesis.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT / ".." / "shared"
EVAL = SHARED / "eval" / "speech"

from speech.decode import decode  # noqa: E402
from speech.metrics import cer_counts  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model-dir", default=None)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "speech_cer.json"))
    args = ap.parse_args()
    if not EVAL.is_dir():
        sys.exit(f"missing {EVAL}")
    from speech.correction import default_corrector
    from speech.recognizer import Recognizer, finish

    refs = dict(line.rstrip("\n").split("\t", 1) for line in (EVAL / "transcripts.tsv").open(encoding="utf-8") if line.strip())
    prov = list(line.rstrip("\n").split("\t") for line in (EVAL / "provenance.tsv").open(encoding="utf-8"))
    header, rows = prov[0], prov[1:]
    subset_of = {r[header.index("file")]: r[header.index("subset")] for r in rows}

    t0 = time.perf_counter()
    rec = Recognizer(args.model_dir, max_workers=1)
    load_s = time.perf_counter() - t0
    corrector = default_corrector()
    rss_after_load = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    per_file = []
    agg = defaultdict(lambda: {"raw": [0, 0], "corrected": [0, 0], "audio_s": 0.0, "wall_s": 0.0, "cpu_s": 0.0, "files": 0})
    for name in sorted(refs):
        pcm = decode(EVAL / name)
        w0, c0 = time.perf_counter(), time.thread_time()
        raw = rec.recognize_pcm(pcm)
        wall, cpu = time.perf_counter() - w0, time.thread_time() - c0
        tr = finish(raw, corrector) if raw.text else None
        raw_text = tr.raw_text if tr else ""
        text = tr.text if tr else ""
        e_raw, n = cer_counts(refs[name], raw_text)
        e_cor, _ = cer_counts(refs[name], text)
        sub = subset_of.get(name, "unknown")
        per_file.append({
            # no transcript text here: the references are ../shared data, not to be committed
            "file": name, "subset": sub, "changed_by_correction": raw_text != text,
            "cer_raw": round(e_raw / max(n, 1), 4), "cer_corrected": round(e_cor / max(n, 1), 4),
            "duration_s": round(pcm.duration_s, 3), "rtf": round(wall / pcm.duration_s, 3),
            "confidence": round(tr.confidence, 3) if tr else 0.0,
        })
        for key in (sub, "all"):
            a = agg[key]
            a["raw"][0] += e_raw; a["raw"][1] += n
            a["corrected"][0] += e_cor; a["corrected"][1] += n
            a["audio_s"] += pcm.duration_s; a["wall_s"] += wall; a["cpu_s"] += cpu; a["files"] += 1
    summary = {
        k: {
            "files": a["files"],
            "cer_raw": round(a["raw"][0] / a["raw"][1], 4),
            "cer_corrected": round(a["corrected"][0] / a["corrected"][1], 4),
            "audio_s": round(a["audio_s"], 1),
            "rtf_wall": round(a["wall_s"] / a["audio_s"], 3),
            "rtf_cpu": round(a["cpu_s"] / a["audio_s"], 3),
        }
        for k, a in sorted(agg.items())
    }
    result = {
        "benchmark": "speech_cer",
        "dataset": "../shared/eval/speech (25 real recordings)",
        "model": "vosk-model-small-cn-0.22",
        "correction_lexicon": f"built-in corpus + core vocabulary ({len(corrector.lexicon)} terms)",
        "cer_definition": "character edit distance / reference length, punctuation and spaces removed, numbers normalised to digits on both sides",
        "model_load_s": round(load_s, 2),
        "peak_rss_mb_after_load": round(rss_after_load, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "machine": f"{platform.machine()} {platform.python_version()}, one recognition thread",
        "recogniser": "one Kaldi recogniser kept across files (graph cache warm after the first; features and decoder new per file)",
        "summary": summary,
        "files": per_file,
    }
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    for k, v in summary.items():
        print(f"{k:12s} n={v['files']:2d} CER raw {v['cer_raw']:.3f} corrected {v['cer_corrected']:.3f} RTF {v['rtf_wall']:.2f} (cpu {v['rtf_cpu']:.2f})")
    print("peak RSS MB", result["peak_rss_mb"])


if __name__ == "__main__":
    main()
