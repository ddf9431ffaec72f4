"""Self-check after a new user's drafts (round 9): a job and a 编制 for the author's nephew (S2), a pasted draft that
repeats itself (S9), the co-signers a bill needs at the author's stated congress (S4a), a “bill” that only asks for a
project and funds (S4b), “建议银行多给小微企业放贷” (S10).

The legitimate sentences below are real ones, from ../shared/eval/proposals/jszx2019.csv (row numbers given)."""

from __future__ import annotations

import dataclasses

import pytest

from suggestions.selfcheck import _cosponsor_findings, check, duplicated_share, project_bill, vague_items
from suggestions.text import parse_draft_text
from suggestions.types import KIND_BILL, SEVERITY_ERROR, SEVERITY_WARNING, DraftContent
from sugg_drafts import BILL, GOOD


def _category(report, code: str):
    return [f for f in report.by_code("not_a_suggestion") if f.details["category"] == code]


# -- S2: a job, a post or a 编制 for one person ------------------------------------------------------------------
NEPHEW = """关于解决我侄子就业问题的建议

提出人：赵富贵（盐池县人大代表）

我侄子赵小军2022年大学毕业（会计专业），到现在还没有找到正式工作，在家待业，家里很着急。原因是县里事业单位招考名额少，他考了两次都没考上。

具体建议：
1. 建议县人社局把赵小军安排到县里的事业单位工作，哪怕是临时岗位也行。
2. 建议县财政局给他解决一个编制。
"""

LAND_AND_NEPHEW = """关于解决宅基地纠纷和就业问题的建议

我是花马池镇某村村民，2019年我家翻建房屋时，邻居马某某家说我家的院墙占了他家宅基地40公分，镇司法所调解了两次都没有结果。我去法院起诉，法院说证据不足判我败诉，我认为判决不公。

具体建议：
1. 建议县人社局把赵小军安排到县里的事业单位工作，哪怕是临时岗位也行。
2. 建议县财政局给他解决一个编制。
"""


def test_a_job_and_a_post_for_the_authors_nephew_must_be_fixed():
    report = check(parse_draft_text(NEPHEW))
    assert not report.passed, report.to_text()
    [finding] = _category(report, "personal_benefit")
    assert finding.severity == SEVERITY_ERROR
    # the demand itself is quoted, not the title that announces it
    assert "把赵小军安排到县里的事业单位工作" in finding.message and "不宜作为代表建议提出" in finding.message
    assert "公开招聘" in finding.fix
    # one demand, one finding: “给他解决一个编制” is not told again as an individual case
    assert len(report.by_code("not_a_suggestion")) == 1


def test_the_same_demands_beside_a_land_dispute_are_caught_as_well_as_the_court_case():
    report = check(parse_draft_text(LAND_AND_NEPHEW))
    cats = {f.details["category"] for f in report.by_code("not_a_suggestion")}
    assert {"court_case", "personal_benefit"} <= cats, report.to_text()


@pytest.mark.parametrize("demand", [
    "1. 建议县人社局把赵小军安排到县里的事业单位工作，哪怕是临时岗位也行。",
    "1. 建议县财政局给他解决一个编制。",
    "1. 建议县人社局、财政局考虑把他安排到县里的事业单位或者国有企业工作。",
    "1. 请县委组织部提拔王某某担任乡镇副镇长。",
    "1. 建议县教育局把李明调到县城中学任教。",
    "1. 请县编办为我外甥解决事业编制。",
])
def test_a_post_for_one_person_in_the_demands_is_not_a_suggestion(demand):
    draft = dataclasses.replace(GOOD, measures=GOOD.measures + "\n" + demand.replace("1.", "4.", 1))
    report = check(draft)
    assert _category(report, "personal_benefit") or _category(report, "individual_case"), report.to_text()
    assert not report.passed


def test_the_authors_relative_in_the_title_is_caught():
    draft = dataclasses.replace(GOOD, title="关于安排我侄子工作的建议")
    assert _category(check(draft), "personal_benefit")


