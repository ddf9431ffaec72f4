"""Answer quality on the built-in corpus: is the answer's source right, and are off-topic questions declined?

    python bench/answers.py                                 # -> bench/results/answers.json
    python bench/answers.py --laws ../shared/corpus/laws    # the same with the laws indexed beside the corpus

Questions: bench/answer_questions.tsv (40 colloquial deputy questions, written 2026-11-30, with the plan item or
schedule row that answers them, "-" where the documents do not cover it; 30 everyday questions the documents do
not cover; ids t…: 20 more and 5 the documents do not answer, written 2026-11-30 (sixth round) by a new-user tester before running
anything — their first run on the built-in corpus: 20 of 20 right, 1 of 5 declined); ids u…: 20 and 5 more by a fourth tester, the same way
(first run: 20 of 20 right, 1 of 5 declined); ids w…: 15 and 5 more by a fifth tester (first run: 12 of 15 right,
0 of 5 declined); ids y…: 15 and 5 more by a sixth tester, the same way
(first run: 12 of 15 right, 2 of 5 declined); ids z…: 15 and 5 more by a seventh tester, the same way (first run:
10 of 15 right, 1 of 5 declined); ids a…: 15 and 5 more by an eighth tester, the same way (first run: 15 of 15
right, 2 of 5 declined); ids b…: 15 and 5 more by a ninth tester, the same way (first run: 15 of 15 right, 4 of 5
declined); and the 36 plan / schedule
questions of bench/voice_questions.tsv, typed. An answer counts as right
when its first sentence comes from the expected item or row; a deputy question marked "-" and every everyday
question should get no answer (the sources are still listed).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import read_tsv, write_result  # noqa: E402

QUESTIONS = ROOT / "bench" / "answer_questions.tsv"
VOICE_QUESTIONS = ROOT / "bench" / "voice_questions.tsv"


def questions() -> list[dict]:
    out = read_tsv(QUESTIONS)
    for q in read_tsv(VOICE_QUESTIONS):
        if q["doc"] in ("工作计划", "工作安排"):  # the law questions need the laws indexed: bench/voice_search.py
            out.append({"id": f"v{q['id']}", "kind": "deputy", "question": q["question"], "locator": q["locator"]})
    return out


def main() -> None:
    from corpus import BUILTIN_DIR
    from retrieval import KnowledgeBase

    ap = argparse.ArgumentParser()
    ap.add_argument("--laws", type=Path, default=None, help="also index this folder (../shared/corpus/laws)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase.open(Path(tmp) / "idx")
        kb.ingest_paths([BUILTIN_DIR] + ([args.laws] if args.laws else []))
        rows = []
        for q in questions():
            ans = kb.answer(q["question"])
            src = ans.hits[ans.sentences[0].source].locator.rsplit(" / ", 1)[-1] if ans.found else None
            rows.append({**q, "answered": ans.found, "source": src, "unseen": round(kb.unseen_share(q["question"]), 2),
                         "closeness": None if ans.closeness is None else round(ans.closeness, 3),
                         "right": (src == q["locator"]) if q["locator"] != "-" else not ans.found,
                         "answer": ans.text[:80]})
    covered = [r for r in rows if r["kind"] == "deputy" and r["locator"] != "-"]
    uncovered = [r for r in rows if r["kind"] == "deputy" and r["locator"] == "-"]
    everyday = [r for r in rows if r["kind"] == "everyday"]
    summary = {
        "deputy_covered": len(covered),
        "deputy_answered": sum(r["answered"] for r in covered),
        "deputy_right_source": sum(r["right"] for r in covered),
        "deputy_uncovered": len(uncovered),
        "deputy_uncovered_declined": sum(not r["answered"] for r in uncovered),
        "everyday": len(everyday),
        "everyday_declined": sum(not r["answered"] for r in everyday),
    }
    print(summary)
    for r in rows:
        if not r["right"]:
            print(f"  miss {r['id']} {r['question']}: expected {r['locator']}, answered from {r['source']}")
    name = "answers_with_laws" if args.laws else "answers"
    print(write_result(name, {"benchmark": "answers on the built-in corpus" + (" and the laws" if args.laws else ""),
                              "summary": summary, "questions": rows}))


if __name__ == "__main__":
    main()
