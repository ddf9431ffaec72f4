"""How the command line prints an answer and its sources (`ask`, `ask --voice`)."""

from __future__ import annotations

import typer

SNIPPET_CHARS = 160
NOT_FOUND = "未能在资料中找到直接回答。以下内容可能有关，仅供参考："
# The built-in corpus holds the NPC 2026 work plan and the Ningxia schedule only: a law question asked of it is
# answered from plan items at best, so say where laws come from.
BUILTIN_ONLY = ("提示：内置资料只有全国人大常委会2026年度代表工作计划和宁夏2026年代表工作安排表。"
                "要查法律条文，请先建立法律索引：deputy-assistant index build 法律文件夹 --index 索引目录，"
                "再用 deputy-assistant ask \"问题\" --index 索引目录 提问。")


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "……"


def print_answer(answer, *, builtin: bool = False) -> None:
    """``builtin``: answered from the built-in corpus (no ``--index``)."""
    if answer.found:
        typer.echo(f"答：{answer.text}")
        used = sorted({s.source for s in answer.sentences})
        typer.echo("出处：" + "；".join(answer.hits[i].citation for i in used))
    else:
        typer.echo(NOT_FOUND if answer.hits else "未能在资料中找到相关内容。")
        if builtin:
            typer.echo(BUILTIN_ONLY)
    if answer.hits:
        typer.echo("\n相关来源：")
        for i, h in enumerate(answer.hits, 1):
            typer.echo(f"[{i}] {h.citation}\n    {snippet(h.text)}")
