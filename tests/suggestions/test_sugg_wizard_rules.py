"""Rules behind the drafting conversation's fixes (2026-11-30 tester round): which messages look like
questions, how people say “no more attachments”, the kind in other words, the corrected title, book-title
marks in messages, a repeated sentence and an article-less legal basis in the self-check, and the
co-signers a bill's prompt asks for."""

from __future__ import annotations

import dataclasses

import pytest

from suggestions.draft import (
    DraftClosed, DraftService, assess, book_title, is_done_word, looks_like_question, normalize_kind, suggest_title,
)
from suggestions.selfcheck import check
from sugg_drafts import BILL, GOOD

AUTHOR = "deputy-1"


@pytest.mark.parametrize("text,step", [
    ("代表建议交办会几月开？", "problem"), ("下个月有什么安排", "title"), ("这个怎么写", "cause"),
    ("议案要多少人联名？", "cosponsors"), ("法律依据写哪条", "legal_basis"), ("可以上传照片吗", "attachments"),
])
def test_questions_are_recognised(text, step):
    assert looks_like_question(text, step)


@pytest.mark.parametrize("text,step", [
    ("关于如何规范城市公共厕所管理的建议", "title"), ("城市公共厕所标识问题", "title"), (GOOD.problem, "problem"),
    ("张三、李四", "cosponsors"), ("没附件了", "attachments"), ("好的", "attachments"), ("建议", "kind"),
    ("为什么公厕难找？" * 20, "problem"),  # a long passage ending in a question mark is content
])
def test_answers_are_not_questions(text, step):
    assert not looks_like_question(text, step)


@pytest.mark.parametrize("word", ["没有", "没了", "没附件", "没附件了", "没有附件", "无附件", "不用了", "就这些", "好的",
                                  "可以了", "下一步", "完成", "好了。", "没有了", "不需要"])
def test_done_words(word):
    assert is_done_word(word)
    assert assess("attachments", word, "建议") == (True, [])


@pytest.mark.parametrize("text", ["调研报告", "照片三张", "好的照片"])
def test_text_is_no_attachment(text):
    assert not is_done_word(text)
    ok, feedback = assess("attachments", text, "建议")
    assert not ok and "请直接发送文件或照片" in feedback[0]


def test_kind_in_other_words():
    assert [normalize_kind(x) for x in ("建议吧", "议案。", "我要提议案", "建议", "不要建议")] == \
        ["建议", "议案", "议案", "建议", "不要建议"]
    assert assess("kind", "建议吧", "建议")[0] and not assess("kind", "建议和议案", "建议")[0]


def test_suggested_title_and_book_title_marks():
    assert suggest_title("关于修改物业管理条例的建议", "议案") == "关于修改物业管理条例的议案"
    assert suggest_title("下个月？", "议案") is None
    ok, feedback = assess("title", "关于修改物业管理条例的建议", "议案")
    assert not ok and "可改为：关于修改物业管理条例的议案" in feedback[0]
    assert book_title("关于修改《物业管理条例》的议案") == "《关于修改〈物业管理条例〉的议案》"


def test_repeated_sentence_is_flagged():
    sentence = "老城区公厕太少，群众如厕非常不便，游客经常找不到厕所。"
    draft = dataclasses.replace(GOOD, problem=sentence * 30)
    found = check(draft).by_code("repeated_content")
    assert found and found[0].part == "problem" and "重复了 30 次" in found[0].message
    assert not check(GOOD).by_code("repeated_content")
    ok, tips = assess("problem", sentence * 30, "建议")
    assert ok and any("重复了 30 次" in t for t in tips)


def test_bill_legal_basis_without_an_article_is_flagged():
    draft = dataclasses.replace(BILL, legal_basis="依据《中华人民共和国立法法》的有关规定。")
    found = [f for f in check(draft).by_code("legal_basis") if "具体条款" in f.message]
    assert found and found[0].severity == "warning"
    assert not [f for f in check(BILL).by_code("legal_basis") if "具体条款" in f.message]
    suggestion = dataclasses.replace(GOOD, legal_basis="依据《立法法》的有关规定。")  # suggestions have no such part
    assert not [f for f in check(suggestion).by_code("legal_basis") if "具体条款" in f.message]


async def test_bill_cosigner_prompt_and_blockers(sm, clock):
    svc = DraftService(sm, clock=clock)
    p = await svc.start(AUTHOR, kind="议案", congress_level="county")
    assert p.example == "关于制定城市公共厕所管理条例的议案"
    for text in ("关于制定城市公共厕所管理条例的议案", GOOD.problem, GOOD.cause, GOOD.measures, BILL.legal_basis,
                 BILL.outline):
        res = await svc.answer(p.draft_id, AUTHOR, text)
    assert res.prompt.step == "cosponsors" and res.prompt.cosponsors_needed == 10
    assert "至少 10 名县级人大代表联名" in res.prompt.hint and "“无”" not in res.prompt.hint
    blockers = await svc.blockers(p.draft_id, AUTHOR)
    assert [k for k, _, _ in blockers] == ["cosponsors"] and "还没有联名代表" in blockers[0][1]
    res = await svc.answer(p.draft_id, AUTHOR, "王某某等10名代表")
    assert res.prompt.step == "attachments"
    assert [k for k, _, _ in await svc.blockers(p.draft_id, AUTHOR)] == ["attachments"]
    res = await svc.answer(p.draft_id, AUTHOR, "就这些")
    assert res.preview and await svc.blockers(p.draft_id, AUTHOR) == []
    await svc.submit(p.draft_id, AUTHOR)
    with pytest.raises(DraftClosed):
        await svc.submit(p.draft_id, AUTHOR)
