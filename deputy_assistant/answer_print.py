"""How the command line prints an answer and its sources (`ask`, `ask --voice`)."""

from __future__ import annotations

import typer

from bot.texts import NOT_FOUND_LEAD  # the bot's wording: one phrasing for both
from retrieval.fact_kinds import BEYOND_ANY_INDEX
from retrieval.types import snippet

SNIPPET_CHARS = 160
# The built-in corpus holds the NPC 2026 work plan and the Ningxia schedule only: a law question asked of it is
# answered from plan items at best, so say where laws come from.
BUILTIN_ONLY = ("提示：内置资料只有全国人大常委会2026年度代表工作计划和宁夏2026年代表工作安排表。要查法律条文，"
                "请先建立含法律的索引（可一并加入内置资料）：deputy-assistant index build 法律文件夹 corpus/data "
                "--index 索引目录，再用 deputy-assistant ask \"问题\" --index 索引目录 提问。")


def print_answer(answer, *, builtin: bool = False) -> None:
    """``builtin``: answered from the built-in corpus (no ``--index``)."""
    if answer.found:
        if answer.note:  # a caveat (“资料只写明月份，没有具体日期。”)
            typer.echo(answer.note)
        typer.echo(f"答：{answer.text}")
        used = sorted({s.source for s in answer.sentences})
        typer.echo("出处：" + "；".join(answer.hits[i].citation for i in used))
    else:
        if answer.note:
            typer.echo(answer.note)
        typer.echo(NOT_FOUND_LEAD if answer.hits else "未能在资料中找到相关内容。")
    if answer.hits:
        typer.echo("\n相关来源：")
        for i, h in enumerate(answer.hits, 1):
            typer.echo(f"[{i}] {h.citation}\n    {snippet(h.text, SNIPPET_CHARS)}")
    if builtin and not answer.found and answer.reason not in BEYOND_ANY_INDEX:  # a law would not hold it either
        typer.echo("\n" + BUILTIN_ONLY)
