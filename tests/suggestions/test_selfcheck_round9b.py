"""Self-check after the tester's round-9 re-run: a complaint against a named official passed as 可以提交 and was
routed to ministries (n5); a 民生 draft whose four demands go to four unrelated offices passed the check, only the
routing warned (p6, d06); the routing said one thing in two wordings.

The legitimate sentences below are real ones, from ../shared/eval/proposals/jszx2019.csv (row numbers given)."""

from __future__ import annotations

import dataclasses

import pytest

from suggestions.coherence import catch_all_title, several_topics
from suggestions.routing import LOW_NOTE, UNSURE_NOTE, not_for_assignment
from suggestions.selfcheck import check, not_suggestion_findings
from suggestions.text import parse_draft_text
from suggestions.types import SEVERITY_ERROR, SEVERITY_WARNING
from sugg_drafts import GOOD


def _accusations(draft):
    return [f for f in not_suggestion_findings(draft) if f.details["category"] == "accusation"]


# -- 1: reporting one official's misconduct -------------------------------------------------------------------------
NAMED_OFFICIAL = """关于整治乡镇干部作风问题的建议

提出人：杨志华（固原市人大代表）

一、问题与现状
原州区某镇镇长李某某工作作风粗暴，群众去镇政府办事经常被他训斥，今年3月还当众辱骂前来反映低保问题的村民。据群众反映，李某某还在村道硬化工程中收受施工老板好处费，他的亲戚承包了镇里三个工程项目。群众对此意见很大，多次向镇里反映都没有结果。

二、原因分析
镇党委对李某某的问题包庇纵容，上级部门监督不到位。

三、具体建议
1. 建议原州区纪委监委对李某某收受好处费问题立案调查，依法依纪严肃处理。
2. 建议区委组织部免去李某某镇长职务。
3. 建议区政府在全区乡镇开展干部作风专项整治，2026年底前建立群众办事评价制度。
"""


def test_a_complaint_against_a_named_official_must_be_fixed_and_is_not_assigned():
    draft = parse_draft_text(NAMED_OFFICIAL)
    report = check(draft)
    found = _accusations(draft)
    assert found and found[0].severity == SEVERITY_ERROR
    assert "纪检监察机关" in found[0].message and "李某某" in found[0].details["sentence"]
    assert any(f.severity == SEVERITY_ERROR for f in report.by_code("not_a_suggestion"))
    assert (note := not_for_assignment(draft)) and note.startswith("不宜交办") and "纪检监察机关" in note


@pytest.mark.parametrize("measure", [
    "建议区委组织部免去李某某镇长职务。",
    "建议县纪委监委对王某收受回扣问题立案调查。",
    "建议对镇党委书记张某某给予党纪处分。",
    "建议撤销刘某某的村主任职务。",
    "建议县纪委对他立案调查，严肃处理。",
    "建议县监委对赵小军贪污扶贫资金问题严肃处理。",
])
def test_demands_against_one_official(measure):
    draft = dataclasses.replace(GOOD, measures=GOOD.measures + "\n4. " + measure)
    assert _accusations(draft), measure


@pytest.mark.parametrize("measure", [
    # the tester's general supervision
    "加强对基层干部的监督。",
    "建议纪委监委加强对惠民资金使用的监督检查。",
    "完善公职人员问责机制。",
    # a case cited as a lesson, not a demand against its subject
    "吸取李某某受贿案教训，2026年底前完善工程招投标监管制度。",
    # row 329
    "纪检监察部门要加强执纪监督，对群众反映、媒体报道、社会热议的问题要及时关心过问，迅速调查处理。",
    # row 155
    "4.加大人大、政协、纪委、监委、舆论、群众对司法机关办案公正性和质量的监督力度。",
    # row 145
    "对不依规进行招投标、审核把关不严、监管不力、工作失误等造成严重后果，以及骗取保障房专项资金的，相关部门要严肃追责问责。",
    # row 81
    "各级教育行政部门成立专门机构负责师德师风建设和查处工作，必要时监委介入，形成威慑。",
    # row 189
    "严肃执纪问责，把贯彻落实生态建设决策部署纳入巡视和监察内容。",
    # row 298
    "对政商关系中的各种违纪违法行为，应当建立严肃的追责问责机制，并利用新媒体建立畅通的企业和群众信访举报渠道。",
    # row 233
    "对长期占用公共资源的“僵尸车”车主，可对其随意废弃车辆的行为进行追责，计入个人信用“黑名单”。",
    # row 92
    "强化对危废处置单位经营行为的行政监督，对违法行为依照有关规定予以严肃查处。",
    # row 410
    "建议江苏省针对省内各有关信息管理部门形成部门信息保护责任书，开展源头保护工作，将掌握的公民信息保护作为政绩考核和纪律问责的重要内容。",
])
def test_supervision_in_general_is_no_complaint(measure):
    draft = dataclasses.replace(GOOD, measures=GOOD.measures + "\n4. " + measure)
    assert check(draft).by_code("not_a_suggestion") == [], measure


def test_a_named_case_in_the_problem_is_an_example():
    problem = GOOD.problem + "2023年，某县原交通局局长王某某收受施工企业好处费被立案调查，暴露出项目监管的漏洞。"
    assert check(dataclasses.replace(GOOD, problem=problem)).by_code("not_a_suggestion") == []


# -- 2: 一事一议 --------------------------------------------------------------------------------------------------
MIXED = """关于改善民生若干问题的建议

一、存在的问题
我市小微企业贷款难、贷款贵，综合融资成本在8%以上；外地务工人员回来报销医药费要跑好几趟；学生近视率逐年上升；小区流浪狗多，咬伤老人小孩的事时有发生。

二、原因分析
银行风险偏好低；异地就医备案手续复杂；学生户外活动时间不足；流浪犬收容场所缺乏。

三、具体建议
1. 建议自治区地方金融管理局推动辖区银行对纳税信用A级的小微企业发放不少于50万元的信用贷款，政府性融资担保费率降到1%以下。
2. 建议自治区医疗保障局2026年底前实现跨省住院费用直接结算全覆盖。
3. 建议自治区教育厅保证中小学生每天校内外户外活动2小时。
4. 建议银川市公安局、城管局2026年建成一座流浪犬收容中心，年收容能力不少于2000只。
"""


def test_four_unrelated_demands_are_told_to_split():
    draft = parse_draft_text(MIXED)
    found = check(draft).by_code("several_topics")
    assert len(found) == 1 and found[0].severity == SEVERITY_WARNING
    assert "一事一议" in found[0].fix and "医疗保障" in found[0].message


def test_one_matter_is_not_told_to_split():
    assert several_topics(GOOD) is None


@pytest.mark.parametrize("title, catch_all", [
    ("关于改善民生若干问题的建议", True),
    ("关于几点建议", True),
    ("关于当前民生问题的建议", True),
    ("关于我省地方戏曲传承的几点建议", False),  # row titles: the matter is named
    ("关于推动医养融合发展的几点建议", False),
    ("关于解决城市老旧小区民生问题的建议", False),
])
def test_catch_all_titles(title, catch_all):
    assert catch_all_title(title) is catch_all


# -- 3: one wording for an unsure recommendation ---------------------------------------------------------------
def test_one_wording_for_an_unsure_recommendation():
    import inspect

    import suggestions.routing as routing

    assert UNSURE_NOTE == LOW_NOTE == "匹配度较低，建议人工确认"
    assert "推荐把握不大" not in inspect.getsource(routing)
