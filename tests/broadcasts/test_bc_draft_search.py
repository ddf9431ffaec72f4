"""broadcasts.draft_search: which of a draft's articles a question names or is about."""

from __future__ import annotations

from dataclasses import dataclass

from broadcasts.draft_search import draft_articles_text, related_articles


@dataclass
class Art:
    locator: str
    text: str


DRAFT = [Art("第一条", "第一条 为了规范网络预约出租汽车经营服务，保障乘客合法权益，制定本条例。"),
         Art("第十条", "第十条 网约车驾驶员应当取得相应的从业资格证，并无交通肇事犯罪记录。"),
         Art("第十一条", "第十一条 网约车平台应当为乘客购买承运人责任险。"),
         Art("第二十一条", "第二十一条 违反本条例第十条规定的，由交通运输主管部门责令改正，处五千元以上一万元以下罚款。")]


def test_article_named_by_number_in_either_form():
    for q in ("第10条是什么意思", "第十条怎么理解？"):
        (m,) = related_articles(q, DRAFT)
        assert m.article.locator == "第十条" and m.named
    assert related_articles("第十一条说的是什么", DRAFT)[0].article.locator == "第十一条"


def test_content_question_finds_the_article_about_it():
    found = related_articles("草案对网约车驾驶员有什么要求", DRAFT)
    assert found[0].article.locator == "第十条" and not found[0].named


def test_generic_or_unrelated_questions_find_nothing():
    assert related_articles("这个草案的意思是什么", DRAFT) == []
    assert related_articles("代表建议什么时候交办", DRAFT) == []
    assert related_articles("第九十九条是什么意思", DRAFT) == []  # no such article, and nothing else distinctive


def test_reply_cuts_long_articles_and_adds_a_missing_locator():
    text = draft_articles_text("某条例（草案）", [*related_articles("第十条", DRAFT)], max_chars=10)
    assert text == "《某条例（草案）》中的相关条文：\n\n第十条 网约车驾驶员…"
    (m,) = related_articles("第一条", [Art("第一条", "为了规范某某工作，制定本法。")])
    assert draft_articles_text("某法", [m]).endswith("\n第一条　为了规范某某工作，制定本法。")


def test_an_opinion_typed_without_a_button_is_told_from_a_question():
    from broadcasts.consultation import reads_as_opinion

    assert reads_as_opinion("我对养老条例草案第四条有意见：巡访关爱要明确频次")
    assert reads_as_opinion("对草案第十条提个意见：应当写明网约车驾驶员的培训要求")
    assert not reads_as_opinion("草案第十条是什么意思")
    assert not reads_as_opinion("代表建议什么时候交办")  # 建议 as the deputy's suggestion, no draft named
    # a measure typed in the suggestion wizard, a question, no opinion at all (a review of this change)
    assert not reads_as_opinion("建议明确《物业管理条例》中业主委员会的职责")
    assert not reads_as_opinion("群众对物业管理条例的执行有意见怎么反映")
    assert not reads_as_opinion("我对草案没有意见")
