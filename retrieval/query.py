"""Query rewriting: what deputies and citizens say → the words statutes and documents use."""

from __future__ import annotations

import re

from corpus.numbers import search_text

from .tokenize import dictionary_words, frequency, in_dictionary, tagged, tokenize

# Colloquial → statutory wording. Appended to the query (never replacing), so the original words
# still match documents that use them.
LEGAL_TERMS: dict[str, str] = {
    "老婆": "配偶 妻子", "老公": "配偶 丈夫", "媳妇": "配偶", "结婚": "婚姻 结婚登记", "离婚": "离婚 夫妻共同财产",
    "孩子": "子女 未成年人", "小孩": "子女 未成年人", "爸妈": "父母", "父母去世": "继承 遗产",
    "遗嘱": "遗嘱 继承", "房子": "房屋 不动产", "买房": "房屋买卖 不动产", "租房": "房屋租赁 租赁合同",
    "房东": "出租人", "租客": "承租人", "欠钱": "借款 债务", "借钱": "借款合同 民间借贷", "还钱": "清偿 债务",
    "老板": "用人单位", "公司": "公司 用人单位", "工资": "劳动报酬 工资", "加班": "延长工作时间 加班费",
    "辞退": "解除劳动合同 经济补偿", "开除": "解除劳动合同", "炒鱿鱼": "解除劳动合同", "辞职": "劳动者解除劳动合同",
    "社保": "社会保险", "工伤": "工伤保险", "被打": "人身损害 故意伤害", "打架": "殴打 故意伤害", "撞了": "交通事故 损害赔偿",
    "车祸": "交通事故", "坐牢": "有期徒刑 刑罚", "判刑": "刑罚", "罚款": "罚款 行政处罚", "告": "起诉 诉讼",
    "打官司": "诉讼 起诉", "赔钱": "赔偿 损害赔偿", "网购": "网络购物 电子商务 消费者", "退货": "退货 消费者权益",
    "假货": "假冒伪劣 产品质量", "骗": "诈骗 欺诈", "偷": "盗窃", "抢": "抢劫",
    "小偷": "盗窃", "偷东西": "盗窃", "偷走": "盗窃", "抢走": "抢劫", "告状": "起诉 诉讼", "被告": "起诉 诉讼",
    "商标": "商标 注册商标",
    "专利": "专利权", "版权": "著作权", "盗版": "侵犯著作权", "开店": "个体工商户 经营", "欠薪": "拖欠劳动报酬",
    "农民工": "劳动者 劳动报酬", "土地": "土地 承包经营", "拆迁": "征收 补偿", "彩礼": "婚约财产 彩礼",
    # deputies' own vocabulary
    "提建议": "代表建议 提出建议", "提议案": "代表议案 提出议案", "提的建议": "代表建议", "提的议案": "代表议案", "人大代表": "代表", "开会": "会议",
    # … and how they talk about their own rights and duties (代表法, 选举法, 组织法 wording)
    # (phrases, not bare 抓 / 签字 / 报复 / 上会: 抓落实, 电子签名, 报复性消费, 马上会 are not about deputies)
    "随便抓": "逮捕 拘留", "被抓": "逮捕 拘留", "抓人": "逮捕 拘留", "抓起来": "逮捕 拘留",
    "被关起来": "羁押 拘留", "关起来": "羁押 拘留", "关押": "羁押",
    "辞掉": "辞职", "不干了": "辞职", "不当代表": "辞职 代表资格终止", "资格没了": "代表资格终止",
    "一届": "每届 任期", "干几年": "任期", "当几年": "任期", "换掉代表": "罢免", "撤掉代表": "罢免", "罢掉": "罢免",
    "穿小鞋": "打击报复", "扣工资": "工资 劳动报酬 福利待遇 正常出勤", "扣我工资": "工资 劳动报酬 福利待遇 正常出勤", "旷工": "正常出勤",
    "回话": "答复", "讲的话": "发言", "说的话": "发言", "投的票": "表决", "搬到外地": "迁出 调离", "调到外地": "调离",
    "法律打架": "相抵触 抵触", "法规打架": "相抵触 抵触", "相冲突": "相抵触 抵触",
    "初审": "初步审查", "老百姓": "公民", "普通人": "公民", "一起签名": "联名", "共同签名": "联名", "签名提": "联名",
    "不是开会": "闭会期间", "不开会的时候": "闭会期间", "休会": "闭会期间", "撤回来": "撤回", "不想提了": "撤回",
    # (twelfth round) missing sessions without leave (打招呼请假: asking leave, not 干预); a deputy 旁听 as 列席
    "打招呼请假": "请假", "没跟谁打招呼": "未经批准", "没打招呼": "未经批准", "没请假": "未经批准", "没赶回": "未出席 不出席",
    "列席旁听": "列席", "代表的资格": "代表资格 代表资格终止", "影响资格": "代表资格终止",
    # (thirteenth round) “啥情况代表资格就没了”: the cases an article lists (“有下列情形之一的”); 修宪 as the
    # constitution writes it
    "啥情况": "下列情形", "什么情况下": "下列情形", "哪些情况下": "下列情形", "哪几种情况": "下列情形",
    "修宪": "宪法的修改 修改宪法",
    "打个招呼": "干预", "帮公司": "个人利益", "拿项目": "个人利益 谋取", "揽工程": "个人利益 谋取",
    "建筑公司": "商业活动 经济活动", "开公司": "商业活动", "自己的公司": "商业活动", "工程招标": "招标投标",
    # a relative's own matter put as a suggestion (青岛 条例 第十一条: “涉及解决代表本人及其亲属个人问题的”)
    # (the household, not the person: “表哥在国外定居…能投票吗” is an elector's question, 选举法 第七条)
    "表哥家": "亲属 个人问题", "表姐家": "亲属 个人问题", "亲戚家": "亲属 个人问题",
    "家里的事": "个人问题", "写成代表建议": "作为代表建议", "写成建议": "作为代表建议",
    "去不了": "请假", "没去开会": "缺席 未出席 不出席", "不去开会": "缺席 未出席 不出席", "上会讨论": "列入会议议程", "上会审议": "列入会议议程",
    # (not 送钱 收钱 过期 兼职 用几年 不准假: 送钱慰问, 没收钱款, 超过期限, 大学生兼职, 计划用几年, 不准假冒)
    "辩解": "申辩 申诉", "为自己辩护": "申辩", "汇报": "报告", "干了些啥": "履职情况", "干了什么": "履职情况",
    "说情": "干预 司法", "打招呼": "干预", "拉票": "贿赂 破坏选举", "送钱拉票": "贿赂 破坏选举",
    "不给假": "给予时间保障", "不批假": "给予时间保障", "能用几年": "有效期", "兼任": "担任 职务",
    "同时当局长": "担任 国家行政机关 职务", "政府当局长": "担任 国家行政机关 职务", "当局长吗": "担任 国家行政机关 职务", "拘留人": "限制人身自由",
    "人代会": "人民代表大会 会议", "两会": "全国人民代表大会 会议",
    "去世": "死亡", "空出来的名额": "出缺 补选", "名额空出来": "出缺 补选", "空缺": "出缺 补选",
    # (eighth round: 开除 alone stays an employer's dismissal; a deputy or an official is 罢免d or removed from office)
    "代表开除": "罢免", "开除代表": "罢免", "撸掉": "撤销 职务 撤职", "撸了": "撤销 职务 撤职",
    "脱产": "脱离 生产 工作", "上访": "信访 来信", "普通代表": "代表",
    "合在一起": "合并", "并在一起": "合并", "内容差不多": "内容相同", "内容一样": "内容相同",
    # (ninth round) ballots marked for more names than seats; bodies run from above (税务、海关: 垂直管理)
    "打勾": "选票 所选", "打钩": "选票 所选", "画勾": "选票 所选", "垂直管": "垂直管理",
    # (tenth round) a deputy of a named minority (“我是回族代表”): statutes say 少数民族代表 (not 回族 alone: 宁夏回族自治区)
    "族代表": "少数民族 代表", "族的代表": "少数民族 代表",
    # (eleventh round) handing a suggestion on; a deputy who walks with difficulty; a unit refusing leave; being held
    # to account for what one said (not 不批 alone: 不批评)
    "交给承办单位": "交办", "转给承办单位": "交办", "交给有关部门": "交办", "转给有关部门": "交办", "交给部门办": "交办",
    "走路不利索": "行动不便", "腿脚不便": "行动不便", "腿脚不好": "行动不便", "拄拐": "行动不便 残疾", "坐轮椅": "行动不便 残疾",
    "单位能不批": "予以批准 给予时间保障", "单位不批": "予以批准 给予时间保障", "不让请假": "予以批准 给予时间保障",
    "这些话": "发言", "被追究": "不受法律追究",
    # “啥情况下代表资格就终止了”: statutes list circumstances as “有下列情形之一的” (not 直选 or the typo 意案, which
    # a review found inside 一直选不上 and 同意案件)
    "什么情况下": "情形", "啥情况下": "情形", "哪些情况下": "情形", "哪种情况下": "情形",
    # the short names deputies use for the bodies statutes spell out
    "人大": "人民代表大会", "常委会": "常务委员会", "专委会": "专门委员会", "两高": "最高人民法院 最高人民检察院",
    "监委": "监察委员会", "纪委监委": "监察委员会", "村监委会": "村务监督委员会",
    "一府一委两院": "人民政府 监察委员会 人民法院 人民检察院", "乡镇": "乡 民族乡 镇",
    # everyday time words → the months schedules and plans are written in
    "路费": "旅费", "差旅费": "旅费",  # not 报销 or 车费: 医保报销, 打车费 are not a deputy's travel
    "年底": "12月", "年末": "12月", "年初": "1月", "岁末": "12月",
}

