"""Facets: a schedule row's numbered tasks are found and answered one by one (retrieval.facets)."""

from __future__ import annotations

import json

import faiss
import numpy as np

from corpus import BUILTIN_DIR, Chunk
from retrieval import index as index_module
from retrieval.facets import FACET_STRIDE, facet_texts

AUGUST = ("时间：8月；主要内容：1.会同自治区人民政府督查室开展代表建议督办活动；\n2.研究起草修订自治区人大代表建议批评和意见"
          "办理工作条例（草案）；\n3.开展自治区人大代表分选举单位交叉专题调研活动。；相关部门：自治区有关部门；承办单位：代表工作委员会")


def _ids(kb) -> np.ndarray:
    return faiss.vector_to_array(kb.dense.index.id_map)


def test_facets_are_the_numbered_tasks_of_a_row_or_a_note():
    row = Chunk(doc_id="s", ordinal=0, title="安排表", locator="8月", text=AUGUST, kind="row")
    texts = facet_texts(row)
    assert len(texts) == 3 and texts[1] == "安排表 8月：研究起草修订自治区人大代表建议批评和意见办理工作条例（草案）"
    note = Chunk(doc_id="s", ordinal=1, title="安排表", locator="备注", kind="paragraph",
                 text="常态化工作，根据工作需要开展。1.统筹邀请代表列席常委会会议。2.服务代表资格审查委员会召开会议。")
    assert [t.split("：", 1)[1] for t in facet_texts(note)] == ["统筹邀请代表列席常委会会议。", "服务代表资格审查委员会召开会议。"]
    # one task is no list; a law article keeps one vector (its items are one rule, and STARD's build time)
    assert facet_texts(Chunk(doc_id="s", ordinal=2, title="t", locator="12月", kind="row",
                             text="时间：12月；主要内容：做好自治区十三届人大五次会议筹备工作。；承办单位：代表工作委员会")) == []
    assert facet_texts(Chunk(doc_id="l", ordinal=0, title="法", locator="第一条", kind="article",
                             text="第一条 下列事项：1.甲事项的规定；2.乙事项的规定。")) == []


def test_one_task_of_a_schedule_row_is_found_and_answered_alone(make_kb):
    kb = make_kb()
    kb.ingest_paths([BUILTIN_DIR])
    # the 10月 row lists three tasks; without facets the plan's items on 履职 outrank it (not in the top 5;
    # with facets it is second to item 26, and the answer is its task)
    ans = kb.answer("对代表的履职评价办法要评估吗")
    assert "10月" in [h.locator for h in ans.hits[:2]]
    assert kb.search("履职评价办法评估安排在什么时候", top_k=1)[0].locator == "10月"  # 5th without facets
    assert ans.text == "10月：对自治区人大代表、常委会委员履职评价办法进行评估。"
    ans = kb.answer("人大代表建议办理工作条例什么时候修订")
    assert ans.hits[ans.sentences[0].source].locator == "8月"
    assert ans.text.startswith("8月：研究起草修订自治区人大代表建议批评和意见办理工作条例")
    # two tasks of one row read as one answer, the month said once
    ans = kb.answer("宁夏县乡人大换届选举工作什么时候部署，培训班什么时候办")
    assert ans.text.count("4月：") == 1 and "部署" in ans.text and "培训班" in ans.text
    # a question that names the month still gets the whole content cell
    assert kb.answer("宁夏8月份有哪些代表工作").text.startswith("主要内容：1.会同")


def test_deleting_a_document_deletes_its_facets(make_kb):
    kb = make_kb()
    kb.ingest_paths([BUILTIN_DIR])
    assert any(i >= FACET_STRIDE for i in _ids(kb))
    schedule = next(d["doc_id"] for d in kb.documents() if "安排表" in d["title"])
    kb.delete_document(schedule)
    assert all(i < FACET_STRIDE for i in _ids(kb))  # the plan's items have no numbered lists
    assert len(kb.dense) == kb.store.counts()[1]
    assert all("安排表" not in h.title for h in kb.search("履职评价办法进行评估", top_k=10))


def test_an_index_from_before_facets_keeps_working_without_them(make_kb):
    kb = make_kb()
    kb.ingest_paths([BUILTIN_DIR / "npc-2026-deputy-work-plan.md"])
    manifest_path = kb.root / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    del manifest["facets"]  # as an older version wrote it
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    old = make_kb()
    before = len(old.dense)
    old.ingest_paths([BUILTIN_DIR / "ningxia-2026-deputy-work-schedule.md"])
    assert len(old.dense) == before + 16  # the schedule's 16 chunks, no facet vectors beside them
    assert json.loads(manifest_path.read_text(encoding="utf-8"))["facets"] is False
    assert old.search("代表建议交办会在几月开", top_k=3)


def test_switching_to_hnsw_keeps_the_facets(make_kb, monkeypatch):
    monkeypatch.setattr(index_module, "HNSW_THRESHOLD", 20)
    kb = make_kb()
    kb.ingest_paths([BUILTIN_DIR])
    assert kb.dense.kind == "hnsw"
    assert any(i >= FACET_STRIDE for i in _ids(kb))
    assert kb.search("履职评价办法评估安排在什么时候", top_k=3)[0].locator == "10月"


def test_facets_missing_from_the_index_are_skipped(make_kb):
    """An index built when the facet rules gave fewer facets than today's still answers."""
    kb = make_kb()
    kb.ingest_paths([BUILTIN_DIR])
    october = next(cid for cid, c in kb.store.iter_chunks() if c.locator == "10月")
    kb.dense.remove([october + 3 * FACET_STRIDE])  # its third facet is gone
    assert kb.search("履职评价办法评估安排在什么时候", top_k=3)[0].locator == "10月"
