"""Self-check coherence: a title the body does not bear out, and several unrelated matters in one draft.

Every test goes through ``check`` and pairs what must stay silent with a draft that must be flagged, so each fails
when the coherence findings are switched off. ``mode``: lexical rules alone, or with the e5 embedder.
"""

from __future__ import annotations

import dataclasses
import re

import pytest

from suggestions.routing import load_targets
from suggestions.selfcheck import check
from suggestions.text import measure_items
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

# Three demands on school canteens and one on hawkers at the school gates, which the county's urban management bureau
# and the traffic police are to clear: one matter, the title's. The bodies' names (县城市管理局, 公安交警) say who acts,
# not what about, and one item is no second matter.
FOOD_SAFETY = DraftContent(
    title="关于加强校园及周边食品安全管理的建议",
    problem="我县现有中小学和幼儿园 86 所，在校学生 5.2 万人，其中 41 所学校食堂由学校自办、27 所由企业承包。"
            "2025 年抽检学校食堂 60 批次，不合格 7 批次；校园周边还有流动摊贩售卖“三无”食品，学生购买后腹泻的情况时有发生。",
    cause="一是学校食堂检查频次低，部分食堂一年只检查一次；二是食材来源记录不全，出了问题难以追溯；三是校园周边执法力量不足。",
    measures="1. 建议县市场监管局对全县学校食堂每学期至少开展两次全覆盖检查，检查结果向家长公开。\n"
             "2. 建议县教育局会同县市场监管局在 2026 年底前推行明厨亮灶，学校食堂后厨操作过程通过视频向家长公开。\n"
             "3. 建议县市场监管局指导学校建立食材溯源台账，记录每批食材的供应商、检验报告和进货日期。\n"
             "4. 建议县城市管理局会同公安交警在上下学时段清理校园周边200米内流动摊贩。",
)

# Elderly care and childcare (民政, 教育): two fields, but the title names both halves, as the problem spells out.
OLD_AND_YOUNG = DraftContent(
    title="关于推进“一老一小”服务体系建设的建议",
    problem="我市“一老一小”照护服务供给不足：60 岁以上老年人 48 万人，社区养老服务设施覆盖率不足 50%；"
            "3 岁以下婴幼儿 6.5 万人，每千人口托位数仅 2.1 个，幼儿园普遍不收 3 岁以下幼儿。双职工家庭普遍反映老人和孩子无人照看。",
    cause="一是社区养老服务站点少，运营补贴低；二是普惠托育机构少、收费高；三是养老护理员和保育员队伍不足。",
    measures="1. 建议市民政局 2026 年底前实现城市社区养老服务站全覆盖，为高龄、失能老人提供助餐、助浴和上门照护服务。\n"
             "2. 建议市民政局每年培训养老护理员 500 名，对取得职业技能等级证书的给予每人 1,000 元补贴。\n"
             "3. 建议市教育局推动有条件的幼儿园开设托班，招收 2 至 3 岁幼儿，2026 年开设托班的幼儿园不少于 60 所。\n"
             "4. 建议市教育局对开设托班的幼儿园按每个托位每年 3,000 元给予运营补助，并纳入幼儿园年度考核。",
)

# A title naming the region (宁夏) over a body that says 我区: the place is no subject the body leaves out.
NINGXIA_TOURISM = DraftContent(
    title="关于加快宁夏全域旅游发展的建议",
    problem="我区旅游资源丰富，沙湖、沙坡头、镇北堡西部影城等景区知名度较高，但游客多集中在少数景区，过夜游客比例低，"
            "2025 年旅游收入占地区生产总值比重不足 5%。",
    cause="一是景区之间交通连接不畅，自驾游配套不足；二是旅游产品单一，夜间消费和乡村民宿发展滞后。",
    measures="1. 建议自治区文化和旅游厅 2026 年底前开通连接主要景区的旅游专线，完善沿线自驾车营地和充电设施。\n"
             "2. 建议培育夜间文旅消费街区，扶持发展乡村民宿 500 家，推出黄河、长城、大漠主题旅游线路。",
)

