"""Self-check: each finding type on drafts written for the purpose."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from suggestions.selfcheck import ExistingItem, check, similar_findings, vague_items
from suggestions.types import SEVERITY_ERROR, SEVERITY_INFO, SEVERITY_WARNING
from sugg_drafts import BENEFIT, BILL, COURT_CASE, GOOD, PETITION, PUBLIC_LITIGATION, VAGUE

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"


def codes(report) -> set[str]:
    return {f.code for f in report.findings}


def test_good_draft_passes_without_warnings():
    report = check(GOOD)
    assert report.passed
    assert not [f for f in report.findings if f.severity in (SEVERITY_ERROR, SEVERITY_WARNING)], report.to_text()


def test_missing_parts_are_errors_with_a_fix():
    report = check(dataclasses.replace(GOOD, cause="", measures=""))
    missing = report.by_code("missing_part")
    assert {f.part for f in missing} == {"cause", "measures"}
    assert all(f.severity == SEVERITY_ERROR and f.fix for f in missing)
    assert not report.passed


def test_bill_needs_legal_basis_and_outline():
    report = check(dataclasses.replace(BILL, legal_basis="", outline=""))
    assert {f.part for f in report.by_code("missing_part")} == {"legal_basis", "outline"}
    assert check(dataclasses.replace(BILL, kind="建议", title=BILL.title)).by_code("missing_part") == []


def test_thin_part_and_no_data():
    report = check(dataclasses.replace(GOOD, cause="资金不足。"))
    thin = report.by_code("thin_part")
    assert thin and thin[0].part == "cause" and thin[0].details["chars"] == 5
    no_data = check(dataclasses.replace(GOOD, problem="共享单车乱停乱放现象非常突出，地铁站口和人行道被大量占用，"
                                                    "老年人和视障人士出行受到明显影响，群众反映十分强烈，各方面都很关注这个问题。"))
    assert any(f.details.get("no_data") for f in no_data.by_code("thin_part"))


def test_causes_written_inside_the_problem_are_not_a_missing_part():
    problem = ("村里年轻人外出务工，老人独居比例高，很多老人一天只做一顿饭；老年食堂主要集中在城区和镇上，"
               "运营经费主要靠村集体，难以持续，有的食堂开了半年就关了。")
    report = check(dataclasses.replace(GOOD, problem=problem, cause=""))
    [finding] = report.by_code("missing_part")
    assert finding.part == "cause" and finding.severity == SEVERITY_WARNING and report.passed
    assert "运营经费主要靠村集体，难以持续" in finding.fix
    # “一天只做一顿饭”“开了半年” are figures, though written in words
    assert not any(f.details.get("no_data") for f in report.by_code("thin_part"))


@pytest.mark.parametrize("title,expect_fix", [
    ("共享单车停放管理问题", "关于共享单车停放管理问题的建议"),
    ("建议加强共享单车停放管理", "改为：关于加强共享单车停放管理的建议"),
    ("关于规范共享单车停放管理的议案", "关于规范共享单车停放管理的建议"),
    ("关于规范共享单车停放管理的提案", "关于规范共享单车停放管理的建议"),
])
def test_title_form(title, expect_fix):
    f = check(dataclasses.replace(GOOD, title=title)).by_code("title_form")
    assert len(f) == 1 and expect_fix in f[0].fix


def test_vague_measure_flagged_concrete_one_not():
    report = check(VAGUE)
    vague = report.by_code("vague_measure")
    assert len(vague) == 1 and vague[0].details["count"] == 1
    [measure] = vague[0].details["measures"]
    assert "高度重视" in measure["item"] or "加大力度" in measure["item"]
    assert "由哪个部门" in vague[0].fix
    # a stock phrase with a named actor, action and target is concrete enough
    assert vague_items("1. 建议省财政厅加大投入力度，在 2026 年安排 5,000 万元专项资金用于村级保洁。\n2. 建议省住建厅制定标准。") == []


@pytest.mark.parametrize("draft,category,body", [
    (PETITION, "personal_petition", "信访"),
    (COURT_CASE, "court_case", "人民法院"),
    (BENEFIT, "personal_benefit", "所在单位"),
])
def test_not_a_suggestion_points_to_the_right_body(draft, category, body):
    found = check(draft).by_code("not_a_suggestion")
    assert found, check(draft).to_text()
    assert found[0].details["category"] == category
    assert body in found[0].details["body"] and body in found[0].message
    assert found[0].severity == SEVERITY_ERROR


def test_public_interest_draft_about_litigation_is_a_suggestion():
    assert check(PUBLIC_LITIGATION).by_code("not_a_suggestion") == []
    # collective 我省/我市 is not first person
    text = dataclasses.replace(GOOD, problem=GOOD.problem + "我省部分地区的上访案件中有不少涉及共享单车押金退还。"
                               "应发布典型案件，增强群众的自我保护意识。")
    assert check(text).by_code("not_a_suggestion") == []


@pytest.fixture(scope="module")
def law_kb(tmp_path_factory, embedder):
    """A real KnowledgeBase over one real law from ../shared (the built-in corpus holds no laws yet)."""
    from retrieval import KnowledgeBase

    law = SHARED / "corpus" / "laws" / "宪法相关法" / "民族区域自治法(2001-02-28).md"
    if not law.exists():
        pytest.skip("../shared 不存在")
    # Its first 30 articles keep the index small (the suite must stay fast); written to tmp, never committed.
    head, _, body = law.read_text(encoding="utf-8").partition("<!-- INFO END -->")
    kept, n = [], 0
    for line in body.splitlines():
        n += line.startswith("第") and "条" in line[:8]
        if n > 30:
            break
        kept.append(line)
    small = tmp_path_factory.mktemp("laws") / law.name
    small.write_text(head + "<!-- INFO END -->" + "\n".join(kept), encoding="utf-8")
    kb = KnowledgeBase.open(tmp_path_factory.mktemp("lawkb"))
    report = kb.ingest_paths([small], collection="laws")
    assert report.chunks > 0
    return kb


def test_legal_basis_cites_articles_from_the_knowledge_base(law_kb):
    report = check(BILL, kb=law_kb)
    legal = report.by_code("legal_basis")
    assert legal and legal[0].details["citations"]
    cites = [c["citation"] for c in legal[0].details["citations"]]
    assert all(c.startswith("《") and "第" in c for c in cites)
    assert any("民族区域自治法" in c for c in cites), cites


def test_an_article_that_only_shares_a_word_is_not_offered_as_legal_basis(law_kb):
    """Over a few articles of 民族区域自治法, a draft on bicycle parking has no legal basis to be shown."""
    from retrieval.types import SearchFilters

    query = (GOOD.title + "。" + GOOD.measures[:200])[:300]
    assert law_kb.search(query, top_k=3, filters=SearchFilters(doc_types=frozenset({"law"})))  # its nearest
    (legal,) = check(GOOD, kb=law_kb).by_code("legal_basis")
    assert "没有找到" in legal.message and not legal.details.get("citations")


def test_legal_basis_cites_laws_only(make_kb):
    """A plan item or a briefing that shares words with the draft is not a legal basis."""
    from retrieval.builtin import BUILTIN_DIR

    kb = make_kb()
    kb.ingest_paths([BUILTIN_DIR])  # the work plan and the schedule: no law
    assert kb.search(GOOD.title, top_k=3)  # there are hits, just no laws among them
    # no plan item is cited as law, and the deputy is told that no law was found
    found = check(GOOD, kb=kb).by_code("legal_basis")
    assert [(f.message, f.details) for f in found] == [("知识库中没有找到与本件相关的法律条文。", {})]


def test_bill_legal_basis_without_law_name_warns():
    report = check(dataclasses.replace(BILL, legal_basis="依据宪法有关规定和本级人大的职权"))
    assert any(f.code == "legal_basis" and f.severity == SEVERITY_WARNING for f in report.findings)


def test_broken_knowledge_base_does_not_sink_the_check():
    class Broken:
        def search(self, *a, **k):
            raise RuntimeError("index missing")

    report = check(GOOD, kb=Broken())
    assert report.by_code("legal_basis")[0].severity == SEVERITY_INFO


def test_similar_existing_offers_cosign_or_merge(embedder):
    from suggestions.text import routing_text

    near = dataclasses.replace(GOOD, title="关于加强共享单车停放秩序管理的建议",
                               measures=GOOD.measures.replace("2026 年 6 月底前", "年内"))
    other = dataclasses.replace(PUBLIC_LITIGATION)
    vecs = embedder.encode_queries([routing_text(near), routing_text(other)])
    existing = [ExistingItem(7, near.title, "someone", vecs[0]), ExistingItem(8, other.title, "someone", vecs[1])]
    report = check(GOOD, embedder=embedder, existing=existing)
    sim = report.by_code("similar_existing")
    assert [f.details["suggestion_id"] for f in sim] == [7]
    assert sim[0].details["offer"] == "cosign_or_merge" and "联名" in sim[0].fix
    # the author's own earlier item: do not resubmit
    own = similar_findings(vecs[0], existing[:1], author_id="someone")
    assert "请勿重复提交" in own[0].fix


def test_similarity_threshold_respected():
    v = np.zeros(4, dtype=np.float32)
    v[0] = 1
    w = np.array([0.8, 0.6, 0, 0], dtype=np.float32)
    assert similar_findings(v, [ExistingItem(1, "x", "a", w)], threshold=0.9) == []
    assert len(similar_findings(v, [ExistingItem(1, "x", "a", w)], threshold=0.75)) == 1


def test_report_json_and_text():
    report = check(VAGUE)
    j = report.to_json()
    assert j["passed"] is True and j["findings"][0]["severity"] == "warning"
    assert "修改建议" in report.to_text() and len(j["summary"]) <= 150


@pytest.mark.parametrize("extra,category,body", [
    ("附件引用的《某专项规划（机密★5年）》显示，该地区共享单车投放量将在两年内翻倍。", "state_secret", "保密渠道"),
    ("我实名举报某区城管局局长张某收受共享单车企业贿赂，放任违规投放。", "accusation", "纪检监察机关"),
])
def test_political_bar_secrets_and_accusations_point_to_the_right_channel(extra, category, body):
    draft = dataclasses.replace(GOOD, problem=GOOD.problem + extra)
    found = check(draft).by_code("not_a_suggestion")
    assert [f.details["category"] for f in found] == [category]
    assert body in found[0].message and found[0].severity == SEVERITY_ERROR


def test_public_draft_about_whistleblowing_and_secrecy_is_fine():
    extra = ("我们建议完善举报人保护制度，对检举控告违法投放行为的群众给予奖励。"
             "同时加强涉密信息系统管理，防止共享单车平台泄露用户轨迹数据。")
    assert check(dataclasses.replace(GOOD, measures=GOOD.measures + extra)).by_code("not_a_suggestion") == []


def test_a_demand_to_overturn_a_judgment_is_a_court_matter_in_the_third_person_too():
    case = dataclasses.replace(
        GOOD, title="关于解决宅基地纠纷问题的建议",
        problem="某村村民李某与邻居张某因宅基地边界发生纠纷，李某向县法院起诉，一审判决驳回了其诉讼请求，二审维持原判。",
        measures="1. 请求县人大常委会督促县法院对李某家的案件重新审查，依法撤销原判决。\n2. 请求镇政府重新测量李某家宅基地。")
    found = check(case).by_code("not_a_suggestion")
    assert found and found[0].details["category"] == "court_case" and found[0].severity == SEVERITY_ERROR
    # a public-interest draft about how courts handle such cases is not a case
    for measures in ("1. 建议省高级人民法院督促法院集中清理执行积案。", "1. 建议修改仲裁法，延长申请撤销裁决的期限。",
                     "1. 我省二审案件改判发回率达12%，建议省高院2026年出台统一裁判尺度的指引。",
                     "1. 建议完善申诉案件重新审查机制。", "1. 建议完善再审改判案件的国家赔偿衔接机制。"):
        assert not check(dataclasses.replace(GOOD, measures=measures)).by_code("not_a_suggestion"), measures
    reform = dataclasses.replace(
        GOOD, title="关于完善农村宅基地纠纷多元化解机制的建议",
        problem="农村宅基地纠纷多，起诉到法院的案件逐年增加，判决后执行难。",
        measures="1. 建议省高级人民法院会同自然资源厅，2026年底前出台宅基地纠纷诉前调解工作指引。")
    assert not check(reform).by_code("not_a_suggestion")


def test_stock_phrases_with_words_between_are_vague_and_a_draft_of_only_vague_measures_is_blocked():
    river = dataclasses.replace(
        GOOD, title="关于加强清水河污染治理的建议",
        measures="一、高度重视清水河污染治理工作，切实提高思想认识。\n二、加大治理力度，大力推进流域综合治理。\n"
                 "三、进一步加强监管，形成工作合力。\n四、加强宣传教育，营造全社会共同保护母亲河的良好氛围。")
    report = check(river)
    [listed] = report.by_code("vague_measure")  # one item listing the four
    phrases = [m["phrase"] for m in listed.details["measures"]]
    assert "营造全社会共同保护母亲河的良好氛围" in phrases and len(phrases) == 4
    blocked = report.by_code("vague_measures")
    assert blocked and blocked[0].severity == SEVERITY_ERROR and not report.passed
    # concrete measures among vague ones: the vague ones are pointed out, the draft is not blocked (one concrete
    # among four slogans is “nearly all vague” and blocked: test_sugg_selfcheck_review)
    mixed = dataclasses.replace(river, measures=river.measures + "\n五、建议市生态环境局于2026年6月底前在清水河干流增设3个水质自动监测站。"
                                                                  "\n六、建议市水利局2026年内完成清水河12公里堤防加固。")
    assert not check(mixed).by_code("vague_measures")
    assert check(mixed).by_code("vague_measure")[0].details["count"] == 4


def test_a_one_sentence_draft_has_its_demand_found_and_called_vague_not_missing():
    from suggestions.text import parse_draft_text

    draft = parse_draft_text("关于多建停车场的建议\n城区停车难，建议多建停车场。")
    assert draft.problem == "城区停车难" and draft.measures == "建议多建停车场。"
    assert parse_draft_text("关于停车的建议\n由于车位不足，城区停车难，建议多建停车场。").problem == "由于车位不足，城区停车难"
    # 建议 as a noun, or a draft of several sentences, is not split at a comma
    noun = parse_draft_text("关于督办的建议\n据统计，建议办理满意率达98%。原因是重答复轻落实。")
    assert noun.measures == "" and noun.problem.startswith("据统计，建议办理满意率")
    report = check(draft)
    assert "measures" not in {f.part for f in report.by_code("missing_part")}
    assert report.by_code("vague_measures") and not report.passed


def test_a_suggestion_asking_to_amend_a_law_is_told_about_the_bill_route():
    amend = dataclasses.replace(
        GOOD, title="关于修改农村土地承包法有关条款的建议",
        measures="1. 建议全国人大常委会修改《中华人民共和国农村土地承包法》第二十七条，增加一款：进城落户农户可自愿有偿退出承包地。")
    hint = check(amend).by_code("bill_candidate")
    assert hint and "议案" in hint[0].fix and hint[0].severity == SEVERITY_INFO
    past = dataclasses.replace(GOOD, measures="1. 国家新修订的《中华人民共和国广告法》已施行，建议市市场监管局2026年内开展户外广告专项检查。")
    assert not check(past).by_code("bill_candidate")
    for measures in ("1. 依照《中华人民共和国个人信息保护法》，建议市网信办督促平台删除违规收集的信息。",
                     "1. 2021年修订《中华人民共和国安全生产法》后，建议市应急局2026年内完成企业培训。"):
        assert not check(dataclasses.replace(GOOD, measures=measures)).by_code("bill_candidate"), measures
    assert not check(dataclasses.replace(amend, kind="议案")).by_code("bill_candidate")


def test_a_title_in_traditional_characters_is_not_proposed_with_a_second_guanyu():
    report = check(dataclasses.replace(GOOD, title="關於完善異地就醫直接結算"))
    fix = report.by_code("title_form")[0].fix
    assert fix == "改为：关于完善異地就醫直接結算的建议"



# -- a tester's drafts, 2026-11-30 -------------------------------------------------------------------------------
@pytest.mark.parametrize("sentence", [
    "我在调研中了解到，有的老人因高龄津贴停发多次到乡镇上访。",
    "我在调研中了解到，近三年该院因职称评审问题申诉的医师有9人。",
    "据我了解，部分退休职工多次到县里信访。",
    "我接到群众反映，有的村民为补偿款问题多次上访。",
    "我在基层走访时发现，不少群众反映问题要跑多个部门申诉。",
])
def test_a_deputy_reporting_what_they_heard_is_not_a_petition(sentence):
    """“我” as the deputy who did the research or received the reports: not the petitioner."""
    draft = dataclasses.replace(GOOD, problem=GOOD.problem + sentence)
    assert check(draft).by_code("not_a_suggestion") == [], check(draft).to_text()


def test_a_petitioner_writing_in_the_first_person_is_still_blocked():
    letter = dataclasses.replace(
        GOOD, title="关于解决我家征地补偿款问题的建议",
        problem="2019年县里征收了我家承包地4.6亩，剩下的9万多元补偿款一直没有给。这几年我多次到乡政府、县信访局上访，"
                "每次都说在研究。我在调研中了解到，别的村也有类似情况。",
        measures="我请求人大代表为我做主，督促乡政府尽快把剩下的补偿款付给我家。")
    found = check(letter).by_code("not_a_suggestion")
    assert found and found[0].details["category"] == "personal_petition" and not check(letter).passed


def test_demands_for_one_named_household_are_an_individual_case():
    case = dataclasses.replace(
        GOOD, title="关于妥善解决红光村宅基地纠纷的建议",
        measures="1. 建议县自然资源局为王某某家办理宅基地使用权确权登记。\n"
                 "2. 建议镇政府责令李某家在一个月内拆除越界院墙，并赔偿王某某母亲的医药费。")
    found = check(case).by_code("not_a_suggestion")
    assert found and found[0].details["category"] == "individual_case" and found[0].severity == SEVERITY_ERROR
    # a named case in the problem is an example; the demands are for everyone
    example = dataclasses.replace(GOOD, problem=GOOD.problem + "如王某某家因共享单车堵门，多次找社区解决未果。")
    assert check(example).by_code("not_a_suggestion") == []


_SLOGANS = ("希望有关部门高度重视农村人居环境整治工作，进一步提高思想认识。",
            "加大资金投入力度，进一步完善长效管护机制。",
            "加强宣传教育引导，营造全社会共同参与农村人居环境整治的良好氛围。")


@pytest.mark.parametrize("marks", [("1. ", "2. ", "3. "), ("（一）", "（二）", "（三）"), ("一、", "二、", "三、")])
def test_slogans_alone_are_blocking_whatever_the_numbering(marks):
    """The item's own number is no target, and 有关部门 is no responsible body."""
    draft = dataclasses.replace(GOOD, measures="\n".join(m + s for m, s in zip(marks, _SLOGANS)))
    report = check(draft)
    assert report.by_code("vague_measures") and not report.passed
    assert report.by_code("vague_measure")[0].details["count"] == 3


