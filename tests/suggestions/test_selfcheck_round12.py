"""The eleventh round's drafts: a demand that one named company get a loan extension, money or tax relief is a
firm's own business (为特定企业谋利) in the third person as much as in the first; a company named as the one to act
on a public matter, or a kind of firm (物业公司), is not. A change whose ends go the other way from its verb
(从15%下降到18%) is pointed out."""

from __future__ import annotations

import pytest

from suggestions.figures import contradictions
from suggestions.selfcheck import check, not_suggestion_findings, unpunctuated
from sugg_drafts import one_measure_draft, refusal_categories
from suggestions.text import GENERIC_TITLE, parse_draft_text
from suggestions.types import SEVERITY_ERROR, SEVERITY_WARNING, DraftContent

COMPANY = """关于帮助宁夏某某新材料有限公司解决融资困难的建议

宁夏某某新材料有限公司是我市重点招商引资企业，2024年产值3.2亿元，带动就业600多人。今年以来，受原材料价格上涨影响，该公司资金周转困难，银行贷款到期后续贷受阻，拖欠供应商货款约2800万元。

原因是原材料价格上涨，产品销售回款慢。

建议：
1. 请市金融办协调市内各商业银行，对宁夏某某新材料有限公司到期贷款予以展期，新增授信不少于5000万元。
2. 请市财政局从产业发展基金中安排1000万元，帮助该公司偿还拖欠的供应商货款。
3. 对该公司2025年应缴税款予以缓缴。"""



def test_money_for_one_named_company_is_not_a_suggestion():
    assert "specific_enterprise" in refusal_categories(COMPANY)


@pytest.mark.parametrize("measure", [
    "建议县人民政府将宁夏杞福源枸杞科技有限公司认定为县级农业产业化重点龙头企业。",
    "枸杞集中烘干中心项目由宁夏杞福源枸杞科技有限公司独家承建运营。",
    "县自然资源局在年度建设用地指标中为该公司安排50亩工业用地。",
])
def test_a_designation_an_exclusive_project_or_land_for_one_company_is_not_a_suggestion(measure):
    text = one_measure_draft("关于支持枸杞产业做大做强的建议", "烘干能力不足，鲜果损耗率在15%以上。", "原因是龙头企业带动弱。", measure)
    assert "specific_enterprise" in refusal_categories(text)


@pytest.mark.parametrize("measure", [
    "建议由国网宁夏电力有限公司负责实施山区农网改造，两年内完成。",
    "建议国网宁夏电力有限公司加大农村电网改造投入，两年内完成山区村组变压器增容。",
    "建议对物业公司给予用电补贴，降低老旧小区公共照明费用。",
    "建议对年营业收入500万元以下的小微企业贷款予以展期，不抽贷、不断贷。",
])
def test_a_company_acting_or_a_kind_of_firm_is_no_specific_enterprise(measure):
    text = one_measure_draft("关于改善农村供电的建议", "山区供电不稳定，停电频繁。", "原因是电网老化。", measure)
    assert "specific_enterprise" not in refusal_categories(text)


# -- figures that contradict themselves ------------------------------------------------------------------------------
@pytest.mark.parametrize("phrase", [
    "从15%下降到18%", "从3.2万人增加到2.8万人", "由二十人减少到三十人", "从1.5万元提高到8000元",
])
def test_a_change_whose_ends_go_the_other_way_is_caught(phrase):
    assert [c.phrase for c in contradictions(f"近三年全县辍学率{phrase}，问题突出。")] == [phrase]


@pytest.mark.parametrize("sentence", [
    "补助标准从每生每天5元提高到6元。",  # consistent
    "由十五万人减少至三万人。",  # 万 on both ends
    "漏损率从30%左右降到15%以下。",
    "从5%提高到6个百分点。",  # not the same measure
    "从2018年开始增长到12%。",  # a year is a time
    "从2019年的15%下降到2023年的8%。",
])
def test_consistent_or_incomparable_figures_pass(sentence):
    assert contradictions(sentence) == []


def test_the_self_check_quotes_the_contradiction():
    text = ("关于降低农村学生辍学率的建议\n\n问题：近三年我县初中学生辍学率从1.5%下降到2.1%，每年有近百名学生中途辍学。\n\n"
            "原因分析：部分家庭经济困难，学校心理辅导缺乏。\n\n建议：\n1. 由县教育局牵头，建立辍学学生台账，每学期逐一家访。")
    found = [f for f in check(parse_draft_text(text)).findings if f.code == "figures"]
    assert len(found) == 1 and "从1.5%下降到2.1%" in found[0].message


