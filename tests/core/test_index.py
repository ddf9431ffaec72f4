"""The hybrid index with the real embedding model: citations, incremental updates, filters, async."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import numpy as np
import pytest

from corpus import BUILTIN_DIR
from retrieval import IndexMismatchError, KnowledgeBase, SearchFilters

LAW = """# 中华人民共和国测试代表法

<!-- INFO END -->

## 第一章 总则

第一条 为保证代表依法行使职权，制定本法。

第二条 代表每届任期五年。

## 第二章 代表的建议

第三条 代表对各方面工作提出的建议、批评和意见，有关机关应当自交办之日起三个月内答复。

第四条 代表视察时可以约见有关国家机关负责人。
"""


def _write(p: Path, text: str) -> Path:
    p.write_text(text, encoding="utf-8")
    return p


@pytest.fixture
def docs(tmp_path):
    d = tmp_path / "docs"
    d.mkdir()
    _write(d / "law.md", LAW)
    _write(d / "notice.md", "# 宁夏代表团视察通知\n\n## 安排\n\n宁夏代表团将于八月赴银川开展集中视察，重点了解生态保护。\n")
    return d


def test_builtin_corpus_answers_with_plan_item(make_kb):
    kb = make_kb()
    kb.ingest_paths([BUILTIN_DIR])
    ans = kb.answer("代表建议交办会在几月开？")
    assert ans.found and "3月" in ans.text and "交办会" in ans.text
    cited = ans.hits[ans.sentences[0].source]
    assert cited.title == "全国人大常委会2026年度代表工作计划"
    assert cited.locator == "六、提升代表议案建议工作质效 / 20"
    hits = kb.search("8月宁夏人大有什么代表工作安排", top_k=3)
    assert any(h.locator == "8月" and "安排表" in h.title for h in hits)


def test_named_month_answers_from_its_row_and_items_keep_their_substance(make_kb):
    kb = make_kb()
    kb.ingest_paths([BUILTIN_DIR])
    # “九月份” names the 9月 row; the 1月 row shares the word 视察 but is not what was asked
    ans = kb.answer("九月份宁夏人大有哪些视察活动")
    assert ans.hits[0].locator == "9月"
    first = ans.sentences[0]
    assert ans.hits[first.source].locator == "9月"
    assert first.text.startswith("主要内容：") and "组织列席代表座谈会" in first.text  # the content cell, whole
    # a numbered item's heading alone names the task; the next sentence says what is done
    ans = kb.answer("今年重点督办建议怎么确定")
    assert [s.text for s in ans.sentences][:1] == ["加强重点督办建议工作。"]
    assert len(ans.sentences) == 2 and "确定重点督办建议选题" in ans.sentences[1].text


def test_adoption_note_answers_only_a_question_about_adoption(embedder):
    from retrieval.answer import compose_answer
    from retrieval.types import Hit

    text = ("（2025年12月24日第十四届全国人民代表大会常务委员会第57次委员长会议原则通过）\n"
            "2026年是开局之年。全国人大常委会代表工作的总体要求是：坚持以人民为中心。")
    hit = Hit(chunk_id=1, doc_id="plan", title="全国人大常委会2026年度代表工作计划", locator="总体要求",
              text=text, score=1.0)
    said = compose_answer("全国人大会议什么时候召开", [hit], embedder).text
    assert "原则通过" not in said
    assert "原则通过" in compose_answer("这份工作计划是哪次会议通过的", [hit], embedder).text


def test_a_sentence_introducing_a_list_answers_with_the_list(embedder):
    from retrieval.answer import compose_answer
    from retrieval.types import Hit

    text = ("第六十二条 代表有下列情形之一的，其代表资格终止：\n（一）迁出或者调离本行政区域的；\n"
            "（二）辞职或者责令辞职被接受的；\n（三）被罢免的。")
    hit = Hit(chunk_id=1, doc_id="law", title="代表法", locator="第六十二条", text=text, score=1.0)
    said = compose_answer("代表资格终止有哪些情形", [hit], embedder).text
    assert said.endswith("（三）被罢免的。") and "（一）迁出" in said
    assert said.startswith("代表有下列情形之一的")  # the article number is in the citation, not the answer


def test_a_list_item_is_read_under_the_sentence_that_introduces_it(embedder):
    from retrieval.answer import compose_answer
    from retrieval.types import Hit

    text = ("第十二条 地方各级人民代表大会的代表名额，按照下列规定确定：\n（一）省、自治区、直辖市的代表名额基数为三百五十名；\n"
            "（二）设区的市、自治州的代表名额基数为二百四十名；\n（三）不设区的市、县的代表名额基数为一百四十名，每五千人可以增加一名代表。")
    hit = Hit(chunk_id=1, doc_id="law", title="选举法", locator="第十二条", text=text, score=1.0)
    said = compose_answer("县的人大代表名额基数是多少名", [hit], embedder).text
    assert "一百四十名" in said and said.startswith("地方各级人民代表大会的代表名额，按照下列规定确定：")


def test_an_answer_that_does_not_mention_what_the_question_is_about_is_declined(embedder):
    """With the laws indexed, “明天北京的天气怎么样” was answered from a Beijing regulation's 三个月内答复代表: the
    question's rare word (天气) is in no sentence of the answer, and the answer was not close."""
    from retrieval.answer import compose_answer
    from retrieval.types import Hit

    rule = Hit(chunk_id=1, doc_id="bj", title="北京市人民代表大会代表建议、批评和意见办理条例", locator="第二十一条",
               score=1.0, text="第二十一条 承办单位应当自交办之日起三个月内答复代表。")
    ans = compose_answer("明天北京的天气怎么样", [rule], embedder, rare=["天气"])
    assert not ans.found and ans.reason == "unmentioned" and "“天气”" in ans.note
    assert compose_answer("明天北京的天气怎么样", [rule], embedder).found  # without rare words: the old answer
    # a rare word in another written form, or its statutory word, is mentioned
    law = Hit(chunk_id=2, doc_id="law", title="代表法", locator="第三十三条", score=1.0,
              text="第三十三条 代表在本行政区域内视察，所需旅费由本级财政负担。")
    assert compose_answer("代表去外地视察路费谁出", [law], embedder, rare=["路费"]).found


