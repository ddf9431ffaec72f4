"""Rendering of the suggestion conversation: prompts, preview, self-check report, lists, and their
inline keyboards. HTML-escaped, every message under Telegram's 4,096 characters.

Callback data is ``sg:<op>:<id>[:<arg>…]`` (≤ 64 bytes); ids are database rows, so buttons keep
working after a restart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import suggestion_texts as t
from bot.formatting import TELEGRAM_LIMIT, e, paginate, split_plain
from storage.clock import BEIJING
from suggestions.draft import PREVIEW, STEP_BY_KEY, DraftInfo, Prompt, inner_title, render_preview, steps_for
from suggestions.status import (
    EVALUATIONS, LEGAL_BASIS, OPEN_STATUSES, STATUS_ANSWERED, OverdueItem, StatusView, SuggestionDetail, assignee,
)
from suggestions.types import KIND_BILL, SEVERITY_ERROR, SEVERITY_LABELS, DraftContent, SelfCheckReport

FINDING_CHARS = 600  # one finding's message + fix; the report keeps to one message
CITATION_CHARS = 80
# The preview shows each part clipped (a 64,800-character paste came out as 17 messages); the parts together
# stay well under one message. The full text is kept in the draft and checked and submitted whole.
PREVIEW_PART_CHARS = 600
PREVIEW_BODY_CHARS = 3000
PREVIEW_TITLE_CHARS = 200
CURRENT_CHARS = 1000  # a step's “当前内容” when it is reopened
_CLIP_AT = "。；;！!？?\n"


@dataclass(frozen=True)
class Cb:
    op: str
    id: int
    args: tuple[str, ...] = ()


def cb(op: str, id_: int, *args: object) -> str:
    return ":".join(["sg", op, str(id_), *map(str, args)])


def parse_cb(data: str | None) -> Cb | None:
    parts = (data or "").split(":")
    if len(parts) < 3 or parts[0] != "sg":
        return None
    try:
        return Cb(parts[1], int(parts[2]), tuple(parts[3:]))
    except ValueError:
        return None


def pasted_keyboard(token: str) -> InlineKeyboardMarkup:
    """Under a whole draft pasted with no draft open (op “w”, no draft id yet)."""
    return _kb([[(t.PASTED_SAVE, cb("w", 0, "s", token)), (t.PASTED_QUESTION, cb("w", 0, "q", token))]])


def day(dt: datetime | None) -> str:
    return "" if dt is None else dt.astimezone(BEIJING).strftime("%Y-%m-%d")


def _kb(rows: Sequence[Sequence[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data) for label, data in row]
                                 for row in rows if row])


def _long(label: str, value: str) -> list[str]:
    """A labelled value that may be long: escaped pieces that each fit a message."""
    pieces = split_plain(value, TELEGRAM_LIMIT - len(label) - 1)
    return [e(label) + e(pieces[0])] + [e(p) for p in pieces[1:]]


def clip_part(text: str, width: int) -> str:
    """``text`` whole when it fits; else its first ``width`` characters (ended at a sentence mark when one is
    near) and “……（全文共 N 字）”."""
    text = (text or "").strip()
    if len(text) <= width:
        return text
    head = text[:width]
    cut = max(head.rfind(c) for c in _CLIP_AT)
    if cut >= width * 2 // 3:
        head = head[:cut + 1]
    return head.rstrip() + t.CLIPPED.format(n=len(text))


# -- drafting -------------------------------------------------------------------------------------
def prompt_pages(p: Prompt, lead: Sequence[str] = ()) -> list[str]:
    """``lead``: HTML blocks before the prompt (feedback, "已记录")."""
    blocks = list(lead)
    blocks.append(f"<b>（{p.position}/{p.total}）{e(p.label)}</b>")
    blocks.append(e(p.hint))
    blocks.extend(_long(t.EXAMPLE, p.example))
    if p.current:
        blocks.extend(_long(t.CURRENT, clip_part(p.current, CURRENT_CHARS)))
    return paginate(blocks)


def prompt_keyboard(p: Prompt) -> InlineKeyboardMarkup:
    rows: list[list[tuple[str, str]]] = []
    if p.step == "kind":
        rows.append([(t.BUTTON_SUGGESTION, cb("k", p.draft_id, 0)), (t.BUTTON_BILL, cb("k", p.draft_id, 1))])
    elif p.step == "cosponsors" and not p.cosponsors_needed:  # a bill cannot go without co-signers
        rows.append([(t.BUTTON_NONE, cb("n", p.draft_id, p.step))])
    elif p.step == "attachments":
        rows.append([(t.BUTTON_DONE, cb("n", p.draft_id, p.step))])
    if p.suggested:  # the corrected title, accepted with one tap
        rows.append([(t.BUTTON_USE.format(text=p.suggested), cb("T", p.draft_id))])
    if p.current and p.current_ok and p.step != "attachments":  # never offer what the step would refuse
        rows.append([(t.BUTTON_KEEP, cb("u", p.draft_id, p.step))])
    rows.append([(t.BUTTON_PAUSE, cb("p", p.draft_id))])
    return _kb(rows)


def question_keyboard(p: Prompt) -> InlineKeyboardMarkup:
    """A held message: the step's content or a question; and a way out of the draft."""
    return _kb([[(t.BUTTON_AS_ANSWER.format(label=p.label), cb("t", p.draft_id))],
                [(t.BUTTON_AS_QUESTION, cb("q", p.draft_id))],
                [(t.BUTTON_PAUSE, cb("p", p.draft_id)), (t.BUTTON_CANCEL, cb("x", p.draft_id))]])