_WS = re.compile(r"\s+")
_ANY_WORD = frozenset("骗")  # one-character keys whose sense is the same inside longer words
# How people ask, not what about: left out when judging whether the knowledge base knows a question's words.
QUESTION_WORDS = frozenset(
    "时候 什么时候 哪个 哪里 哪儿 怎么办 怎么样 一般 大概 大约 大致 差不多 通常 不能 能不能 有没有 是不是 多久 多长 多长时间 几月 意思 什么意思 啥意思 含义 指的是 干啥 有啥".split()
)
_NUMBER_WORD = re.compile(r"^[0-9零〇一二三四五六七八九十百千两]+[年月日号]?份?$")


# Keys that spell out a body's short name (人大 → 人民代表大会): the same body is named all over the documents,
# so for choosing an answer sentence these say nothing; the lay words (路费 → 旅费) do.
_NAME_KEYS = frozenset("人大 常委会 专委会 两高 一府一委两院 人代会 两会 人大代表 开会 乡镇 提建议 提议案 提的建议 提的议案".split())


def lay_terms(q: str) -> list[tuple[str, str]]:
    """The (lay word, statutory words) pairs of LEGAL_TERMS that the question uses. A one-character key
    counts only as a word of its own: 告 in “我想告公司”, not in 报告 or 广告; 抢 not in 抢救; 偷 not in
    偷拍 (their lay compounds, 小偷 告状…, are keys of their own). 骗 means deceiving in every word it is part
    of (骗取, 诈骗, 欺骗), so it matches anywhere."""
    single = {t for t in dictionary_words(q) if len(t) == 1}
    found = [(k, v) for k, v in LEGAL_TERMS.items() if (k in single if len(k) == 1 and k not in _ANY_WORD else k in q)]
    # A lay phrase reads as a whole: 打架 inside 法律打架 is no fight, and 工资 inside 扣工资 is read by 扣工资's
    # own words. Body names (人大 in 人大代表) keep their own spelling-out.
    spans = [m.span() for k, _ in found if k not in _NAME_KEYS for m in re.finditer(re.escape(k), q)]

    def only_inside_longer(k: str) -> bool:
        return all(any(a <= m.start() and m.end() <= b and b - a > len(k) for a, b in spans)
                   for m in re.finditer(re.escape(k), q))

    return [(k, v) for k, v in found if k in _NAME_KEYS or len(k) == 1 or not only_inside_longer(k)]


