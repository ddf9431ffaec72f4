"""Document-title knowledge used at ranking time: rank in the hierarchy of norms, superseded versions,
and which documents a query names ("代表法第五十一条" names 全国人民代表大会和地方各级人民代表大会代表法)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.legal import JUDICIAL, LOCAL, OTHER, PROVINCES, REGULATION, base_title, is_local, legal_level, place_of, short_names

from .query import spell_out

# Penalty (in fused-score units, times RankConfig.w_authority) for norms below 法律: a citizen's or a
# deputy's question about rights and duties is answered first by the law; the regulations and
# interpretations below it come next, and another province's local rules last (a question that names
# the place, “浙江省代表建议多久答复”, names those documents and lifts the penalty). Non-legal documents
# (plans, briefings) are not penalised. Another province's rules on exactly the asked topic (山东's
# 代表建议办理条例, “办理期限为三个月”) outscored 代表法 第五十一条 by more than 2.0 for “代表建议的答复期限是多长时间”:
# the gap to the law is 3.0, the same as for a superseded version of a law.
LEVEL_PENALTY = {JUDICIAL: 0.5, REGULATION: 1.0, LOCAL: 3.0}

# A decision of the congress or its standing committee (“全国人民代表大会常务委员会关于县级以下…直接选举的若干规定”,
# 1983) has a statute's rank, but the statute on the same subject, usually later, is what a question is answered by.
DECISION_PENALTY = 1.5
_DECISION = re.compile(r"^全国人民代表大会(?:常务委员会)?关于.+(?:决定|规定|办法)$")

# A national law written for one special administrative region (香港特别行政区基本法, 澳门特别行政区驻军法) governs that
# region only: like another province's rules it ranks last unless the question names the region. “人大代表一届干几年”
# was answered from 香港基本法 第一百六十条 (“选举委员会每届任期五年”) instead of 宪法 第九十八条.
_REGION = re.compile(r"(香港|澳门)特别行政区")

_DATE = re.compile(r"(\d{4})[-年.](\d{1,2})[-月.](\d{1,2})")
# 宪法修正案（1993年）, 刑法修正案（十一）: an amendment's text is merged into the law it amends, and later
# amendments may have replaced it (1993 set 县乡 terms at three years; 2004 made them five), so where the
# law itself is indexed the amendment ranks like a superseded version of it.
_AMENDMENT = re.compile(r"^(.+?)修正案(?:[（(][^（）()]*[）)])?$")


# A question about a local congress (“县人大常委会多久开一次会”, “我是省人大代表”): the rules written for the national
# congress alone (全国人民代表大会议事规则, 全国人民代表大会常务委员会议事规则, 全国人民代表大会组织法) do not govern it,
# while 代表法 and 选举法 (“全国人民代表大会和地方各级人民代表大会…”) do.
_LOCAL_BODY = re.compile(r"(?<![选社地城超股都门])(?:[省市县乡镇区州]|自治区|自治州|自治县)(?:级|里|里的)?(?:的)?"
                         r"(?:人大|人民代表大会|人代会|常委会)|地方各级|地方人大")
_NATIONAL_ONLY = re.compile(r"^全国人民代表大会(?!.*(?:地方|县|乡|省|市|自治))")
# … and the other way round: a question about the national congress as a body (“11月份全国人大有啥代表工作”,
# not 全国人大代表, who also meet in provinces) is not answered from a province's documents, whose month rows
# otherwise win on the month alone.
_NATIONAL_BODY = re.compile(r"全国人大(?!代表)|全国人民代表大会(?!代表)")
_A_PLACE = re.compile("|".join(PROVINCES) + r"|自治区")


@dataclass(frozen=True)
class QueryTitles:
    """What a question says about the indexed titles (see ``TitleCatalog.read``)."""

    named: frozenset[str] = frozenset()  # documents it names by a short name (代表法第五十一条)
    placed: frozenset[str] = frozenset()  # local rules of a place it names, not ranked down for their level
    other_level: frozenset[str] = frozenset()  # the national congress's own rules for a question about a local
    # congress; local documents for a question about the national congress
    unnamed_level: frozenset[str] = frozenset()  # the national congress's own rules, for a question naming no level
    subject: frozenset[str] = frozenset()  # norms whose subject the question names (代表 → 代表法), not the norm itself


@dataclass(frozen=True)
class TitleInfo:
    level: str
    penalty: float
    superseded: bool  # a newer version of the same document, or the law an amendment amends, is in the index
    repealed: bool = False  # another indexed document repeals it (“《…》同时废止”)


# “本办法自2017年8月1日起施行。…修订的《河南省人民代表大会常务委员会关于办理省人大代表建议、批评和意见的办法》同时废止”
REPEALS = re.compile(r"《([^《》]{4,80})》(?:同时)?(?:予以)?废止")


def repealed_by(texts: list[tuple[str, str]]) -> dict[str, str]:
    """Base titles that another indexed document repeals (“《…》同时废止”), each with the repealing title. A document
    repealing an earlier one of its own title (上海's new 实施办法) is a newer version, handled as such already."""
    out: dict[str, str] = {}
    for title, text in texts:
        for m in REPEALS.finditer(text):
            name = repeal_key(m.group(1))
            if name != repeal_key(title):
                out.setdefault(name, title)
    return out


def repeal_key(title: str) -> str:
    """A title as a repealing article cites it: 中华人民共和国 may be written inside (实施〈中华人民共和国…代表法〉办法)."""
    return base_title(title.replace("〈", "《").replace("〉", "》")).replace("中华人民共和国", "")


class TitleCatalog:
    def __init__(self, titles: list[str], histories: dict[str, str] | None = None,
                 repealed: dict[str, str] | None = None):
        """``histories``: amendment histories by title (see ``corpus.legal.legal_level``); ``repealed``: base titles
        another indexed document repeals (``repealed_by``)."""
        histories = histories or {}
        repealed = repealed or {}
        groups: dict[str, list[str]] = {}
        for t in titles:
            groups.setdefault(base_title(t), []).append(t)
        self.info: dict[str, TitleInfo] = {}
        self._alias: dict[str, set[str]] = {}
        self._place: dict[str, set[str]] = {}  # 北京 → Beijing's local rules
        self._subject: dict[str, set[str]] = {}  # 代表 → 代表法 (both versions), 监察 → 监察法
        self._national_only = frozenset(t for t in titles if _NATIONAL_ONLY.match(base_title(t)))
        self._local = frozenset(t for t in titles if is_local(t, histories.get(t, "")))
        for base, members in groups.items():
            newest = max(members, key=_version)
            place = place_of(members[0], histories.get(members[0], ""))
            region = _REGION.search(base)
            place = region.group(1) if region else place
            amendment = _AMENDMENT.match(base)
            merged = amendment is not None and amendment.group(1) in groups
            for t in members:
                level = legal_level(t, histories.get(t, ""))
                pen = LEVEL_PENALTY.get(level, 0.0) + (DECISION_PENALTY if _DECISION.match(base) else 0.0) + \
                    (LEVEL_PENALTY[LOCAL] if region else 0.0)
                self.info[t] = TitleInfo(level, pen,
                                         merged or (len(members) > 1 and _version(t) < _version(newest)),
                                         repeal_key(base) in repealed)
            for name in short_names(base):
                self._alias.setdefault(name, set()).update(members)
            # another place's rules implementing a law (浙江省实施《代表法》办法) are not what its subject asks about
            subject = _subject(base) if legal_level(members[0], histories.get(members[0], "")) not in (OTHER, LOCAL) \
                else None
            if subject:
                self._subject.setdefault(subject, set()).update(members)
            if place and len(place) >= 2:
                self._place.setdefault(place, set()).update(members)

    def read(self, query: str, named: bool = True, placed: bool = True, other_level: bool = True) -> QueryTitles:
        """The flags leave out what a ranking configuration does not weigh (a BM25-only ablation, say)."""
        return QueryTitles(frozenset(self.named_in(query)) if named else frozenset(),
                           frozenset(self.placed_in(query)) if placed else frozenset(),
                           self.other_level(query) if other_level else frozenset(),
                           self.unnamed_level(query) if other_level else frozenset(),
                           frozenset(self.subject_in(query)) if named else frozenset())

    def placed_in(self, query: str) -> set[str]:
        """Local rules of a place the query names (“浙江省的代表建议…”): not ranked below national
        norms for that question, but not lifted either (a lay “我在上海打工…” is not about every
        Shanghai rule)."""
        return set().union(*(titles for place, titles in self._place.items() if place in query))

    def other_level(self, query: str) -> frozenset[str]:
        """Rules of the national congress alone, when the question is about a local one and not the national;
        local documents, when it is about the national congress and names no place."""
        if "全国" not in query and _LOCAL_BODY.search(query):
            return self._national_only
        if _NATIONAL_BODY.search(query) and not _LOCAL_BODY.search(query) and not _A_PLACE.search(query):
            return self._local
        return frozenset()

    def unnamed_level(self, query: str) -> frozenset[str]:
        """Rules of the national congress alone, for a question that names no congress's level (“审议报告时看不懂，
        能让政府部门来解释吗”): 代表法 answers it for every level, 全国人民代表大会议事规则 only for the national one."""
        if "全国" in query or "两会" in query or _LOCAL_BODY.search(query) or _A_PLACE.search(query):
            return frozenset()
        return self._national_only

    def subject_in(self, query: str) -> set[str]:
        """Norms whose subject the question names without naming the norm: “代表因为刑事案件被关起来了，还能继续履职吗”
        is first about 代表法, not 检察官法, whose article on the same situation shares its words. Where one subject
        lies inside a longer one (监察 in 监察官), only the longer counts, as for names."""
        # spelled out (监委 → 监察委员会), with the congress itself masked: 代表 in 人民代表大会 is no deputy
        q = _CONGRESS.sub(lambda m: "□" * len(m.group(0)), spell_out(re.sub(r"\s|《|》|中华人民共和国", "", query)))
        # str.find, not re.finditer(re.escape(subj)): STARD's 1,338 laws have ~600 subjects, past re's cache of 512,
        # so every question recompiled them all (half of a search's time)
        spans = [(i, i + len(subj), subj) for subj in self._subject for i in _occurrences(q, subj)]
        keep = [s for s in spans if not any(o is not s and o[0] <= s[0] and s[1] <= o[1] and o[1] - o[0] > s[1] - s[0]
                                            for o in spans)]
        return set().union(*(self._subject[n] for _, _, n in keep)) - self.named_in(query) if keep else set()

    def named_in(self, query: str) -> set[str]:
        """Titles the query names by a short name; where one name lies inside a longer one (组织法 in
        人民法院组织法), only the longer counts."""
        q = re.sub(r"\s|《|》|中华人民共和国", "", query)
        spans = []
        for name in self._alias:
            start = q.find(name)
            if start >= 0:
                spans.append((start, start + len(name), name))
        keep = [s for s in spans if not any(o is not s and o[0] <= s[0] and s[1] <= o[1] and o[1] - o[0] > s[1] - s[0]
                                            for o in spans)]
        return set().union(*(self._alias[n] for _, _, n in keep)) if keep else set()


# What a norm is about, read off its shortest name: 代表法 → 代表, 人民陪审员法 → 人民陪审员, 村民委员会组织法 → 村民委员会,
# 信访条例 → 信访. Two characters at least; a generic one-word subject (法 alone) says nothing.
_CONGRESS = re.compile(r"人民代表大会|代表大会|代表团")
_NORM_SUFFIX = re.compile(r"(?:组织法|法典|法|条例|规定|办法|细则|规则)$")


def _occurrences(text: str, word: str):
    """Start of every (possibly overlapping) occurrence of ``word`` in ``text``."""
    i = text.find(word)
    while i >= 0:
        yield i
        i = text.find(word, i + 1)


def _subject(base: str) -> str | None:
    shortest = min(short_names(base) or {base}, key=len)
    subject = _NORM_SUFFIX.sub("", shortest)
    return subject if 2 <= len(subject) <= 8 and subject != shortest else None


def _version(title: str) -> tuple[int, int, int]:
    m = _DATE.search(title)
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else (0, 0, 0)