def test_generic_bodies_are_no_actor_but_named_ones_are():
    from suggestions.vocab import has_actor, has_target
    from suggestions.text import strip_item_mark

    assert not has_actor("希望有关部门高度重视") and not has_actor("各级政府要加大投入") and not has_actor("建议政府多想办法")
    assert has_actor("建议民政、财政等有关部门建立制度") and has_actor("建议省政府有关部门") and has_actor("建议县人民政府")
    assert strip_item_mark("1. 希望高度重视") == "希望高度重视" and not has_target(strip_item_mark("（一）希望高度重视"))
    assert strip_item_mark("1.5万元以上的补贴") == "1.5万元以上的补贴"  # a figure, not a number mark


def test_a_vague_phrase_is_quoted_to_the_end_of_its_clause():
    [(_, phrase)] = vague_items("3. 加强宣传教育引导，营造全社会共同参与农村人居环境整治的良好氛围。")
    assert phrase == "营造全社会共同参与农村人居环境整治的良好氛围"


def test_a_national_suggestion_that_only_asks_county_bodies_gets_a_pointer():
    lamps = dataclasses.replace(
        GOOD, title="关于尽快修复城关镇红星路路灯的建议",
        measures="1. 建议县人民政府于2026年3月底前明确红星路路灯的管养单位，由县城市管理局负责日常维修。\n"
                 "2. 建议县财政局将路灯维护经费提高到每年50万元。")
    [f] = check(lamps, congress_level="national").by_code("local_matter")
    assert f.severity == SEVERITY_INFO and "县城市管理局" in f.message and "县" in f.fix
    # where the level is unknown, the draft's own 全国人民代表大会 says it
    raised = dataclasses.replace(lamps, measures=lamps.measures + "\n（第十四届全国人民代表大会第四次会议代表建议）")
    assert check(raised).by_code("local_matter")
    assert check(lamps, congress_level="county").by_code("local_matter") == []
    assert check(GOOD, congress_level="national").by_code("local_matter") == []  # 市交通运输局: a city's body
    mixed = dataclasses.replace(lamps, measures=lamps.measures + "\n3. 建议住房城乡建设部制定城市道路照明设施养护标准。")
    assert check(mixed, congress_level="national").by_code("local_matter") == []