def statutory_words(query: str) -> list[str]:
    """The documents' words for the question's lay words (“代表出去调研的路费谁出” → 旅费), body names left out."""
    q = search_text(_WS.sub(" ", query).strip())
    return list(dict.fromkeys(w for k, v in lay_terms(q) if k not in _NAME_KEYS for w in v.split()))


def rewrite_query(query: str) -> str:
    """Both number forms (八月份 / 8月) plus statutory synonyms of colloquial words in the query."""
    q = search_text(_WS.sub(" ", query).strip())
    extra = dict.fromkeys(w for _, v in lay_terms(q) for w in v.split())  # once each, in order
    return f"{q} {' '.join(extra)}" if extra else q


def _judged_tokens(q: str, known):
    """The question's tokens; a pair jieba's HMM joined (推是 in “两摘两推是什么意思”) that no text uses is
    judged by its dictionary words instead, so a question's own phrasing does not make it look off-topic."""
    for t in tokenize(q):
        if known(t) or in_dictionary(t):
            yield t
        else:
            yield from dictionary_words(t)


def question_words(query: str, known) -> list[str]:
    """The question's content words: its BM25 tokens of two or more characters, without question words and bare
    numbers or dates."""
    q = search_text(_WS.sub(" ", query).strip())
    return [t for t in dict.fromkeys(_judged_tokens(q, known))
            if len(t) >= 2 and t not in QUESTION_WORDS and not _NUMBER_WORD.match(t)]


