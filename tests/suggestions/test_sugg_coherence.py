"""Self-check coherence: a title the body does not bear out, and several unrelated matters in one draft.

Every test goes through ``check`` and pairs what must stay silent with a draft that must be flagged, so each fails
when the coherence findings are switched off. ``mode``: lexical rules alone, or with the e5 embedder.
"""

from __future__ import annotations

import dataclasses

import pytest

from suggestions.selfcheck import check
from suggestions.types import SEVERITY_WARNING, DraftContent
from sugg_drafts import BILL, GOOD, PUBLIC_LITIGATION, VAGUE

# Several measures on one matter (rural elderly care) that three different bodies carry out.
ELDER_CARE = DraftContent(
    title="关于加快发展农村养老服务的建议",
    problem="我县 60 岁以上农村老人 4.2 万人，其中独居和留守老人 1.1 万人；全县只有 5 所敬老院，村级养老服务站覆盖率不到 30%，"
            "失能老人照护主要靠家属。",
    cause="一是村级养老设施建设缺少专项资金；二是护理人员少、年龄大、未经培训；三是高龄津贴标准多年未调整。",
    measures="1. 建议县民政局 2026 年底前在每个行政村建成一个养老服务站，提供助餐、日间照料和上门探访。\n"
             "2. 建议县民政局会同县人社局每年培训农村护理员 200 名，培训合格的给予每人 1,000 元补贴。\n"
             "3. 建议县财政局将 80 岁以上老人高龄津贴由每月 50 元提高到 100 元，所需资金列入年度预算。",
)

# Buses, then rural teachers' pay and a polluted river: three matters for three units.
BUS_TEACHERS_RIVER = DraftContent(
    title="关于改善我县城乡公交服务的建议",
    problem="我县现有公交线路 12 条，城区至东部 6 个乡镇没有直达班车，群众进城需转车两次以上，单程耗时超过 2 小时；"
            "去年县长热线收到相关投诉 300 余件。",
    cause="一是公交线路规划多年未调整；二是农村客运补贴不足，企业不愿开行客流少的线路。",
    measures="1. 建议县交通运输局在 2026 年底前新开通县城至东部乡镇的公交线路 3 条，每天不少于 8 个班次。\n"
             "2. 建议县教育局提高乡村教师生活补助标准，每月增加 500 元，稳定乡村教师队伍。\n"
             "3. 建议县生态环境局会同水利局整治城西河道污染，2026 年汛期前完成清淤和排污口截流。",
)

# Two demands on childcare pasted under the bicycle-parking draft: no remit keyword tells them apart, only their words
# (absent from the title, problem and cause) and e5.
CHILDCARE = ("4. 扶持社区普惠托育机构发展，每个街道至少建成一所托育园，为三岁以下婴幼儿提供全日托和临时托服务。\n"
             "5. 对普惠托育机构按每个托位每年 3,000 元给予运营补助，并将托育从业人员纳入职业技能培训目录。")

COPIED_TITLE = "关于加强农村饮水安全的建议"


@pytest.fixture(params=["lexical", "e5"])
def mode(request):
    return None if request.param == "lexical" else request.getfixturevalue("embedder")


def _codes(draft: DraftContent, embedder) -> dict[str, list]:
    report = check(draft, embedder=embedder)
    return {code: report.by_code(code) for code in ("title_mismatch", "several_topics")}


def test_copied_title_is_flagged_and_the_right_one_is_not(mode):
    assert _codes(GOOD, mode)["title_mismatch"] == []
    report = check(dataclasses.replace(GOOD, title=COPIED_TITLE), embedder=mode)
    [finding] = report.by_code("title_mismatch")
    assert finding.severity == SEVERITY_WARNING and finding.part == "title"
    assert "饮水" in finding.message
    # the fix says what the body is about and how to title it
    assert "共享单车" in finding.fix and "关于……的建议" in finding.fix
    assert report.passed  # a warning: the deputy may know better