def continuation_keyboard(p: Prompt, target: str) -> InlineKeyboardMarkup:
    """A held message that continues an earlier part (``target``): add it there, or drop it; and a way out."""
    label = STEP_BY_KEY[target].label
    return _kb([[(t.BUTTON_APPEND.format(label=label), cb("m", p.draft_id, target, 1))],
                [(t.BUTTON_APPEND_NO.format(label=p.label), cb("m", p.draft_id, target, 0))],
                [(t.BUTTON_PAUSE, cb("p", p.draft_id)), (t.BUTTON_CANCEL, cb("x", p.draft_id))]])


def draft_open_keyboard(draft_id: int) -> InlineKeyboardMarkup:
    """Under the one reminder after a question answered mid-draft: back to the step, 暂存, 放弃."""
    return _kb([[(t.BUTTON_CONTINUE, cb("b", draft_id)), (t.BUTTON_PAUSE_SHORT, cb("p", draft_id)),
                 (t.BUTTON_DISCARD, cb("x", draft_id))]])


def file_keyboard(p: Prompt, token: str, *, whole: bool, step_part: bool) -> InlineKeyboardMarkup:
    """A file held at a text step. A whole draft: replace the draft, take only this step's part of it (when it
    has one), or save it as a new draft; a plain document: this step's content, or not used."""
    if not whole:
        return _kb([[(t.BUTTON_DOC_USE.format(label=p.label), cb("f", p.draft_id, "u", token))],
                    [(t.BUTTON_DOC_SKIP, cb("f", p.draft_id, "d", token))]])
    rows = [[(t.BUTTON_DOC_REPLACE, cb("f", p.draft_id, "r", token))]]
    if step_part:
        rows.append([(t.BUTTON_DOC_STEP_ONLY.format(label=p.label), cb("f", p.draft_id, "s", token))])
    rows.append([(t.BUTTON_DOC_NEW, cb("f", p.draft_id, "n", token))])
    rows.append([(t.BUTTON_DOC_SKIP, cb("f", p.draft_id, "d", token))])
    return _kb(rows)


def cancel_keyboard(draft_id: int) -> InlineKeyboardMarkup:
    return _kb([[(t.BUTTON_CANCEL_YES, cb("x", draft_id, 1)), (t.BUTTON_CANCEL_NO, cb("b", draft_id))]])


