"""Routing with the real embedder: remits as data, learning from past assignments."""

from __future__ import annotations

import dataclasses

import pytest

from suggestions.routing import MIN_HISTORY, HistoryItem, Router, Target, load_targets, router_for
from sugg_drafts import BILL, GOOD, PUBLIC_LITIGATION


def test_data_files():
    committees = load_targets("committees")
    assert len(committees) == 10 and len({c.name for c in committees}) == 10
    assert all(c.remit and c.keywords for c in committees)
    assert len(load_targets("units")) >= 30 and len(load_targets("topics")) == 14
    with pytest.raises(FileNotFoundError):
        load_targets("nothing")


def test_bill_goes_to_the_ethnic_affairs_committee(embedder):
    recs = router_for("议案", embedder).recommend(BILL)
    assert len(recs) == 3 and recs[0].name == "民族委员会"
    assert recs[0].score > recs[1].score > 0 and recs[0].reasons


def test_suggestion_units_top3(embedder):
    names = [r.name for r in router_for("建议", embedder).recommend(GOOD)]
    assert {"交通运输部", "住房和城乡建设部", "公安部"} & set(names), names
    medical = dataclasses.replace(GOOD, title="关于扩大异地就医直接结算范围的建议",
                                  problem="参保人员跨省就医报销手续繁琐，垫付压力大。",
                                  measures="1. 建议国家医保局将门诊慢特病纳入跨省直接结算范围。")
    assert "国家医疗保障局" in [r.name for r in router_for("建议", embedder).recommend(medical)]


def test_history_changes_the_ranking(embedder):
    targets = [Target("甲单位", "城市道路与公共交通管理。"), Target("乙单位", "环境保护与污染防治。")]
    cold = Router(targets, embedder).recommend(GOOD, top_k=2)
    assert cold[0].name == "甲单位"
    # staff kept sending parking items to 乙单位: history must outweigh the remit
    past = [HistoryItem(GOOD.full_text().replace("共享单车", w), "乙单位", f"关于{w}停放的建议")
            for w in ("共享单车", "电动自行车", "非机动车", "单车", "自行车", "助力车", "共享电单车", "三轮车",
                      "快递车", "外卖电动车", "平衡车", "滑板车")]
    past += [HistoryItem(PUBLIC_LITIGATION.full_text(), "甲单位", PUBLIC_LITIGATION.title)]
    warm = Router(targets, embedder, past).recommend(GOOD, top_k=2)
    assert warm[0].name == "乙单位"
    assert any("以往" in r for r in warm[0].reasons) and warm[0].components["knn"] > 0.5
    assert warm[0].components["lexical"] > 0.5 and warm[0].components["embedding"] > 0.5


def test_history_models_need_enough_history_and_keep_every_target(embedder):
    targets = [Target("甲单位", "城市道路与公共交通管理。"), Target("乙单位", "环境保护与污染防治。"),
               Target("丙单位", "农业农村与乡村振兴。")]
    past = [HistoryItem(GOOD.full_text().replace("共享单车", f"车辆{k}"), "乙单位" if k % 2 else "甲单位", f"关于车辆{k}的建议")
            for k in range(MIN_HISTORY)]
    few = Router(targets, embedder, past[: MIN_HISTORY - 1]).recommend(GOOD, top_k=3)
    assert {"embedding", "lexical"}.isdisjoint(few[0].components)  # too little history: remit, keywords, kNN only
    recs = Router(targets, embedder, past).recommend(GOOD, top_k=3)
    assert {"remit", "embedding", "lexical", "knn"} <= set(recs[0].components)
    # 丙单位 has no history at all: its remit is an example of it, so the embedding model still gives it a share
    bing = next(r for r in recs if r.name == "丙单位")
    assert 0 < bing.components["embedding"] < recs[0].components["embedding"]
    assert [r.score for r in recs] == sorted((r.score for r in recs), reverse=True)
    js = recs[0].to_json()
    assert set(js) == {"name", "score", "reasons", "components"} and 0 < js["score"] <= 1


