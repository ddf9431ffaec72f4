"""Answer composer: the sentence(s) from the top hits that best answer the question, with citations.

Extractive by design (no LLM). A generator can plug in later by taking the same (question, hits)
and returning an Answer whose sentences point back into ``hits``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from corpus.cleaning import split_sentences
from corpus.numbers import search_text

from .facets import CELL_SPLIT, list_items
from .fact_kinds import (
    NOTES, QUANTITY, SPAN, asks_when, count_unit, gives_count, judge, names_holder, names_time, office_asked, too_vague,
)
from .query import lay_terms, spell_out, statutory_words
from .ranking import ASKS_ADOPTED, names_locator
from .tokenize import tokenize
from .types import Answer, AnswerSentence, Hit

MAX_SENTENCES = 2
LIST_CHARS = 400  # a sentence ending in “：” is answered with the list after it, up to this length
MIN_SCORE = 0.80  # below this cosine the best sentence rarely answers the question (e5 scores are compressed)
# A question whose content words the knowledge base mostly lacks (``unseen`` ≥ OFF_TOPIC_UNSEEN) is off its
# topic unless its best candidate sentence is really close. On bench/answers.py (a development set) such
# everyday questions came within 0.811–0.862 and such deputy questions 0.873–0.890: midway, allowing for the
# spread of a new question.
OFF_TOPIC_UNSEEN = 0.5
OFF_TOPIC_SCORE = 0.865
# Below this closeness an answer must mention each of the question's rare words (see ``unmentioned``). On the
# development sets (bench/answers.py, bench/law_answers.py, with the laws indexed) everyday and unanswerable
# questions' answers came within 0.853–0.892; right answers missing such a word (局长, 说情), 0.876–0.898.
FOCUS_CLOSE = 0.89
# … and below this one, each of its topic words that no indexed text uses at all (“会不会被追究法律责任” asked of the
# plans: a plan sentence on 审议发言 came back at 0.856). Such words are often lay words of an answerable question
# (生病, 亲戚, 县里: right answers at 0.876–0.888 on bench/law_answers.py), so the bar is lower than FOCUS_CLOSE; on
# every bench set it declines only wrong answers (代表证补办 0.864; 出差买票 0.866 and 只拣好听的说 0.860, both answered
# from the wrong plan item).
UNSEEN_CLOSE = 0.87
SOURCES_CONSIDERED = 3
LAY_SOURCES = 6  # how far down a passage holding a lay word's own words (路费 → 旅费) is looked for
SHORT_TASK = 24  # a plan item's sentence shorter than this is read under the item's heading
MAIN_CELL_BONUS = 0.03  # a table row's content cell unless another cell is clearly closer (“由哪个部门承办”)
# A question asking how many / how long (“要多少个代表联名”“多久答复”) is answered by the sentence that holds the
# figure (“十人以上联名”“三个月内”), which e5 does not rank above the article's other sentences on its own.
QUANTITY_BONUS = 0.03
LAY_BONUS = 0.08  # a sentence holding the documents' word for the question's lay word: it is about what was asked
COUNT_SWITCH = 0.05  # how far behind the passage's first sentence its count may be for a count question
SIDE_CELL_PENALTY = 0.1  # a row's 相关部门 / 承办单位 cell, unless the question asks who
NOTE_BONUS = 0.1  # a document's adoption note, for a question about when or where it was adopted
# not 近几年 / 这几天 / 哪几个 / 前几次, which ask when or which
# (“发言有没有时间限制”: how long, answered by “不超过十五分钟”)
_ASKS_QUANTITY = re.compile(r"多少(?!有点)|(?<![近这那前哪])几[个名位人次票天年条成期件]|多久|多长|多大比例|几分之|时间限制|限时|时限")
# “从几月到几月”“持续多长时间”: the sentence with a span of months (fact_kinds.SPAN).
_ASKS_SPAN = re.compile(r"几月(?:份)?(?:到|至|搞到|干到)几月|从什么时候到什么时候|哪段时间")
_CONTENT_HEAD = re.compile(r"^(?:主要内容|工作内容|内容|事项|工作事项|主要工作|工作任务)[：:]")
# 选举单位 (an electoral unit) and 所在单位 (a deputy's employer) name no one who does the work
_ASKS_WHO = re.compile(r"谁|哪个(?!月|季度|时候|年|星期|礼拜)|哪些(?:部门|单位|机构)|部门|(?<!选举|所在)单位|机构|负责|承办")
_LIST_ITEM = re.compile(r"^[（(][一二三四五六七八九十]+[)）]")  # “（八）…的。”: one case of a list led in by “…：”


class AnswerGenerator(Protocol):
    """``unseen``: share of the question's content words the knowledge base never uses; a generator
    should decline a mostly unknown question as compose_answer does."""

    def __call__(self, question: str, hits: list[Hit], unseen: float = 0.0) -> Answer: ...


# A table row ("时间：8月；主要内容：…；相关部门：…", split by facets.CELL_SPLIT) is read by its cells, not sentences.
_RECORD = re.compile(r"^[^；：\n]{1,8}：")
_ITEM_NUMBER = re.compile(r"^\d{1,3}[.．、](?!\d)\s*")  # “22. 加强…” opens a numbered plan item; not “1.5万名”, “2、3月份”
_ARTICLE_NUMBER = re.compile(r"^第[零〇一二三四五六七八九十百千]+条(?:之[一二三四五六七八九十]+)?[\s　]*")
_NOTE = re.compile(r"^[（(][^（()）]*[)）]。?$")
_ASKS_ADOPTION = re.compile(r"通过|审议|印发|发布|施行|生效|制定|修改|修订")


def _is_record(hit: Hit) -> bool:
    return bool(_RECORD.match(hit.text) and CELL_SPLIT.search(hit.text))


def _units(hit: Hit, record: bool, notes: bool = False, whole_row: bool = True) -> list[tuple[str, bool, bool]]:
    """(answer candidate, is the heading of a numbered item, is (part of) a row's content cell) for one
    hit, in text order. ``whole_row``: the question named the row (“9月有什么安排”), so its content cell
    is answered whole; otherwise each numbered task in it is a candidate of its own, read with the row's
    locator (“8月：研究起草修订…条例”)."""
    if record:
        cells = [c for c in CELL_SPLIT.split(hit.text)[1:] if len(c) >= 6]
        # the first cell names the row ("时间：8月"): it is the locator, not an answer. The content cell is the one
        # headed so (主要内容, 工作内容, 事项); else the longest (a 全年 row's 相关部门 can outrun its 主要内容)
        labelled = [k for k, c in enumerate(cells) if _CONTENT_HEAD.match(c)]
        main = labelled[0] if labelled else max(range(len(cells)), key=lambda k: len(cells[k])) if cells else -1
        out = []
        for k, cell in enumerate(cells):
            items = [] if whole_row or k != main else list_items(cell.split("：", 1)[-1])
            if items:
                out += [(f"{hit.locator}：{it.rstrip('；;。')}。", False, True) for it in items]
            elif k == main and not whole_row:  # “…筹备工作安排在几月”: the month is the answer, say it (“12月：…”)
                out.append((f"{hit.locator}：{_ended(cell.split('：', 1)[-1])}", False, True))
            else:
                out.append((_ended(cell), False, k == main))
        return out
    out = []
    for k, sent in enumerate(split_sentences(hit.text)):
        heading = k == 0 and bool(_ITEM_NUMBER.match(sent))
        if k == 0:  # the number is in the citation already: “第五十五条　代表…” reads as “代表…”
            sent = _ARTICLE_NUMBER.sub("", _ITEM_NUMBER.sub("", sent))
        else:  # a numbered point inside a paragraph (备注 “…。2.服务代表资格审查委员会…”) reads without its number
            sent = _ITEM_NUMBER.sub("", sent)
        # a sentence that only restates the document's title or locator says where, not what; a wholly
        # bracketed one is the document's adoption note ("（2025年12月24日…原则通过）"), an answer only
        # to a question about the document's adoption
        if len(sent) >= 6 and sent.rstrip("。：:") not in (hit.title, hit.locator) and (notes or not _NOTE.match(sent)):
            out.append((sent, heading, False))
    return out


def _ended(text: str) -> str:
    """A table cell as a sentence: “承办单位：代表工作委员会” gets its full stop."""
    text = text.replace("\n", "").strip()
    return text if text.endswith(("。", "！", "？", "；", ";", "：", "…")) else text + "。"


def _lead_in(cands: list[tuple[int, str]], k: int) -> int | None:
    """The sentence ending in “：” that introduces list item ``k`` of the same source, if ``k`` is one."""
    if not _LIST_ITEM.match(cands[k][1]):
        return None
    for j in range(k - 1, -1, -1):
        if cands[j][0] != cands[k][0]:
            return None
        if cands[j][1].endswith(("：", ":")):
            return j
    return None


def compose_answer(question: str, hits: list[Hit], embedder, unseen: float = 0.0,
                   rare: Sequence[str] = (), unknown: Sequence[str] = ()) -> Answer:
    """``unseen``: share of the question's content words the knowledge base never uses
    (``KnowledgeBase.unseen_share``); a mostly unknown question needs a close sentence to be answered.
    ``rare``: its words that only a few texts use (``KnowledgeBase.rare_words``); an answer that is not close
    and mentions none of one of them is about something else (“明天北京的天气怎么样” → a Beijing regulation).
    ``unknown``: its topic words no text uses (``KnowledgeBase.unknown_words``), held to UNSEEN_CLOSE alike."""
    answer = Answer(question=question, hits=hits)
    if too_vague(question):
        answer.reason, answer.note = "vague", NOTES["vague"]
        return answer
    cands: list[tuple[int, str]] = []
    scored: list[str] = []  # what is embedded and matched for each candidate
    headings: set[int] = set()
    main_cells: set[int] = set()  # a row's content cell (主要内容); the others name who and when …
    side_cells: set[int] = set()  # … (相关部门：…, 承办单位：…)
    considered = list(enumerate(hits[:SOURCES_CONSIDERED]))
    # “代表去视察的路费谁出”: the 视察 items come first and the one passage with 旅费 (the documents' word for the
    # question's 路费) was 4th, never read. When no considered passage holds a lay word's own words, the first one
    # below that does is read too; any sentence holding them is preferred (LAY_BONUS): it is about what was asked.
    lay_words = statutory_words(question)
    if lay_words and not any(w in h.text for _, h in considered for w in lay_words):
        considered += [(i, h) for i, h in enumerate(hits[SOURCES_CONSIDERED:LAY_SOURCES], SOURCES_CONSIDERED)
                       if any(w in h.text for w in lay_words)][:1]
    qtext = search_text(question)
    named = [(i, h) for i, h in considered if names_locator(qtext, h.locator)]
    if named:  # “8月开什么会”: the plan's “8月，召开…推进会” answers too, not only the schedule's 8月 row
        keys = {h.locator.rsplit(" / ", 1)[-1] for _, h in named}
        named += [(i, h) for i, h in considered if (i, h) not in named and not _is_record(h)
                  and any(names_locator(search_text(h.text), k) for k in keys)]
        named.sort(key=lambda ih: ih[0])
    for i, hit in named or considered:  # “9月份…”: answer from the 9月 row, not a row that shares a word
        record = _is_record(hit)
        units = _units(hit, record, notes=bool(_ASKS_ADOPTION.search(question)), whole_row=bool(named))
        for sent, heading, main in units:
            if heading:
                headings.add(len(cands))
            if main:
                main_cells.add(len(cands))
            elif record:
                side_cells.add(len(cands))
            cands.append((i, sent))
            # a table cell is read with its row's locator (“8月”): the month is not in the cell itself
            scored.append(f"{hit.title} {hit.locator} {sent}" if record and not sent.startswith(hit.locator)
                          else f"{hit.title} {sent}")
    if not cands:
        return answer
    qv = embedder.encode_queries([question])[0]
    sv = embedder.encode_passages(scored, cache=True)
    qtok = set(tokenize(qtext))
    # a lay word matches the words it is rewritten to (路费 → 旅费), as it does in the search
    lay = set(tokenize(" ".join(statutory_words(question)))) - qtok
    overlap = np.array([len((qtok | lay) & set(tokenize(s))) / max(len(qtok), 1) for s in scored])
    def where(pred) -> np.ndarray:  # 1.0 for the candidates (index, sentence) ``pred`` accepts
        return np.array([float(pred(k, sent)) for k, (_, sent) in enumerate(cands)])

    rank_prior = np.array([0.02 * (SOURCES_CONSIDERED - i) for i, _ in cands])  # trust the retriever's order a little
    rank_prior += MAIN_CELL_BONUS * where(lambda k, s: k in main_cells)
    asks_who = bool(_ASKS_WHO.search(question))
    # “全年有哪些常态化工作”: what is done, not a row's “相关部门：…”; “…由谁负责”: who
    rank_prior += (MAIN_CELL_BONUS if asks_who else -SIDE_CELL_PENALTY) * where(lambda k, s: k in side_cells)
    if _ASKS_QUANTITY.search(question):
        rank_prior += QUANTITY_BONUS * where(lambda k, s: bool(QUANTITY.search(s)))
    if lay_words:
        rank_prior += LAY_BONUS * where(lambda k, s: any(w in s for w in lay_words))
    if ASKS_ADOPTED.search(question):  # “计划是什么时候通过的”: the note says; 通过多种方式… only shares a word
        rank_prior += NOTE_BONUS * where(lambda k, s: bool(_NOTE.match(s)))
    if office := office_asked(question):  # “…主任是谁”: the sentence that says who holds the office, if any does
        rank_prior += NOTE_BONUS * where(lambda k, s: names_holder(s, office))
    if _ASKS_SPAN.search(qtext):
        rank_prior += QUANTITY_BONUS * where(lambda k, s: bool(SPAN.search(search_text(s))))
    score = sv @ qv + 0.15 * overlap + rank_prior
    best = np.argsort(-score)
    closeness = answer.closeness = float(score[best[0]] - 0.15 * overlap[best[0]] - rank_prior[best[0]])
    if closeness < MIN_SCORE and overlap[best[0]] == 0:
        return answer
    if unseen >= OFF_TOPIC_UNSEEN and closeness < OFF_TOPIC_SCORE:
        return answer  # the nearest passages are still listed as sources, without claiming an answer
    if (unit := count_unit(question)) and not QUANTITY.search(cands[best[0]][1]):
        # “代表培训班今年一共办几期”: “…举办代表专题培训班” came first and the count was declined; the same passage's
        # “举办5期代表专题学习班”, close behind, gives the count in the unit asked
        alt = next((j for j in best[1:] if cands[j][0] == cands[best[0]][0] and gives_count(cands[j][1], unit)), None)
        if alt is not None and score[alt] >= score[best[0]] - COUNT_SWITCH:
            best = np.array([alt, *(j for j in best if j != alt)])
    verdict = judge(question, [sent for _, sent in cands], cands[best[0]][1], closeness)
    if verdict is not None:
        answer.reason, answer.note = verdict.reason, verdict.note
        if verdict.declined:
            return answer
    chosen = [best[0]]
    for j in best[1:]:
        if len(chosen) >= MAX_SENTENCES or score[j] < score[best[0]] - 0.03:
            break
        # nor a trailing “相关部门：…” after the row's work, unless the question asks who
        if cands[j][0] == cands[best[0]][0] and (asks_who or j not in side_cells):
            chosen.append(j)
    if asks_who and best[0] in main_cells:  # “…归哪个单位承办”: the row's work, then who does it
        chosen += [j for j in side_cells if cands[j][0] == cands[best[0]][0] and j not in chosen]
    nxt = best[0] + 1
    if len(chosen) == 1 and best[0] in headings and nxt < len(cands) and cands[nxt][0] == cands[best[0]][0]:
        chosen.append(nxt)  # an item's heading names the task; its next sentence says what is done, and when
    elif len(chosen) == 1 and len(cands[best[0]][1]) < SHORT_TASK:
        # “制作《…宣传挂图》。” alone reads as a fragment: the item's heading says whose task it is and why
        chosen += [k for k in headings if cands[k][0] == cands[best[0]][0]][:1]
    cut = False
    if cands[best[0]][1].endswith(("：", ":")):
        # “代表有下列情形之一的，其代表资格终止：” says nothing without the list that follows it
        chosen = [best[0]]
        size, k = len(cands[best[0]][1]), best[0] + 1
        while k < len(cands) and cands[k][0] == cands[best[0]][0] and size + len(cands[k][1]) <= LIST_CHARS:
            chosen.append(k)
            size += len(cands[k][1])
            k += 1
        cut = k < len(cands) and cands[k][0] == cands[best[0]][0]  # the list goes on beyond LIST_CHARS
    lead = _lead_in(cands, best[0])
    if lead is not None and lead not in chosen:
        chosen.append(lead)  # “（二）…名额基数为…” is read under “代表名额，按照下列规定确定：”
    for j in sorted(chosen, key=lambda j: (cands[j][0], j)):
        text, source = cands[j][1], cands[j][0]
        prev = answer.sentences[-1] if answer.sentences else None
        prefix = f"{hits[source].locator}："
        if prev is not None and prev.source == source and prev.text.startswith(prefix) and text.startswith(prefix):
            text = text[len(prefix):]  # two tasks of one row: “4月：召开部署会议。举办培训班。”
        answer.sentences.append(AnswerSentence(text=text, source=source))
    last = answer.sentences[-1]
    if last.text.endswith(("；", ";")):  # a clause of a longer sentence (“…必要时可以加开会议；”) ends the answer
        last.text = last.text[:-1] + ("……" if cut else "。")  # a list cut short must not read as complete
    if answer.reason is None and asks_when(question) and not any(
            names_time(s.text) or names_time(hits[s.source].locator.rsplit(" / ", 1)[-1]) for s in answer.sentences):
        answer.reason, answer.note = "when", NOTES["when"]  # “换届选举什么时候” → a task that names no time
    if ((closeness < FOCUS_CLOSE and (missing := unmentioned(rare, answer)))
            or (closeness < UNSEEN_CLOSE and (missing := unmentioned(unknown, answer)))):
        answer.sentences = []
        answer.reason, answer.note = "unmentioned", NOTES["unmentioned"].format(word=missing)
    return answer


def unmentioned(words: Sequence[str], answer: Answer) -> str | None:
    """The first of ``words`` that the answer's sentences and their sources' titles and locators do not mention in
    any written form: spelled out (全国人大 / 全国人民代表大会), by its parts (通报情况: 通报…情况; 追究责任), or by the
    statutory words of the question's lay phrase that holds it (“政府当局长” → 担任 国家行政机关 职务)."""
    said = {s.source for s in answer.sentences}
    text = spell_out(" ".join([s.text for s in answer.sentences]
                              + [f"{answer.hits[i].title} {answer.hits[i].locator}" for i in said]))
    lay = [(k, v.split()) for k, v in lay_terms(search_text(answer.question))]
    for w in words:
        parts = [p for p in tokenize(w) if len(p) >= 2 and p != w] or [w]
        if (w in text or spell_out(w) in text or all(p in text for p in parts)
                or any(x in text for k, v in lay if w in k for x in v)):
            continue
        return w
    return None
