"""The thirteenth round's drafts (a new user's 22): a deputy's own compensation claim and one company's product made the
指定产品 are no suggestions; a masked phone number is no blank; impossible figures; a township deputy asking 国务院;
国家网信办 named as the lead; a dictated draft's “我的意思就是：” demands, spoken figures and title; causes written
outside a 原因分析 part; single-topic drafts whose demands name several departments; routing keywords."""

from __future__ import annotations

import pytest

from suggestions.coherence import several_topics, title_sections
from suggestions.figures import count_conflicts, impossible_decreases, overfull_shares
from suggestions.placeholders import placeholders
from suggestions.routing import (DraftLevel, Recommendation, draft_matters, keyword_in, level_note, load_targets,
                                 local_counterparts, named_leads, named_offices, router_for)
from suggestions.selfcheck import check, firm_aliases, not_suggestion_findings, vague_items
from suggestions.summary import summarize
from sugg_drafts import one_measure_draft, refusal_categories
from suggestions.text import parse_draft_text
from suggestions.types import SEVERITY_ERROR, SEVERITY_WARNING



# -- 1. the deputy's own compensation claim ----------------------------------------------------------------------------
FISH_POND = """关于解决我家鱼塘征收补偿问题的建议

县人大代表 钱大海（东湖镇）

2021年县里修建工业园区连接线，征收了我家承包的鱼塘8.6亩，镇里承诺每亩6万元，至今还差21.6万元没给。

建议：
1. 县政府责成东湖镇和县自然资源局尽快把欠我家的21.6万元补偿款付清。
2. 赔偿我家鱼苗、饲料损失7.5万元。"""


def test_a_deputys_own_compensation_claim_is_not_a_suggestion():
    [finding] = not_suggestion_findings(parse_draft_text(FISH_POND))
    assert finding.severity == SEVERITY_ERROR and finding.details["category"] == "own_claim"
    assert "欠我家的21.6万元" in finding.message  # the demand quoted, not the title
    assert "行政复议" in finding.details["body"] and "信访" in finding.fix


OTHERS_COMPENSATION = [one_measure_draft("关于完善征地补偿的建议", "补偿款拖欠问题突出，去年有300户未拿到补偿。", "原因是资金不足。", m)
                       for m in ("建议县政府加快兑付被征地农户的补偿款，对拖欠超过一年的按同期利率补偿利息。",
                                 "建议为我们村受灾群众解决补偿问题，2026年底前发放到户。",
                                 "建议在我家乡所在的山区县设立护林员岗位，每村不少于2名。")]


@pytest.mark.parametrize("text", OTHERS_COMPENSATION)
def test_compensation_for_others_or_a_home_town_is_no_own_claim(text):
    assert "own_claim" not in refusal_categories(text)


# -- 2. one company's product as the 指定产品 ---------------------------------------------------------------------------
ADVERT = """关于在全市推广居家适老化改造的建议

我市60岁以上老年人口已占总人口的23.5%。本市企业“康乐家智慧养老科技有限公司”研发的“安居宝”适老化改造套餐一户只需6800元。

原因是改造标准不统一。

建议：
1. 市民政局将康乐家公司的“安居宝”套餐列为全市居家适老化改造的指定产品。
2. 市财政对采购“安居宝”套餐的家庭给予50%的补贴。
3. 市住建局在老旧小区改造项目中优先采购康乐家公司的产品和服务。

联系人：康乐家公司市场部 李经理 电话：138XXXX6688"""


def test_a_companys_short_name_and_product_are_read_as_the_company():
    assert dict(firm_aliases(ADVERT)) == {"康乐家公司": "该公司", "“安居宝”": "该公司的产品", "安居宝": "该公司的产品"}


def test_one_companys_product_as_the_designated_product_is_not_a_suggestion():
    [finding] = [f for f in not_suggestion_findings(parse_draft_text(ADVERT))]
    assert finding.details["category"] == "specific_enterprise" and finding.details["evidence"] == 3
    assert "指定产品" in finding.message and "政府采购" in finding.fix