@pytest.mark.parametrize("measure", [
    # the tester's examples of legitimate demands for groups
    "建议省教育厅会同省编办解决乡村教师编制不足问题，2026年底前按师生比核定编制。",
    "建议省退役军人事务厅为退役军人安排工作岗位，每年开发公益性岗位不少于500个。",
    "建议市住建局为困难群众解决住房，2026年新增公租房1000套。",
    # jszx2019.csv row 66
    "将取得执业助理医师以上资质的乡村医生逐步纳入事业编制管理，打开乡村医生职业上升通道。",
    # row 213
    "二是同意各地学前教育编制的一定比例可以面向在岗不在编优秀教师招聘（目前要求全部公开向社会招考），并适当放宽年龄限制"
    "（目前要求35周岁以内才能参加招考），积极解决专业师资缺乏的难题，化解在岗优秀教师无法入编的困境。",
    # row 201
    "2、我省党政机关、社会团体、企事业单位，特别是国有企业要严格执行《条例》，按照不低于本单位在职人数的1.5％的比例，"
    "模范带头地安排残疾人就业。",
    # row 236
    "建立高校与县市、乡村中小学校联合培养新师资的制度，由定向培养的县市区教育行政部门和编办、人社部门负责落实任教岗位和编制，"
    "实现定岗到校，优化农村教师专业结构和资源配置。",
    # row 114
    "在人事编制方面给予基层全科医生配备支持，按照全省2020年每万人拥有全科医生3.5人的标准，给予相应的人事编制。",
    # row 103
    "我省各级政府相关部门应在职称评定，工作调动、子女入学入托、享受公租房待遇等方面给予养老机构从业人员提供政策支持；",
    # row 27
    "想法设法地把外出务工人员接回来，把不愿回乡工作的大学生请回来，把在劳动力适龄阶段没有在工作岗位上的人员找回来。",
    # row 183
    "（2）引导雇主为孕期和哺乳期妇女提供灵活工作时间安排及必要的便利条件，支持妇女生育后重返工作岗位。",
    # row 163
    "其次，在编制、人员聘用、评优晋职等关系职业生涯发展事项时优先考虑基层家庭医务人员，尤其是签约率高，服务质量高的家庭医生；",
    # groups that sound personal but are not: a 高校 is no 高 surname, 烈士亲属 no relative of the writer
    "建议省人社厅为高校毕业生安排就业见习岗位，每年不少于2万个。",
    "建议县退役军人事务局优先为烈士亲属安排公益性岗位。",
    "建议县医院为张家港来的患者办理异地就医结算，2026年底前接入省平台。",  # jieba tags 张家港 as a name
    "建议县委组织部提拔任用优秀年轻干部，2026年选拔30名。",
    "对在乡村学校任教满10年的教师，由县教育局将其调入县城学校。",
])
def test_legitimate_proposals_about_groups_are_not_personal_benefit(measure):
    draft = dataclasses.replace(GOOD, measures=GOOD.measures + "\n4. " + measure)
    assert check(draft).by_code("not_a_suggestion") == []


def test_a_person_in_the_problem_is_a_case_example_not_a_demand():
    problem = GOOD.problem + "市民张伟反映，他去年被单位调到郊区工作后，每天骑共享单车到地铁站。"
    assert check(dataclasses.replace(GOOD, problem=problem)).by_code("not_a_suggestion") == []


