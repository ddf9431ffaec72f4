"""Self-check after a new user's 14 test drafts (2026-12): placeholders, slogan-only demands, 几点建议 titles,
quotes cut mid-word, 一是/二是 numbering, two unrelated matters under a general title."""

from __future__ import annotations

import dataclasses

import pytest

from suggestions.selfcheck import check, vague_items
from suggestions.text import clip, is_numbered, measure_items, parse_draft_text
from suggestions.types import SEVERITY_ERROR, SEVERITY_WARNING
from sugg_drafts import GOOD

# -- unfilled placeholders -------------------------------------------------------------------------------------
POCKET_PARKS = """关于在XX市加快建设口袋公园的建议

问题与现状
近年来，XX市城区面积不断扩大，但老城区公园绿地分布不均衡。据统计，××区、××区人均公园绿地面积仅为X.X平方米，远低于全市平均水平。老城区居民步行15分钟范围内没有公园的小区有XX个。

原因分析
一是老城区建筑密度大，难以拿出成片土地建设大型公园。二是边角地、闲置地块长期没有利用。三是口袋公园建设缺少统一规划和稳定的资金渠道。

具体建议
1. 由XX市住房和城乡建设局牵头，会同市自然资源和规划局，在2026年X月底前完成全市边角地、闲置地块的摸底，形成点位清单。
2. 每年在老城区新建口袋公园不少于XX个，每个面积400至10000平方米。
3. 市财政局每年安排专项资金××万元，采取以奖代补方式支持各区建设。

联系人：×××　联系电话：××××××××
"""


def test_an_unfinished_draft_with_placeholders_must_be_fixed():
    report = check(parse_draft_text(POCKET_PARKS))
    [finding] = report.by_code("placeholder")
    assert finding.severity == SEVERITY_ERROR and not report.passed
    assert finding.message.startswith("草稿中还有未填写的占位内容：“XX市”“××区”")
    assert "请填上实际内容" in finding.message
    assert {"XX市", "××区", "X.X平方米", "××万元", "×××", "××××××××"} <= set(finding.details["placeholders"])


@pytest.mark.parametrize("sentence", [
    "乡镇卫生院普遍缺少X光机和彩超，患者只能到县医院做X射线检查。",
    "有的学生用iPhone X手机上网课，有的只有老人机。",
    "校服只有S、M、L、XL、XXL五个尺码。",
    "推动学历证书与职业技能等级证书的“1+X”证书制度试点。",
    "推行“XX乡村”创建的名称繁多，基层疲于应付。",
    "政务服务热线实现7×24小时人工接听。",
    "该馆始建于二〇〇八年，藏有XIV世纪的手抄本。",
])
def test_real_text_with_x_is_no_placeholder(sentence):
    report = check(dataclasses.replace(GOOD, problem=GOOD.problem + sentence))
    assert report.by_code("placeholder") == [], report.to_text()


# -- slogan-only demands ---------------------------------------------------------------------------------------
SLOGANS = """关于进一步加强基层社会治理的建议

基层是社会治理的基础和重心。当前，我县基层社会治理工作取得了一定成效，但也存在一些不容忽视的问题，主要表现在：思想认识还不够到位，工作机制还不够健全，基层基础还比较薄弱，群众参与还不够充分。

产生这些问题的原因是多方面的。一些地方和部门对基层社会治理的重要性认识不足，责任落实不到位，投入保障不够，人才队伍建设滞后。

为此，建议：
一是提高思想认识。建议各级各有关部门高度重视基层社会治理工作，切实增强责任感和紧迫感，把基层社会治理摆上重要议事日程。
二是健全工作机制。进一步完善党委领导、政府负责、社会协同、公众参与的工作体制机制，形成齐抓共管、上下联动的工作合力。
三是加大投入力度。有关部门要进一步加大对基层社会治理的投入力度，强化保障，夯实基层基础。
四是加强队伍建设。进一步加强基层干部队伍建设，不断提升基层治理能力和水平。
五是营造良好氛围。加大宣传力度，营造全社会共同参与基层社会治理的良好氛围，推动基层社会治理工作再上新台阶。
"""

