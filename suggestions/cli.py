"""``deputy-assistant suggestion check FILE --json`` and ``... route FILE --json``.

FILE is a text draft (UTF-8 or GBK), a Word .docx or a PDF: a 关于……的建议/议案 title line, then sections headed 问题与现状 /
原因分析 / 具体建议 (and 法律依据 / 草案框架 for a bill) or their common variants; a draft without
headings is split at its first 建议 sentence (``suggestions.text.split_unstructured``).
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import typer

from suggestions.text import TOO_LONG_CHARS, book_title, clip_draft, parse_draft_text
from suggestions.types import KIND_SUGGESTION, KINDS, DraftContent

app = typer.Typer(help="代表建议与议案：自检自测、承办单位与专门委员会推荐。", no_args_is_help=True)


_DOCUMENTS = {".docx", ".pdf"}  # read through corpus' loaders, as the bot reads an uploaded draft

# 代表法: deputies' 建议、批评和意见 are one kind of item, handled alike
_KIND_ALIASES = {"批评": KIND_SUGGESTION, "意见": KIND_SUGGESTION, "批评和意见": KIND_SUGGESTION,
                 "建议、批评和意见": KIND_SUGGESTION, "建议批评和意见": KIND_SUGGESTION}


def _document_text(file: Path) -> str:
    """A Word or PDF draft read the way the bot reads an uploaded one (corpus' loaders); a .doc or .wps is named
    as unsupported, with the formats to save it as."""
    from corpus.loaders import LoadError

    from suggestions.text import document_file_text

    if file.is_dir():
        typer.echo(f"{file} 是一个文件夹，请给出草稿文件（文本、Word .docx 或 PDF）。", err=True)
        raise typer.Exit(2)
    if not file.exists():
        typer.echo(f"找不到文件：{file}", err=True)
        raise typer.Exit(2)
    try:
        return document_file_text(file)
    except LoadError as exc:
        typer.echo(f"无法读取文件 {file}：{exc}。", err=True)
        raise typer.Exit(2)


def _load(file: Path, kind: str | None) -> DraftContent:
    kind = _KIND_ALIASES.get(kind, kind) if kind else kind
    if kind is not None and kind not in KINDS:
        typer.echo(f"--kind 不能是“{kind}”：类别只能是“建议”（含批评和意见）或“议案”。", err=True)
        raise typer.Exit(2)
    from corpus.loaders import UNREADABLE_DOCS, decode_bytes

    if file.suffix.lower() in _DOCUMENTS | UNREADABLE_DOCS:
        text = _document_text(file)
        if not text.strip():
            typer.echo(f"文件 {file} 中没有文字。", err=True)
            raise typer.Exit(2)
        return parse_draft_text(text, kind)
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        typer.echo(f"找不到文件：{file}", err=True)
        raise typer.Exit(2)
    except IsADirectoryError:
        typer.echo(f"{file} 是一个文件夹，请给出草稿文件（UTF-8 或 GBK 编码的文本）。", err=True)
        raise typer.Exit(2)
    except OSError:
        typer.echo(f"无法读取文件 {file}（请检查权限）。", err=True)
        raise typer.Exit(2)
    text = decode_bytes(raw)  # drafts saved on Chinese Windows are often GBK
    if text is None or "\x00" in text:
        hint = ("看起来是 Word 或 PDF 文件，请把扩展名改为 .docx 或 .pdf 后重试" if raw[:4] in (b"PK\x03\x04", b"%PDF")
                else "请另存为文本、Word（.docx）或 PDF 后重试")
        typer.echo(f"文件 {file} 不是文本文件（应为 UTF-8 或 GBK 编码），{hint}。", err=True)
        raise typer.Exit(2)
    if not text.strip():
        typer.echo(f"文件 {file} 是空的。", err=True)
        raise typer.Exit(2)
    return parse_draft_text(text, kind)


# Said on a terminal's stderr when a command is about to load the e5 model (~10 s on 2 cores, longer on a cold disk):
# ``route`` always needs it (every recommendation compares the draft's vectors with the remits), ``check`` only when
# a question needs it.
LOADING_NOTE = "正在载入语义模型（约 10 秒）…"


def _embedder_or_note(notes: list[str]):
    from deputy_assistant.models import ModelMissingError
    from suggestions.embedding import LazyEmbedder

    try:
        return LazyEmbedder(loading_note=LOADING_NOTE)
    except ModelMissingError as exc:
        notes.append(str(exc))
        return None


def _kb_or_note(index: Path | None, notes: list[str]):
    if index is None:
        # the built-in corpus is plans and schedules, no law: searching it for a legal basis finds nothing
        notes.append("内置资料不含法律文本，未检索法律依据；可用 --index 指定包含法律的索引"
                     "（deputy-assistant index build 法律目录 --index 目录）。")
        return None
    try:
        from retrieval import KnowledgeBase

        return KnowledgeBase.open(index, read_only=True)
    except Exception as exc:  # a missing model or a bad index must not block the rest of the check
        notes.append(f"索引 {index} 不可用（{exc}），未检索法律依据。")
        return None


async def _with_db(fn, notes: list[str]):
    """Run ``fn(sessionmaker)`` against the configured database; no database means no history."""
    from sqlalchemy.engine import make_url

    from deputy_assistant.config import get_settings
    from suggestions.repository import make_engine, make_sessionmaker

    url = make_url(get_settings().resolved_database_url)
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
        # reading must not leave an empty database file behind (SQLite creates one on connect)
        notes.append("尚无已提交的建议（数据库尚未建立），未比对历史数据。")
        return None
    try:
        engine = make_engine()
    except Exception as exc:
        notes.append(f"数据库不可用（{exc.__class__.__name__}），未比对已提交的建议。")
        return None
    try:
        return await fn(make_sessionmaker(engine))
    except Exception as exc:
        if re.search(r"no such table|does not exist|UndefinedTable", str(exc)):  # a fresh install
            notes.append("尚无已提交的建议（数据库还未初始化，可运行 deputy-assistant db upgrade），未比对历史数据。")
        else:
            notes.append(f"无法读取已提交的建议（{exc.__class__.__name__}），未比对历史数据。")
        return None
    finally:
        await engine.dispose()


async def _author_id(sm, author: str, existing, notes: list[str]) -> str | None:
    """``--author`` as the author id submitted suggestions carry (the storage user id, as text): an id as given, a
    name through the users table. A name no user (or several) has is said in a note; the check then treats every
    similar item as someone else's, as without --author."""
    if author in {e.author_id for e in existing}:
        return author
    from sqlalchemy import select

    from storage.models import User

    try:
        async with sm() as s:
            ids = list((await s.execute(select(User.id).where(User.name == author))).scalars())
    except Exception:  # no users table (suggestions used without the bot): an id is all --author can be
        ids = []
    if len(ids) == 1:
        return str(ids[0])
    if len(ids) > 1:
        notes.append(f"有 {len(ids)} 位用户名为“{author}”（编号 {'、'.join(map(str, sorted(ids)))}），"
                     "请用 --author 编号 指明，未识别本人已提交的建议。")
        return None
    if author.isdigit():
        return author  # a user with nothing submitted yet: nothing of theirs to recognise
    notes.append(f"没有名为“{author}”的用户，未识别本人已提交的建议；可用 --author 用户编号。")
    return None


@app.command("check")
def check_cmd(
    file: Path = typer.Argument(..., help="草稿文件：文本（UTF-8 或 GBK）、Word（.docx）或 PDF"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
    kind: str | None = typer.Option(None, "--kind", help="建议（含批评和意见）或 议案（默认按标题判断）"),
    index: Path | None = typer.Option(None, "--index", help="检索法律依据的索引目录（含法律文本；默认不检索）"),
    no_kb: bool = typer.Option(False, "--no-kb", help="不检索法律依据（与不给 --index 相同）"),
    author: str | None = typer.Option(None, "--author", metavar="姓名或编号",
                                      help="提出人（用户姓名或编号）：与本人已提交的建议几乎相同时提示勿重复提交，而不是联名附议"),
) -> None:
    """自检自测：完整性、标题格式、措施是否具体、是否属于建议范围、法律依据、相似建议。"""
    from suggestions.selfcheck import check, existing_from_db

    if author is not None and not author.strip():
        typer.echo("--author 不能为空：请给出提出人的姓名或用户编号。", err=True)
        raise typer.Exit(2)
    draft = _load(file, kind)
    notes: list[str] = []
    kb = None if no_kb else _kb_or_note(index, notes)
    embedder = _embedder_or_note(notes)
    existing, author_id = [], None
    if embedder is not None:
        async def _existing_and_author(sm):
            items = await existing_from_db(sm)
            return items, (await _author_id(sm, author.strip(), items, notes) if author else None)

        existing, author_id = asyncio.run(_with_db(_existing_and_author, notes)) or ([], None)
    report = check(draft, kb=kb, embedder=embedder, existing=existing, author_id=author_id)
    if as_json:
        out = report.to_json() | {"kind": draft.kind, "title": draft.title, "notes": notes}
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        typer.echo(report.to_text())
        for n in notes:
            typer.echo(f"注：{n}")
    raise typer.Exit(0 if report.passed else 1)


@app.command("route")
def route_cmd(
    file: Path = typer.Argument(..., help="草稿文件：文本（UTF-8 或 GBK）、Word（.docx）或 PDF"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
    kind: str | None = typer.Option(None, "--kind", help="建议（含批评和意见）或 议案（默认按标题判断）"),
    top: int = typer.Option(3, "--top", min=1, max=10, help="推荐数量"),
) -> None:
    """推荐承办单位（建议）和审议的专门委员会（议案），附得分和理由。"""
    from suggestions.routing import (HistoryItem, Router, draft_vectors, history_from_db, load_targets,
                                     local_counterparts, named_offices, not_for_assignment)
    from suggestions.types import KIND_BILL, KIND_SUGGESTION

    draft = _load(file, kind)
    n = len(draft.full_text())
    draft = clip_draft(draft)  # routing reads no further (see Router.recommend): nor does anything before it
    refused = not_for_assignment(draft)  # a private lawsuit, a job for a relative: no unit to assign it to
    if refused:
        if as_json:
            typer.echo(json.dumps({"kind": draft.kind, "title": draft.title, "not_for_assignment": refused,
                                   "units": [], "committees": [], "notes": []}, ensure_ascii=False, indent=2))
        else:
            typer.echo(f"{book_title(draft.title)}\n{refused}。\n未推荐承办单位和专门委员会：请先按自检意见修改，"
                       "或转有关机关依法处理。")
        return
    notes: list[str] = []
    embedder = _embedder_or_note(notes)
    if embedder is None:
        typer.echo(notes[0], err=True)
        raise typer.Exit(2)
    if n > TOO_LONG_CHARS:  # routing reads no further (see Router.recommend)
        notes.append(f"草稿共 {n} 字，篇幅过长，只按前 {TOO_LONG_CHARS} 字推荐；请精简到 3000 字左右，"
                     "调研报告等详细材料作为附件提交。")

    async def _history(sm) -> dict[str, list[HistoryItem]]:
        async with sm() as s:
            return {k: await history_from_db(s, k) for k in (KIND_SUGGESTION, KIND_BILL)}

    history = asyncio.run(_with_db(_history, notes)) or {}
    q = draft_vectors(embedder, draft)
    units = Router(load_targets("units"), embedder, history.get(KIND_SUGGESTION, [])).recommend(draft, top, q)
    committees = Router(load_targets("committees"), embedder, history.get(KIND_BILL, [])).recommend(draft, top, q)
    topic = Router(load_targets("topics"), embedder).recommend(draft, 1, q)[0]
    level, offices = local_counterparts(draft)
    if level is not None:
        # the lists are national: say so, and name the draft's own level's offices
        # the offices matched to units, then any other office of the level the draft names (市城管局)
        named = "、".join(dict.fromkeys([o for o in offices.values() if level.holds(o)]
                                        + named_offices(draft.full_text()[:TOO_LONG_CHARS], level)))
        if draft.is_bill:  # a bill goes to its congress, not to an office
            where = ("由乡镇人民代表大会主席团处理（乡镇人大不设专门委员会）。" if level.key == "township" else
                     f"由{level.word}人民代表大会主席团交有关专门委员会审议。")
        elif level.key == "township":  # the township's 主席团 hands suggestions to the township government
            where = "由乡镇人民代表大会主席团交乡镇人民政府办理" + (f"，草稿写明的有{named}。" if named else "。")
        else:
            where = "应交本级" + (f"对应单位办理，草稿写明的有{named}。" if named else "相应部门办理。")
        notes.insert(0, f"草稿面向{level.phrase}（{level.why}）：以上承办单位是国务院部门、专门委员会是全国人大的，"
                        "只表示对口领域；实际" + where)
    if as_json:
        out = {
            "kind": draft.kind, "title": draft.title, "topic": topic.name,
            "units": [r.to_json() for r in units], "committees": [r.to_json() for r in committees], "notes": notes,
        }
        if level is not None:
            out["level"] = {"level": level.key, "name": level.word, "why": level.why, "local_offices": offices}
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    first, second = (("专门委员会", committees), ("承办单位", units)) if draft.kind == KIND_BILL else (
        ("承办单位", units), ("专门委员会", committees))
    typer.echo(f"{book_title(draft.title)} 主题：{topic.name}")
    for label, recs in (first, second):
        typer.echo(f"推荐{label}" + ("（国家层面）" if level is not None else "") + "：")
        for i, r in enumerate(recs, 1):
            local = f"〔本级对应：{r.local}〕" if r.local and level is not None and level.holds(r.local) else ""
            typer.echo(f"  {i}. {r.name}（{r.score:.2f}）{local}— " + "；".join(r.reasons))
    for n in notes:
        typer.echo(f"注：{n}")