# -- S9: a draft that repeats itself -------------------------------------------------------------------------------
_PROBLEMS = [
    "山洪沟道治理滞后。全县纳入国家山洪灾害防治项目的重点沟道仅38条，大量中小沟道没有防护工程，沟道淤积、侵占现象普遍。"
    "调研中，{place}的村干部反映，村里的排洪沟十多年没有清淤，去年汛期雨水漫进了二十多户群众家中。",
    "监测预警能力不足。全县现有自动雨量站56个、水位站12个，部分站点设备老化、通信中断，数据无法实时上传。"
    "{place}等偏远村庄手机信号弱，广播设备损坏，群众接收预警信息不及时。",
    "防汛物资和队伍建设薄弱。乡镇一级编织袋、救生衣、抽水泵等物资数量少、存放分散，部分已过期失效。"
    "{place}在去年汛期抢险中就出现了人员调度混乱的问题。",
    "水毁工程修复资金缺口大。2024年水毁工程修复需资金约2.3亿元，目前仅落实补助资金约7000万元，"
    "{place}段堤防至今仍是临时土埂。",
]
_PLACES = ["海城镇", "贾塘乡", "西安镇", "李旺镇", "关桥乡"]
_NUMS = "一二三四五六七八九十"


def _pasted_over(items: int) -> DraftContent:
    """The same four problems listed again and again as items (一), (二), …, only the place changed."""
    lines = [f"（{_NUMS[i] if i < 10 else i + 1}）" + _PROBLEMS[i % 4].format(place=_PLACES[i % 5]) for i in range(items)]
    return dataclasses.replace(GOOD, problem="\n".join(lines))


def test_a_draft_pasted_over_and_over_must_be_fixed():
    report = check(_pasted_over(20))
    [finding] = report.by_code("repeated_content")
    assert finding.severity == SEVERITY_ERROR and not report.passed
    assert "重复了 5 次" in finding.message and "山洪沟道治理滞后" in finding.message
    assert finding.details["duplicated_share"] >= 0.6


def test_a_sentence_ten_times_is_a_must_fix_and_three_times_a_warning():
    sentence = "农村公路养护资金长期不足，很多路段坑洼不平。"
    ten = dataclasses.replace(GOOD, cause=GOOD.cause + sentence * 10)
    [finding] = check(ten).by_code("repeated_content")
    assert finding.severity == SEVERITY_ERROR and finding.part == "cause" and "重复了 10 次" in finding.message
    three = dataclasses.replace(GOOD, cause=GOOD.cause + sentence * 3)
    [finding] = check(three).by_code("repeated_content")
    assert finding.severity == SEVERITY_WARNING and "重复了 3 次" in finding.message


def test_most_of_the_body_copied_with_small_changes_is_a_must_fix():
    # no sentence ten times: the four problems pasted three times over, a place changed each time
    draft = _pasted_over(16)
    share, dup, _ = duplicated_share(draft.body())
    assert share >= 0.6 and dup >= 300
    assert [f.severity for f in check(draft).by_code("repeated_content")] == [SEVERITY_ERROR]


def test_a_heading_echoed_once_is_no_repetition():
    # real drafts repeat a sentence at most twice (a heading echoed in the text)
    measures = GOOD.measures + "\n4. 建议市交通运输局在 2026 年 6 月底前制定共享单车停放区域设置标准。"
    assert check(dataclasses.replace(GOOD, measures=measures)).by_code("repeated_content") == []
    assert duplicated_share(GOOD.body())[0] == 0.0


# -- S4a: the co-signers a bill needs at the author's stated congress ---------------------------------------------------
_PROVINCIAL_BILL = """关于制定自治区黄河宁夏段生态保护条例的议案

领衔代表：韩志明（宁夏回族自治区人大代表）
附议代表：马某、李某、王某、张某、杨某、海某、周某、田某、苏某、白某（共10人）

案由：黄河宁夏段长397公里，沿岸入河排污口312个，2024年有4个断面水质不达标，岸线违法占用、非法采砂屡禁不止。

案据：《中华人民共和国黄河保护法》第四条、第一百二十条；《中华人民共和国立法法》第八十条。

方案：
一、总则：明确自治区、市、县人民政府和河长的职责。
二、水污染防治：规定入河排污口设置审批和在线监测制度。
三、法律责任：对非法采砂、违法占用岸线的行为规定罚款数额。
"""