# -- review of the 2026-11-30 changes ----------------------------------------------------------------------------
@pytest.mark.parametrize("item", [
    "1. 建议市财政局于2026年底前制定补偿资金分配办法，避免补偿资金集中于某一环节。",
    "1. 建议市人社局落实技能补贴政策，不得只向某一类人倾斜。",
    "1. 建议市人社局明确欠薪处置规定，由用人单位于某日前足额支付。",
    "1. 建议市商务局发放消费券补贴时，不得集中于某家企业。",
    "1. 建议市医保局明确异地就医报销规定，补偿标准不得因患者来自某某地区而不同。",
])
def test_a_surname_character_before_a_determiner_mou_is_no_named_household(item):
    """于某一环节, 向某一类人, 于某日前: 于/向 are prepositions there and 某 means “a certain”."""
    draft = dataclasses.replace(GOOD, measures=item)
    assert check(draft).by_code("not_a_suggestion") == [], check(draft).to_text()


@pytest.mark.parametrize("item", [
    "1. 建议乡政府为于某某家补发2024年的低保金。",
    "1. 建议县住建局责令李某在一个月内拆除违建。",
    "1. 建议镇政府赔偿王某某母亲的医药费。",
    "1. 建议县自然资源局为王某某家办理宅基地使用权确权登记。",
])
def test_a_named_person_in_the_demands_is_still_an_individual_case(item):
    found = check(dataclasses.replace(GOOD, measures=item)).by_code("not_a_suggestion")
    assert found and found[0].details["category"] == "individual_case"