def test_a_one_word_question_is_asked_back_not_answered(embedder):
    """A new user's “工作” got a plan sentence on 宣传贯彻大会精神 as its answer; the sources are still listed."""
    from retrieval.answer import compose_answer
    from retrieval.types import Hit

    item = Hit(chunk_id=1, doc_id="plan", title="工作计划", locator="三、服务保障 / 11", score=1.0,
               text="11. 服务保障代表带头宣传贯彻大会精神。")
    ans = compose_answer("工作", [item], embedder)
    assert not ans.found and ans.reason == "vague" and "具体" in ans.note and ans.hits == [item]
    assert compose_answer("代表怎么宣传贯彻大会精神", [item], embedder).found


def test_only_nouns_and_verbs_that_are_not_everyday_words_name_a_topic():
    from retrieval.query import is_topic_word

    assert all(is_topic_word(w) for w in ("天气", "护照", "会场", "驾驶证", "报名", "结婚"))
    assert not any(is_topic_word(w) for w in ("一起", "起来", "这个", "有人", "最长", "长时间", "不会"))


def test_a_short_task_is_read_under_its_items_heading(embedder):
    """Tester round 7: “今年要不要制作换届选举宣传挂图” was answered with the bare “制作《…宣传挂图》。”."""
    from retrieval.answer import compose_answer
    from retrieval.types import Hit

    text = ("5. 做好换届选举宣传工作。根据统一部署，组织报道各地选举工作阶段性进展，宣传严肃换届纪律、严格依法选举的好经验好做法。"
            "制作《县乡两级人大换届选举宣传挂图》。")
    hit = Hit(chunk_id=1, doc_id="plan", title="全国人大常委会2026年度代表工作计划", locator="二、做好换届选举工作 / 5",
              text=text, score=1.0)
    said = compose_answer("今年要不要制作换届选举宣传挂图", [hit], embedder).text
    assert said == "做好换届选举宣传工作。制作《县乡两级人大换届选举宣传挂图》。"


def test_a_question_for_days_no_passage_counts_in_days_is_not_answered(embedder):
    from retrieval.answer import compose_answer
    from retrieval.types import Hit

    law = Hit(chunk_id=1, doc_id="law", title="反恐怖主义法", locator="第八十一条", score=1.0,
              text="第八十一条 有下列行为之一的，依法处理：\n（八）煽动、胁迫他人以宗教仪式取代结婚、离婚登记的。")
    assert not compose_answer("离婚冷静期是多少天", [law], embedder).found
    term = Hit(chunk_id=2, doc_id="law2", title="代表法", locator="第五十一条", score=1.0,
               text="第五十一条 有关机关、组织应当自交办之日起三个月内答复代表建议。")
    assert "三个月内" in compose_answer("代表建议要在几个月内答复", [term], embedder).text
    speech = Hit(chunk_id=4, doc_id="law4", title="议事规则", locator="第五十七条", score=1.0,
                 text="第五十七条 代表在大会全体会议上发言的，每人可以发言两次，第一次不超过十分钟，第二次不超过五分钟。")
    assert "十分钟" in compose_answer("代表上台发言能讲多长时间", [speech], embedder).text
    # a year written with 〇 is a date, not a span of time
    dated = Hit(chunk_id=3, doc_id="law3", title="某法", locator="第一条", score=1.0,
                text="第一条 本法自二〇二五年一月一日起施行，由全国人民代表大会常务委员会解释。")
    assert not compose_answer("试用期最长是多少个月", [dated], embedder).found


def test_a_lay_phrase_is_read_whole_not_by_a_shorter_key_inside_it():
    from retrieval.query import rewrite_query

    conflict = set(rewrite_query("地方性法规跟国家法律打架怎么办").split())
    assert "相抵触" in conflict and "殴打" not in conflict  # 打架 inside 法律打架 is no fight
    assert "殴打" in rewrite_query("邻居打架了怎么办").split()
    assert "人民代表大会" in rewrite_query("我是县人大代表").split()  # body names still spelled out inside 人大代表
    assert "劳动报酬" in rewrite_query("老板扣工资怎么办").split()


def test_removing_a_deputy_or_an_official_is_not_an_employers_dismissal():
    """Eighth round: “选民要把…县人大代表开除掉” is 罢免 and “撸掉一个副县长的职务” 撤职, while 开除 alone stays the
    labour-law word; 脱产 is the statute's 脱离…生产和工作, 上访信 its 信访, 合在一起 its 合并."""
    from retrieval.query import rewrite_query

    assert "罢免" in rewrite_query("选民要把我们村选的县人大代表开除掉").split()
    assert "罢免" not in rewrite_query("公司把我开除了能要赔偿吗").split()
    assert "撤职" in rewrite_query("县人大常委会要撸掉一个副县长的职务").split()
    assert "脱离" in rewrite_query("当了人大代表是不是就能脱产了").split()
    assert "信访" in rewrite_query("群众托我转上访信").split()
    assert "合并" in rewrite_query("内容差不多的建议会合在一起办吗").split()


def test_a_body_run_from_above_is_the_statutes_vertically_managed_one():
    """Ninth round: “税务局这种上面垂直管的单位” is 实行垂直管理的部门 (河南's rules on supervision 第三十九条)."""
    from retrieval.query import rewrite_query

    assert "垂直管理" in rewrite_query("县人大常委会能不能去查税务局这种上面垂直管的单位").split()
    assert "选票" in rewrite_query("一张选票上打勾的人比要选的名额还多").split()
    assert "垂直管理" not in rewrite_query("县人大常委会能不能去查税务局").split()