def test_the_full_name_in_the_demands_is_caught_as_well():
    text = ADVERT.replace("康乐家公司的", "康乐家智慧养老科技有限公司的")
    assert "specific_enterprise" in refusal_categories(text)


@pytest.mark.parametrize("measure", [
    "市住建局优先采购节能环保产品，对物业公司更换节能灯具给予补贴。",  # a kind of firm
    "建议县发改局会同供电公司，在集镇停车场先建一批充电桩。",  # a company asked to act
    "推广使用符合国家标准的适老化产品，公开遴选改造服务机构。",
])
def test_kinds_of_firm_and_open_procurement_are_no_specific_enterprise(measure):
    text = one_measure_draft("关于推进适老化改造的建议", "某某电力有限公司负责本地供电。改造需求大。", "原因是标准不统一。", measure)
    assert "specific_enterprise" not in refusal_categories(text)


def test_a_masked_phone_number_is_no_blank():
    assert placeholders("联系人：李经理 电话：138XXXX6688，手机138****6688") == []
    assert placeholders("联系电话：XXXXXXXXXXX") == ["XXXXXXXXXXX"]
    assert placeholders("投资XX万元") == ["XX万元"]


# -- 3. figures that cannot be --------------------------------------------------------------------------------------------
VILLAGE_DOCTORS = """关于稳定乡村医生队伍的建议

我镇共有3个行政村卫生室，乡村医生7人。

一、存在问题
1. 年龄老化严重。我镇5个村卫生室的乡村医生中，60岁以上的占72%，50至60岁的占45%，40岁以下的只有1人。
2. 收入偏低。月均收入约2200元，比去年下降了130%。

原因是补助标准多年未调整。

二、建议
1. 县财政提高乡村医生补助标准，保证月收入不低于当地最低工资标准的150%。"""


def test_impossible_figures_are_pointed_out():
    kinds = {f.details["kind"]: f for f in check(parse_draft_text(VILLAGE_DOCTORS)).by_code("figures")}
    assert set(kinds) == {"decrease_over_100", "shares_over_100", "count_conflict"}
    assert all(f.severity == SEVERITY_WARNING for f in kinds.values())
    assert "下降了130%" in kinds["decrease_over_100"].message
    assert "117%" in kinds["shares_over_100"].message
    assert "我镇共有3个行政村卫生室" in kinds["count_conflict"].message


@pytest.mark.parametrize("sentence", [
    "企业净利润同比下降130%，出现亏损。",  # a profit may turn negative
    "产能利用率降至130%以下。",  # a level, not a change
    "亩均化肥用量下降了30%。",
])
def test_possible_decreases_pass(sentence):
    assert impossible_decreases(sentence) == []


@pytest.mark.parametrize("sentence", [
    "其中20M及以上速率的用户占比达到97.8％，50M及以上速率的用户占比达到87.5％。",  # nested groups
    "60岁以上的占52%，50至60岁的占45%。",
    "陪伴看护占86.6%、提供餐饮占68.3%。",  # several answers, no ranges
])
def test_overlapping_or_possible_shares_pass(sentence):
    assert overfull_shares(sentence) == []


def test_counts_of_different_years_may_differ():
    assert count_conflicts("2018年全县有120家养老机构。目前全县有150家养老机构。") == []
    assert count_conflicts("全县有12个乡镇。全县12个乡镇均已通公交。") == []


# -- 4. a township deputy asking 国务院 -------------------------------------------------------------------------------------
OLD_CARS = """关于修改《道路交通安全法》将老年代步车纳入机动车管理的建议

乡人大代表 杨春生（石岭乡）

我乡农村老年人使用低速电动四轮车的越来越多，全乡估计有400多辆，今年以来发生交通事故5起。

问题的根源在于国家法律对这类车辆的属性没有明确规定。

建议：
1. 建议国务院、全国人大常委会修改《中华人民共和国道路交通安全法》，明确低速电动四轮车属于机动车。
2. 建议工业和信息化部制定低速电动车国家标准。

请乡人大主席团转交国务院办理。"""