@pytest.mark.parametrize("sentence", [
    "我接到法院判决后多次上访无果，请求重新审查。",
    "我收到征收决定后一直上访。",
    "我发现补偿款被挪用后多次到县里上访。",
    "我看到公示名单后多次申诉，至今没有答复。",
])
def test_a_petitioner_receiving_or_finding_something_is_still_first_person(sentence):
    """接到/收到 a judgment, 发现/看到 for oneself: the writer's own case, not a deputy's report."""
    draft = dataclasses.replace(GOOD, problem=GOOD.problem + sentence)
    assert check(draft).by_code("not_a_suggestion"), sentence


@pytest.mark.parametrize("sentence", [
    "我收到多位村民来信，反映因征地补偿款问题多次上访无果。",
    "我接到不少选民反映，有的职工为讨薪多次信访。",
    "我调研发现，有的医师因职称评审问题多次申诉。",
    "我在执法检查中发现，有的企业职工因欠薪多次信访。",
])
def test_reports_from_constituents_or_research_stay_a_deputys_report(sentence):
    draft = dataclasses.replace(GOOD, problem=GOOD.problem + sentence)
    assert check(draft).by_code("not_a_suggestion") == [], check(draft).to_text()


def test_a_unit_suffix_closing_a_body_name_is_not_masked_with_the_next_word():
    """市公安局|部署, 县财政局|部分: 局 closes the body; 局部 is not the word there."""
    from suggestions.vocab import actor_matches, has_actor

    assert [m.group(0) for m in actor_matches("建议市公安局部署开展专项整治")] == ["建议市公安局"]
    assert has_actor("建议县财政局部分资金优先安排农村公路养护")
    assert has_actor("建议县人民医院落实分级诊疗制度") and has_actor("建议教育部分类指导各地")
    assert [m.group(0) for m in actor_matches("建议县医院院长牵头")] == ["建议县医院"]
    assert [m.group(0) for m in actor_matches("建议市公安局部署")] == ["建议市公安局"]
    assert vague_items("1. 建议市公安局部署开展电动自行车专项整治，加大查处力度。") == []
    assert vague_items("1. 建议县财政局部分资金优先安排农村公路养护，加大投入力度。") == []
    # where the word is meant, it still names no body
    assert not has_actor("在我市局部地区开展试点") and not has_actor("加强局部管理")
    assert not has_actor("全县农村部分留守儿童") and not has_actor("按办法规定执行")


