"""Round 9: a new user's drafts (/tmp/drafts_tester) that the parser misread.

S1  co-signers stated as a number (附议代表：（共32人，名单附后）) were counted as 2 names;
S5  WeChat-style bracketed headings (【问题】【原因】【建议】, 〔…〕, ［…］) were not headings;
S6  a greeting first line (各位领导好🙏 我是……) became the title, and chat stayed in the body;
S12b the closing line (以上建议，请予研究办理。) got into the summary;
and the author's congress level is read off the header (``DraftContent.author_level``).
"""

from __future__ import annotations

import pytest

from suggestions.draft import assess, cosigner_count, cosponsor_list, default_thresholds, whole_draft
from suggestions.selfcheck import check
from suggestions.summary import summarize
from suggestions.text import book_title, parse_draft_text, routing_chunks, routing_text
from suggestions.types import SEVERITY_ERROR

# d08_bill_good.txt, shortened: a national bill whose co-signers are “名单附后”
BILL = """关于修改《中华人民共和国老年人权益保障法》的议案

领衔代表：陈立新（第十四届全国人民代表大会代表，宁夏代表团）
附议代表：{cosigners}

案由：
我国60岁及以上人口已超过2.9亿，失能、半失能老年人约4500万。现行《中华人民共和国老年人权益保障法》于1996年制定，2018年最近一次修正。该法对长期护理保障只作了原则性规定（第三十条“国家逐步开展长期护理保障工作”），对居家社区养老服务设施配建、养老服务从业人员资质和待遇等问题规定不足，有必要进行修改。

案据：
一、长期护理保险试点已在49个城市开展近十年，参保人数超过1.8亿，具备上升为法律制度的条件，但现行法律中缺少明确的制度安排。
二、《中华人民共和国宪法》第四十五条规定，公民在年老的情况下有从国家和社会获得物质帮助的权利。修改本法属于全国人民代表大会及其常务委员会的立法权限。

方案：
一、在第三章“社会保障”中增加一条：“国家建立长期护理保险制度，为失能老年人提供基本生活照料和与之密切相关的医疗护理服务或者资金保障。长期护理保险的筹资、评估和待遇支付办法由国务院规定。”
二、修改第四十五条，明确“新建城镇居住区应当按照国家规定的标准配套建设养老服务设施，与住宅同步规划、同步建设、同步验收、同步交付使用。”并在第七章“法律责任”中增加相应罚则。

以上议案，请予审议。
"""

# d04_school_lunch_notitle.txt: pasted from a group chat, no title, bracketed headings
CHAT_GREETING = "各位领导好🙏 我是西吉县人大代表张海燕，下面是我在代表小组群里整理的，大家帮忙看看能不能作为建议提交👍👍"
CHAT_PS = "P.S. 有意见直接在群里@我 thx~ 😊 #营养餐 #乡村振兴"
LUNCH_BODY = """【问题】我县农村义务教育学校现在执行的营养改善计划补助标准是每生每天5元，从2021年秋季学期调整以后一直没变。这两年菜价、肉价、燃料价格都涨了，很多学校反映5块钱只能保证一荤一素，牛奶和鸡蛋经常保证不了。另外很多村小、教学点没有食堂，只能发面包、牛奶“课间餐”，孩子吃不上热饭。全县共有这样的教学点47个，涉及学生1600多人。还有食堂工人工资从营养餐经费里挤占的情况（这个是违规的!!!），OMG 😱

【原因】一是补助标准没有建立与物价联动的调整机制；二是县财政困难，食堂建设和工勤人员工资配套不到位；三是教学点规模小，单独建食堂成本高。

【建议】
1. 建议自治区教育厅、财政厅争取国家将营养改善计划补助标准从每生每天5元提高到6元，并建立每两年根据CPI评估调整一次的机制。
2. 建议自治区财政安排专项资金，2026年内为47个没有食堂的教学点建设“小厨房”或由中心学校配送热餐，每个教学点补助不超过15万元。
3. 建议明确食堂工勤人员工资由县级财政纳入预算保障，严禁从营养膳食补助中列支，由县教育局每学期公示每所学校的伙食费收支。
4. 建议市场监管部门每学期对学校食堂开展不少于一次的食品安全检查，推行“明厨亮灶”+ 家长陪餐制度。
"""
LUNCH_NOTITLE = f"{CHAT_GREETING}\n\n{LUNCH_BODY}\n{CHAT_PS}\n"
LUNCH_TITLE = "关于提高农村义务教育学生营养改善计划补助标准的建议"

