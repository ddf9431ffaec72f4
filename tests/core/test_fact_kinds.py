"""Which kind of fact a question asks for, and whether the chosen sentence holds one (retrieval.fact_kinds.judge)."""

from __future__ import annotations

from retrieval.fact_kinds import NOTES, count_unit, gives_count, judge


def _verdict(question: str, best: str, others: tuple[str, ...] = (), closeness: float = 0.88):
    return judge(question, [best, *others], best, closeness)


def test_a_count_is_answered_only_by_a_sentence_that_holds_one():
    """“女代表一共多少名” was answered from a plan item on 代表通道, because another considered sentence held “5期”."""
    v = _verdict("十四届全国人大代表里女代表一共多少名", "通过代表通道等宣传代表履职典型事迹。", ("举办5期代表学习班。",))
    assert v is not None and v.declined and v.note == NOTES["figure"]
    assert _verdict("县人大代表要几个人联名才能提议案", "县级的人民代表大会代表十人以上联名，可以提出议案。") is None


def test_a_rate_needs_a_share_not_just_any_number():
    v = _verdict("去年全国人大代表建议的办结率是多少", "4月，委员长会议确定重点督办建议选题，共20件。")
    assert v is not None and v.declined
    assert _verdict("代表建议办结率是多少", "代表建议办结率达到98.5%。") is None
    assert _verdict("选民登记率是多少", "登记率为百分之九十五。") is None


def test_a_place_is_answered_only_by_a_sentence_that_names_one():
    v = _verdict("代表建议交办会在北京哪个会场开", "3月，召开代表建议交办会。")
    assert v is not None and v.declined and v.note == NOTES["place"]
    assert _verdict("代表建议交办会在哪里开", "3月，在北京召开代表建议交办会。") is None
    assert _verdict("座谈会在哪里开", "座谈会地点另行通知。") is None
    # not a place question: “哪里” inside other wording is left alone
    assert _verdict("代表建议交办会几月开", "3月，召开代表建议交办会。") is None
    # a room or floor names the venue (round 12: an uploaded notice was declined for “在哪开”)
    assert _verdict("代表座谈会在哪开", "明天下午3点在自治区人大常委会机关3楼会议室召开代表座谈会，请准时参加。") is None
    v = _verdict("代表座谈会在哪开", "第三次会议期间召开代表座谈会。")  # 三次 is no floor
    assert v is not None and v.declined


def test_a_session_number_is_no_count():
    """“十四届全国人大四次会议” held “四次”, so “女代表一共多少名” passed as answered by a plan item."""
    v = _verdict("十四届全国人大代表里女代表一共多少名", "办好十四届全国人大四次会议期间“代表通道”。")
    assert v is not None and v.declined
    assert _verdict("常委会一年开几次会", "常务委员会会议一般每两个月举行一次。") is None


def test_several_is_no_count_and_where_to_go_asks_a_place():
    """Eighth round: “好几个代表提的建议…会合在一起办吗” was declined for want of a number (好几个 = several), and
    “集中视察具体去哪些地方” was answered with the item that only says a 集中视察 takes place."""
    assert _verdict("好几个代表提的建议内容差不多，会合在一起办吗", "对内容相同的合并办理。") is None
    v = _verdict("今年全国人大代表集中视察具体去哪些地方", "大会前，组织代表开展集中视察。")
    assert v is not None and v.declined and v.note == NOTES["place"]
    assert _verdict("代表建议交到哪里", "代表建议由常务委员会办事机构交办。") is None
    # thirteenth round: “帮公司在招标里多拿几个项目” asks for more of them, not how many (it was declined)
    assert _verdict("能不能帮公司在政府工程招标里多拿几个项目", "代表不得插手招标投标等经济活动。") is None
    v = _verdict("一次能拿几个项目", "代表不得插手招标投标等经济活动。")
    assert v is not None and v.declined


def test_a_word_or_two_is_a_topic_not_a_question():
    """A new user's “工作” was answered with a plan sentence on 宣传贯彻大会精神; a month alone still asks for its row."""
    from retrieval.fact_kinds import too_vague

    assert too_vague("工作") and too_vague("议案？") and too_vague("两会吗")
    assert not too_vague("8月") and not too_vague("九月份") and not too_vague("选举法")
    assert not too_vague("代表建议交办会在几月开？")


def test_a_weekday_answers_which_day():
    """“联络站哪天值班” was declined (资料中没有写明具体日期) although the notice said 每周三下午."""
    assert _verdict("联络站哪天值班", "银川市兴庆区代表联络站每周三下午由代表轮流值班，接待群众来访。") is None
    assert _verdict("接待日是哪一天", "每逢星期五上午接待选民。") is None
    v = _verdict("交办会哪天开", "召开代表建议交办会。")
    assert v is not None and v.declined and v.note == NOTES["day"]


def test_names_time():
    from retrieval.fact_kinds import asks_when, names_time

    assert asks_when("换届选举什么时候") and asks_when("交办会何时召开") and not asks_when("交办会在哪里开")
    assert names_time("3月，召开代表建议交办会。") and names_time("闭会期间，代表参加视察。")
    assert names_time("自收到之日起三个月内答复") and names_time("8月")
    # 换届, 年度 and an ordinal are not times
    assert not names_time("做好换届选举指导工作。") and not names_time("印发年度代表工作要点。")
    assert not names_time("第十三届人大代表")


def test_any_time_is_no_when_question_and_a_frequency_no_day():
    """A review found 任何时候 read as 何时, and 每周一次 as a Monday."""
    from retrieval.fact_kinds import asks_when

    assert not asks_when("代表在任何时候都可以提建议吗")
    v = _verdict("联络站哪天开放", "联络站每周一次接待群众。")
    assert v is not None and v.declined


def test_days_a_year_answer_how_many_days():
    """“一年一般按多少天算” was declined although the article says “每年二十天”: a span after 年 was never read."""
    assert _verdict("代表活动占用上班时间一年一般按多少天算", "县、乡的人民代表大会代表一般为每年十五天。") is None
    assert _verdict("代表活动一年按多少天算", "代表执行职务占用的工作时间一年十五天。") is None
    v = _verdict("代表活动一年按多少天算", "本办法自2025年十月起施行。")
    assert v is not None and v.declined


def test_how_many_deputies_asks_a_count():
    """Round 12's bot tester: “议案要多少代表联名才能提” was answered by a plan sentence with no number."""
    v = _verdict("议案要多少代表联名才能提", "强化全过程沟通机制，审议代表议案的专门委员会加强同代表的沟通联系。")
    assert v is not None and v.declined
    assert _verdict("议案要多少代表联名才能提", "县级以上的地方各级人民代表大会代表十人以上联名，可以提出议案。") is None


def test_a_count_question_names_the_units_its_answer_must_count_in():
    assert count_unit("代表培训班今年一共办几期？") == "期"
    assert count_unit("罢免要多少人联名") == count_unit("要多少代表提议") == "人名位"
    assert count_unit("每个月补贴多少钱") == "钱" and count_unit("这个月有什么安排") is None
    assert gives_count("举办5期代表专题学习班", "期") and not gives_count("举办5期代表专题学习班", "人名位")
    assert gives_count("由三十名以上代表联名", "人名位")