def test_a_township_suggestion_asking_national_bodies_is_warned():
    draft = parse_draft_text(OLD_CARS)
    assert draft.author_level == "township"
    [finding] = check(draft).by_code("above_level")
    assert finding.severity == SEVERITY_WARNING
    assert "不能转交国务院" in finding.message
    assert finding.details["bodies"] == ["国务院", "全国人大常委会", "工业和信息化部"]
    assert "国务院可以提出法律案" in finding.fix and "上级人大代表" in finding.fix


def test_a_township_suggestion_to_county_bodies_is_not_warned():
    text = OLD_CARS.split("建议：")[0] + "建议：\n1. 请县公安局交警大队每月在县道、乡道开展一次低速电动车专项整治。\n2. 乡政府组织村委会入户宣传。"
    assert check(parse_draft_text(text)).by_code("above_level") == []


def test_the_paragraph_opening_with_its_cause_is_the_cause_analysis():
    draft = parse_draft_text(OLD_CARS)
    assert draft.cause.startswith("问题的根源在于") and "根源" not in draft.problem


def test_a_township_draft_is_for_the_township_government():
    note = level_note(DraftLevel("township", "乡镇", "提出人为乡镇人大代表"), Recommendation("公安部", 0.3), "units")
    assert "对应单位为乡镇人民政府" in note and "相应部门" not in note


# -- 5. 国家网信办 named ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("measure", [
    "建议国家网信办会同工业和信息化部开展APP专项治理。",
    "建议国家网信办加快制定重要数据目录。",
    "建议工业和信息化部、国家网信办牵头建立SDK备案制度。",
])
def test_the_cyberspace_office_named_by_its_short_name(measure):
    units = load_targets("units")
    leads = dict(zip((u.name for u in units), named_leads(measure, units)))
    assert leads["国家互联网信息办公室"]


def test_a_department_of_a_field_is_no_national_body():
    units = load_targets("units")
    leads = dict(zip((u.name for u in units), named_leads("建议教育部门加强课后服务监管。", units)))
    assert leads["教育部"] is None


# -- 6. a dictated draft ---------------------------------------------------------------------------------------------
BUS = """关于我们村班车的事

镇人大代表 老邓（邓家湾村）

我们邓家湾这一片住起有一千多口人，原先每天有两趟班车到镇上。去年开始班车老板说跑起亏本，拉不到人，就不跑了。现在老年人要去镇上看病，只有坐黑摩的，一趟收十块钱。

我的意思就是：
一、请镇政府跟县交通局说一哈，把我们这条线的班车恢复起。
二、给跑这条线的车子补贴点油钱。
三、把招呼站修一哈。"""


def test_spoken_demands_figures_and_title():
    draft = parse_draft_text(BUS)
    assert draft.measures.startswith("我的意思就是") and "班车恢复起" in draft.measures
    assert "老邓" not in draft.problem  # the author's line is the header
    report = check(draft)
    assert not report.by_code("missing_part") or all(f.severity != SEVERITY_ERROR for f in report.by_code("missing_part"))
    assert not any(f.details.get("no_data") for f in report.by_code("thin_part"))  # 一千多口人, 两趟, 十块钱
    [title] = report.by_code("title_form")
    assert title.fix == "改为：关于我村班车问题的建议"


def test_a_bus_line_routes_to_transport(embedder):
    recs = router_for("建议", embedder).recommend(parse_draft_text(BUS))
    assert recs[0].name == "交通运输部"
    assert "乡镇人民政府" in recs[0].reasons[0]


# -- 7. causes outside a 原因分析 part ---------------------------------------------------------------------------------
def test_a_paragraph_opening_with_its_causes_is_read_as_the_cause():
    text = ("关于加强撂荒耕地整治的建议\n\n我县耕地面积约58万亩，撂荒耕地约1200亩。\n\n"
            "原因主要有：一是种粮比较效益低；二是土地流转服务不健全。\n\n建议：\n1. 县农业农村局牵头，年底前完成撂荒耕地摸底。")
    draft = parse_draft_text(text)
    assert draft.cause.startswith("原因主要有") and "原因" not in draft.problem
    assert check(draft).by_code("missing_part") == []


