"""Render core results as Telegram HTML, escaped and split under the 4,096-character limit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from bot import texts
from retrieval.types import snippet
from storage.kb import citation_of
from storage.qa import QAResult
from storage.schedule import MonthPlan, ScheduleRow
from storage.views import EventView
from storage.uploads import UploadSummary

TELEGRAM_LIMIT = 4096
SNIPPET_CHARS = 80


def e(text: str) -> str:
    return escape(text, quote=False)


def split_plain(text: str, limit: int) -> list[str]:
    """Split raw text so every piece's *escaped* length is ≤ limit, preferring line breaks."""
    pieces: list[str] = []
    rest = text
    while rest:
        if len(e(rest)) <= limit:
            pieces.append(rest)
            break
        # Longest prefix whose escaped form fits; then back off to the last newline or 。 in it.
        lo, hi = 1, len(rest)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if len(e(rest[:mid])) <= limit:
                lo = mid
            else:
                hi = mid - 1
        cut = lo
        for sep in ("\n", "。", "；", "，", " "):
            j = rest.rfind(sep, 0, cut)
            if j >= cut // 2:
                cut = j + 1
                break
        pieces.append(rest[:cut])
        rest = rest[cut:]
    return pieces


def paginate(blocks: Iterable[str], limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Join balanced HTML blocks with newlines into messages of at most ``limit`` characters.
    Callers keep each block under the limit (see ``split_plain``)."""
    pages: list[str] = []
    cur = ""
    for b in blocks:
        if len(b) > limit:  # defensive: never send an over-long message
            b = b[: limit]
        candidate = f"{cur}\n{b}" if cur else b
        if len(candidate) <= limit:
            cur = candidate
        else:
            pages.append(cur)
            cur = b
    if cur:
        pages.append(cur)
    return pages


def _source_lines(hits: list[dict], first_number: int = 1, with_snippet: bool = False) -> list[str]:
    lines = []
    for i, h in enumerate(hits):
        line = f"[{first_number + i}] {e(citation_of(h))}"
        if with_snippet:
            line += f"\n    {e(snippet(h['text'], SNIPPET_CHARS))}"
        lines.append(line)
    return lines


def answer_card(result: QAResult, heard: str | None = None, lead: str | None = None) -> list[str]:
    """The extracted answer with [n] markers, then the numbered sources; ``heard``: a voice note's transcript,
    ``lead``: an HTML line above the answer (how a follow-up was understood)."""
    blocks: list[str] = []
    if heard is not None:
        blocks.append(e(texts.VOICE_HEARD.format(text=heard)) + "\n")
    if lead:
        blocks.append(lead)
    if not result.hits:
        blocks.append(texts.NO_RESULTS)
        return paginate(blocks)
    if result.found:
        if result.note:  # a caveat on the answer (“资料只写明月份，没有具体日期。”)
            blocks.append(e(result.note))
        body = "".join(f"{s.text}[{s.source + 1}]" for s in result.sentences)
        pieces = split_plain(body, TELEGRAM_LIMIT - len(texts.ANSWER_LEAD))
        blocks.append(texts.ANSWER_LEAD + e(pieces[0]))
        blocks.extend(e(p) for p in pieces[1:])
        blocks.append("\n" + texts.SOURCES_LEAD)
        blocks.extend(_source_lines(result.hits))
    else:
        if result.note:  # why nothing was answered (“资料中没有写明具体日期。”)
            blocks.append(e(result.note))
        blocks.append(texts.NOT_FOUND_LEAD)
        blocks.extend(_source_lines(result.hits, with_snippet=True))
    return paginate(blocks)


def more_results(hits: list[dict], first_number: int) -> list[str]:
    if not hits:
        return [texts.NO_MORE]
    return paginate([texts.MORE_LEAD, *_source_lines(hits, first_number, with_snippet=True)])


def passage(hit: dict, number: int) -> list[str]:
    head = f"<b>[{number}] {e(citation_of(hit))}</b>"
    # Pieces leave room for the head, so the first page carries text too.
    pieces = split_plain(hit["text"].strip(), TELEGRAM_LIMIT - len(head) - 1)
    return paginate([head, *(e(p) for p in pieces)])


_WEEKDAYS = "一二三四五六日"


def events_named(events: Sequence[EventView]) -> list[str]:
    """The answer to “中卫视察是哪天”: the registered events the question names, with their day of the week."""
    lines = [f"· {ev.day.year}年{ev.day.month}月{ev.day.day}日（星期{_WEEKDAYS[ev.day.weekday()]}） {e(ev.title)}"
             for ev in events]
    return paginate([texts.EVENTS_NAMED_HEAD, *lines, "", e(texts.EVENTS_NAMED_HINT)])


def schedule(plans: list[MonthPlan], year_round: Sequence[ScheduleRow] = (), *, hint_only: bool = False) -> list[str]:
    """Each month's rows and events; then the 全年 rows, or for a single month only how many there are."""
    blocks: list[str] = []
    for p in plans:
        if not p.rows and not p.events:
            blocks.append(e(texts.SCHEDULE_EMPTY.format(y=p.year, m=p.month)) + "\n")
            continue
        blocks.append(texts.SCHEDULE_HEAD.format(y=p.year, m=p.month))
        blocks.extend(_schedule_rows(p.rows))
        if p.events:
            blocks.append(texts.SCHEDULE_EVENTS)
            blocks.extend(f"· {ev.day.month}月{ev.day.day}日 {e(ev.title)}" for ev in p.events)
        blocks.append("")
    if year_round and hint_only:
        blocks.append(e(texts.SCHEDULE_YEAR_ROUND_HINT.format(n=len(year_round))))
    elif year_round:
        blocks.append(texts.SCHEDULE_YEAR_ROUND_HEAD)
        blocks.extend(_schedule_rows(year_round))
    elif not plans:
        blocks.append(e(texts.SCHEDULE_YEAR_ROUND_EMPTY))
    return paginate(blocks)


def _schedule_rows(rows: Sequence[ScheduleRow]) -> list[str]:
    blocks: list[str] = []
    by_source: dict[str, list[ScheduleRow]] = {}
    for row in rows:
        by_source.setdefault(row.title, []).append(row)
    for title, group in by_source.items():  # each document named: the table is one province's
        blocks.append(texts.SCHEDULE_SOURCE.format(title=e(title)))
        for row in group:
            line = f"· {row.text}（{row.locator}）" if row.locator else row.text
            blocks.extend(e(x) for x in split_plain(line, TELEGRAM_LIMIT - 1))
    return blocks


def upload_summary(s: UploadSummary) -> str:
    errors = "；".join(s.errors)
    if s.chunks == 0:
        return e(texts.UPLOAD_NOTHING.format(name=s.file_name, errors=errors or "没有可检索的文字"))
    msg = texts.UPLOAD_DONE.format(name=s.file_name, scope=scope_label(s.scope), docs=s.documents,
                                   chunks=s.chunks, pages=s.pages)
    if errors:
        msg += texts.UPLOAD_ERRORS.format(errors=errors)
    return e(msg)


def scope_label(scope: str) -> str:
    if scope == "all":
        return "全部"
    if scope == "staff":
        return "工作人员"
    if scope.startswith("broadcast"):  # broadcasts.audience.broadcast_scope
        return "仅本通知的接收人和工作人员"
    kind, _, name = scope.partition(":")
    return {"delegation": "代表团", "committee": "委员会"}.get(kind, kind) + "：" + name