def test_deputies_words_for_their_duties_and_bodies_reach_the_statutes_words():
    """New-user round 5: 辩解 is the statute's 申辩, 拉票 送钱 its 贿赂, 说情 its 干预, 能用几年 its 有效期, and
    监委 is spelled out as 监察委员会 for both retrievers."""
    from retrieval.query import rewrite_query, spell_out

    def words(q):
        return set(rewrite_query(q).split()[1:])

    assert "申辩" in words("有选民要罢免我，我能不能为自己辩解几句")
    assert {"贿赂", "破坏选举"} <= words("选举时有人挨家挨户送钱拉票怎么办")
    assert "干预" in words("亲戚想让我去法院帮忙说说情")
    assert "有效期" in words("新换的身份证能用几年")
    assert "给予时间保障" in words("单位领导不给假，不让我去参加代表小组的活动")
    assert "监察委员会" in words("县监委主任是谁选出来的") and spell_out("县监委主任") == "县监察委员会主任"
    assert "限制人身自由" not in words("有关人员需要回避吗")  # no key hides inside 有关人员
    # nor inside everyday words: 超过期限, 没收钱款, 送钱慰问, 当局长期, 不准假冒, 大学生兼职, 村监委会
    for everyday in ("代表建议超过期限未答复怎么办", "没收钱款归谁", "给困难群众送钱慰问", "当局长期关注此事",
                     "不准假冒伪劣", "大学生兼职受法律保护吗"):
        assert not words(everyday) & {"有效期", "贿赂", "受贿", "担任", "给予时间保障"}, everyday
    assert "村务监督委员会" in words("村监委会主任是谁选的") and "监察委员会" not in words("村监委会主任是谁选的")


def test_query_rewriting_spells_out_short_names_and_time_words():
    from retrieval.query import rewrite_query

    q = rewrite_query("代表可以列席本级人大常委会会议吗")
    assert q.startswith("代表可以列席本级人大常委会会议吗 ")  # the question itself is kept
    extra = q.split(" ", 1)[1].split()
    assert extra == ["人民代表大会", "常务委员会"]  # each once, whatever keys matched
    assert "12月" in rewrite_query("年底有什么安排").split()
    assert rewrite_query("代表建议交办会在几月开") == "代表建议交办会在几月开"  # nothing to add


def test_a_one_character_lay_word_is_rewritten_only_as_a_word_of_its_own():
    from retrieval.query import rewrite_query

    assert "起诉" in rewrite_query("我想告公司拖欠工资").split()
    assert "盗窃" in rewrite_query("东西被偷了怎么办").split()
    # 报告, 抢救 and 偷税 are other words: “告”“抢”“偷” inside them are not lay words for suing, robbery, theft
    assert rewrite_query("代表的履职情况要向谁报告") == "代表的履职情况要向谁报告"
    assert "抢劫" not in rewrite_query("抢救病人的费用谁出")
    assert "盗窃" not in rewrite_query("偷税漏税怎么处罚")
    assert "诈骗" in rewrite_query("骗取保险金构成什么罪").split()  # 骗 keeps its sense inside 骗取
    for q in ("家里进了小偷怎么办", "偷东西判几年", "手机被偷走了"):  # lay compounds are keys of their own
        assert "盗窃" in rewrite_query(q).split(), q
    assert "起诉" in rewrite_query("我想去法院告状").split() and "起诉" in rewrite_query("我被告了怎么办").split()


def test_names_locator():
    from retrieval.ranking import names_locator

    assert names_locator("9月宁夏人大有哪些视察活动", "9月")
    assert not names_locator("11月有什么安排", "1月") and names_locator("11月有什么安排", "11月")
    assert names_locator("代表法第五十一条怎么规定", "第五章 / 第五十一条")
    assert not names_locator("代表法第五十一条怎么规定", "第一条")
    assert not names_locator("第29项是什么", "八、加强代表履职服务保障 / 29")  # plan items are not named by number
    assert names_locator("宁夏全年要做哪些代表工作", "全年") and not names_locator("年底有什么安排", "全年")


def test_session_numbers_are_ordinals_of_a_session_not_counts():
    from retrieval.ranking import session_numbers

    assert session_numbers("做好自治区十三届人大常委会第二十二、二十三次会议有关服务保障工作") == {22, 23}
    assert session_numbers("宁夏人大四次会议的议案") == {4} and session_numbers("常委会22次会议") == {22}
    assert session_numbers("第五至七次会议") == {5, 6, 7}
    assert session_numbers("每年至少召开三次会议") == set() and session_numbers("开了22次会议") == set()


def test_a_question_naming_a_session_reads_the_row_that_lists_it(make_kb):
    """“第二十三次常委会会议” is served in 1月 (“第二十二、二十三次会议”); the 11月 row (“第二十八次会议”) reads almost
    the same and, before the session prior, came first."""
    kb = make_kb()
    kb.ingest_paths([BUILTIN_DIR])
    assert kb.search("宁夏人大常委会第二十二次会议大概啥时候开", top_k=1)[0].locator == "1月"
    assert kb.search("第二十三次常委会会议几月开", top_k=1)[0].locator == "1月"
    assert kb.search("宁夏人大常委会第二十八次会议什么时候开", top_k=1)[0].locator == "11月"


def test_a_question_naming_the_region_reads_the_row_it_asks_about(make_kb):
    """“宁夏” names the whole schedule: before its title said so, it matched only the rows that mention 宁夏
    (1月), which outranked the month or the 全年 rows the question asked about."""
    kb = make_kb()
    kb.ingest_paths([BUILTIN_DIR])
    assert kb.search("宁夏年底有什么工作", top_k=1)[0].locator == "12月"
    assert kb.search("宁夏全年要做哪些代表工作", top_k=1)[0].locator == "全年"
    ans = kb.answer("宁夏人大常委会什么时候开会审议代表建议办理情况")
    assert ans.found and ans.hits[ans.sentences[0].source].locator == "10月"


def test_a_question_on_what_no_document_speaks_of_is_not_answered_from_a_distant_sentence(make_kb):
    """A new-user round: “代表在人代会上的发言会不会被追究法律责任” was answered from the plan's sentence on 审议发言;
    the plans never speak of 追究 or 法律责任. Everyday words the plans do not use either (出去) are no topic."""
    kb = make_kb()
    kb.ingest_paths([BUILTIN_DIR])
    q = "代表在人代会上的发言会不会被追究法律责任"
    assert kb.unknown_words(q) == ["追究", "法律责任"]
    ans = kb.answer(q)
    assert not ans.found and ans.reason == "unmentioned" and "追究" in ans.note and ans.hits
    assert kb.unknown_words("代表出去调研的路费谁出") == []
    assert kb.answer("代表出去调研的路费谁出").found