# d01_rural_road_good.txt, shortened: a provincial deputy's suggestion with the usual closing line
ROAD = """关于加快农村公路提档升级和建立长效养护机制的建议

提出人：王建军（宁夏回族自治区人大代表，固原市原州区）

一、存在的问题
近年来，我区“四好农村路”建设取得明显成效，建制村通硬化路比例达到100%。但原州区现有农村公路2137公里，其中宽度不足4.5米的单车道公路占62%，大型农机和校车会车困难；每年需养护资金约860万元，实际到位不足400万元。

二、原因分析
一是山区县财力薄弱，车购税补助资金主要用于新建，养护投入依赖县级财政；二是“路长制”在村一级落实不到位，村道养护责任主体不清。

三、具体建议
（一）建议自治区交通运输厅在“十五五”农村公路规划中，将山区县单车道四级公路拓宽改造列为重点，2026年至2028年每年安排不少于300公里的改造计划。
（二）建议自治区财政厅将农村公路养护资金纳入一般公共预算，按照县道每公里每年1万元、乡道0.5万元、村道0.3万元的标准足额保障。

以上建议，请予研究办理。
"""


def _errors(report) -> list:
    return [f for f in report.findings if f.severity == SEVERITY_ERROR]


# -- S1: co-signers stated as a number ------------------------------------------------------------------------
def test_a_bill_whose_cosigners_are_stated_as_a_number_is_not_told_it_has_two():
    draft = parse_draft_text(BILL.format(cosigners="（共32人，名单附后）"))
    assert draft.kind == "议案" and draft.cosponsors == ["（共32人，名单附后）"]
    assert cosigner_count(draft.cosponsors) == 32
    report = check(draft)
    assert not report.by_code("cosponsors"), report.to_text()
    assert report.passed, report.to_text()


@pytest.mark.parametrize("field, count", [
    ("（共32人，名单附后）", 32), ("共三十二人（名单附后）", 32), ("三十二人", 32), ("32名代表联名", 32),
    ("陈立新、王某某等32名代表", 32), ("马某、李某、王某、张某、杨某、海某、周某、田某、苏某、白某（共10人）", 10),
    ("张三、李四（共2人）", 2), ("甲、乙、丙、丁（共3人）", 4),  # the names listed are a floor
])
def test_the_stated_count_is_used_and_the_names_are_a_floor(field, count):
    draft = parse_draft_text(BILL.format(cosigners=field))
    assert cosigner_count(draft.cosponsors) == count


def test_a_stated_count_below_the_threshold_is_still_a_must_fix():
    (finding,) = check(parse_draft_text(BILL.format(cosigners="（共12人，名单附后）"))).by_code("cosponsors")
    assert finding.severity == SEVERITY_ERROR and "12 名" in finding.message


@pytest.mark.parametrize("line", ["附议代表32名", "联名代表共32人", "本议案由陈立新等32名代表联名提出。"])
def test_a_cosigner_count_on_a_line_of_its_own_is_read_and_kept_out_of_the_text(line):
    text = BILL.replace("附议代表：{cosigners}", line)
    draft = parse_draft_text(text)
    assert cosigner_count(draft.cosponsors) == 32
    assert "32" not in draft.problem and not check(draft).by_code("cosponsors")


