"""Bills in the NPC's own form (案由 / 案据 / 方案), criticisms, and what a tester's drafts showed (stop 14)."""

from __future__ import annotations

from suggestions.selfcheck import check
from suggestions.summary import summarize
from suggestions.text import parse_draft_text
from suggestions.types import SEVERITY_ERROR

NPC_BILL = """关于修改《中华人民共和国道路交通安全法》的议案

领衔代表：陈建华（江苏代表团）

案由：
近年来电动自行车保有量快速增长，全国电动自行车保有量已超过3.5亿辆，2023年涉及电动自行车的道路交通事故死亡人数占非机动车事故死亡人数的七成以上。现行法第五十一条只规定摩托车驾驶人应当戴安全头盔，各地规定标准不一。

案据：
1.《中华人民共和国宪法》第六十二条、第六十七条。
2.《中华人民共和国全国人民代表大会组织法》第十七条：一个代表团或者三十名以上的代表联名，可以提出议案。

方案：
1. 将第五十一条修改为：“机动车行驶时，驾驶人、乘坐人员应当按规定使用安全带；摩托车、电动自行车驾驶人及乘坐人员应当按规定戴安全头盔。”
2. 将第九十条中的“二十元以上二百元以下罚款”修改为“五十元以上五百元以下罚款”。

联名代表：{cosigners}
"""
THIRTY = "、".join(f"代表{i}" for i in range(31))


def _errors(report) -> set[str]:
    return {f.code for f in report.findings if f.severity == SEVERITY_ERROR}


def test_a_bill_in_the_npc_form_is_read_by_its_headings_and_passes():
    draft = parse_draft_text(NPC_BILL.format(cosigners=THIRTY))
    assert draft.kind == "议案"
    assert "3.5亿辆" in draft.problem and "组织法" in draft.legal_basis and "第九十条" in draft.outline
    report = check(draft)
    assert report.passed and not report.by_code("missing_part"), report.to_text()
    # its summary is the draft's points, quotations closed
    summary = summarize(draft)
    assert "将第五十一条修改为" in summary and summary.count("“") == summary.count("”")


def test_a_bill_with_too_few_cosigners_says_how_many_it_needs():
    report = check(parse_draft_text(NPC_BILL.format(cosigners="李晓峰、王淑芬")))
    (finding,) = report.by_code("cosponsors")
    assert finding.severity == SEVERITY_ERROR and "2 名" in finding.message and "三十名" in finding.message
    # a delegation suffices; a local regulation's bill needs ten
    assert not check(parse_draft_text(NPC_BILL.format(cosigners="代表团：江苏代表团"))).by_code("cosponsors")
    local = NPC_BILL.replace("修改《中华人民共和国道路交通安全法》", "制定《安徽省农村供水条例》")
    assert not check(parse_draft_text(local.format(cosigners="、".join(f"代表{i}" for i in range(10))))).by_code("cosponsors")
    assert not check(parse_draft_text(NPC_BILL.format(cosigners="王某某等32名代表"))).by_code("cosponsors")
    assert check(parse_draft_text(local.format(cosigners="甲、乙、丙"))).by_code("cosponsors")


def test_a_bill_whose_draft_points_are_slogans_is_blocked():
    slogans = NPC_BILL.split("方案：")[0] + "方案：\n一、进一步完善食品安全监管体制机制。\n二、加大对违法行为的处罚力度。\n三、强化企业主体责任，压实平台责任。\n"
    report = check(parse_draft_text(slogans))
    assert "vague_outline" in _errors(report)
    assert "vague_outline" not in _errors(check(parse_draft_text(NPC_BILL.format(cosigners=THIRTY))))


def test_a_suggestion_citing_its_legal_basis_stays_a_suggestion():
    text = ("关于加强农村寄递物流建设的建议\n问题与现状：\n全省还有三成行政村没有快递服务站，农产品外运成本高。\n"
            "原因分析：\n运营补贴不足。\n法律依据：\n《中华人民共和国邮政法》第十五条。\n"
            "具体建议：\n1. 建议省财政厅设立专项补助资金，对每个村级服务站每年补助5000元。\n")
    assert parse_draft_text(text).kind == "建议"
    assert parse_draft_text(text.replace("具体建议", "方案")).measures.startswith("1. 建议省财政厅")