def _ten_cosigner_bill(**changes) -> DraftContent:
    changes = {"title": "关于制定自治区黄河宁夏段生态保护条例的议案", "cosponsors": [f"代表{i}" for i in range(10)],
               **changes}
    return dataclasses.replace(BILL, **changes)


def test_the_level_passed_in_sets_the_cosigners_needed():
    draft = _ten_cosigner_bill()
    assert not check(draft, congress_level="provincial").by_code("cosponsors")
    # nothing known of the author and no local regulation in the title: the national thirty
    [finding] = check(draft).by_code("cosponsors")
    assert "三十名" in finding.message


def test_the_authors_level_stated_in_the_draft_sets_the_cosigners_needed():
    if "author_level" not in DraftContent.__dataclass_fields__:
        pytest.skip("DraftContent has no author_level yet")
    assert _cosponsor_findings(_ten_cosigner_bill(author_level="provincial")) == []
    [finding] = _cosponsor_findings(_ten_cosigner_bill(author_level="township", cosponsors=["甲", "乙", "丙"]))
    assert finding.details["needed"] == 5 and "本级人大（5 名以上" in finding.message
    # the bot's level, where known, still wins over what the draft says
    assert _cosponsor_findings(_ten_cosigner_bill(author_level="provincial"), "national")


def test_a_provincial_deputys_bill_with_ten_cosigners_passes():
    draft = parse_draft_text(_PROVINCIAL_BILL)
    if getattr(draft, "author_level", None) is None:
        pytest.skip("the parser does not read the author's congress yet")
    report = check(draft)
    assert not report.by_code("cosponsors"), report.to_text()


# -- S4b: a “bill” that only asks for a project and funds -----------------------------------------------------------------
RESERVOIR = """关于支持彭阳县建设红河防洪水库的议案

领衔代表：韩志明（宁夏回族自治区人大代表）
附议代表：马某、李某、王某、张某、杨某、海某、周某、田某、苏某、白某（共10人）

案由：彭阳县地处六盘山东麓，境内红河、茹河每年7至9月汛期暴雨集中，山洪灾害频发。2022年7月一场暴雨造成红河沿岸3个乡镇农田被淹，冲毁道路12公里，直接经济损失2300多万元。

案据：当地群众强烈要求建设防洪水库；县委县政府已经完成项目建议书编制，估算总投资4.8亿元。

方案：
一、请自治区人民政府将红河防洪水库列入2026年自治区重点水利建设项目，尽快批复可行性研究报告。
二、请自治区发展改革委、水利厅向国家争取中央预算内投资3亿元，自治区配套1.2亿元，县级自筹0.6亿元。
三、请自治区水利厅协调解决水库淹没区180户群众的移民安置问题，2026年汛前开工建设。
"""


def test_a_bill_that_asks_for_a_project_reads_as_a_suggestion():
    report = check(parse_draft_text(RESERVOIR), congress_level="provincial")
    [finding] = report.by_code("bill_not_legislative")
    assert finding.severity == SEVERITY_WARNING and "读来是一件建议，而不是议案" in finding.message
    assert "列入2026年自治区重点水利建设项目" in finding.message and "改作建议提出" in finding.fix
    # and it is not pushed to add a law's name to a request for funds
    assert not [f for f in report.by_code("legal_basis") if "法律名称" in f.message or "具体条款" in f.message]


def test_a_bill_titled_for_a_regulation_whose_points_ask_for_a_reservoir_is_told_so():
    text = RESERVOIR.replace("关于支持彭阳县建设红河防洪水库的议案", "关于制定《宁夏回族自治区山洪灾害防治条例》的议案")
    report = check(parse_draft_text(text), congress_level="provincial")
    [finding] = report.by_code("bill_not_legislative")
    assert "标题提出" in finding.message and "章节和主要制度" in finding.fix
    # that bill does need its legal basis
    assert [f for f in report.by_code("legal_basis") if "法律名称" in f.message]


