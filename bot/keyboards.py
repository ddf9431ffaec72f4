"""Inline keyboards and their callback data (≤ 64 bytes; ids point at rows in the database,
so buttons keep working after a restart)."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

MAX_SOURCE_BUTTONS = 8  # an answer card's; "更多结果" lists up to MORE_SOURCE_BUTTONS, each with its button
MORE_SOURCE_BUTTONS = 15
ALT_LABEL_CHARS = 30
TYPE_INSTEAD = -1  # the voice alternatives' "都不对" button


@dataclass(frozen=True)
class Callback:
    action: str  # s: source, m: more, r: rate, a: voice alternative
    query_id: int
    arg: int = 0


def encode(action: str, query_id: int, arg: int = 0) -> str:
    return f"{action}:{query_id}:{arg}"


def decode(data: str | None) -> Callback | None:
    try:
        action, qid, arg = (data or "").split(":")
        if action not in ("s", "m", "r", "a"):
            return None
        return Callback(action, int(qid), int(arg))
    except ValueError:
        return None


def answer_keyboard(query_id: int, n_hits: int, *, first: int = 0) -> InlineKeyboardMarkup:
    rows = []
    sources = [
        InlineKeyboardButton(f"原文{i + 1}", callback_data=encode("s", query_id, i))
        for i in range(first, min(first + n_hits, first + MAX_SOURCE_BUTTONS))
    ]
    for i in range(0, len(sources), 4):
        rows.append(sources[i : i + 4])
    rows.append(
        [
            InlineKeyboardButton("更多结果", callback_data=encode("m", query_id)),
            InlineKeyboardButton("👍 有用", callback_data=encode("r", query_id, 1)),
            InlineKeyboardButton("👎 没用", callback_data=encode("r", query_id, 0)),
        ]
    )
    return InlineKeyboardMarkup(rows)


def sources_keyboard(query_id: int, first: int, n: int) -> InlineKeyboardMarkup | None:
    buttons = [
        InlineKeyboardButton(f"原文{i + 1}", callback_data=encode("s", query_id, i))
        for i in range(first, min(first + n, first + MORE_SOURCE_BUTTONS))
    ]
    if not buttons:
        return None
    return InlineKeyboardMarkup([buttons[i : i + 5] for i in range(0, len(buttons), 5)])


def alternatives_keyboard(query_id: int, alternatives: list[str]) -> InlineKeyboardMarkup:
    def label(t: str) -> str:
        return t if len(t) <= ALT_LABEL_CHARS else t[:ALT_LABEL_CHARS] + "…"

    rows = [[InlineKeyboardButton(label(t), callback_data=encode("a", query_id, i))] for i, t in enumerate(alternatives)]
    rows.append([InlineKeyboardButton("都不对，我打字", callback_data=encode("a", query_id, TYPE_INSTEAD))])
    return InlineKeyboardMarkup(rows)
