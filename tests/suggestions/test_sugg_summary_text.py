import dataclasses
from pathlib import Path

import pytest

from suggestions.summary import summarize
from suggestions.text import is_numbered, measure_items, parse_draft_text
from suggestions.types import KIND_BILL
from sugg_drafts import BILL, GOOD, VAGUE

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"


def test_summary_keeps_core_demand_and_limit():
    s = summarize(GOOD)
    assert len(s) <= 150
    assert s.startswith("规范城市共享单车停放管理")
    assert "停放区域设置标准" in s  # the first, most concrete demand


def test_summary_prefers_concrete_over_slogans():
    s = summarize(VAGUE)
    assert "保洁员" in s or "考核办法" in s
    assert "形成合力" not in s


def test_summary_without_measures_falls_back_to_body():
    s = summarize(dataclasses.replace(GOOD, measures=""))
    assert 0 < len(s) <= 150 and "共享单车" in s


def test_summary_of_long_real_proposals_within_limit():
    import csv

    path = SHARED / "eval" / "proposals" / "jszx2019.csv"
    if not path.exists():
        pytest.skip("../shared 不存在")
    rows = list(csv.DictReader(path.open(encoding="utf-8")))[:60]
    for r in rows:
        s = summarize(parse_draft_text(r["reason"] + "\n" + r["content"]))
        assert 10 < len(s) <= 150


def test_parse_text_draft_sections():
    text = (f"{GOOD.title}\n问题与现状：\n{GOOD.problem}\n原因分析：{GOOD.cause}\n具体建议：\n{GOOD.measures}\n"
            "联名代表：张三、李四")
    d = parse_draft_text(text)
    assert d.title == GOOD.title and d.kind == "建议"
    assert d.problem == GOOD.problem and d.cause == GOOD.cause and d.measures == GOOD.measures
    assert d.cosponsors == ["张三", "李四"]


def test_parse_bill_and_kind():
    text = f"{BILL.title}\n一、问题与现状\n{BILL.problem}\n二、法律依据\n{BILL.legal_basis}\n三、草案框架\n{BILL.outline}"
    d = parse_draft_text(text)
    assert d.kind == KIND_BILL and d.legal_basis == BILL.legal_basis and d.outline == BILL.outline


def test_unstructured_text_lands_in_problem():
    d = parse_draft_text("城市里共享单车太多，乱停乱放。")
    assert d.problem == "城市里共享单车太多，乱停乱放。" and not d.measures


@pytest.mark.parametrize("heading, part", [
    ("存在的问题", "problem"), ("当前存在的主要问题", "problem"), ("案由", "problem"),
    ("产生问题的原因", "cause"), ("原因剖析", "cause"),
    ("几点建议", "measures"), ("意见和建议", "measures"), ("对策与建议", "measures"), ("具体措施", "measures"),
])
def test_common_heading_wordings(heading, part):
    d = parse_draft_text(f"关于规范共享单车停放的建议\n一、{heading}\n共享单车乱停乱放，挤占盲道。\n二、附件\n照片")
    assert getattr(d, part) == "共享单车乱停乱放，挤占盲道。"


def test_draft_without_headings_is_split_at_its_demands():
    d = parse_draft_text("关于规范共享单车停放的建议\n城市里共享单车太多，乱停乱放，挤占盲道。"
                         "究其原因，是投放没有总量控制。\n为此建议：1.市交通局实行投放总量控制；2.划定停放区。\n"
                         "希望有关部门重视。")
    assert d.title == "关于规范共享单车停放的建议"
    assert d.problem == "城市里共享单车太多，乱停乱放，挤占盲道。"
    assert d.cause == "究其原因，是投放没有总量控制。"
    assert d.measures.startswith("为此建议：1.市交通局") and d.measures.endswith("希望有关部门重视。")
    # the closing formula asks for attention; the summary keeps the demand
    s = summarize(d)
    assert "市交通局实行投放总量控制" in s and "重视" not in s


def test_measure_items():
    assert len(measure_items(GOOD.measures)) == 3 and is_numbered(GOOD.measures)
    assert measure_items("（一）建立标准。（二）公开结果；（三）加强考核。") == ["（一）建立标准。", "（二）公开结果；", "（三）加强考核。"]
    assert not is_numbered("建立标准。公开结果。")