# What a question is about is named by nouns and verbs (天气, 护照, 会场; 结婚, 报名), not by the everyday words
# people ask with (一起, 起来, 这个, 有人: very common in general Chinese) nor adjectives and idioms (最长, 长时间).
_TOPIC_FLAGS = frozenset("n nz nt ns nr vn eng v vv".split())
_EVERYDAY_FREQ = 15000  # jieba's dictionary frequency of 有人 (15,007) and 一起 (15,976); 汽车 10,193


def is_topic_word(word: str) -> bool:
    if word[0] in "不没" or frequency(word) >= _EVERYDAY_FREQ:
        return False
    flags = [flag for _, flag in tagged(word)]
    return len(flags) == 1 and flags[0] in _TOPIC_FLAGS


def content_words(query: str, known) -> tuple[int, int]:
    """(content words, how many of them ``known`` accepts). A lay word the rewriting spells out (人代会 →
    人民代表大会) is known when one of its statutory words is; the words the rewriting adds are not counted
    themselves."""
    words = question_words(query, known)
    known_lay = [k for k, v in lay_terms(search_text(_WS.sub(" ", query).strip())) if any(known(s) for s in v.split())]
    return len(words), sum(known(w) or any(w in k or k in w for k in known_lay) for w in words)


# The short names deputies use, spelled out the way statutes write them; longest first, so that 全国人大常委会
# is read whole before 人大 or 常委会. 人大代表 stays as it is: the plans write it so and e5 reads it, and spelled
# out (人民代表大会代表) it lost 宁夏's 8月 row to a plan item for “人大代表建议办理工作条例什么时候修订”.
SHORT_NAMES = (
    ("全国人大常委会", "全国人民代表大会常务委员会"), ("人大常委会", "人民代表大会常务委员会"),
    ("全国人大代表", "全国人大代表"), ("人大代表", "人大代表"), ("全国人大", "全国人民代表大会"),
    ("人代会", "人民代表大会会议"), ("人大", "人民代表大会"), ("常委会", "常务委员会"), ("专委会", "专门委员会"),
    ("村监委会", "村务监督委员会"), ("纪委监委", "监察委员会"), ("监委", "监察委员会"),
)
_SHORT = re.compile("|".join(re.escape(k) for k, _ in SHORT_NAMES))
_SPELLED = dict(SHORT_NAMES)


def spell_out(query: str) -> str:
    """“全国人大常委会多久开一次会” → “全国人民代表大会常务委员会多久开一次会”."""
    return _SHORT.sub(lambda m: _SPELLED[m.group(0)], query)
