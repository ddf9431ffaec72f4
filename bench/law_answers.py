"""Deputies' law questions answered over ../shared/corpus/laws and the built-in corpus: is the right article cited?

    python bench/law_answers.py          # -> bench/results/law_answers.json

Questions: bench/law_questions.tsv, 40 colloquial questions deputies ask about their rights, duties and procedures
(written 2026-11-30 by a reviewer who read the statutes, not the code), each with the current national article that
answers it (``law``: substrings of the title, joined by “+”; ``also``: an equivalent provision, or “-”). An answer
is right when its first sentence comes from that article; hit@5 counts the article among the first five sources.
Fixes were made after seeing these questions' misses, so this is a development set, not a held-out one.

bench/law_questions_round5.tsv: 40 more, written 2026-11-30 by a second reviewer in the same way, with ``also``
alternatives separated by “;”, plus 5 questions the corpus cannot answer (``law`` “-”), which should be declined.
Their first run, before any fix for them: right 25 / 40, hit@5 34, declined 0 / 5 (the JSON keeps the current run).

bench/law_questions_round6.tsv: 25 more and 5 unanswerable, written by a third tester who read the statutes but not
the code, before running anything. First run, before any fix for them: right 19 / 25, hit@5 24, declined 1 / 5.

bench/law_questions_round7.tsv: 25 more and 5 unanswerable, written by a fourth tester who read the statutes but not
the code, before running anything. First run, before any fix for them: right 15 / 25, hit@5 24, declined 0 / 5
(r7L11's ``also`` gained 全国人大组织法 第二十九条, the same rule for 议案, after that run; its cited article was 第三十条).

bench/law_questions_round8.tsv: 25 more and 5 unanswerable, written by a fifth tester the same way (colloquial phone
wording, 12 statutes, provincial suggestion rules). First run, before any fix for them: right 14 / 25, hit@5 19,
declined 1 / 5.

bench/law_questions_round9.tsv: 25 more and 5 unanswerable, written by a sixth tester the same way (colloquial, 8
national statutes and 7 provincial rules: 北京/浙江/上海 实施办法, 青岛/重庆 建议, 河南 监督法办法, 广东 议事规则).
First run, before any fix for them: right 18 / 25, hit@5 21, declined 3 / 5.

bench/law_questions_round10.tsv: 25 more and 5 unanswerable, written by a seventh tester the same way (8 national
statutes, 7 provincial and municipal rules). First run, before any fix for them: right 17 / 25, hit@5 24, declined 1 / 5.

bench/law_questions_round11.tsv: 25 more and 5 unanswerable, written 2026-12-01 by an eighth tester the same way (6
national statutes, 10 provincial and municipal rules). First run, before any fix for them: right 20 / 25, hit@5 23,
declined 5 / 5.

bench/law_questions_round12.tsv: 25 more and 5 unanswerable, written 2026-12-02 by a ninth tester the same way (7
national statutes, 8 provincial and municipal rules; many on rules earlier rounds asked about, in new words). First
run, before any fix for them: right 18 / 25, hit@5 22, declined 2 / 5.

bench/law_questions_round13.tsv: 25 more and 5 unanswerable, written 2026-12-02 by a tenth tester the same way (short
and long colloquial questions; national statutes incl. 宪法, 议事规则, 组织法, and provincial and municipal rules). First
run, before any fix for them: right 16 / 25, hit@5 25, declined 5 / 5.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import CACHE, SHARED, read_tsv, write_result  # noqa: E402

QUESTION_SETS = {"round4": ROOT / "bench" / "law_questions.tsv", "round5": ROOT / "bench" / "law_questions_round5.tsv",
                 "round6": ROOT / "bench" / "law_questions_round6.tsv",
                 "round7": ROOT / "bench" / "law_questions_round7.tsv",
                 "round8": ROOT / "bench" / "law_questions_round8.tsv",
                 "round9": ROOT / "bench" / "law_questions_round9.tsv",
                 "round10": ROOT / "bench" / "law_questions_round10.tsv",
                 "round11": ROOT / "bench" / "law_questions_round11.tsv",
                 "round12": ROOT / "bench" / "law_questions_round12.tsv",
                 "round13": ROOT / "bench" / "law_questions_round13.tsv"}


def _is(hit, law: str, article: str) -> bool:
    return all(part in hit.title for part in law.split("+")) and hit.locator.rsplit(" / ", 1)[-1] == article


def main() -> None:
    from corpus import BUILTIN_DIR
    from retrieval import KnowledgeBase

    laws = SHARED / "corpus" / "laws"
    if not laws.exists():
        sys.exit(f"找不到法律语料：{laws}")
    kb = KnowledgeBase.open(CACHE / "law_index")
    kb.ingest_paths([BUILTIN_DIR, laws], progress=True)  # incremental: unchanged files are skipped
    rows, summary = [], {}
    for name, path in QUESTION_SETS.items():
        for q in read_tsv(path):
            t0 = time.perf_counter()
            ans = kb.answer(q["question"])
            secs = time.perf_counter() - t0
            first = ans.hits[ans.sentences[0].source] if ans.found else None
            row = {"set": name, **q, "cited": first.citation if first else None, "answer": ans.text[:100],
                   "seconds": round(secs, 3)}
            if q["law"] == "-":  # not answerable from the corpus
                row["declined"] = not ans.found
            else:
                also = [tuple(a.strip().rsplit(" ", 1)) for a in q["also"].split(";")] if q["also"] != "-" else []
                wanted = [(q["law"], q["article"]), *also]
                row.update(right=bool(first and any(_is(first, *w) for w in wanted)),
                           hit5=any(_is(h, *w) for h in ans.hits[:5] for w in wanted))
            rows.append(row)
        answerable = [r for r in rows if r["set"] == name and "right" in r]
        unanswerable = [r for r in rows if r["set"] == name and "declined" in r]
        summary[name] = {"questions": len(answerable), "right": sum(r["right"] for r in answerable),
                         "hit5": sum(r["hit5"] for r in answerable),
                         **({"unanswerable": len(unanswerable), "declined": sum(r["declined"] for r in unanswerable)}
                            if unanswerable else {})}
    path = write_result("law_answers", {"summary": summary, "questions": rows})
    print(summary, "->", path.relative_to(ROOT))
    for r in rows:
        if not r.get("right", r.get("declined")):
            what = ("not declined" if "declined" in r else "top5" if r["hit5"] else "miss")
            print(f"  {r['set']} {r['id']} {what} {r['question']} -> {r['cited']}")


if __name__ == "__main__":
    main()
