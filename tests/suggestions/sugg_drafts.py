"""Drafts written for the tests (not real deputies' texts)."""

from suggestions.types import KIND_BILL, DraftContent

GOOD = DraftContent(
    title="关于规范城市共享单车停放管理的建议",
    problem="近年来共享单车数量快速增长，全市投放量超过 30 万辆，但乱停乱放现象突出，地铁站口、人行道被大量占用，"
            "2025 年 12345 热线相关投诉达 4,200 件，老年人和视障人士出行受到明显影响。",
    cause="一是停放区域规划不足，地铁站周边缺少专门停放点；二是企业运维人员配备不足；三是缺乏有效的信用惩戒机制。",
    measures="1. 建议市交通运输局在 2026 年 6 月底前制定共享单车停放区域设置标准，在地铁站周边施划电子围栏停放区。\n"
             "2. 建议市城管局建立企业运维考核办法，每季度公布考核结果，并按考核结果核定各企业投放总量。\n"
             "3. 建议市公安局将多次违规停放纳入用户信用记录，由企业暂停其骑行权限 7 天。",
)

VAGUE = DraftContent(
    title="关于加强农村人居环境整治的建议",
    problem=GOOD.problem,
    cause=GOOD.cause,
    measures="1. 要高度重视农村人居环境整治工作，加大力度，形成合力。\n"
             "2. 建议省农业农村厅在 2026 年底前出台农村生活垃圾收运处置考核办法，明确每个行政村至少配备 2 名保洁员。",
)

PETITION = DraftContent(
    title="关于解决我父亲退休待遇问题的建议",
    problem="我父亲在县农机站工作了三十年，退休后待遇一直没有落实，我多次上访都没有结果，恳请领导为我做主，解决我父亲的退休金问题。"
            "我们全家生活困难，希望得到照顾。",
    cause="单位推诿扯皮，有关部门不负责任，相关材料丢失，导致问题长期没有解决，我家多次反映没有回音。",
    measures="1. 建议县人社局在一个月内重新核定我父亲的退休待遇并补发差额。",
)

COURT_CASE = DraftContent(
    title="关于纠正一起错误判决的建议",
    problem="本人与邻居因宅基地发生纠纷，法院一审判决我败诉，二审维持原判，我认为判决严重不公，对方有关系，请求代表过问此案并督促法院再审。"
            "这起案件已经拖了三年，我家损失超过 20 万元。",
    cause="法官偏袒对方，没有采纳我提交的证据，执行过程中还存在违法问题，我多次申诉都没有结果。",
    measures="1. 建议市中级人民法院对我的案件启动再审程序，撤销原判决。",
)

BENEFIT = DraftContent(
    title="关于为我儿子安排工作的建议",
    problem="我儿子大学毕业两年仍未找到合适工作，家庭负担很重。本人担任代表多年，希望组织上考虑实际困难，为我儿子安排工作，解决编制。"
            "他学的是会计专业，成绩优秀，有 3 个证书。",
    cause="就业形势严峻，公开招聘名额少，竞争激烈，本人家庭困难，孩子长期待业影响家庭生活。",
    measures="1. 建议县人社局为我儿子安排事业单位工作岗位，解决编制问题。",
)

PUBLIC_LITIGATION = DraftContent(
    title="关于完善环境公益诉讼制度的建议",
    problem="2025 年全省检察机关办理环境公益诉讼案件 1,380 件，但社会组织提起的诉讼仅 23 件，鉴定费用高、周期长，"
            "许多污染案件因举证困难而无法立案，公益诉讼制度的作用没有充分发挥。",
    cause="一是环境损害鉴定机构少、收费高；二是社会组织提起诉讼的资格条件过严；三是诉讼费用缓交减免规定不明确。",
    measures="1. 建议省司法厅在 2026 年内新增 5 家环境损害司法鉴定机构，并制定鉴定收费指导标准。\n"
             "2. 建议省高级人民法院出台公益诉讼案件诉讼费用缓交减免的具体规定。",
)

BILL = DraftContent(
    kind=KIND_BILL,
    title="关于修改《中华人民共和国民族区域自治法》的议案",
    problem="民族区域自治法自 2001 年修改以来已实施二十余年，民族自治地方的经济社会发展情况发生了很大变化，"
            "部分条款关于财政转移支付、少数民族干部培养和双语教育的规定已不适应当前需要。",
    cause="一是配套法规滞后，上级国家机关的帮助义务缺少具体标准；二是自治条例、单行条例的制定程序不够清晰。",
    measures="1. 建议全国人大常委会将民族区域自治法修改列入 2027 年立法工作计划。\n"
             "2. 建议明确上级国家机关对民族自治地方财政转移支付的增长比例。",
    legal_basis="《中华人民共和国宪法》第一百一十六条；《中华人民共和国立法法》第十八条。",
    outline="第一章 总则：完善民族团结进步的表述；第三章 自治机关的自治权：增加自治条例制定程序；"
            "第六章 上级国家机关的职责：明确财政转移支付和干部培养的具体义务。",
    cosponsors=["代表团：某某代表团"],
)


def one_measure_draft(title: str, problem: str, cause: str, measure: str) -> str:
    """A pasted draft (title, problem, cause, one numbered measure) as a deputy types it."""
    return f"{title}\n\n{problem}\n\n{cause}\n\n建议：\n1. {measure}"


def refusal_categories(text: str) -> set[str]:
    """The not-a-suggestion categories (own_claim, specific_enterprise…) the self-check finds in a pasted draft."""
    from suggestions.selfcheck import not_suggestion_findings
    from suggestions.text import parse_draft_text

    return {f.details["category"] for f in not_suggestion_findings(parse_draft_text(text))}