@pytest.mark.parametrize("problem, where", [
    ("一是古民居长期无人居住，去年倒塌12栋；二是保护资金不足，修缮缺口大。", "问题与现状"),
    ("托育机构运营困难，房租、人工成本高，去年有18家关停。", "问题与现状"),
])
def test_causes_in_the_problem_are_a_warning(problem, where):
    text = f"关于加强传统村落保护的建议\n\n{problem}\n\n建议：\n1. 县财政设立传统村落保护专项资金，每年500万元。"
    [finding] = check(parse_draft_text(text)).by_code("missing_part")
    assert finding.severity == SEVERITY_WARNING and f"成因写在“{where}”里" in finding.message


def test_a_cause_named_in_a_demand_is_a_warning():
    text = ("关于加快乡镇充电桩建设的建议\n\n全县18个乡镇只有县城有充电站，春节排队充电要几个小时。建议县发改局会同供电公司，"
            "在集镇停车场先各建一批充电桩，同时解决农村电网容量不足的问题。")
    [finding] = check(parse_draft_text(text)).by_code("missing_part")
    assert finding.severity == SEVERITY_WARNING and "具体建议" in finding.message


def test_a_draft_without_any_reason_still_misses_its_cause_analysis():
    text = ("关于稳定乡村医生队伍的建议\n\n我镇乡村医生7人，60岁以上的有5人，近三年没有一名医学院校毕业生到村卫生室工作。\n\n"
            "建议：\n1. 县卫健局落实“乡聘村用”政策，2026年底前将乡村医生纳入乡镇卫生院统一管理。")
    [finding] = check(parse_draft_text(text)).by_code("missing_part")
    assert finding.severity == SEVERITY_ERROR and finding.message == "缺少“原因分析”部分。"


# -- 8. one topic, several departments; two topics in sections ---------------------------------------------------------
CHILDCARE = """关于大力发展普惠托育服务的建议

我市每千人口拥有3岁以下婴幼儿托位数2.1个。一是普惠托位少、价格贵；二是托育机构运营困难，房租、人工成本高；三是监管存在薄弱环节。

建议：
1. 市卫健委牵头，会同市发改委、市财政局制定普惠托育机构认定和补贴办法。
2. 市教育局支持有条件的幼儿园开设2-3岁托班，利用现有资源扩大供给。
3. 新建住宅小区按标准配套建设托育服务设施，由市自然资源和规划局、市住建局在规划审批和验收环节把关。
4. 鼓励用人单位为职工提供福利性托育服务。"""


def test_a_single_topic_whose_demands_name_several_departments_is_one_matter():
    draft = parse_draft_text(CHILDCARE)
    assert len(draft_matters(draft, load_targets("units"))) < 3
    assert several_topics(draft) is None


TWO_SUBJECTS = """关于规范物业服务和促进高校毕业生就业的建议

一、关于物业服务
近年来我市物业纠纷数量逐年上升，业主委员会成立难，专项维修资金使用难。
建议：市住建局加强物业企业信用评价和服务质量考核；街道社区加强对业委会组建的指导；简化专项维修资金应急使用程序。

二、关于高校毕业生就业
今年我市高校毕业生人数达到4.2万人，就业压力大，中小企业招工难。
建议：市人社局加大就业见习岗位开发力度，对吸纳毕业生的中小企业给予社保补贴；建立本地高校与企业的常态化对接机制。"""


def test_two_subjects_in_sections_are_two_matters():
    draft = parse_draft_text(TWO_SUBJECTS)
    assert "二、关于高校毕业生就业" in draft.problem and "关于高校毕业生就业" not in draft.measures
    assert len(title_sections(draft)) == 2
    finding = several_topics(draft)
    assert finding is not None and finding.details["method"] == "lexical"
    fields = [g["units"] for g in finding.details["groups"]]
    assert ["住房和城乡建设部"] in fields  # 维修资金应急使用: no 应急管理
    assert any(u[0] == "人力资源和社会保障部" for u in fields)