# -- a dictated draft without punctuation ----------------------------------------------------------------------------
DICTATED = ("关于稳定玉米收购价格保护种粮农民利益的建议\n"
            "我是彭阳县红河镇的人大代表我自己种了八十亩地今年玉米价格跌得厉害去年一斤还卖一块一今年秋天收购商只给八毛五"
            "一亩地化肥种子农药机耕加起来要花六百多块钱一亩打一千二百斤算下来基本不挣钱还有的收购商压秤扣水分扣得多农民没办法"
            "只能卖原因主要是收购商少大户都被几个老板控制了建议县粮食和物资储备局协调中储粮在我们镇设一个收购点县市场监管局对"
            "收购商的秤和水分检测仪定期检查县农业农村局把玉米种植补贴提高一些")


def test_a_dictated_draft_without_punctuation_is_one_clear_must_fix_not_three_missing_parts():
    draft = parse_draft_text(DICTATED)
    assert draft.problem  # the run-on line opening with “我是…代表” is the draft, not chat
    codes = [(f.code, f.severity) for f in check(draft).findings]
    assert ("unpunctuated", SEVERITY_ERROR) in codes
    assert not any(code == "missing_part" for code, _ in codes)


def test_parts_given_one_by_one_without_marks_only_need_punctuation():
    body = DICTATED.split("\n", 1)[1]
    draft = DraftContent(title="关于稳定玉米收购价格的建议", problem=body[:120], cause=body[120:170], measures=body[170:])
    found = {f.code: f.severity for f in check(draft).findings}
    assert found["unpunctuated"] == SEVERITY_WARNING


def test_a_punctuated_draft_is_not_told_to_add_marks():
    assert unpunctuated(parse_draft_text(COMPANY)) is None


# -- measures that are only slogans ----------------------------------------------------------------------------------
SLOGANS = """关于加强黄河流域生态保护和高质量发展的建议

我区地处黄河上游，生态环境脆弱，水资源短缺，生态保护任务艰巨，仍面临不少困难和挑战。

原因分析：一是思想认识还不到位；二是体制机制还不健全；三是资金投入还不充足。

具体建议：
一、提高政治站位，深刻认识黄河流域生态保护的重大意义，切实增强责任感和使命感。
二、坚持系统观念，统筹山水林田湖草沙一体化保护和系统治理，持续推进生态环境质量改善。
三、加大资金投入力度，积极争取国家支持，形成多元化投入格局。
四、压实各级责任，形成工作合力，确保各项任务落地见效。"""


def test_measures_that_are_all_slogans_must_be_rewritten():
    found = {f.code: f.severity for f in check(parse_draft_text(SLOGANS)).findings}
    assert found.get("vague_measures") == SEVERITY_ERROR


# -- a title that names no matter --------------------------------------------------------------------------------------
VAGUE_TITLE = """关于几个问题的建议

我市乡村医生普遍年龄偏大，60岁以上的占38%，多数没有养老保险，年轻人不愿意当村医。

原因是村医收入低，没有纳入统一管理，养老没有保障。

建议：
1. 市卫生健康委推行“乡聘村用”，将具有执业（助理）医师资格的乡村医生纳入乡镇卫生院统一聘用，2025年先在原州区试点。
2. 市财政局对乡村医生养老保险缴费给予每人每年2000元补助。"""


@pytest.mark.parametrize("title", ["关于几个问题的建议", "关于当前工作的几点建议", "关于有关问题的意见"])
def test_a_title_naming_no_matter_is_told_so(title):
    assert GENERIC_TITLE.match(title)


def test_a_vague_title_is_told_to_name_the_matter_not_that_it_does_not_fit():
    draft = parse_draft_text(VAGUE_TITLE)
    report = check(draft)
    codes = [f.code for f in report.findings]
    assert "title_form" in codes and "title_mismatch" not in codes
    assert next(f for f in report.findings if f.code == "title_form").message == "标题“关于几个问题的建议”没有说明具体事项。"
    assert not report.summary.startswith("几个问题")
    assert not GENERIC_TITLE.match("关于解决乡村医生养老保障问题的建议")


@pytest.mark.parametrize("heading", ["二、存在问题的原因", "二、问题存在的原因", "二、原因及分析"])
def test_more_cause_headings_open_the_cause(heading):
    text = (f"关于加强农村留守老人养老服务的建议\n一、存在的问题\n我县留守老人3200人，助餐点只有12个。\n{heading}\n"
            "村级养老服务设施建设资金不足，缺乏专业护理人员。\n三、具体建议\n1. 由县民政局牵头，2027年底前在每个行政村建成助餐点。")
    draft = parse_draft_text(text)
    assert draft.problem == "我县留守老人3200人，助餐点只有12个。"
    assert draft.cause == "村级养老服务设施建设资金不足，缺乏专业护理人员。"


def test_an_unpunctuated_paste_still_gets_the_length_check():
    """The unpunctuated must-fix replaces the “缺少…” findings only: a long paste is still told it is too long."""
    draft = parse_draft_text(DICTATED.split("\n", 1)[0] + "\n" + DICTATED.split("\n", 1)[1] * 60)
    codes = {f.code for f in check(draft).findings}
    assert {"unpunctuated", "too_long"} <= codes and "missing_part" not in codes