def test_an_everyday_question_the_documents_do_not_cover_gets_sources_but_no_answer(make_kb):
    kb = make_kb()
    kb.ingest_paths([BUILTIN_DIR])
    for q in ("个人所得税的起征点是多少", "明天北京的天气怎么样", "住房公积金怎么提取"):
        ans = kb.answer(q)
        assert not ans.found and ans.hits, q  # the nearest passages are still offered as sources
        assert kb.unseen_share(q) >= 0.5
    # lay wording the plan answers; half the words of the second are not the plan's (违反纪律)
    for q, item in (("人大代表履职有补贴吗", "/ 30"), ("代表违反纪律怎么办", "/ 25"), ("大会精神怎么宣传", "/ 11")):
        ans = kb.answer(q)
        assert ans.found and ans.hits[ans.sentences[0].source].locator.endswith(item), q
    assert kb.unseen_share("代表违反纪律怎么办") == 0.5
    assert kb.unseen_share("代表建议交办会什么时候召开") == 0.0
    assert kb.unseen_share("宁夏什么时候召开人代会") == 0.0  # 人代会 is spelled out as 人民代表大会, which the plan uses


def test_a_deleted_documents_words_are_no_longer_known(make_kb, docs):
    kb = make_kb()
    kb.ingest_paths([docs])
    assert kb.unseen_share("银川生态保护") == 0.0  # only the notice says 银川 and 生态保护
    notice = next(d["doc_id"] for d in kb.documents() if "视察通知" in d["title"])
    kb.delete_document(notice)
    assert kb.unseen_share("银川生态保护") == 1.0


def test_law_article_cited(make_kb, docs):
    kb = make_kb()
    rep = kb.ingest_paths([docs])
    assert rep.documents == 2 and rep.chunks == 5
    top = kb.search("代表提的建议多久内要答复", top_k=3)[0]
    assert top.title == "中华人民共和国测试代表法" and top.locator == "第三条"
    assert top.citation == "《中华人民共和国测试代表法》 第三条"


def test_reingest_unchanged_does_nothing_and_replace_updates(make_kb, docs):
    kb = make_kb()
    kb.ingest_paths([docs])
    gen = kb.manifest["generation"]
    rep = kb.ingest_paths([docs])
    assert rep.documents == 0 and rep.unchanged == 2
    _write(docs / "notice.md", "# 宁夏代表团视察通知\n\n## 安排\n\n视察改为十月赴固原，重点了解乡村振兴。\n")
    rep = kb.ingest_paths([docs])
    assert rep.documents == 1 and rep.unchanged == 1
    assert kb.manifest["generation"] > gen
    texts = " ".join(h.text for h in kb.search("宁夏代表团视察安排", top_k=10))
    assert "固原" in texts and "银川" not in texts


def test_deleted_document_never_returns(make_kb, docs):
    kb = make_kb()
    kb.ingest_paths([docs])
    doc_id = next(d["doc_id"] for d in kb.documents() if "视察通知" in d["title"])
    assert kb.delete_document(doc_id)
    assert not kb.delete_document(doc_id)
    for q in ("宁夏代表团视察", "银川 生态保护"):
        assert all(h.doc_id != doc_id for h in kb.search(q, top_k=10))
    reopened = KnowledgeBase.open(kb.root, embedder=kb.embedder)  # persisted deletion
    assert all(h.doc_id != doc_id for h in reopened.search("银川 生态保护", top_k=10))


def test_scope_and_collection_filters(make_kb, docs, tmp_path):
    kb = make_kb()
    kb.ingest_paths([docs / "law.md"], collection="laws", scope="all")
    kb.ingest_paths([docs / "notice.md"], collection="briefings", scope="delegation:宁夏代表团")
    other = SearchFilters(scopes=frozenset({"all", "delegation:广东代表团"}))
    assert all(h.scope == "all" for h in kb.search("宁夏代表团视察", top_k=10, filters=other))
    mine = SearchFilters(scopes=frozenset({"all", "delegation:宁夏代表团"}))
    assert kb.search("宁夏代表团视察", top_k=1, filters=mine)[0].scope == "delegation:宁夏代表团"
    only_laws = SearchFilters(collections=frozenset({"laws"}))
    assert {h.collection for h in kb.search("视察", top_k=10, filters=only_laws)} == {"laws"}


def test_skipped_files_reported_not_fatal(make_kb, docs):
    (docs / "empty.pdf").write_bytes(b"")
    (docs / "bad.docx").write_bytes(b"garbage")
    rep = make_kb().ingest_paths([docs])
    assert rep.documents == 2
    assert sorted(Path(p).name for p, _ in rep.skipped) == ["bad.docx", "empty.pdf"]


def test_mismatched_index_fails_clearly(make_kb, docs, embedder):
    kb = make_kb()
    kb.ingest_paths([docs])
    manifest = json.loads((kb.root / "manifest.json").read_text())
    manifest["model"], manifest["dim"] = "some/other-model", 768
    (kb.root / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexMismatchError, match="重建索引"):
        KnowledgeBase.open(kb.root, embedder=embedder)


def test_reader_reloads_when_manifest_changes(make_kb, docs, embedder):
    writer = make_kb()
    writer.ingest_paths([docs / "law.md"])
    reader = KnowledgeBase.open(writer.root, embedder=embedder, read_only=True)
    assert not any("银川" in h.text for h in reader.search("银川视察", top_k=5))
    time.sleep(0.01)
    writer.ingest_paths([docs / "notice.md"])
    assert any("银川" in h.text for h in reader.search("银川视察", top_k=5))


async def test_async_search_keeps_event_loop_responsive(make_kb, docs):
    kb = make_kb()
    kb.ingest_paths([docs])
    ticks = 0

    async def ticker():
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    t = asyncio.create_task(ticker())
    results = await asyncio.gather(*(kb.asearch("代表任期", top_k=3) for _ in range(8)))
    t.cancel()
    assert all(r and r[0].locator == "第二条" for r in results)
    assert ticks > 0  # the loop kept running while searches ran in threads


def test_empty_query_and_empty_index(make_kb):
    kb = make_kb()
    assert kb.search("", top_k=5) == []
    assert kb.search("任何问题", top_k=5) == []