# -- 9. routing keywords, offices and vague demands --------------------------------------------------------------------
def test_lightening_the_grassroots_load_is_no_schooling():
    assert not keyword_in("减负", "进一步加强基层减负工作，为基层减负")
    assert keyword_in("减负", "切实减轻中小学生课业负担，推进减负")


def test_a_word_jieba_does_not_know_still_counts():
    assert keyword_in("河长", "四是河长制落实不够，巡河流于形式。")
    assert not keyword_in("劳动", "投工投劳动员群众")


def test_a_named_unit_with_a_concrete_action_is_not_vague():
    measure = "2. 建议工业和信息化部进一步加强物联网卡的实名管理和用途管控，对异常开卡、批量开卡实行动态监测。"
    assert vague_items(measure) == []


def test_the_example_fits_a_national_draft():
    text = ("关于健全电信网络诈骗治理机制的建议\n\n提出人：全国人大代表 周明远\n\n电信网络诈骗高发，2023年破获案件43.7万起。\n\n"
            "原因是资金拦截不够及时。\n\n建议：\n1. 有关部门要高度重视，进一步加强协调，形成合力。\n2. 建议公安部2026年底前出台涉诈资金返还规程。")
    [finding] = check(parse_draft_text(text)).by_code("vague_measure")
    assert "建议教育部" in finding.fix and "市教育局" not in finding.fix


def test_a_fraud_draft_goes_to_the_supervisory_and_judicial_committee(embedder):
    text = ("关于健全电信网络诈骗全链条治理机制的建议\n\n提出人：全国人大代表 周明远\n\n电信网络诈骗仍处于高发态势，老年人和青少年受骗比例上升，"
            "2023年全国共破获电信网络诈骗案件43.7万起。\n\n原因是涉诈资金拦截不够及时，被害人救济渠道不畅。\n\n"
            "建议：\n1. 建议公安部、最高人民法院、最高人民检察院联合出台被冻结涉诈资金返还的操作规程。\n"
            "2. 建议国家网信办会同公安部细化互联网平台涉诈内容识别处置标准。")
    recs = router_for("议案", embedder).recommend(parse_draft_text(text))
    assert recs[0].name == "监察和司法委员会"


GAS = ("关于加强老旧小区燃气安全管理的建议\n市人大代表 冯建华 去年以来各地发生多起燃气爆炸事故我市老旧小区燃气管道老化严重"
       "很多小区的燃气管道已经使用三十多年锈蚀漏气隐患大建议市住建局牵头对全市老旧小区燃气管道进行全面排查"
       "把燃气管道更新改造纳入老旧小区改造计划市城管局和市场监管局对餐饮场所开展专项整治强制淘汰不合格软管和减压阀")


def test_a_long_unpunctuated_demand_is_cut_between_words():
    draft = parse_draft_text(GAS + "加强对液化气充装站的监管实行气瓶二维码追溯严厉打击非法充装和黑气瓶燃气企业要落实入户安检责任"
                                   "每年至少安检一次对发现的隐患及时整改街道社区要加强燃气安全宣传提高居民安全意识")
    summary = summarize(draft)
    assert summary.endswith("……") and len(summary) <= 150
    import jieba

    kept = summary[:-2].split("。", 1)[1]  # after the title's core
    assert draft.measures.startswith(kept)
    bounds, at = set(), 0
    for word in jieba.lcut(draft.measures[:len(kept) + 8]):
        at += len(word)
        bounds.add(at)
    assert len(kept) in bounds  # cut between two words


def test_an_author_line_run_into_the_body_is_the_header():
    draft = parse_draft_text(GAS)
    assert draft.author_level == "municipal"
    assert draft.problem.startswith("去年以来") and draft.measures.startswith("建议市住建局牵头")
    summary = summarize(draft)
    assert summary.startswith("加强老旧小区燃气安全管理。建议市住建局牵头") and len(summary) <= 150


def test_offices_listed_after_one_level_are_all_named():
    draft = parse_draft_text(GAS)
    level, offices = local_counterparts(draft)
    assert offices["国家市场监督管理总局"] == "市市场监管局"
    assert named_offices(draft.full_text(), level) == ["市住建局", "市城管局", "市市场监管局"]
