from pathlib import Path

from corpus import BUILTIN_DIR, chunk_document, load_path
from corpus.seeds import parse_schedule


def _chunks(name):
    doc = load_path(BUILTIN_DIR / name)[0]
    return doc, chunk_document(doc)


def test_plan_is_cleaned_and_chunked_by_item():
    doc, chunks = _chunks("npc-2026-deputy-work-plan.md")
    assert doc.title == "全国人大常委会2026年度代表工作计划"
    assert "代表工作中的重大问题" in doc.text and " and " not in doc.text
    items = [c for c in chunks if c.kind == "item"]
    assert len(items) == 33
    item29 = next(c for c in items if c.locator.endswith("/ 29"))
    assert item29.locator == "八、加强代表履职服务保障 / 29"
    assert "自检自测" in item29.text and "语音检索" in item29.text
    item20 = next(c for c in items if c.locator.endswith("/ 20"))
    assert "代表建议交办会" in item20.text


def test_schedule_rows_are_records():
    doc, chunks = _chunks("ningxia-2026-deputy-work-schedule.md")
    rows = [c for c in chunks if c.kind == "row"]
    assert [c.locator for c in rows[:12]] == [f"{m}月" for m in range(1, 13)]
    assert [c.locator for c in rows[12:]] == ["全年"] * 3
    # the attachment's title names no region; the built-in copy says whose schedule it is
    assert doc.title == "宁夏回族自治区人大常委会2026年度代表工作安排表"
    aug = rows[7]
    assert "主要内容" in aug.text and "督办" in aug.text and "承办单位：代表工作委员会" in aug.text
    assert any(c.locator == "备注" for c in chunks)


def test_schedule_parser_on_original(shared_dir: Path):
    raw = (shared_dir / "corpus/seeds/ningxia-2026-deputy-work-schedule.txt").read_text(encoding="utf-8")
    title, rows, note = parse_schedule(raw)
    assert "安排表" in title
    assert len(rows) == 15 and rows[0]["时间"] == "1月" and rows[-1]["时间"] == "全年"
    assert set(rows[0]) == {"时间", "主要内容", "相关部门", "承办单位"}
    assert "自治区党委组织部" in rows[0]["相关部门"]
    assert note.startswith("备注")