def test_router_needs_targets(embedder):
    with pytest.raises(ValueError):
        Router([], embedder)


def test_whole_draft_windows_are_stored_and_read_back(embedder):
    import numpy as np

    from suggestions.embedding import from_blob, rows_from_blob, to_blob
    from suggestions.text import routing_chunks, routing_text

    chunks = routing_chunks(GOOD)
    assert chunks[0] == routing_text(GOOD) and len(chunks) >= 2
    targets = [Target("甲单位", "城市道路与公共交通管理。"), Target("乙单位", "环境保护与污染防治。")]
    router = Router(targets, embedder)
    rows = router.query_vectors(GOOD)
    assert rows.shape[0] == len(chunks)
    # stored rows: similarity reads routing_text's vector; older single-vector blobs still read
    assert np.array_equal(from_blob(to_blob(rows)), rows[0]) and np.array_equal(rows_from_blob(to_blob(rows)), rows)
    assert np.array_equal(from_blob(to_blob(rows[0])), rows[0]) and rows_from_blob(to_blob(rows[0])).shape == (1, rows.shape[1])
    # history with windows and without (older rows) train together; a draft routes with rows or one vector
    past = [HistoryItem(GOOD.full_text().replace("共享单车", f"车辆{k}"), "乙单位" if k % 2 else "甲单位", f"车辆{k}",
                        rows[0], rows[1:] if k % 3 else None) for k in range(MIN_HISTORY)]
    warm = Router(targets, embedder, past)
    assert [r.name for r in warm.recommend(GOOD, 2, rows)] and [r.name for r in warm.recommend(GOOD, 2, rows[0])]


def test_the_unit_a_draft_names_as_lead_ranks_first(embedder):
    from suggestions.routing import named_leads

    units = load_targets("units")
    leads = dict(zip((u.name for u in units), named_leads("建议民政部门牵头，市县两级财政按照每餐3元给予补贴，卫生健康委会同落实。", units)))
    assert leads["民政部"] == "民政部门牵头" and leads["国家卫生健康委员会"] == "卫生健康委会同"
    assert leads["财政部"] is None  # “财政按照…” names the money, not who leads
    meals = dataclasses.replace(GOOD, title="关于加强农村留守老人助餐服务的建议",
                                problem="村里年轻人外出务工，老人独居，村一级老年食堂覆盖很少，运营经费难以持续。",
                                measures="1. 鼓励邻近村联合建设中心食堂，送餐到户。\n2. 民政部门牵头，明年6月底前出台农村助餐点运营管理办法。")
    recs = router_for("建议", embedder).recommend(meals)
    assert recs[0].name == "民政部" and recs[0].reasons[0] == "草稿写明由其牵头（“民政部门牵头”）"
    unnamed = dataclasses.replace(meals, measures="1. 鼓励邻近村联合建设中心食堂，送餐到户。")
    assert not any(r.reasons[0].startswith("草稿写明") for r in router_for("建议", embedder).recommend(unnamed))


def test_a_named_lead_whose_remit_does_not_fit_the_draft_is_flagged_not_ranked_first(embedder):
    """“由市民政局牵头” on tax relief: a slip to point out, not a reason to route the draft to 民政部."""
    tax = dataclasses.replace(
        GOOD, title="关于进一步减轻小微企业和个体工商户税费负担的建议",
        problem="我市小微企业和个体工商户约12万户，增值税、附加税费和社保缴费负担重，去年注销户数同比上升18%。",
        cause="小规模纳税人起征点偏低，税费优惠政策申报手续繁琐，很多个体户不会申报。",
        measures="1. 由市民政局牵头，将小规模纳税人增值税起征点提高到月销售额15万元。\n"
                 "2. 由市民政局牵头，简化小微企业税费优惠申报，实行免申即享。")
    recs = router_for("建议", embedder).recommend(tax, top_k=40)
    assert recs[0].name == "国家税务总局"
    flagged = next(r for r in recs if r.name == "民政部")
    assert flagged.reasons[0] == "草稿写明由其牵头（“民政局牵头”），但内容与其职责不够相符，请核对"
    assert flagged.components.get("named", 0.0) == 0.0