_RURAL_NATIONAL = ("1. 建议国家乡村振兴局于2026年底前制定驻村帮扶考核办法。\n"
                   "2. 建议中央农村工作领导小组办公室明确防止规模性返贫的监测标准。\n"
                   "3. 建议市农业农村局、市住房和城乡建设局将农房改造补助提高到每户3万元。")


def test_rural_in_a_bodys_name_is_no_township_or_village_level():
    """乡 in 乡村振兴 and 城乡, 村 in 农村: these bodies are national or city ones."""
    from suggestions.selfcheck import _local_bodies

    assert check(dataclasses.replace(GOOD, measures=_RURAL_NATIONAL), congress_level="national").by_code(
        "local_matter") == []
    assert _local_bodies(_RURAL_NATIONAL) is None
    assert _local_bodies("1. 建议乡镇政府设立便民服务窗口。\n2. 建议村委会、村民委员会每季度公开账目。\n"
                         "3. 建议县人民政府、街道办事处于2026年底前拨付经费。") == [
        "乡镇政府", "村委", "村民委员会", "县人民政府", "街道办事处"]
    # 驻村 is no village, and 办 in 办法 closes no body
    assert not any("村" in b for b in _local_bodies("1. 建议县委组织部制定驻村帮扶考核办法。"))


