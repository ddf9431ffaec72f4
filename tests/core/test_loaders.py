import json
from pathlib import Path

import pytest

from corpus import LoadError, chunk_document, load_path
from corpus.loaders import iter_files


def _pdf(pages: list[str]) -> bytes:
    """A minimal valid PDF with one line of Helvetica text per page (empty string = blank page)."""
    objs = ["<< /Type /Catalog /Pages 2 0 R >>", None, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for text in pages:
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET" if text else ""
        objs.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
        content = len(objs)
        objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {content} 0 R "
                    f"/Resources << /Font << /F1 3 0 R >> >> >>")
        kids.append(f"{len(objs)} 0 R")
    objs[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out, offsets = b"%PDF-1.4\n", []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{o}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def test_markdown_law_layout(tmp_path: Path):
    f = tmp_path / "某法(2020-01-01).md"
    f.write_text("# 中华人民共和国某法\n\n2020年通过\n\n<!-- INFO END -->\n\n## 第一章 总 则\n\n"
                 "第一条 为了测试，制定本法。\n\n第二条 本法适用于测试。\n\n第三条 本法自公布之日起施行。\n", encoding="utf-8")
    doc = load_path(f)[0]
    assert doc.title == "中华人民共和国某法（2020-01-01）" and doc.doc_type == "law"
    assert "2020年通过" in doc.metadata["history"] and "2020年通过" not in doc.text
    assert [c.locator for c in chunk_document(doc)] == ["第一条", "第二条", "第三条"]


def test_txt_gb18030(tmp_path: Path):
    f = tmp_path / "通知.txt"
    f.write_bytes("关于开展集中视察的通知\n\n各位代表：请于三月参加视察。".encode("gb18030"))
    doc = load_path(f)[0]
    assert doc.title == "关于开展集中视察的通知" and "三月参加视察" in doc.text


def test_docx_headings_and_table(tmp_path: Path):
    import docx

    d = docx.Document()
    d.add_heading("会议安排", level=1)
    d.add_paragraph("本次会议共三天。")
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "时间", "内容"
    t.cell(1, 0).text, t.cell(1, 1).text = "3月5日", "开幕会"
    f = tmp_path / "安排.docx"
    d.save(f)
    chunks = chunk_document(load_path(f)[0])
    assert any("本次会议共三天" in c.text for c in chunks)
    row = next(c for c in chunks if c.kind == "row")
    assert row.locator == "3月5日" and "开幕会" in row.text


def test_pdf_keeps_page_numbers(tmp_path: Path):
    f = tmp_path / "report.pdf"
    f.write_bytes(_pdf(["Budget report page one.", "Second page about deputies."]))
    doc = load_path(f)[0]
    chunks = chunk_document(doc)
    assert [c.page for c in chunks] == [1, 2]
    assert "Second page" in chunks[1].text


def test_empty_pdf_is_reported(tmp_path: Path):
    f = tmp_path / "blank.pdf"
    f.write_bytes(_pdf([""]))
    with pytest.raises(LoadError, match="没有可提取的文字"):
        load_path(f)


def test_html(tmp_path: Path):
    f = tmp_path / "page.html"
    f.write_text("<html><head><title>T</title><script>x=1</script></head><body><h1>情况通报</h1>"
                 "<h2>一季度</h2><p>代表建议已全部交办。</p></body></html>", encoding="utf-8")
    doc = load_path(f)[0]
    assert doc.title == "情况通报" and "x=1" not in doc.text
    chunk = chunk_document(doc)[0]
    assert chunk.locator == "一季度" and "全部交办" in chunk.text


def test_jsonl_documents_and_bad_lines(tmp_path: Path):
    f = tmp_path / "docs.jsonl"
    lines = [json.dumps({"id": "a1", "title": "民法典", "text": "自然人从事工商业经营，为个体工商户。", "locator": "第五十四条"},
                        ensure_ascii=False), "{broken", json.dumps({"id": "a2", "title": "说明", "text": "正文"})]
    f.write_text("\n".join(lines), encoding="utf-8")
    docs = load_path(f)
    assert [d.doc_id for d in docs] == ["a1", "a2"]
    assert docs[0].metadata["jsonl_bad_lines"] == 1
    assert chunk_document(docs[0])[0].locator == "第五十四条"


@pytest.mark.parametrize("name,content,reason", [
    ("empty.md", b"", "文件为空"),
    ("broken.docx", b"PK\x03\x04 not really a zip", "损坏"),
    ("broken.pdf", b"%PDF-1.4 garbage", "损坏|没有可提取"),
    ("image.png", b"\x89PNG....", "不支持"),
    ("only-bad.jsonl", b"{nope\n", "无有效记录"),
])
def test_bad_files_are_named_reasons(tmp_path: Path, name, content, reason):
    f = tmp_path / name
    f.write_bytes(content)
    with pytest.raises(LoadError, match=reason):
        load_path(f)


def test_iter_files_expands_folders(tmp_path: Path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.md").write_text("x", encoding="utf-8")
    (tmp_path / "a" / "skip.bin").write_bytes(b"1")
    assert [p.name for p in iter_files([tmp_path])] == ["x.md"]


def test_a_folders_unreadable_documents_are_named_but_hidden_folders_and_other_files_are_not(tmp_path: Path):
    (tmp_path / ".git" / "objects").mkdir(parents=True)
    (tmp_path / ".git" / "objects" / "pack.md").write_text("x", encoding="utf-8")
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8")
    (tmp_path / "a.md").write_text("x", encoding="utf-8")
    assert [p.name for p in iter_files([tmp_path])] == ["a.md", "old.doc"]


def test_a_text_file_of_encoded_data_is_refused_and_prose_is_kept(tmp_path: Path):
    """Round 12: a 400 KB base64 .txt was indexed as thousands of chunks of noise."""
    import base64
    import os

    f = tmp_path / "附件.txt"
    f.write_text(base64.encodebytes(os.urandom(30_000)).decode(), encoding="utf-8")
    with pytest.raises(LoadError, match="不是可阅读的文字"):
        load_path(f)
    g = tmp_path / "通知.txt"  # prose with a long link or hash in it is still prose
    g.write_text("关于召开代表座谈会的通知\n" + "请各位代表按时参加座谈会，会议材料见附件。" * 60
                 + "\n下载地址：https://example.org/" + "a1B2" * 80 + "\n", encoding="utf-8")
    assert "座谈会" in load_path(g)[0].text