# Two demands on a polluted river added to the elderly-care draft: a second matter, for another unit.
RIVER = ["建议县生态环境局会同水利局整治城西河道污染，2026 年汛期前完成清淤和排污口截流。",
         "建议县生态环境局对沿河 12 家养殖场的污水排放开展专项执法检查，超标排放的限期整改。"]

# Two demands on the title's buses and three on rural teachers: the smaller group is the title's and stays.
BUS_AND_TEACHERS = dataclasses.replace(
    BUS_TEACHERS_RIVER,
    measures="1. 建议县交通运输局在 2026 年底前新开通县城至东部乡镇的公交线路 3 条，每天不少于 8 个班次。\n"
             "2. 建议县交通运输局对开行农村公交线路的企业按里程给予运营补贴，保证客流少的线路不停运。\n"
             "3. 建议县教育局提高乡村教师生活补助标准，每月增加 500 元。\n"
             "4. 建议县教育局为乡村教师建设周转宿舍 200 套，2027 年底前完成。\n"
             "5. 建议县教育局每年选派 50 名城区骨干教师到乡村学校支教一年。",
)


@pytest.fixture(params=["lexical", "e5"])
def mode(request):
    return None if request.param == "lexical" else request.getfixturevalue("embedder")


def _codes(draft: DraftContent, embedder) -> dict[str, list]:
    report = check(draft, embedder=embedder)
    return {code: report.by_code(code) for code in ("title_mismatch", "several_topics")}


def _plus(draft: DraftContent, items: list[str]) -> DraftContent:
    """The draft with ``items`` added to its demands, numbered on."""
    n = len(measure_items(draft.measures))
    added = "".join(f"\n{n + k}. {x}" for k, x in enumerate(items, 1))
    return dataclasses.replace(draft, measures=draft.measures + added)


def _names_no_ministry(text: str) -> bool:
    """A county's draft is told which field (教育部门), not which ministry (教育部), is to handle a matter."""
    return not any(re.search(re.escape(u.name) + "(?!门)", text) for u in load_targets("units"))


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
    # the fields, not the ministries, of a county's draft
    assert "交通运输部门" in finding.message and "教育部门" in finding.message
    assert _names_no_ministry(finding.message) and _names_no_ministry(finding.fix)
    # a title that names the buses is no mismatch: the body does talk about them
    assert _codes(BUS_TEACHERS_RIVER, mode)["title_mismatch"] == []


def test_one_matter_with_measures_for_several_units_is_not_split(mode):
    # 民政、人社、财政 carry out one matter; 司法鉴定 and 诉讼费用 both serve environmental public-interest suits
    for draft in (ELDER_CARE, PUBLIC_LITIGATION, GOOD, VAGUE):
        assert _codes(draft, mode)["several_topics"] == [], draft.title
    # the control: two demands on a polluted river added to the elderly-care draft
    assert _codes(_plus(ELDER_CARE, RIVER), mode)["several_topics"]


def test_one_item_among_several_is_no_second_matter(mode):
    # school canteens, and hawkers at the school gates for the urban management bureau and the traffic police
    assert _codes(FOOD_SAFETY, mode)["several_topics"] == []
    assert _codes(FOOD_SAFETY, mode)["title_mismatch"] == []
    # the control: two demands on a polluted river in the same draft are a second matter
    [finding] = _codes(_plus(FOOD_SAFETY, RIVER), mode)["several_topics"]
    keep, _, moved = finding.fix.partition("把")
    assert "食堂" in keep and "河道" in moved and "摊贩" not in moved