@pytest.mark.parametrize("cited", [
    "依据《全国人民代表大会和地方各级人民代表大会代表法》第九条，代表有权提出建议。",
    "根据全国人民代表大会和地方各级人民代表大会代表法的规定，代表有权提出建议。",
])
def test_citing_the_deputies_law_does_not_raise_a_draft_to_the_national_level(cited):
    lamps = dataclasses.replace(
        GOOD, title="关于尽快修复城关镇红星路路灯的建议", problem=GOOD.problem + cited,
        measures="1. 建议县人民政府于2026年3月底前明确红星路路灯的管养单位，由县城市管理局负责日常维修。\n"
                 "2. 建议县财政局将路灯维护经费提高到每年50万元。")
    assert check(lamps).by_code("local_matter") == []


def test_the_authors_own_suggestion_sent_again_is_a_must_fix():
    """A new user resubmitted her own suggestion (similarity 0.99) and was only told 建议修改; a follow-up on the same
    subject (below 0.98) stays a warning, and so does someone else's near-identical item."""
    from suggestions.types import SEVERITY_ERROR, SEVERITY_WARNING

    v = np.array([1, 0, 0, 0], dtype=np.float32)
    same = np.array([0.995, 0.0999, 0, 0], dtype=np.float32)
    related = np.array([0.96, 0.28, 0, 0], dtype=np.float32)
    [again] = similar_findings(v, [ExistingItem(3, "关于加装电梯的建议", "me", same)], author_id="me")
    assert again.severity == SEVERITY_ERROR and "您已提交过内容几乎相同的建议" in again.message
    [follow_up] = similar_findings(v, [ExistingItem(3, "关于加装电梯的建议", "me", related)], author_id="me")
    assert follow_up.severity == SEVERITY_WARNING
    [others] = similar_findings(v, [ExistingItem(3, "关于加装电梯的建议", "you", same)], author_id="me")
    assert others.severity == SEVERITY_WARNING


def test_the_cli_loads_the_model_only_when_a_check_needs_it(embedder):
    """`suggestion check` took ~12 s per run, 9 of them importing and loading e5; a draft whose words settle every
    question no longer loads it, and one that needs it gets the same vectors."""
    from suggestions.embedding import LazyEmbedder

    import retrieval.embedder as shared

    loaded, shared._SHARED = shared._SHARED, None  # as in a fresh CLI process
    try:
        lazy = LazyEmbedder()
        assert check(GOOD, embedder=lazy).passed and not lazy.loaded
    finally:
        shared._SHARED = loaded
    v = lazy.encode_queries(["代表建议交办会在几月开"])
    assert lazy.loaded and np.allclose(v, embedder.encode_queries(["代表建议交办会在几月开"]), atol=1e-5)