def test_questions_are_encoded_in_fp32_even_where_passages_use_bf16(embedder, monkeypatch):
    import numpy as np

    monkeypatch.setattr(embedder, "bf16", True)
    embedder.clear_cache()
    query = embedder.encode_queries(["代表建议应当在多长时间内答复"])
    monkeypatch.setattr(embedder, "bf16", False)
    assert np.array_equal(query, embedder._encode(["query: 代表建议应当在多长时间内答复"]))
    monkeypatch.setattr(embedder, "bf16", True)
    bulk = embedder.encode_passages(["代表建议应当在三个月内答复。"])
    assert not np.array_equal(bulk, embedder._encode(["passage: 代表建议应当在三个月内答复。"]))  # bf16: rounded
    assert float(bulk[0] @ embedder._encode(["passage: 代表建议应当在三个月内答复。"])[0]) > 0.999
    embedder.clear_cache()


def test_deputies_lay_words_about_their_own_rights_search_as_the_statutes_word_them():
    from retrieval.query import rewrite_query

    assert {"逮捕", "拘留"} <= set(rewrite_query("人大代表是不是不能随便抓").split())
    assert "任期" in rewrite_query("人大代表一届干几年").split()
    assert "打击报复" in rewrite_query("提建议被人穿小鞋怎么办").split()
    assert "闭会期间" in rewrite_query("现在不是开会期间，有意见找谁").split()
    # eleventh round: handing a suggestion on, walking with difficulty, being held to account for one's words
    assert "交办" in rewrite_query("闭会期间交的建议几天内要交给承办单位").split()
    assert "行动不便" in rewrite_query("我拄拐走路不利索，视察时能要求帮助吗").split()
    assert "不受法律追究" in rewrite_query("座谈会上批评了某个局，会不会因为这些话被追究").split()
    assert "予以批准" not in rewrite_query("代表对政府工作不批评行吗").split()
    # twelfth round: missing sessions without leave (打招呼请假 asks leave: no 干预), a deputy 旁听 as 列席
    words = rewrite_query("前两年开人代会我都没赶回去，也没跟谁打招呼请假，会不会影响我这个代表的资格").split()
    assert {"未经批准", "不出席", "代表资格终止"} <= set(words) and "干预" not in words
    assert "干预" in rewrite_query("有人找我去法院打招呼").split()
    assert "列席" in rewrite_query("镇里开人代会，我能不能过去列席旁听一下").split()[-3:]
    # thirteenth round: the cases an article lists, 修宪, a deputy's own company and a relative's matter
    assert "下列情形" in rewrite_query("啥情况代表资格就没了？").split()
    assert "宪法的修改" in rewrite_query("修宪要多少代表提议？").split()
    words = set(rewrite_query("我开了家建筑公司，能不能找部门打个招呼，帮公司在工程招标里多拿几个项目").split())
    assert {"干预", "个人利益", "商业活动", "招标投标"} <= words
    assert {"亲属", "作为代表建议"} <= set(rewrite_query("表哥家拆迁补偿谈不拢，我能把这事写成代表建议吗").split())
    # ordinary words that contain the same characters are not rewritten
    for q in ("抓紧落实代表建议", "如何抓实代表建议办理", "代表建议马上会答复吗", "企业被关停怎么办", "电子签名有法律效力吗",
              "老人生病住院医保怎么报销", "报复性消费", "把物业换掉", "开不开会由谁决定"):
        added = set(rewrite_query(q).split()) - set(q.split())
        assert not added & {"逮捕", "拘留", "列入会议议程", "羁押", "联名", "请假", "打击报复", "罢免", "闭会期间"}, q


def test_a_large_batch_reports_encoding_progress_in_slices_without_changing_vectors(embedder):
    """An index build encodes 2,048 chunks per call; its bar used to sit at 0 % for minutes on a busy machine."""
    texts = [f"第{i}条 代表依法履职，按照第{i}项规定参加视察。" + "补充说明。" * (i % 7) for i in range(300)]
    calls: list[int] = []
    sliced = embedder.encode_passages(texts, on_progress=calls.append)
    assert sum(calls) == 300 and len(calls) >= 2
    np.testing.assert_allclose(sliced, embedder.encode_passages(texts), atol=2e-3)


def test_an_index_builds_progress_bar_counts_every_chunk_once_moving_within_batches(make_kb, tmp_path, monkeypatch):
    import retrieval.embedder as emb_mod
    import retrieval.index as index_mod

    updates: list[int] = []

    class Bar:
        def __init__(self, total=0, **_):
            self.total = total

        def update(self, n):
            updates.append(n)

        def close(self):
            pass

    monkeypatch.setattr(index_mod, "tqdm", Bar)
    monkeypatch.setattr(index_mod, "EMBED_BATCH", 12)
    monkeypatch.setattr(emb_mod, "PROGRESS_SLICE", 5)
    law = tmp_path / "law.md"
    law.write_text("# 中华人民共和国测试法\n\n" + "\n\n".join(f"第{n}条 代表依法参加第{n}项活动。" for n in
                   ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五",
                    "十六", "十七", "十八", "十九", "二十"]), encoding="utf-8")
    kb = make_kb()
    report = kb.ingest_paths([law], progress=True)
    assert all(n >= 0 for n in updates) and sum(updates) == report.chunks == 20
    assert len([n for n in updates if n]) > 2  # it moved within the two batches, not once per batch