def test_a_title_naming_both_halves_is_one_matter(mode):
    # “一老一小”: elderly care (民政) and childcare (教育), which the problem says the term covers
    assert _codes(OLD_AND_YOUNG, mode) == {"title_mismatch": [], "several_topics": []}
    # 校园及周边食品安全: two demands at the school gates (校园周边) and three on canteens, which the market regulator, the
    # title's food safety's unit, is asked to check
    gates = _plus(FOOD_SAFETY, ["建议县公安局在上下学时段安排警力在校门口疏导交通，严查校园周边违规停车。"])
    assert _codes(gates, mode)["several_topics"] == []
    # the control: the same demands under a title on elderly care alone
    [finding] = _codes(dataclasses.replace(OLD_AND_YOUNG, title="关于加快发展社区养老服务的建议"), mode)["several_topics"]
    keep, _, moved = finding.fix.partition("把")
    assert "养老" in keep and "幼儿园" in moved


def test_a_second_matter_of_two_items_is_split_and_the_titles_group_kept(mode):
    [finding] = _codes(_plus(ELDER_CARE, RIVER), mode)["several_topics"]
    keep, _, moved = finding.fix.partition("把")
    assert "养老" in keep and "河道" in moved and "养老" not in moved
    assert "生态环境部门" in finding.message and _names_no_ministry(finding.message)
    # the title's group stays even when it is the smaller one (two bus items, three on teachers)
    [finding] = _codes(BUS_AND_TEACHERS, mode)["several_topics"]
    keep, _, moved = finding.fix.partition("把")
    assert "与标题相符" in keep and "公交" in keep and "教师" in moved and "公交" not in moved
    assert _names_no_ministry(finding.message) and _names_no_ministry(finding.fix)


def test_a_place_in_the_title_is_no_subject_the_body_must_repeat(mode):
    # 宁夏 in the title, 我区 in the body
    assert _codes(NINGXIA_TOURISM, mode)["title_mismatch"] == []
    # the control: a title on another subject over the same body
    assert _codes(dataclasses.replace(NINGXIA_TOURISM, title=PUBLIC_LITIGATION.title), mode)["title_mismatch"]


def test_pasted_paragraphs_without_remit_keywords_need_the_embedder(embedder):
    draft = dataclasses.replace(GOOD, measures=GOOD.measures + "\n" + CHILDCARE)
    assert _codes(draft, None)["several_topics"] == []  # no unit keyword: the lexical rule cannot tell
    [finding] = _codes(draft, embedder)["several_topics"]
    assert finding.details["method"] == "embedding"
    moved = finding.fix.partition("把")[2]
    assert "托育" in moved and "共享单车" not in moved
    assert _codes(GOOD, embedder)["several_topics"] == []


@pytest.mark.parametrize("draft, flagged", [
    (DraftContent(), set()),
    (DraftContent(title=COPIED_TITLE), set()),  # no body
    (DraftContent(title=COPIED_TITLE, problem="水不好。", measures="1. 打井。"), set()),  # too short to contradict it
    (DraftContent(title="关于的建议", problem=GOOD.problem, measures=GOOD.measures), set()),  # a title naming nothing
    # two demands on two matters, under a title on neither: too short a body, and one item is no second matter
    (DraftContent(title=COPIED_TITLE, measures="1. 增设公交线路。\n2. 提高乡村教师待遇。"), set()),
    # demands only, three on three matters: long enough to be read, and the title's buses are among them
    (dataclasses.replace(BUS_TEACHERS_RIVER, problem="", cause=""), {"several_topics"}),
])
def test_short_or_empty_drafts_do_not_crash(draft, flagged, mode):
    assert {code for code, found in _codes(draft, mode).items() if found} == flagged


def test_a_bills_draft_articles_are_one_law(mode):
    assert _codes(BILL, mode)["several_topics"] == [] and _codes(BILL, mode)["title_mismatch"] == []
    # a bill's points are read as one law's; the same demands in a suggestion are split
    assert _codes(dataclasses.replace(BUS_TEACHERS_RIVER, kind="议案"), mode)["several_topics"] == []
    assert _codes(BUS_TEACHERS_RIVER, mode)["several_topics"]