COPIED = """一、毫不放松抓好粮食等重要农产品稳定安全供给。坚持稳面积、增单产两手发力，深入实施粮食产能提升行动，全方位夯实粮食安全根基。
二、持续巩固拓展脱贫攻坚成果。坚持精准帮扶，落实防止返贫监测帮扶机制，确保不发生规模性返贫致贫。
三、提升乡村产业发展水平。坚持产业兴农、质量兴农、绿色兴农，促进农村一二三产业融合发展，培育壮大乡村特色产业。
四、提升乡村建设水平。坚持县域统筹，因地制宜、分类推进乡村建设，扎实推进农村人居环境整治提升。
五、提升乡村治理水平。坚持和发展新时代“枫桥经验”，完善党组织领导的自治、法治、德治相结合的乡村治理体系。"""


def test_a_draft_of_slogans_numbered_yi_shi_is_blocked_and_its_vague_items_listed_once():
    report = check(parse_draft_text(SLOGANS))
    assert report.by_code("vague_measures") and not report.passed
    [listed] = report.by_code("vague_measure")
    assert listed.severity == SEVERITY_WARNING and listed.details["count"] == 5
    assert [m["phrase"] for m in listed.details["measures"]][:2] == ["高度重视", "进一步完善"]
    assert listed.message.count("”（") == 5  # each measure quoted with its phrase, in one item


def test_copied_policy_wording_is_vague():
    draft = dataclasses.replace(GOOD, title="关于全面推进乡村振兴的建议", measures=COPIED)
    assert [p for _, p in vague_items(COPIED)][1:] == ["精准帮扶", "培育壮大", "扎实推进", "坚持和发展"]
    assert check(draft).by_code("vague_measures") and not check(draft).passed
    # the same words with a body, an action and a target are a demand
    assert vague_items("1. 建议县农业农村局2026年底前扎实推进高标准农田建设，新建5万亩。") == []


def test_nearly_all_vague_is_blocked_but_not_a_draft_with_two_concrete_measures():
    concrete = ("建议市交通运输局于2026年6月底前在城区新增公交线路3条。", "建议市民政局2026年内新建社区老年食堂20个。")
    slogans = "\n".join(f"{i}. {s}" for i, s in enumerate(
        ["高度重视农村人居环境整治工作。", "进一步加大投入力度。", "营造全社会共同参与的良好氛围。", "形成工作合力。"], 1))
    one = dataclasses.replace(GOOD, measures=slogans + f"\n5. {concrete[0]}")
    [blocked] = check(one).by_code("vague_measures")
    assert "5 条中只有 1 条" in blocked.message and not check(one).passed
    two = dataclasses.replace(GOOD, measures=one.measures + f"\n6. {concrete[1]}")
    assert check(two).by_code("vague_measures") == [] and len(check(two).by_code("vague_measure")) == 1


# -- title form ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("title,kind", [
    ("关于改善我县民生的几点建议", "建议"), ("关于改善我县民生的建议", "建议"), ("关于改善我县民生的几点意见和建议", "建议"),
    ("关于制定城市公共厕所管理条例的议案", "议案"),
])
def test_usual_titles_are_not_a_wrong_format(title, kind):
    assert check(dataclasses.replace(GOOD, title=title, kind=kind)).by_code("title_form") == []


@pytest.mark.parametrize("title,kind,fix", [
    ("改善我县民生的几点建议", "建议", "改为：关于改善我县民生的建议"),
    ("关于改善我县民生的几点建议", "议案", "改为：关于改善我县民生的议案，或更改类别。"),
    ("当前公立医院改革中遇到的问题与建议", "建议", "改为：关于当前公立医院改革中遇到的问题的建议"),
    ("关于改善我县民生的几点意见和建议", "议案", "改为：关于改善我县民生的议案，或更改类别。"),
])
def test_a_title_fix_never_keeps_the_old_ending(title, kind, fix):
    [finding] = check(dataclasses.replace(GOOD, title=title, kind=kind)).by_code("title_form")
    assert finding.fix == fix