def test_what_a_new_user_asked_of_the_builtin_corpus(make_kb):
    """Questions a tester asked as a deputy would (stop 14): lay words, question framing, the national body,
    spans of months, and counts the documents do not hold."""
    kb = make_kb()
    kb.ingest_paths([BUILTIN_DIR])

    def source(q):
        ans = kb.answer(q)
        return ans.hits[ans.sentences[0].source].locator if ans.found else None

    assert source("代表出去调研的路费谁出").endswith("/ 30")  # 路费 is the plan's 旅费
    assert source("两摘两推是什么意思").endswith("/ 29")  # “是什么意思” is how, not what, it asks
    # the national congress named: not 宁夏's 11月 row, which the month alone would pick
    ans = kb.answer("11月份全国人大有啥代表工作")
    assert ans.found and "全国人大常委会" in ans.hits[ans.sentences[0].source].title and "11月" in ans.text
    assert "4月至9月" in kb.answer("重点督办从几月搞到几月").text
    # a count no sentence holds is not answered with a confident unrelated sentence
    for q in ("人大代表每个月工资多少钱", "全国人大代表一共有多少人"):
        ans = kb.answer(q)
        assert not ans.found and ans.hits, q
    # an amount of money is not answered by a count of something else (round 5: “补贴能拿多少钱” → “过半数”)
    assert not kb.answer("代表参加培训的补贴能拿多少钱").found
    from retrieval.fact_kinds import _ASKS_MONEY
    assert not _ASKS_MONEY.search("全国一共有多少万名各级人大代表") and _ASKS_MONEY.search("要花多少万元")
    assert "5期" in kb.answer("今年全国人大给代表办几期专题学习班").text
    # round 13: “…举办代表专题培训班” came first and the count was declined; the same item's 5期 sentence answers
    assert "举办5期代表专题学习班" in kb.answer("代表培训班今年一共办几期？").text
    # round 13: 路费 is the documents' 旅费; the 视察 items all around it had won
    for q in ("代表去视察的路费谁出", "代表视察的路费由谁承担"):
        assert "往返旅费" in kb.answer(q).text, q
    assert "两名" in kb.answer("执法检查组下去检查至少要带几个代表").text
    # a schedule cell listing units keeps them apart (was “办公厅代表工作委员会”)
    row = next(h for h in kb.search("宁夏四月份的工作是哪个单位承办", top_k=3) if h.locator == "4月")
    assert "承办单位：办公厅、代表工作委员会" in row.text


def test_a_month_named_in_a_question_also_finds_the_plan_tasks_of_that_month(make_kb):
    """New-user round 4: a question naming a month was answered only from the schedule row of that month,
    though the plan's “1月，…组织代表研读…法律草案” ranked first; “大概” is how, not what, a question asks; a
    question for how long that no passage answers with a span of time is declined."""
    kb = make_kb()
    kb.ingest_paths([BUILTIN_DIR])

    def source(q):
        ans = kb.answer(q)
        return ans.hits[ans.sentences[0].source].locator if ans.found else None

    assert source("1月份研读哪几部法律草案").endswith("/ 8")
    assert source("5月份开展什么培训").endswith("/ 20")
    assert source("宁夏8月份有哪些工作") == "8月"  # the province named: its row
    assert "一周" in kb.answer("集中视察大概多长时间").text
    for q in ("代表建议多长时间内答复", "代表建议多久答复"):  # the plan states no deadline; 代表法 does
        ans = kb.answer(q)
        assert not ans.found and ans.hits, q
    # a row answers with its work (主要内容, even where 相关部门 is the longer cell), and with who only when asked
    said = kb.answer("全年有哪些常态化工作").text
    assert said.startswith("主要内容：") and "相关部门" not in said
    assert "承办单位：办公厅、代表工作委员会" in kb.answer("宁夏四月份的工作是哪个单位承办").text
    # when the plan was adopted: its bracketed note, not “通过多种方式听取…” of item 21
    for q in ("代表工作计划是什么时候通过的", "这个计划是哪次会议通过的"):
        ans = kb.answer(q)
        assert source(q) == "总体要求" and "第57次委员长会议原则通过" in ans.text, q


def test_two_writers_on_one_index_directory_keep_each_others_documents(make_kb, docs):
    """Two processes refreshing one index (two CLI runs on the built-in index): the second waits for the
    first and reloads what it wrote before adding its own, instead of failing on a locked database or
    saving its older state over the first's."""
    first, second = make_kb(), make_kb()  # both opened before either writes
    first.ingest_paths([docs / "law.md"])
    second.ingest_paths([docs / "notice.md"])
    reopened = make_kb()
    titles = {d["title"] for d in reopened.documents()}
    assert titles == {"中华人民共和国测试代表法", "宁夏代表团视察通知"}
    assert any("银川" in h.text for h in reopened.search("银川视察", top_k=3))
    assert any(h.locator.endswith("第三条") for h in reopened.search("建议多久答复", top_k=3))
    # and the second writer itself sees the first's document
    assert second.ingest_paths([docs / "law.md"]).unchanged == 1


def test_an_interrupted_build_keeps_the_documents_it_finished(make_kb, tmp_path, monkeypatch):
    """A long build saves as it goes: killed half way, the next run skips what was saved."""
    import retrieval.index as index_module

    docs = tmp_path / "many"
    docs.mkdir()
    for i in range(6):
        _write(docs / f"n{i}.md", f"# 通知{i}\n\n第{i}次集中视察安排在{i + 1}月，重点了解生态保护。\n")
    monkeypatch.setattr(index_module, "EMBED_BATCH", 2)  # three batches of two documents
    monkeypatch.setattr(index_module, "CHECKPOINT_SECONDS", 0.0)
    kb = make_kb()
    real, calls = kb.embedder.encode_passages, []

    def failing_third_batch(texts, *a, **kw):
        calls.append(len(texts))
        if len(calls) == 3:
            raise KeyboardInterrupt  # the user stops the build
        return real(texts, *a, **kw)

    monkeypatch.setattr(kb.embedder, "encode_passages", failing_third_batch)
    with pytest.raises(KeyboardInterrupt):
        kb.ingest_paths([docs])
    monkeypatch.setattr(kb.embedder, "encode_passages", real)
    again = make_kb()
    assert len(again.documents()) == 4  # two batches were saved
    report = again.ingest_paths([docs])
    assert (report.unchanged, report.documents) == (4, 2)
    assert {h.title for h in again.search("集中视察生态保护", top_k=6)} == {f"通知{i}" for i in range(6)}


def test_a_rebuild_interrupted_after_a_checkpoint_loses_no_document(make_kb, tmp_path, monkeypatch):
    """Replaced documents leave with the batch that brings their new version: a checkpoint half way through
    re-chunking never publishes an index with the old chunks gone and the new ones missing."""
    import retrieval.index as index_module

    docs = tmp_path / "many"
    docs.mkdir()
    for i in range(6):
        _write(docs / f"n{i}.md", f"# 通知{i}\n\n第{i}次集中视察安排在{i + 1}月。\n")
    kb = make_kb()
    kb.ingest_paths([docs])
    for i in range(6):
        _write(docs / f"n{i}.md", f"# 通知{i}\n\n第{i}次集中视察安排在{i + 1}月，重点了解生态保护。\n")
    monkeypatch.setattr(index_module, "EMBED_BATCH", 2)
    monkeypatch.setattr(index_module, "CHECKPOINT_SECONDS", 0.0)
    real, calls = kb.embedder.encode_passages, []

    def failing_third_batch(texts, *a, **kw):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(texts, *a, **kw)

    monkeypatch.setattr(kb.embedder, "encode_passages", failing_third_batch)
    with pytest.raises(KeyboardInterrupt):
        kb.ingest_paths([docs])
    monkeypatch.setattr(kb.embedder, "encode_passages", real)
    reader = KnowledgeBase.open(kb.root, embedder=kb.embedder, read_only=True)
    assert {h.title for h in reader.search("集中视察", top_k=10)} == {f"通知{i}" for i in range(6)}
    assert sum("生态保护" in h.text for h in reader.search("集中视察", top_k=10)) == 4  # two batches renewed


