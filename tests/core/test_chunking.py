from corpus import Document, chunk_document
from corpus.chunking import _split_long

LAW = """# 某某法

## 第一章 总则

第一条 为了规范代表工作，制定本法。

第二条 代表依法履职。

## 第二章 代表的权利

### 第一节 建议

第三条 代表有权提出建议。

代表建议应当及时答复。

第四条 有关机关应当在三个月内答复。
"""


def test_law_articles_carry_chapter_and_section():
    chunks = chunk_document(Document("law", "某某法", LAW))
    assert [c.locator for c in chunks] == ["第一条", "第二条", "第三条", "第四条"]
    third = chunks[2]
    assert third.context == ("第二章 代表的权利", "第一节 建议")
    assert "代表建议应当及时答复" in third.text  # second paragraph stays with its article
    assert third.index_text().startswith("某某法 第二章 代表的权利 / 第一节 建议 第三条")


def test_generic_headings_and_tables():
    text = "# 通知\n\n## 时间安排\n\n会议于三月召开。\n\n| 时间 | 内容 |\n|---|---|\n| 1月 | 视察 |\n|  | 培训 |\n"
    chunks = chunk_document(Document("d", "通知", text))
    assert chunks[0].locator == "时间安排" and "三月" in chunks[0].text
    rows = [c for c in chunks if c.kind == "row"]
    assert [r.locator for r in rows] == ["1月", "1月"]  # empty first cell continues the row above
    assert rows[1].text == "内容：培训"


def test_numbered_sections_of_a_decision_are_cited_by_their_number():
    """An NPCSC decision laid out as 一、二、… (no 第X条): before, its paragraphs had no locator at all."""
    text = ("# 关于直接选举的若干规定\n\n为了便于实施选举法，作如下规定：\n\n一、总体要求\n\n依法做好选举工作。\n\n"
            "二、选举委员会的职权是：\n\n（一）主持本级人民代表大会代表的选举；\n\n（二）进行选民登记；\n\n"
            "三、因严重刑事犯罪案被羁押，正在受侦查、起诉、审判的人，经人民检察院或者人民法院决定，在被羁押期间停止行使选举权利。\n\n"
            "## 附则\n\n本规定自公布之日起施行。\n")
    chunks = chunk_document(Document("d", "关于直接选举的若干规定", text))
    assert [(c.locator, c.text[:4]) for c in chunks] == [
        ("", "为了便于"), ("一、总体要求", "一、总体"), ("一、总体要求", "依法做好"), ("二、选举委员会的职权是", "二、选举"),
        ("二、选举委员会的职权是", "（一）主"), ("二、选举委员会的职权是", "（二）进"), ("三、", "三、因严"), ("附则", "本规定自")]


def test_pdf_pages_are_kept():
    doc = Document("p", "报告", pages=[(1, "第一页的内容。"), (2, "第二页的内容。")])
    chunks = chunk_document(doc)
    assert [c.page for c in chunks] == [1, 2]


def test_long_section_split_on_sentences_with_overlap():
    text = "".join(f"第{i}句内容比较长一些用于测试。" for i in range(60))
    pieces = _split_long(text, 100)
    assert all(len(p) <= 100 for p in pieces)
    assert all(p.endswith("。") for p in pieces)
    # one sentence of overlap between neighbours
    assert pieces[0].split("。")[-2] + "。" == pieces[1][: len(pieces[0].split("。")[-2]) + 1]