def test_body_pasted_under_the_wrong_title_is_flagged(mode):
    # the same mistake the other way round: the elderly-care body under the bicycle title
    assert _codes(ELDER_CARE, mode)["title_mismatch"] == []
    [finding] = _codes(dataclasses.replace(ELDER_CARE, title=GOOD.title), mode)["title_mismatch"]
    assert "单车" in finding.message


def test_unrelated_demands_are_flagged_with_a_split(mode):
    [finding] = _codes(BUS_TEACHERS_RIVER, mode)["several_topics"]
    assert finding.severity == SEVERITY_WARNING and finding.part == "measures"
    assert "教师" in finding.message and "河道" in finding.message
    assert "一事一议" in finding.fix and "另行起草" in finding.fix
    # the title's matter (buses) stays, the other two move out
    keep, _, moved = finding.fix.partition("把")
    assert "公交" in keep and "教师" in moved and "河道" in moved
    assert {u for g in finding.details["groups"] for u in g["units"]} >= {"交通运输部", "教育部"}
    # a title that names the buses is no mismatch: the body does talk about them
    assert _codes(BUS_TEACHERS_RIVER, mode)["title_mismatch"] == []


def test_one_matter_with_measures_for_several_units_is_not_split(mode):
    # 民政、人社、财政 carry out one matter; 司法鉴定 and 诉讼费用 both serve environmental public-interest suits
    for draft in (ELDER_CARE, PUBLIC_LITIGATION, GOOD, VAGUE):
        assert _codes(draft, mode)["several_topics"] == [], draft.title
    # the control: demands on teachers' pay and a river added to the elderly-care draft
    extra = "\n4. 建议县教育局提高乡村教师生活补助标准，每月增加 500 元。\n5. 建议县生态环境局整治城西河道污染，完成清淤和排污口截流。"
    assert _codes(dataclasses.replace(ELDER_CARE, measures=ELDER_CARE.measures + extra), mode)["several_topics"]


def test_pasted_paragraphs_without_remit_keywords_need_the_embedder(embedder):
    draft = dataclasses.replace(GOOD, measures=GOOD.measures + "\n" + CHILDCARE)
    assert _codes(draft, None)["several_topics"] == []  # no unit keyword: the lexical rule cannot tell
    [finding] = _codes(draft, embedder)["several_topics"]
    assert finding.details["method"] == "embedding"
    moved = finding.fix.partition("把")[2]
    assert "托育" in moved and "共享单车" not in moved
    assert _codes(GOOD, embedder)["several_topics"] == []


@pytest.mark.parametrize("draft", [
    DraftContent(),
    DraftContent(title=COPIED_TITLE),
    DraftContent(title=COPIED_TITLE, problem="水不好。", measures="1. 打井。"),
    DraftContent(title="关于的建议", problem=GOOD.problem, measures=GOOD.measures),  # a title naming nothing
    DraftContent(title=COPIED_TITLE, measures="1. 增设公交线路。\n2. 提高乡村教师待遇。"),  # demands only
    dataclasses.replace(BUS_TEACHERS_RIVER, problem="", cause=""),
])
def test_short_or_empty_drafts_do_not_crash(draft, mode):
    codes = _codes(draft, mode)
    if len(draft.body()) < 80:  # too little to contradict the title: not flagged
        assert codes["title_mismatch"] == []
    # the control: the same title over a full, unrelated body is flagged
    assert _codes(dataclasses.replace(GOOD, title=COPIED_TITLE), mode)["title_mismatch"]


def test_a_bills_draft_articles_are_one_law(mode):
    assert _codes(BILL, mode)["several_topics"] == [] and _codes(BILL, mode)["title_mismatch"] == []
    # a bill's points are read as one law's; the same demands in a suggestion are split
    assert _codes(dataclasses.replace(BUS_TEACHERS_RIVER, kind="议案"), mode)["several_topics"] == []
    assert _codes(BUS_TEACHERS_RIVER, mode)["several_topics"]