def test_a_remit_keyword_counts_only_as_a_word_of_the_draft():
    """Keywords matched inside other words sent drafts to the wrong remit (a tester's drafts, 2026-11-30)."""
    from suggestions.routing import keyword_in

    assert not keyword_in("劳动", "组织群众投工投劳动员参与道路修建")  # 投劳 | 动员
    assert not keyword_in("环境", "进一步优化营商环境")  # the business climate, not 生态环境部's
    assert not keyword_in("民族", "在民族乡设立便民服务站")
    assert keyword_in("环境", "改善农村人居环境") and keyword_in("民族", "少数民族地区")
    assert keyword_in("劳动", "保障劳动者权益") and keyword_in("教育", "加强义务教育")


def test_a_keyword_sunk_inside_a_longer_word_does_not_count():
    """民政 in 县人民政府 gave 民政部 a keyword on almost every draft; 自治区 in 自治区水利厅 gave 民族委员会 one
    (a tester's drafts, 2026-11-30)."""
    from suggestions.routing import keyword_in

    assert not keyword_in("民政", "建议县人民政府于2026年3月底前明确管养单位") and not keyword_in("民政", "地方人民政府应当")
    assert not keyword_in("民政", "推动人民政协制度建设") and not keyword_in("学校", "营造大学校园文化")
    assert keyword_in("民政", "建议自治区民政厅会同财政厅") and keyword_in("民政", "由民政部门牵头")
    assert not keyword_in("自治区", "建议自治区水利厅牵头编制规划") and not keyword_in("自治区", "宁夏回族自治区人民政府")
    assert keyword_in("自治区", "民族自治区的自治机关") and keyword_in("自治区", "在自治区范围内推广")
    # a keyword opening or closing a longer word, or one it is built of, still counts
    assert keyword_in("教育", "修改义务教育法") and keyword_in("知识产权", "国家知识产权局") and keyword_in("老年", "中老年人")
    assert keyword_in("税", "个人所得税法") and keyword_in("养老", "养老服务体系")
    units = {t.name: t for t in load_targets("units")}
    committees = {t.name: t for t in load_targets("committees")}
    text = "建议县人民政府和自治区水利厅于2026年底前修复排水沟。"
    assert not any(keyword_in(k, text) for k in units["民政部"].keywords)
    assert not any(keyword_in(k, text) for k in committees["民族委员会"].keywords)


def test_keyword_search_stays_linear_on_a_long_text():
    """Every occurrence of 劳动 straddles two words here; the old check walked every word boundary for each one."""
    import time

    from suggestions.routing import keyword_in

    text = "组织群众投工投劳动员参与道路修建。" * 8000
    keyword_in("劳动", "预热分词")
    t0 = time.perf_counter()
    assert not keyword_in("劳动", text)
    assert time.perf_counter() - t0 < 5


def test_a_huge_draft_is_routed_on_its_head_and_says_so(embedder):
    from suggestions.text import TOO_LONG_CHARS

    huge = dataclasses.replace(GOOD, problem=GOOD.problem + "地铁站口的共享单车堆放占用人行道，群众意见很大。" * 4000)
    assert len(huge.full_text()) > TOO_LONG_CHARS
    recs = router_for("建议", embedder).recommend(huge)
    assert recs and recs[0].reasons[0] == f"草稿篇幅过长，只按前 {TOO_LONG_CHARS} 字推荐"
    assert not any("篇幅过长" in r for r in router_for("建议", embedder).recommend(GOOD)[0].reasons)


class _FixedEmbedder:
    """Remits and drafts as chosen vectors, so the scores are known: remit cosine is the dot with ``query``."""

    def __init__(self, remits: dict[str, list[float]], query: list[float]) -> None:
        import numpy as np

        self.remits = {k: np.array(v, dtype=np.float32) for k, v in remits.items()}
        self.query = np.array(query, dtype=np.float32)

    def encode_passages(self, texts):
        import numpy as np

        return np.stack([self.remits[t.split("：", 1)[0]] for t in texts])

    def encode_queries(self, texts):
        import numpy as np

        return np.stack([self.query for _ in texts])