@pytest.mark.parametrize("outline", [
    BILL.outline,
    "一、将第五十一条修改为：“摩托车、电动自行车驾驶人及乘坐人员应当按规定戴安全头盔。”\n二、将第九十条中的罚款数额提高。",
    # a major matter for the congress to decide, with money in it
    "一、提请自治区人大常委会作出关于红河流域防洪工程建设的决定，将该工程列入自治区重点建设项目。\n"
    "二、决定自2026年起每年安排专项资金1亿元。",
])
def test_a_bill_that_makes_amends_or_decides_is_legislative(outline):
    draft = dataclasses.replace(BILL, outline=outline, measures="")
    assert project_bill(draft) is None
    assert not check(draft).by_code("bill_not_legislative")


def test_a_suggestion_asking_for_a_project_is_a_suggestion():
    draft = dataclasses.replace(GOOD, measures="1. 请自治区人民政府将红河防洪水库列入2026年自治区重点水利建设项目。")
    assert project_bill(draft) is None and not check(draft).by_code("bill_not_legislative")
    assert dataclasses.replace(draft, kind=KIND_BILL).is_bill


# -- S10: generic actors and “more” with no figure ------------------------------------------------------------------------
@pytest.mark.parametrize("measure", [
    "建议银行多给小微企业放贷。",
    "建议在城区多建停车场。",
    "希望有关方面多搞一些群众文化活动。",
    "建议银行加大对小微企业的信贷支持力度，每年新增贷款增长10%以上。",  # which bank? 小微企业 are those served
    "鼓励企业加大研发投入力度，多一些创新成果。",
])
def test_generic_actors_and_more_with_no_figure_are_vague(measure):
    assert vague_items("1. " + measure), measure


@pytest.mark.parametrize("measure", [
    # real demands that name their actor or target: jszx2019.csv rows 414, 239, 417, 422, 92, 331, 99, 348, 248
    "加快银行开户改革。在全省推广泰州市取消企业基本存款账户开户许可证核发的试点经验，积极支持商业银行将开户资料信息通过电子化传递方式报送当地人民银行。",
    "银行业金融机构对进入信息库的中小企业应优先给予金融政策资金支持，针对良性发展中小企业制定多元化信贷产品，切实帮助中小企业解决资金困难。",
    "省工信厅牵头、协鑫等省内龙头企业参与，统一制定标准，促进互联互通，包括云平台、充电设施建设的标准、储能应用的相关标准，引导电池的全生命周期管理等。",
    "针对基层医疗服务特点，在药占比等基层药品政策方面，对基层常见病、多发病、慢性病的治疗药品予以政策保障，进一步提高基层医疗机构服务质量和效率。",
    "将更多的职称名额转移到一线教师，转移到农村中小学教师，使长期坚持到一线教学、坚守在农村学校的普通教师有更多的机会。",
    "优质零售企业“下乡进村”需要政府扶持。对于积极开拓农村市场、“下乡进村”的优质零售企业，政府从渠道、资金、品牌宣传方面给予一定的扶持。",
    "省财政厅、省司法厅加强对资产评估、律所、审计等中介机构的监管，规范收费标准，推动降低民营企业融资中介费用。",
    "医保局联合卫健委和社保局等部门，讨论增加我省慢性病目录，惠及更多的慢性病患者，帮助他们康复，降低致残率，回归社会，减轻患者和家庭的经济负担，增强人民群众获得感幸福感安全感。",
    "银行应限制开银行承兑和商业承兑汇票的额度；",
    # named banks and enterprises are bodies
    "建议人民银行银川中心支行对小微企业贷款加大支持力度，2026年新增再贷款额度50亿元。",
    "建议国有企业加大吸纳高校毕业生力度，2026年招聘不少于3000人。",
])
def test_real_measures_with_banks_enterprises_or_more_stay_concrete(measure):
    assert vague_items("1. " + measure) == [], measure