def test_the_lead_deputys_count_and_a_delegation_in_the_header_are_read():
    lead = BILL.replace("领衔代表：陈立新（第十四届全国人民代表大会代表，宁夏代表团）\n附议代表：{cosigners}",
                        "领衔代表：陈立新等32名代表")
    assert cosigner_count(parse_draft_text(lead).cosponsors) == 32
    # p1b_bill_delegation.txt
    delegation = BILL.replace("领衔代表：陈立新（第十四届全国人民代表大会代表，宁夏代表团）\n附议代表：{cosigners}",
                              "提出：第十四届全国人民代表大会宁夏代表团")
    draft = parse_draft_text(delegation)
    assert draft.cosponsors == ["代表团：第十四届全国人民代表大会宁夏代表团"] and cosigner_count(draft.cosponsors) is None
    # the lead deputy's own delegation, in brackets after a name, is not a delegation's bill
    assert cosigner_count(["张三（江苏代表团）", "李四（江苏代表团）"]) == 2


def test_the_wizard_takes_a_stated_count_at_the_cosigner_step():
    ok, feedback = assess("cosponsors", "（共32人，名单附后）", "议案", cosponsor_needed=30)
    assert ok, feedback
    assert cosponsor_list("（共32人，名单附后）") == ["（共32人，名单附后）"]
    assert not assess("cosponsors", "（共12人，名单附后）", "议案", cosponsor_needed=30)[0]


# -- S5: bracketed headings -----------------------------------------------------------------------------------
def test_bracketed_headings_open_the_parts():
    draft = parse_draft_text(f"{LUNCH_TITLE}\n\n{LUNCH_BODY}")
    assert draft.problem.startswith("我县农村义务教育学校") and "【" not in draft.problem
    assert draft.cause.startswith("一是补助标准没有建立与物价联动的调整机制")
    assert draft.measures.startswith("1. 建议自治区教育厅") and draft.measures.count("建议") == 4
    report = check(draft)
    assert not report.by_code("missing_part"), report.to_text()
    assert report.passed, report.to_text()


@pytest.mark.parametrize("heads", [
    ("【存在问题】", "【原因分析】", "【具体建议】"), ("〔问题〕", "〔原因〕", "〔建议〕"), ("［问题］", "［原因］", "［建议］"),
    ("【问题描述】", "【原因】", "【我的建议】"),
])
def test_other_bracket_styles_and_heading_like_words(heads):
    body = LUNCH_BODY.replace("【问题】", heads[0]).replace("【原因】", heads[1]).replace("【建议】", heads[2])
    draft = parse_draft_text(f"{LUNCH_TITLE}\n{body}")
    assert draft.problem.startswith("我县") and draft.cause.startswith("一是") and draft.measures.startswith("1. 建议")


def test_ordinary_brackets_in_the_text_are_left_alone():
    text = (f"{LUNCH_TITLE}\n问题与现状：\n【新华社】报道，全县共有教学点47个，依据宁教发〔2023〕12号文件执行，"
            "【注】补助标准每生每天5元。\n具体建议：\n1. 建议自治区财政厅将补助标准提高到6元。")
    draft = parse_draft_text(text)
    assert "【新华社】" in draft.problem and "【注】" in draft.problem and "〔2023〕" in draft.problem
    assert draft.measures.startswith("1. 建议自治区财政厅") and not draft.cause


# -- S6: a greeting is no title; chat stays out of the parts ----------------------------------------------------
def test_a_greeting_first_line_is_not_the_title():
    draft = parse_draft_text(LUNCH_NOTITLE)
    assert draft.title == ""
    report = check(draft)
    assert [f.code for f in report.by_code("missing_part")] == ["missing_part"]
    (missing,) = report.by_code("missing_part")
    assert missing.part == "title" and missing.severity == SEVERITY_ERROR
    text = report.to_text()
    assert "各位领导好" not in text and not report.by_code("title_form") and not report.by_code("title_mismatch")
    assert book_title(draft.title) == "（无标题）"


