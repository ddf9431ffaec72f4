"""Rebuild the built-in corpus (``corpus/data``) from the user's two seed documents.

Run once by maintainers: ``python -m corpus.seeds ../shared/corpus/seeds``. The cleaned output is
committed, so a fresh machine has the corpus without ../shared.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from .cleaning import clean_text

DATA = Path(__file__).resolve().parent / "data"
SCHEDULE_COLUMNS = ("时间", "主要内容", "相关部门", "承办单位")


def clean_plan(raw: str) -> str:
    return clean_text(raw) + "\n"


def parse_schedule(raw: str) -> tuple[str, list[dict[str, str]], str]:
    """The Ningxia schedule: a 4-column table flattened to text, cells starting with a tab.

    Returns (title, rows, note). Repeated header rows are dropped; a row whose 时间 cell is
    empty continues the one above (the 全年 rows).
    """
    lines = raw.replace("\r\n", "\n").split("\n")
    title = next(ln.strip() for ln in lines if "安排表" in ln)
    note = ""
    records: list[list[str]] = []
    cells: list[str] = []
    for line in lines:
        if line.strip().startswith("备注"):
            note = line.strip()
        elif line.startswith("\t"):
            cells.append(line[1:].strip())
        elif line.strip() and cells:
            cells[-1] += "\n" + line.strip()  # continuation of a multi-line cell
        elif not line.strip() and cells:
            records.append(cells)
            cells = []
    if cells:
        records.append(cells)
    rows: list[dict[str, str]] = []
    last_time = ""
    for rec in records:
        if len(rec) < 4 or rec[:4] == list(SCHEDULE_COLUMNS):
            continue
        rec = [clean_text(c) for c in rec[:4]]
        rec[0] = rec[0] or last_time
        last_time = rec[0]
        rows.append(dict(zip(SCHEDULE_COLUMNS, rec)))
    return clean_text(title), rows, clean_text(note)


def schedule_markdown(title: str, rows: list[dict[str, str]], note: str) -> str:
    def cell(v: str) -> str:
        return v.replace("|", "｜").replace("\n", "<br>")

    out = [f"# {title}", "", "| " + " | ".join(SCHEDULE_COLUMNS) + " |", "|" + "---|" * len(SCHEDULE_COLUMNS)]
    out += ["| " + " | ".join(cell(r[c]) for c in SCHEDULE_COLUMNS) + " |" for r in rows]
    if note:
        body = re.sub(r"^备注[:：]\s*", "", note)
        out += ["", "## 备注", "", body]
    return "\n".join(out) + "\n"


REGION_PREFIX = "宁夏回族"  # the schedule is an attachment to a notice of 宁夏回族自治区人大常委会


def main(seed_dir: str) -> None:
    src = Path(seed_dir)
    DATA.mkdir(exist_ok=True)
    plan = clean_plan((src / "npc-2026-deputy-work-plan.txt").read_text(encoding="utf-8"))
    (DATA / "npc-2026-deputy-work-plan.md").write_text(plan, encoding="utf-8")
    title, rows, note = parse_schedule((src / "ningxia-2026-deputy-work-schedule.txt").read_text(encoding="utf-8"))
    # The attachment's own title says only "自治区人大常委会…": name the region, so that a citation says whose
    # schedule it is and a question naming 宁夏 matches every row, not just the rows that happen to mention it.
    if title.startswith("自治区"):
        title = f"{REGION_PREFIX}{title}"
    (DATA / "ningxia-2026-deputy-work-schedule.md").write_text(schedule_markdown(title, rows, note), encoding="utf-8")
    print(f"plan: {len(plan)} chars; schedule: {len(rows)} rows")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus/seeds")