def test_flattened_drafts_keep_their_parts():
    """Text copied from web pages and forms loses line breaks and punctuation around headings."""
    d = parse_draft_text("关于青少年近视防控的建议\n调研情况：小学生视力不良率达40%。问题分析：来自家庭、学校、社会的多因素影响"
                         "具体建议：1、全面摸底，建立档案。2、多方联动，形成合力。")
    assert d.cause == "来自家庭、学校、社会的多因素影响" and d.measures.startswith("1、全面摸底")
    d = parse_draft_text("关于危险废物处置的建议\n一、基本情况\xa0产废单位每年产生微量危废 300 吨。\xa0二、存在问题\xa0处置费用高。"
                         "\xa0三、建议\xa01.规范危废物市场处置行为。2.设立集中收集点。")
    assert d.problem.startswith("产废单位") and d.measures.startswith("1.规范危废物")
    d = parse_draft_text("关于商务楼宇管理的建议\n非法集资机构常藏身商务楼宇，迫切需要相关部门加强管理，为此建议：1.指导楼宇业主把好准入关。"
                         "2.提升楼宇业主的法律素养。")
    assert d.problem.endswith("迫切需要相关部门加强管理，") and d.measures.startswith("为此建议：1.指导")
    # headings for problem and analysis only, the demands announced inside the analysis
    d = parse_draft_text("关于地方戏曲传承的建议\n主要问题：剧团演出场次逐年减少，观众老化。究其原因，是扶持政策不配套。"
                         "为此，提出如下建议：1、遵循自身发展规律；2、加大政策扶持。")
    assert d.problem == "剧团演出场次逐年减少，观众老化。" and d.cause == "究其原因，是扶持政策不配套。"
    assert d.measures.startswith("为此，提出如下建议：1、遵循")


def test_a_draft_pasted_from_markdown_loses_its_markup():
    from suggestions.text import parse_draft_text

    text = ("\ufeff# 关于加大保障性租赁住房供给的建议\r\n\r\n---\r\n\r\n## 一、问题与现状\r\n\r\n"
            "我市新市民约**86万人**，租房居住的占 62%。\r\n\r\n* 已建房源 __70%__ 位于远郊；\r\n\r\n"
            "## 二、原因分析\r\n\r\n> 一是存量用房改建审批难；\r\n\r\n## 三、具体建议\r\n\r\n"
            "1. **建议市住建局**2026 年底前出台改建实施细则。\r\n\r\n```\r\n联名代表：王某某 李某某\r\n```\r\n")
    d = parse_draft_text(text)
    assert d.title == "关于加大保障性租赁住房供给的建议"
    assert d.problem == "我市新市民约86万人，租房居住的占 62%。\n\n已建房源 70% 位于远郊；"
    assert d.cause == "一是存量用房改建审批难；"
    assert d.measures == "1. 建议市住建局2026 年底前出台改建实施细则。"
    assert d.cosponsors == ["王某某", "李某某"]


def test_a_sentence_ending_inside_a_quotation_keeps_its_closing_quote():
    from suggestions.text import sentences

    assert sentences("增加一款：“发包方可以有偿收回承包地。”明确补偿标准。") == ["增加一款：“发包方可以有偿收回承包地。”", "明确补偿标准。"]


def test_summary_drops_a_clause_announcing_a_list():
    """“草案框架如下：” read “……草案框架如下：。” in the summary (a tester's bill, 2026-11-30)."""
    bill = dataclasses.replace(BILL, measures="", outline="建议制定《中华人民共和国社会救助法》，草案框架如下：\n"
                               "第一章 总则：立法目的、救助原则、政府职责分工。\n第二章 最低生活保障：对象认定、家庭经济状况核对。")
    s = summarize(bill)
    assert "：。" not in s and "建议制定《中华人民共和国社会救助法》。" in s
    s = summarize(dataclasses.replace(GOOD, measures="为此，我们建议：\n1. 建议市交通运输局制定共享单车停放区域设置标准。"))
    assert "：。" not in s and "停放区域设置标准" in s


def test_summary_leaves_out_a_letters_formulae():
    letter = parse_draft_text("关于解决征地补偿款问题的建议\n尊敬的人大代表：\n您好！2019年县里征收了承包地，补偿款一直没有给。\n"
                              "恳请领导帮帮我们这个困难家庭。\n\n此致\n敬礼！\n村民：刘某某\n2026年2月10日")
    s = summarize(letter)
    assert "2026年2月10日" not in s and "刘某某" not in s and "敬礼" not in s and "尊敬的" not in s, s