def test_a_chunk_whose_vector_is_missing_is_still_found_by_its_words(make_kb, docs):
    kb = make_kb()
    kb.ingest_paths([docs])
    notice = next(h for h in kb.search("银川视察", top_k=3) if "银川" in h.text)
    kb.dense.remove([notice.chunk_id])  # as if a crash had kept its vector from being saved
    # no faiss error for every search that meets it; BM25 still finds it
    assert any(h.chunk_id == notice.chunk_id for h in kb.search("银川视察", top_k=10))


def test_answer_sentences_keep_their_figures():
    from retrieval.answer import _ITEM_NUMBER
    from retrieval.fact_kinds import QUANTITY as _QUANTITY

    assert _ITEM_NUMBER.sub("", "1.5万名代表参加") == "1.5万名代表参加"
    assert _ITEM_NUMBER.sub("", "2、3月份开展调研") == "2、3月份开展调研"
    assert _ITEM_NUMBER.sub("", "2.服务代表资格审查委员会") == "服务代表资格审查委员会"
    for held in ("每人每月补贴500元", "全国人大代表2980名", "共1.5万名", "三十名以上"):
        assert _QUANTITY.search(held), held
    for none in ("2026年3月召开", "第二十七次会议", "“两个确立”"):
        assert not _QUANTITY.search(none), none


def test_questions_for_facts_the_documents_do_not_hold_are_declined_with_the_reason(make_kb, tmp_path):
    """New-user round 6: a question for an office holder, a year nothing covers or a figure was answered with the
    nearest plan sentence (“…主任是谁” → a 6月 task naming 主任会议); a review then found questions those rules
    must leave alone (“…的负责人是谁”, “我2027年才满十八周岁”, “几号” where the plan gives the month)."""
    from retrieval.fact_kinds import NOTES, _ASKS_PERSON

    NOTE_FIGURE, NOTE_MONTH_ONLY, NOTE_PERSON = NOTES["figure"], NOTES["month_only"], NOTES["person"]

    kb = make_kb()
    kb.ingest_paths([BUILTIN_DIR])
    for q, note in (("宁夏人大常委会主任是谁", NOTE_PERSON), ("谁是宁夏人大常委会主任", NOTE_PERSON),
                    ("全国人大代表出国考察的报销标准是多少", NOTE_FIGURE),
                    ("2027年代表工作计划有什么安排", "资料中没有2027年的内容。"),
                    ("二〇二七年的代表工作安排", "资料中没有2027年的内容。")):
        ans = kb.answer(q)
        assert not ans.found and ans.hits and ans.note == note, (q, ans.text)
    # the plan gives the month, not the day: answered, with the caveat
    ans = kb.answer("代表建议交办会在几号开")
    assert ans.found and "3月" in ans.text and ans.note == NOTE_MONTH_ONLY
    # what the documents hold is still answered: a year they plan for, a month, a count, who does a task
    assert kb.answer("2026年全国人大常委会什么时候召开代表建议办理工作座谈会").found
    assert kb.answer("2026年和2027年的代表工作有什么安排").found
    assert kb.unseen_years("我2027年才满十八周岁，能参加选举吗") == []
    assert "5期" in kb.answer("今年全国人大给代表办几期专题学习班").text
    assert "代表工作委员会" in kb.answer("宁夏代表建议督办活动的负责人是谁").text
    for q in ("县里各个局的局长是谁任命的", "县监委主任是谁选出来的", "督办活动的负责人是谁"):
        assert not _ASKS_PERSON.search(q), q
    # an appointment notice says who: answered from it, whether or not jieba tags the name as a person's
    notice = tmp_path / "任职通知.md"
    notice.write_text("# 关于任职的通知\n\n经县第十八届人民代表大会第三次会议选举，李飞跃当选为县人民代表大会常务委员会主任。\n",
                      encoding="utf-8")
    kb.ingest_paths([notice])
    assert "李飞跃" in kb.answer("县人大常委会主任是谁").text


def test_a_schedule_row_says_its_month_and_who_does_the_work_when_asked(make_kb):
    """New-user round 6: “…安排在几月” was answered “主要内容：做好…筹备工作。”, the month only in the citation; a
    who-question lost the row's 承办单位 cell, and a cell ended without a full stop."""
    kb = make_kb()
    kb.ingest_paths([BUILTIN_DIR])
    assert kb.answer("宁夏人大五次会议的筹备工作安排在几月").text.startswith("12月：做好自治区十三届人大五次会议筹备工作")
    who = kb.answer("宁夏人大代表资格审查和宪法宣誓归哪个单位承办").text
    assert who.startswith("全年：") and "承办单位：代表工作委员会。" in who
    # the month named: the row's content cell whole, as before; “哪个月” asks when, not who
    assert kb.answer("宁夏8月份有哪些工作").text.startswith("主要内容：1.")
    assert "承办单位" not in kb.answer("县乡人大换届选举工作人员培训班在哪个月办").text
    # round 7: the 单位 of 选举单位 is no who-question (the 8月 row's 相关部门 belong to its 督办 task)
    said = kb.answer("宁夏人大代表分选举单位交叉专题调研是哪个月").text
    assert said.startswith("8月：") and "相关部门" not in said and "承办单位" not in said