def test_filler_is_dropped_and_a_near_tie_is_flagged_for_staff():
    from suggestions.routing import UNSURE_NOTE, unsure_reason

    targets = [Target("道路单位", "城市道路管理。"), Target("环保单位", "污染防治。"), Target("侨务单位", "侨务工作。")]
    clear = _FixedEmbedder({"道路单位": [0.90, 0.1, 0], "环保单位": [0.88, 0, 0.1], "侨务单位": [0.70, 0.2, 0.2]},
                           [1, 0, 0])
    recs = Router(targets, clear).recommend("关于改善出行的建议\n请改善出行条件。")
    # 侨务单位: remit similarity alone, a hundredth of the top's score: filler, not a third choice
    assert [r.name for r in recs] == ["道路单位", "环保单位"]
    assert not any(UNSURE_NOTE in x for r in recs for x in r.reasons)
    tied = _FixedEmbedder({"道路单位": [0.90, 0.1, 0], "环保单位": [0.899, 0, 0.1], "侨务单位": [0.70, 0.2, 0.2]},
                          [1, 0, 0])
    recs = Router(targets, tied).recommend("关于改善出行的建议\n请改善出行条件。")
    assert recs[0].reasons[0].startswith(UNSURE_NOTE + "（前两项得分接近")
    # a filler with a keyword of the draft stays
    keyed = [targets[0], targets[1], Target("侨务单位", "侨务工作。", ("侨胞",))]
    recs = Router(keyed, clear).recommend("关于改善出行的建议\n请为归国侨胞改善出行条件。")
    assert [r.name for r in recs][-1] == "侨务单位"
    assert unsure_reason([0.6, 0.3], 10) is None and unsure_reason([0.6, 0.5], 10).startswith("前两项得分接近")
    assert unsure_reason([0.5, 0.1], 10) is None and unsure_reason([0.15, 0.1], 33) is None
    assert unsure_reason([0.1], 10).startswith("最高得分只有") and unsure_reason([], 3) is None


def test_a_measure_addressed_to_a_local_bureau_names_its_unit(embedder):
    """A new user's 银川 elevator draft (“建议市住建局…出台加装电梯联办流程”) was routed to 财政部 and 民政部, with
    住房和城乡建设部 third: 住建局 is how the local counterpart is called, not the ministry's short name."""
    from suggestions.routing import named_leads

    units = load_targets("units")
    text = ("1. 建议市住建局在2027年6月底前出台加装电梯“一件事”联办流程，审批时限压缩到30个工作日内；"
            "2. 建议市财政局将每部电梯补贴从10万元提高到20万元，并列入2027年预算；"
            "3. 建议各区政府建立低层住户补偿协商机制，由街道牵头在每个小区召开不少于两次协调会。")
    leads = dict(zip((u.name for u in units), named_leads(text, units)))
    assert leads["住房和城乡建设部"] == "建议市住建局" and leads["财政部"] == "建议市财政局"
    assert leads["民政部"] is None and leads["人力资源和社会保障部"] is None
    assert dict(zip((u.name for u in units), named_leads("由县人社局会同有关部门落实", units)))[
        "人力资源和社会保障部"] == "人社局会同"
    lifts = dataclasses.replace(
        GOOD, title="关于加快银川市老旧小区加装电梯的建议",
        problem="银川市2000年以前建成的老旧小区共有多层住宅约4,800栋，其中60岁以上居民占比超过30%，但截至2025年底只加装电梯"
                "312部，不到需求的一成。不少老人常年下不了楼，看病、买菜都要靠邻居帮忙。",
        cause="一是低层住户担心采光和噪音，意见难统一；二是每部电梯造价约60万元，补贴每部只有10万元；三是审批涉及规划、住建、"
              "市场监管多个部门，流程长。",
        measures=text)
    assert router_for("建议", embedder).recommend(lifts)[0].name == "住房和城乡建设部"
