"""Routing after the eleventh round's drafts: a city's water bureau (水务局) is the water ministry's local office,
and a time bank (时间银行: volunteer hours saved for one's own old age) is no bank."""

from __future__ import annotations

import pytest

from suggestions.routing import keyword_in, load_targets, local_office, router_for
from suggestions.text import parse_draft_text

CITY_WATER = """关于解决城区老旧小区自来水水压不足问题的建议

我市老城区有40多个小区自来水水压不足，高层住户每天晚上用水高峰没有水，二次供水设施老化，居民反映强烈。

建议：
1. 由市水务局牵头，对老城区二次供水设施进行排查，两年内完成改造。
2. 市水务集团公开停水计划，提前24小时通知居民。
3. 对二次供水水箱每半年清洗消毒一次，水质检测结果向社会公布。"""


def test_a_water_bureau_named_as_lead_routes_to_the_water_ministry(embedder):
    recs = router_for("建议", embedder).recommend(parse_draft_text(CITY_WATER))
    assert recs[0].name == "水利部"
    assert recs[0].local == "市水务局"
    assert any("水务局" in r for r in recs[0].reasons)


def test_a_time_bank_is_no_bank():
    assert not keyword_in("银行", "建议在社区推广养老服务“时间银行”，志愿者服务时长可兑换养老服务。")
    assert keyword_in("银行", "建议商业银行降低小微企业贷款利率。")


ELDER = """关于解决农村独居老人助餐难问题的建议

我县农村60岁以上独居老人有3200多人，很多老人一天只做一顿饭，吃剩饭剩菜，生病了也没人照看。

原因是村里没有助餐点，子女外出打工，乡镇敬老院床位空置却不对外开放。

建议：
1. 由县民政局牵头，2027年底前在每个行政村建成一个老人助餐点，按每餐3元标准给予补助。
2. 乡镇敬老院空置床位向村里独居老人开放，提供日间照料。"""


def test_old_people_are_evidence_for_the_social_affairs_committee(embedder):
    recs = router_for("议案", embedder).recommend(parse_draft_text(ELDER))
    assert recs[0].name == "社会建设委员会"
    assert any("涉及关键词：老人" in r for r in recs[0].reasons)


ROAD_LIGHTS = """关于解决我乡通村道路没有路灯和护栏问题的建议

【问题】
我们关桥乡12个行政村，全乡58公里通村路基本上没有路灯，有一半路段临沟临崖没有护栏，去年发生3起摩托车掉沟事故。

【原因】
修路的时候只算了路面的钱，路灯护栏没有列进去。

【建议】
1、县交通运输局对全乡临沟临崖路段进行排查，今年10月底前在危险路段安装波形护栏和警示标志
2、县交通运输局、县财政局把通村道路安全设施纳入农村公路养护计划，每年安排专门资金
3、县公安交警大队在事故多发路段设置提示牌，加强对无牌无证摩托车的劝导"""


def test_a_numbered_item_that_opens_with_an_office_is_addressed_to_it(embedder):
    recs = router_for("建议", embedder).recommend(parse_draft_text(ROAD_LIGHTS))
    assert recs[0].name == "交通运输部"
    assert recs[0].local == "县交通运输局"


E_BIKE_BILL = """关于修改《中华人民共和国道路交通安全法》加强电动自行车管理的议案

案由：电动自行车全国保有量超过3.5亿辆。现行道路交通安全法对超标车、改装、头盔佩戴、上牌登记等缺少明确规定，电动自行车交通事故多发。

案据：《中华人民共和国道路交通安全法》第十八条、第五十八条。

方案：
一、明确电动自行车登记上牌和驾乘人员佩戴头盔的规定。
二、对非法改装、加装车篷的，由公安机关交通管理部门责令改正并处罚款。
三、加大宣传教育力度，提高群众交通安全意识。"""


def test_publicity_is_no_schooling_and_traffic_accidents_are_the_polices():
    assert not keyword_in("教育", "三、加大宣传教育力度，提高群众交通安全意识。")
    assert keyword_in("教育", "建议增加农村学校教育经费。")


def test_a_traffic_law_bill_goes_to_the_police_not_education(embedder):
    units = router_for("建议", embedder).recommend(parse_draft_text(E_BIKE_BILL))
    assert units[0].name == "公安部"
    committees = router_for("议案", embedder).recommend(parse_draft_text(E_BIKE_BILL))
    assert "教育科学文化卫生委员会" not in [c.name for c in committees[:2]]


@pytest.mark.parametrize("measure, unit, office", [
    ("1. 县人民法院在每个乡镇设立巡回审判点，每月开庭不少于2次。", "最高人民法院", "县人民法院"),
    ("1. 县文化旅游广电局每年安排50万元用于“花儿”传承人培训。", "文化和旅游部", "县文化旅游广电局"),
    ("1. 县民族宗教事务局牵头开展民族团结进步示范村创建，每年创建5个。", "国家民族事务委员会", "县民族宗教事务局"),
])
def test_a_local_office_whose_name_runs_on_or_ends_in_yuan_is_its_units_counterpart(measure, unit, office):
    target = next(t for t in load_targets("units") if t.name == unit)
    assert local_office(measure, target) == office


TOWNSHIP_BILL = """关于制定《三营镇农村人居环境整治村规民约指导意见》的议案

提出人：原州区三营镇人大代表 马国强

案由：我镇农村垃圾乱倒、柴草乱堆、畜禽散养问题突出，各村村规民约对人居环境的约定不统一，缺少奖惩措施，执行难。

案据：《中华人民共和国村民委员会组织法》第二十七条规定，村民会议可以制定和修改村民自治章程、村规民约。

方案：
一、由镇人民政府制定全镇农村人居环境整治村规民约指导意见，提请镇人民代表大会审议通过后施行。
二、指导意见明确垃圾分类投放、柴草定点堆放、畜禽圈养等基本要求，各村据此修订村规民约。

联名代表：马国强、李文华、张彦、海小军、杨梅"""


def test_a_township_bill_goes_to_the_presidium_not_to_committees_or_offices(tmp_path, monkeypatch, embedder):
    from test_routing_round9 import _route

    res = _route(tmp_path, monkeypatch, TOWNSHIP_BILL)
    assert res.exit_code == 0, res.output
    assert "乡镇人民代表大会不设专门委员会" in res.output
    assert "由乡镇人民代表大会主席团处理" in res.output and "应交本级相应部门办理" not in res.output