def test_what_circumstances_finds_the_article_that_lists_them(make_kb, tmp_path):
    """New-user rounds 4 and 6: “啥情况下代表资格就终止了” was answered from the article on who announces the
    termination; statutes list circumstances as “有下列情形之一的”."""
    law = tmp_path / "代表法.md"
    law.write_text(
        "# 中华人民共和国全国人民代表大会和地方各级人民代表大会代表法\n\n<!-- INFO END -->\n\n## 第八章 附则\n\n"
        "第六十一条　代表有下列情形之一的，暂时停止执行代表职务：（一）因刑事案件被羁押正在受侦查、起诉、审判的；"
        "（二）被依法判处管制、拘役或者有期徒刑而没有附加剥夺政治权利，正在服刑的。\n\n"
        "第六十二条　代表有下列情形之一的，其代表资格终止：（一）地方各级人民代表大会代表迁出或者调离本行政区域的；"
        "（二）辞职被接受的；（三）未经批准两次不出席本级人民代表大会会议的；（四）被罢免的；（五）丧失中华人民共和国国籍的；"
        "（六）依照法律被剥夺政治权利的；（七）丧失行为能力的。\n\n"
        "第六十三条　县级以上的各级人民代表大会代表资格的终止，由代表资格审查委员会报本级人民代表大会常务委员会，"
        "由本级人民代表大会常务委员会予以公告。乡、民族乡、镇的人民代表大会代表资格的终止，由代表资格审查委员会报本级"
        "人民代表大会，由本级人民代表大会予以公告。\n",
        encoding="utf-8")
    kb = make_kb()
    kb.ingest_paths([law])
    for q in ("啥情况下代表资格就终止了", "什么情况下人大代表资格就终止"):
        ans = kb.answer(q)
        assert ans.hits[ans.sentences[0].source].locator.endswith("第六十二条"), (q, ans.text)


def test_an_article_that_does_not_mention_the_procedure_asked_about_ranks_lower():
    """“我们几个县人大代表想提个议案，至少要几个人联名”: 地方组织法 第二十六条 (candidates' nomination, “十人以上书面联名”)
    outranked the articles on 议案; “想辞掉市人大代表…找谁提” was answered from it too."""
    from retrieval.ranking import RankConfig, add_object_prior

    texts = ["县级的人民代表大会代表十人以上书面联名，可以提出…的候选人。", "代表十人以上联名，可以提出属于本级人民代表大会职权范围内的议案。"]
    out = add_object_prior(np.zeros(2), texts, "县人大代表要几个人联名才能提议案", RankConfig())
    assert out[1] - out[0] == pytest.approx(RankConfig().w_object) and RankConfig().w_object > 0
    # no procedure named: untouched; 质询案 is read before 质询
    assert not add_object_prior(np.zeros(2), texts, "代表能不能随便被抓", RankConfig()).any()
    assert add_object_prior(np.zeros(1), ["提出质询案"], "提质询案要几个人", RankConfig())[0] == 0


def test_an_article_that_never_speaks_of_deputies_ranks_lower_for_what_deputies_do():
    """“县人大代表要几个人联名才能提议案” was answered from 地方组织法 第五十二条, the 常委会 members' “三人以上联名”
    rule for 议案 to the standing committee; 第二十二条's “代表十人以上联名” is the deputies' rule."""
    from retrieval.ranking import RankConfig, add_actor_prior

    texts = ["县级的人民代表大会常务委员会组成人员三人以上联名，可以向本级常务委员会提出议案。",
             "县级以上的地方各级人民代表大会代表十人以上联名，可以向本级人民代表大会提出议案。"]
    cfg = RankConfig()
    out = add_actor_prior(np.zeros(2), texts, "县人大代表要几个人联名才能提议案", cfg)
    assert out[1] - out[0] == pytest.approx(cfg.w_actor) and cfg.w_actor > 0
    # 人民代表大会 alone is the congress, not its deputies; a question naming the other actor is left alone
    assert add_actor_prior(np.zeros(1), ["人民代表大会举行会议的时候"], "代表怎么提建议", cfg)[0] < 0
    assert not add_actor_prior(np.zeros(2), texts, "常委会组成人员几个人联名能提议案", cfg).any()
    assert not add_actor_prior(np.zeros(2), texts, "人民代表大会多久开一次", cfg).any()
    assert not add_actor_prior(np.zeros(2), texts, "公司的法定代表人是谁", cfg).any()
    assert not add_actor_prior(np.zeros(2), texts, "别人可以代表公司借款吗", cfg).any()  # not about congresses


def test_quoted_terms_and_the_chunks_that_hold_them():
    from retrieval.ranking import RankConfig, add_quoted_prior, quoted_terms

    assert quoted_terms("常委会开会期间搞的“列席代表说”是个啥") == ["列席代表说"]
    assert quoted_terms("「代表通道」和‘代表之家’") == ["代表通道", "代表之家"]
    assert quoted_terms("代表建议什么时候交办") == [] and quoted_terms("“说”") == []
    out = add_quoted_prior(np.zeros(2), ["召开列席代表座谈会", "办好常委会会议期间“列席代表说”"], "“列席代表说”是啥",
                           RankConfig())
    assert out.tolist() == [0.0, 1.0]


def test_a_quoted_name_is_answered_from_the_item_that_holds_it(make_kb):
    """“列席代表说” (plan item 31) was answered from item 13 (列席代表情况通报会), which shares its words."""
    kb = make_kb()
    kb.ingest_paths([BUILTIN_DIR])
    ans = kb.answer("常委会开会期间搞的“列席代表说”是个啥")
    assert ans.found and ans.hits[ans.sentences[0].source].locator.endswith("/ 31")


def test_a_minority_deputy_reads_as_shaoshu_minzu():
    from retrieval.query import rewrite_query

    assert "少数民族" in rewrite_query("我是回族代表，外出视察吃饭不方便").split()
    assert "少数民族" not in rewrite_query("宁夏回族自治区人大代表几月视察").split()


def test_a_when_question_answered_by_a_task_without_a_time_says_so(make_kb):
    """“换届选举什么时候” got “做好换届选举指导工作” as if it were the time."""
    kb = make_kb()
    kb.ingest_paths([BUILTIN_DIR])
    ans = kb.answer("换届选举什么时候")
    assert ans.found and ans.reason == "when" and ans.note == "资料中没有写明具体时间，相关内容如下。"
    dated = kb.answer("代表建议交办会什么时候召开")
    assert dated.found and dated.reason is None