def rejected_blocks(feedback: Sequence[str], label: str, step: str = "") -> list[str]:
    # the attachment step takes files, not “文字或语音”: its feedback already says what to send
    retry = [] if step == "attachments" else [e(t.RETRY.format(label=label))]
    return [t.REJECTED, *(f"· {e(f)}" for f in feedback), *retry]


def accepted_blocks(label: str, tips: Sequence[str], step: str = "") -> list[str]:
    return tip_blocks(t.ATTACHMENTS_DONE if step == "attachments" else t.ACCEPTED.format(label=label), tips)


def tip_blocks(head: str, tips: Sequence[str]) -> list[str]:
    blocks = [e(head)]
    if tips:
        blocks.append(t.TIPS)
        blocks.extend(f"· {e(x)}" for x in tips)
    return blocks + [""]


def clipped_preview(content: DraftContent) -> str:
    """``render_preview`` of the draft with each part clipped: the preview fits one message however long the
    draft is (the parts share ``PREVIEW_BODY_CHARS``, at most ``PREVIEW_PART_CHARS`` each)."""
    keys = [s.key for s in steps_for(content.kind) if s.key not in ("kind", "title", "cosponsors", "attachments")]
    width = min(PREVIEW_PART_CHARS, PREVIEW_BODY_CHARS // max(len(keys), 1))
    clipped = replace(content, title=clip_part(content.title, PREVIEW_TITLE_CHARS),
                      **{k: clip_part(getattr(content, k), width) for k in keys})
    return render_preview(clipped)


def preview_pages(draft_id: int, kind: str, preview: str, lead: Sequence[str] = ()) -> list[str]:
    blocks = list(lead)
    blocks.append(t.PREVIEW_HEAD.format(kind=e(kind), id=draft_id))
    lines = preview.splitlines()
    if lines and lines[0].startswith("【"):  # render_preview's own heading
        lines = lines[1:]
    if lines and lines[-1].startswith("可修改任一部分"):  # replaced by the buttons
        lines = lines[:-1]
    for line in lines:
        blocks.extend(e(x) for x in split_plain(line, TELEGRAM_LIMIT - 1))
    blocks.append("\n" + e(t.PREVIEW_HINT))
    return paginate(blocks)


def preview_keyboard(draft_id: int, kind: str) -> InlineKeyboardMarkup:
    edits = [(t.BUTTON_EDIT.format(label=s.label), cb("e", draft_id, s.key)) for s in steps_for(kind)]
    rows = [edits[i:i + 3] for i in range(0, len(edits), 3)]
    rows.append([(t.BUTTON_CHECK, cb("c", draft_id)), (t.BUTTON_SUBMIT, cb("s", draft_id))])
    rows.append([(t.BUTTON_PAUSE, cb("p", draft_id)), (t.BUTTON_CANCEL, cb("x", draft_id))])
    return _kb(rows)


def blocked_keyboard(draft_id: int) -> InlineKeyboardMarkup:
    return _kb([[(t.BUTTON_SUBMIT_ANYWAY, cb("S", draft_id)), (t.BUTTON_PREVIEW, cb("b", draft_id))]])


def drafts_list(drafts: Sequence[DraftInfo]) -> tuple[list[str], InlineKeyboardMarkup | None]:
    if not drafts:
        return [e(t.DRAFTS_EMPTY)], None
    lines = [t.DRAFTS_HEAD]
    buttons = []
    for i, d in enumerate(drafts, 1):
        step = t.STEP_PREVIEW if d.step == PREVIEW else STEP_BY_KEY[d.step].label if d.step in STEP_BY_KEY else d.step
        title = d.title or t.UNTITLED
        lines.append(e(t.DRAFT_LINE.format(n=i, title=inner_title(title), kind=d.kind, step=step, day=day(d.updated_at))))
        label = t.BUTTON_RESUME.format(title=title if len(title) <= 20 else title[:20] + "…")
        buttons.append([(label, cb("r", d.draft_id))])
    return paginate(lines), _kb(buttons[:20])


# -- self-check -----------------------------------------------------------------------------------
def _finding_block(i: int, f) -> str:  # noqa: ANN001 - suggestions.types.Finding
    label = SEVERITY_LABELS.get(f.severity, f.severity)
    cites = f.details.get("citations") if f.code == "legal_basis" else None
    message = "知识库中可能相关的法律条文：" if cites else f.message
    text = f"{i}. 【{label}】{message}"
    lines = [e(text[:FINDING_CHARS])]
    for c in cites or []:
        snippet = " ".join(str(c.get("text", "")).split())
        snippet = snippet if len(snippet) <= CITATION_CHARS else snippet[:CITATION_CHARS] + "…"
        lines.append(f"    · <b>{e(c.get('citation', ''))}</b> {e(snippet)}")
    lines.append("    " + e((t.REPORT_FIX + f.fix)[:FINDING_CHARS]))
    return "\n".join(lines)


def report_text(report: SelfCheckReport) -> str:
    """One message (≤ 4,096 characters): the most serious findings first; what does not fit is counted."""
    n = len(report.findings)
    unfinished = any(f.code == "not_ready" for f in report.findings)
    head = (t.REPORT_HEAD_UNFINISHED if unfinished else t.REPORT_HEAD_OK if report.passed
            else t.REPORT_HEAD_BAD).format(n=n)
    tail = t.REPORT_SUMMARY + e(report.summary)
    budget = TELEGRAM_LIMIT - len(head) - len(tail) - len(t.REPORT_MORE) - 16
    blocks: list[str] = []
    for i, f in enumerate(report.findings, 1):
        block = _finding_block(i, f)
        if sum(len(b) + 1 for b in blocks) + len(block) + 1 > budget:
            blocks.append(e(t.REPORT_MORE.format(n=n - i + 1)))
            break
        blocks.append(block)
    return "\n".join([head, *blocks, tail])


def has_errors(report: SelfCheckReport) -> bool:
    return any(f.severity == SEVERITY_ERROR for f in report.findings)


# -- handling status (deputy) -----------------------------------------------------------------------
def my_suggestions(views: Sequence[StatusView]) -> tuple[list[str], InlineKeyboardMarkup | None]:
    if not views:
        return [e(t.MINE_EMPTY)], None
    blocks = [t.MINE_HEAD]
    rows = []
    for v in views:
        lines = [t.MINE_LINE.format(id=v.suggestion_id, title=inner_title(v.title), kind=v.kind, status=v.status,
                                    day=day(v.submitted_at))]
        if v.units:
            lines.append(t.MINE_UNITS.format(units="、".join(v.units)))
        if v.due_at and v.status in OPEN_STATUSES:
            lines.append(t.MINE_DUE.format(day=day(v.due_at), overdue=t.MINE_OVERDUE if v.overdue else ""))
        if v.evaluation:
            lines.append(t.MINE_EVAL.format(evaluation=v.evaluation))
        blocks.append(e("\n".join(lines)))
        if v.status == STATUS_ANSWERED and len(rows) < 5:
            rows.append([(t.MINE_EVAL_BUTTON.format(id=v.suggestion_id, evaluation=x), cb("v", v.suggestion_id, i))
                         for i, x in enumerate(EVALUATIONS)])
    if len(rows) == 1:  # one answered item: its buttons need no number (“2 满意” read as a count)
        rows = [[(x, data) for x, (_, data) in zip(EVALUATIONS, rows[0])]]
    return paginate(blocks), (_kb(rows) if rows else None)


def evaluation_keyboard(suggestion_id: int) -> InlineKeyboardMarkup:
    return _kb([[(x, cb("v", suggestion_id, i)) for i, x in enumerate(EVALUATIONS)]])


# -- staff ------------------------------------------------------------------------------------------
def pending_list(items: Sequence[SuggestionDetail]) -> list[str]:
    if not items:
        return [e(t.PENDING_EMPTY)]
    return paginate([t.PENDING_HEAD] + [
        e(t.PENDING_LINE.format(id=d.suggestion_id, title=inner_title(d.title), kind=d.kind, delegation=d.delegation or "—",
                                day=day(d.submitted_at))) for d in items])


def assign_view(d: SuggestionDetail, complex_case: bool) -> tuple[str, InlineKeyboardMarkup | None]:
    months = 6 if complex_case else 3
    target = t.TARGET_COMMITTEE if d.kind == KIND_BILL else t.TARGET_UNITS
    lines = [t.ASSIGN_HEAD.format(id=d.suggestion_id, title=e(inner_title(d.title)), kind=e(d.kind), status=e(d.status)),
             e(t.ASSIGN_SUMMARY.format(summary=d.summary))]
    recs = d.recommended[:3]
    if recs:
        lines.append(e(t.ASSIGN_RECS.format(target=target)))
        for i, r in enumerate(recs, 1):
            reasons = "；".join(r.get("reasons") or [])[:200]
            lines.append(e(t.ASSIGN_REC.format(n=i, name=assignee(r), score=float(r.get("score", 0.0)), reasons=reasons)))
        lines.append(e(t.ASSIGN_HOW.format(id=d.suggestion_id, months=" 6个月" if complex_case else "")))
    else:
        lines.append(e(t.ASSIGN_NO_RECS.format(id=d.suggestion_id)))
    text = "\n".join(lines)[:TELEGRAM_LIMIT]
    buttons = [[(t.ASSIGN_BUTTON.format(name=assignee(r)), cb("a", d.suggestion_id, i, months))]
               for i, r in enumerate(recs)]
    return text, (_kb(buttons) if buttons else None)


def overdue_pages(overdue: Sequence[OverdueItem], soon: Sequence[OverdueItem], soon_days: int) -> list[str]:
    def units(x: OverdueItem) -> str:
        return "、".join(x.units) or t.UNITS_NONE

    if not overdue and not soon:
        return [e(t.OVERDUE_NONE)]
    blocks: list[str] = []
    if overdue:
        blocks.append(t.OVERDUE_HEAD.format(law=e(LEGAL_BASIS)))
        blocks += [e(t.OVERDUE_LINE.format(id=x.suggestion_id, title=inner_title(x.title), units=units(x), day=day(x.due_at),
                                           months=x.months, days=x.days_over)) for x in overdue]
    else:
        blocks.append(e(t.OVERDUE_NONE))
    if soon:
        blocks.append(t.DUE_SOON_HEAD.format(days=soon_days))
        blocks += [e(t.DUE_SOON_LINE.format(id=x.suggestion_id, title=inner_title(x.title), units=units(x), day=day(x.due_at),
                                            days=-x.days_over)) for x in soon]
    return paginate(blocks)


def analysis_text(a, n: int) -> list[str]:  # noqa: ANN001 - suggestions.analysis.Analysis
    blocks = [t.ANALYSIS_HEAD.format(n=n)]
    for name, data in a.counts.items():
        items = "、".join(f"{k} {v}" for k, v in list(data.items())[:8])
        blocks.append(e(t.ANALYSIS_COUNTS.format(name=name, items=items)))
    if a.clusters:
        top = a.clusters[:5]
        blocks.append(e(t.ANALYSIS_CLUSTERS.format(n=len(top))))
        blocks += [e(t.ANALYSIS_CLUSTER.format(label=c.label or "—", n=len(c.members),
                                               ids="、".join(map(str, c.members[:10])))) for c in top]
    if a.duplicates:
        blocks.append(e(t.ANALYSIS_DUPS.format(groups="；".join("、".join(map(str, g)) for g in a.duplicates[:10]))))
    else:
        blocks.append(e(t.ANALYSIS_NO_DUPS))
    if a.font_warning:
        blocks.append(e(a.font_warning))
    blocks.append(e(t.ANALYSIS_FILES))
    return paginate(blocks)