@pytest.mark.parametrize("text", [LUNCH_NOTITLE, f"{LUNCH_TITLE}\n\n{CHAT_GREETING}\n\n{LUNCH_BODY}\n{CHAT_PS}\n"])
def test_greeting_and_trailing_chat_stay_out_of_the_body_summary_and_routing(text):
    draft = parse_draft_text(text)
    body = draft.body()
    for chat in ("各位领导好", "我是西吉县", "帮忙看看", "P.S.", "@我", "thx", "#营养餐", "👍", "🙏"):
        assert chat not in body, chat
        assert chat not in summarize(draft) and all(chat not in c for c in routing_chunks(draft))
    assert draft.measures.rstrip().endswith("推行“明厨亮灶”+ 家长陪餐制度。")
    assert "补助标准" in routing_text(draft)


def test_a_pasted_chat_draft_fills_the_wizard_without_the_greeting():
    parts = whole_draft(LUNCH_NOTITLE, "建议")
    assert parts and "title" not in parts and "各位领导好" not in parts["problem"]
    assert parts["measures"].startswith("1. 建议自治区教育厅")


@pytest.mark.parametrize("first", ["清水河流域排污问题必须下决心管一管", "县城停车难问题亟待解决", "关于小微企业贷款的建议"])
def test_a_plain_first_line_is_still_the_title(first):
    draft = parse_draft_text(f"{first}\n\n清水河是黄河在宁夏境内的一级支流，2023年泉眼山断面水质多个月份为Ⅴ类。\n建议自治区生态环境厅开展排查整治。")
    assert draft.title == first


# -- S12b: the closing line is not in the summary ---------------------------------------------------------------
def test_the_closing_line_is_left_out_of_the_summary():
    summary = summarize(parse_draft_text(ROAD))
    assert "请予研究办理" not in summary and "以上建议" not in summary
    assert "自治区财政厅" in summary or "自治区交通运输厅" in summary
    bill = summarize(parse_draft_text(BILL.format(cosigners="（共32人，名单附后）")))
    assert "请予审议" not in bill and "第四十五条" in bill


# -- the author's congress level from the header ------------------------------------------------------------------
@pytest.mark.parametrize("header, level", [
    ("领衔代表：陈立新（第十四届全国人民代表大会代表，宁夏代表团）", "national"),
    ("提出人：韩志明（全国人大代表）", "national"),
    ("提出人：王建军（宁夏回族自治区人大代表，固原市原州区）", "provincial"),
    ("提出人：李明（北京市人大代表）", "provincial"),
    ("提出人：刘海（银川市人大代表）", "municipal"),
    ("提出人：赵富贵（盐池县人大代表）", "county"),
    ("提出人：马丽（兴庆区人大代表）", "county"),
    ("提出人：杨某（三营镇人大代表）", "township"),
    (CHAT_GREETING, "county"),
    ("", None),
])
def test_the_authors_congress_level_is_read_off_the_header(header, level):
    draft = parse_draft_text(ROAD.replace("提出人：王建军（宁夏回族自治区人大代表，固原市原州区）", header))
    assert draft.author_level == level
    assert level is None or level in default_thresholds()["议案"]
    # the header is no part of the problem
    assert "提出人" not in draft.problem and "领衔代表" not in draft.problem
    assert draft.problem.startswith("近年来")


def test_other_deputies_named_in_the_body_are_not_the_authors_level():
    text = ("关于推进家庭医生签约服务的建议\n课题组发放问卷，采访近300位居民，还与区人大代表和市政协委员进行交流，听取他们意见。"
            "全市家庭医生签约率只有35%。\n建议市卫生健康委2026年底前把签约率提高到50%。")
    assert parse_draft_text(text).author_level is None
    mine = text.replace("课题组发放问卷", "我是银川市人大代表，课题组发放问卷")
    assert parse_draft_text(mine).author_level == "municipal"
    assert parse_draft_text(BILL.format(cosigners="（共32人，名单附后）")).author_level == "national"