def test_a_criticism_is_a_suggestion_and_needs_no_cause_section():
    text = ("关于市不动产登记中心办事效率低的批评和意见\n问题与现状：\n本人视察发现，登记中心16个窗口只开放6个，群众平均排队3小时以上，"
            "多次往返补交材料，网站公布的材料清单与窗口要求不一致。\n具体建议：\n1. 市自然资源和规划局应督促登记中心在一个月内把开放窗口增加到12个以上。\n")
    report = check(parse_draft_text(text, "建议"))
    assert report.passed and not report.by_code("title_form") and not report.by_code("missing_part"), report.to_text()


def test_speaking_for_villagers_is_not_a_personal_petition_but_asking_for_oneself_is():
    public = parse_draft_text("关于稳定化肥价格的建议\n今年尿素一袋涨了30多块，种一亩麦子不挣钱，我替乡亲们讨个说法，建议有关部门稳定化肥价格。")
    assert not check(public).by_code("not_a_suggestion")
    personal = parse_draft_text("关于解决土地纠纷的建议\n我家的承包地被邻居占了，我要讨个说法，建议有关部门处理。")
    assert check(personal).by_code("not_a_suggestion")
    grievance = parse_draft_text("关于村干部作风的建议\n村干部从不为群众办事，我要讨个说法，建议有关部门处理。")
    assert check(grievance).by_code("not_a_suggestion")  # “为群众” names whom the cadre fails, not whom I speak for


def test_a_demand_to_amend_the_civil_code_is_told_of_the_bill_route():
    text = ("关于完善离婚冷静期规定的建议\n问题与现状：\n家庭暴力受害人在离婚冷静期内仍受侵害，2024年本市妇联接到此类求助120件。\n"
            "原因分析：\n现行规定没有区分情形。\n具体建议：\n1. 建议尽快修改《中华人民共和国民法典》第一千零七十七条，对家庭暴力情形不适用冷静期。\n")
    (hint,) = check(parse_draft_text(text)).by_code("bill_candidate")
    assert "民法典" in hint.message
    # the constitution is amended otherwise (常委会 or one fifth of the deputies): no bill advice
    assert not check(parse_draft_text(text.replace("《中华人民共和国民法典》第一千零七十七条", "《宪法》第三十四条"))).by_code("bill_candidate")


def test_a_draft_in_traditional_characters_is_read_with_the_same_headings():
    text = ("關於規範城市共享單車停放管理的建議\n問題與現狀：\n全市共享單車投放量超過30萬輛，地鐵站口、人行道被大量佔用，"
            "2025年相關投訴達4200件，老年人和視障人士出行受到明顯影響。\n原因分析：\n停放區劃設不足，企業調度不及時。\n"
            "具體建議：\n1. 建議市交通運輸局在2026年底前在地鐵站口劃設停放區2000處。\n")
    draft = parse_draft_text(text)
    assert draft.title == "关于规范城市共享单车停放管理的建议" and draft.measures.startswith("1. 建议市交通运输局")
    report = check(draft)
    assert not report.by_code("missing_part") and not report.by_code("title_form"), report.to_text()


def test_a_whole_pasted_report_is_too_long_to_be_one_suggestion():
    body = "全市共享单车投放量超过30万辆，乱停乱放现象突出。" * 3000  # ~75,000 characters
    text = f"关于规范共享单车停放的建议\n问题与现状：\n{body}\n原因分析：\n停放区不足。\n具体建议：\n1. 建议市交通运输局在2026年底前划设停放区2000处。\n"
    (finding,) = check(parse_draft_text(text)).by_code("too_long")
    assert finding.severity == SEVERITY_ERROR and "篇幅过长" in finding.message


def test_the_deputys_own_congress_level_decides_how_many_cosigners_a_bill_needs():
    draft = parse_draft_text(NPC_BILL.format(cosigners="甲、乙、丙、丁、戊"))
    assert not check(draft, congress_level="township").by_code("cosponsors")
    (county,) = check(draft, congress_level="county").by_code("cosponsors")
    assert "本级人大（10 名以上代表联名）" in county.message
    assert check(draft).by_code("cosponsors")  # unknown level: a national law's bill goes to the NPC