# -- quotes cut at a boundary ----------------------------------------------------------------------------------
def test_quotes_are_cut_at_a_clause_or_word_boundary():
    import jieba

    item = "建议各级各有关部门高度重视基层社会治理工作，切实增强责任感和紧迫感，把基层社会治理摆上重要议事日程。"
    assert clip(item) == "建议各级各有关部门高度重视基层社会治理工作，切实增强责任感和紧迫感……"
    assert clip("短句不截。") == "短句不截。"
    run_on = "进一步完善党委领导政府负责社会协同公众参与的工作体制机制形成齐抓共管上下联动的工作合力"
    cut = clip(run_on, 30)
    ends = {sum(map(len, jieba.lcut(run_on)[:k])) for k in range(60)}
    assert cut.endswith("……") and len(cut[:-2]) in ends and run_on.startswith(cut[:-2])


def test_finding_messages_quote_whole_words():
    report = check(parse_draft_text(SLOGANS))
    text = report.to_text()
    assert "把基层社会治”" not in text and "基层社会治理工作……”" in text
    petition = dataclasses.replace(
        GOOD, problem="这几年为这件事我多次上访，前后花了两万多元，我母亲因为这件事气得住了院，到现在身体还不好。" + GOOD.problem)
    [finding] = check(petition).by_code("not_a_suggestion")
    assert "到现在身”" not in finding.message and "……”" in finding.message


# -- numbering -------------------------------------------------------------------------------------------------
_ITEMS = ("建议市交通运输局在2026年6月底前制定停放区域设置标准。", "建议市城管局建立企业运维考核办法。",
          "建议市公安局将多次违规停放纳入用户信用记录。")


@pytest.mark.parametrize("marks", [("一是", "二是", "三是"), ("第一，", "第二，", "第三，"), ("（一）", "（二）", "（三）"),
                                   ("1. ", "2. ", "3. "), ("1、", "2、", "3、"), ("①", "②", "③")])
def test_numbered_demands_are_numbered(marks):
    measures = "\n".join(m + s for m, s in zip(marks, _ITEMS))
    assert is_numbered(measures) and len(measure_items(measures)) == 3
    assert check(dataclasses.replace(GOOD, measures=measures)).by_code("measures_unnumbered") == []


def test_yi_shi_inside_numbered_items_are_sub_points():
    measures = ("1. 完善停放管理。一是制定停放区域设置标准；二是施划电子围栏停放区。\n"
                "2. 建议市城管局建立企业运维考核办法。")
    assert len(measure_items(measures)) == 2
    assert is_numbered(SLOGANS.split("为此，建议：")[1]) and len(measure_items(SLOGANS.split("为此，建议：")[1])) == 5


# -- two unrelated matters -------------------------------------------------------------------------------------
PARKING_AND_TEACHERS = """关于改善我县民生的几点建议

问题与现状
一是县城停车难问题突出。我县城区机动车保有量已达6.8万辆，而公共停车泊位只有9200个，老城区人民路、解放路一带早晚高峰车辆占道停放严重。二是乡村学校教师短缺。全县有村小和教学点41所，其中17所只有1至2名教师，近三年招聘的乡村教师有三分之一已调走或辞职。

原因分析
停车方面，城区规划建设时预留的停车用地不足，老旧小区基本没有配建车位。教师方面，乡村生活条件差、交通不便，周转宿舍不足，年轻教师留不住。

具体建议
1. 县自然资源局、县住建局利用城区边角地、闲置地块建设立体停车场，2026年新增公共停车泊位1500个。
2. 县城市管理局会同县公安局交警大队对人民路、解放路实行路内停车分时段收费，并开发手机停车缴费和空余车位查询平台。
3. 县教育局会同县财政局提高乡村教师生活补助标准，按偏远程度每月补助500至1200元。
4. 县教育局在乡镇中心校建设教师周转宿舍100套，并推行县域内城乡教师轮岗交流，城区学校教师晋升高级职称须有两年以上乡村任教经历。
"""


@pytest.mark.parametrize("title,fits", [("关于改善我县民生的几点建议", False), ("关于解决县城停车难问题的建议", True)])
def test_parking_and_teachers_are_two_matters(title, fits):
    """城区 (城区边角地, 城区学校教师) says where, and tied the parking items to the teachers' ones."""
    draft = dataclasses.replace(parse_draft_text(PARKING_AND_TEACHERS), title=title)
    [finding] = check(draft).by_code("several_topics")
    groups = [g["items"] for g in finding.details["groups"]]
    assert sorted(len(g) for g in groups) == [2, 2] and "停车场" in groups[0][0]
    assert ("与标题相符" in finding.fix) == fits
