"""Law-draft consultation (征求意见): publish a draft split into articles, browse it by chapter and
article, collect opinions on an article or the whole draft, export them grouped by article."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from corpus.numbers import int_to_cn, parse_cn_int
from storage.clock import utcnow
from storage.models import User

from broadcasts import audience as aud
from broadcasts import service
from broadcasts.models import Consultation, DraftArticle, Opinion, Reminder

WHOLE_DRAFT = "总体意见"
MAX_OPINION = 3000
DEFAULT_REMIND_BEFORE = timedelta(days=1)


class ConsultationError(ValueError):
    """Bad request; the message is user-facing (Simplified Chinese)."""


class ConsultationClosed(ConsultationError):
    """The deadline has passed: the opinion flow ends instead of asking the deputy to resend."""


@dataclass(frozen=True)
class ArticleText:
    chapter: str
    locator: str
    text: str


@dataclass(frozen=True)
class LoadedDraft:
    doc_id: str
    title: str
    articles: list[ArticleText]


def load_draft(path: Path) -> LoadedDraft:
    """Split a DOCX/PDF/TXT draft into articles (第X条) with their chapter. Blocking: run in a thread."""
    from corpus import LoadError, chunk_document, load_path

    try:
        docs = load_path(Path(path), collection="consultation", scope="all")
    except LoadError as e:
        raise ConsultationError(f"草案文件无法读取：{e}") from e
    articles: list[ArticleText] = []
    for doc in docs:
        for ch in chunk_document(doc):
            chapter = " / ".join(ch.context)
            # A long article is chunked in pieces with the same locator: join them back.
            if articles and ch.locator and articles[-1].locator == ch.locator and articles[-1].chapter == chapter:
                prev = articles.pop()
                articles.append(ArticleText(chapter, ch.locator, prev.text + ch.text))
            else:
                articles.append(ArticleText(chapter, ch.locator, ch.text))
    if not any(a.locator.startswith("第") and a.locator.endswith("条") for a in articles):
        raise ConsultationError("没有在文件中识别出“第X条”形式的条文，请确认上传的是法律草案文本")
    return LoadedDraft(docs[0].doc_id, docs[0].title, articles)


def draft_counts(draft: LoadedDraft) -> tuple[int, int]:
    """(chapters, articles) as the preview shows them: top-level chapters (a section's "第一章 … / 第一节 …"
    counts once) and the 第X条 pieces (a preamble without a number is not an article)."""
    chapters = {a.chapter.split(" / ")[0] for a in draft.articles if a.chapter}
    arts = [a for a in draft.articles if a.locator.startswith("第") and a.locator.endswith("条")]
    return len(chapters), len(arts)


def draft_to_json(draft: LoadedDraft) -> dict:
    return {"doc_id": draft.doc_id, "title": draft.title,
            "articles": [[a.chapter, a.locator, a.text] for a in draft.articles]}


def draft_from_json(value: dict) -> LoadedDraft:
    return LoadedDraft(value["doc_id"], value["title"], [ArticleText(*a) for a in value["articles"]])


async def check_publishable(s: AsyncSession, title: str, deadline: datetime, now: datetime | None = None) -> None:
    """The refusals shared by the preview and the publication: a past deadline, the same draft already open."""
    now = now or utcnow()
    if deadline <= now:
        raise ConsultationError("截止时间必须晚于现在")
    dup = await open_duplicate(s, title[:300], deadline, now)
    if dup is not None:
        raise ConsultationError(f"征求意见 #{dup.id}《{dup.title}》（截止 {_fmt(dup.deadline)}）已经发布，"
                                "不会重复发布。如确需再次征求意见，请先修改标题或截止日期。")


async def publish(s: AsyncSession, draft: LoadedDraft, *, deadline: datetime, spec: aud.AudienceSpec,
                  created_by: int | None = None, title: str | None = None, now: datetime | None = None,
                  remind_before: timedelta = DEFAULT_REMIND_BEFORE, invite: bool = True) -> Consultation:
    """Store the articles, invite the audience (an outbox broadcast) and schedule the deadline reminder."""
    now = now or utcnow()
    title = (title or draft.title)[:300]
    await check_publishable(s, title, deadline, now)
    c = Consultation(title=title, doc_id=draft.doc_id, deadline=deadline,
                     audience=spec.to_json(), created_by=created_by)
    s.add(c)
    await s.flush()
    s.add_all([DraftArticle(consultation_id=c.id, ordinal=i, chapter=a.chapter[:300], locator=a.locator[:100],
                            text=a.text) for i, a in enumerate(draft.articles)])
    if invite:
        text = (f"【征求意见】{c.title}\n共 {len(draft.articles)} 条，请于 {_fmt(deadline)} 前提出意见。"
                "点击下方按钮按章节浏览条文，可对具体条文或草案整体发表意见（文字或语音）。")
        b = await service.create(s, text, spec, created_by=created_by, kind="consultation",
                                 document_ref=f"consultation:{c.id}")
        await service.confirm(s, b.id, now=now)
        c.broadcast_id = b.id
    remind_at = deadline - remind_before
    if remind_at > now:
        s.add(Reminder(kind="consultation", ref_id=c.id, remind_at=remind_at, audience=spec.to_json(),
                       text=f"【提醒】《{c.title}》征求意见将于 {_fmt(deadline)} 截止，尚未提交意见的代表请抓紧。"))
    await s.flush()
    return c


async def open_duplicate(s: AsyncSession, title: str, deadline: datetime, now: datetime) -> Consultation | None:
    """An open consultation on the same draft with the same deadline (the same /consult sent twice)."""
    q = (select(Consultation).where(Consultation.title == title, Consultation.deadline == deadline,
                                    Consultation.deadline > now).limit(1))
    return (await s.execute(q)).scalar_one_or_none()


def _fmt(t: datetime) -> str:
    from datetime import UTC

    from storage.clock import BEIJING

    return t.replace(tzinfo=UTC).astimezone(BEIJING).strftime("%Y年%m月%d日 %H:%M")


async def get(s: AsyncSession, consultation_id: int) -> Consultation:
    c = await s.get(Consultation, consultation_id)
    if c is None:
        raise ConsultationError(f"找不到征求意见 #{consultation_id}")
    return c


NOT_INVITED = "您不在本次征求意见的范围内，无法查看或提交意见。"


def check_open(c: Consultation, now: datetime | None = None) -> None:
    if (now or utcnow()) > c.deadline:
        raise ConsultationClosed(f"《{c.title}》征求意见已于 {_fmt(c.deadline)} 截止，无法再提交")


async def open_for(s: AsyncSession, user_id: int, now: datetime | None = None) -> list[Consultation]:
    """Consultations still open whose audience includes the user, newest first."""
    rows = (await s.execute(select(Consultation).where(Consultation.deadline >= (now or utcnow()))
                            .order_by(Consultation.id.desc()))).scalars()
    return [c for c in rows if await aud.includes(s, aud.AudienceSpec.from_json(c.audience), user_id)]


# “我对养老条例草案第四条有意见：…”“对草案第十条提个意见”: an opinion on the draft typed without pressing 对本条提意见
# first. It must name the draft (草案, 征求意见稿) and say it is an opinion: a suggestion's measure in the drafting
# wizard (“建议明确《物业管理条例》中…”), a question (“条例要明确哪些内容”) or “我对草案没有意见” is none.
_OPINION = re.compile(r"(?<![没无])有(?:个|点|一些|几点|不同)?意见|提(?:个|点|一点|几点|一条)?意见|我的意见|意见如下|修改意见")
_DRAFT_WORD = re.compile(r"草案|征求意见稿")


def reads_as_opinion(text: str) -> bool:
    from suggestions.draft import looks_like_question

    head = re.split(r"[：:]", text, maxsplit=1)[0]  # “我对草案第三条有意见：应写明由哪个部门管理” asks nothing
    return bool(_OPINION.search(head) and _DRAFT_WORD.search(head)) and not looks_like_question(head, "problem")


_ARTICLE = re.compile(r"第([一二三四五六七八九十百零〇两\d]+)条")


async def named_article(s: AsyncSession, consultation_id: int, text: str) -> DraftArticle | None:
    """The draft article an opinion's lead names (“我对草案第五条有意见：…”, “第5条”), if the draft has it."""
    m = _ARTICLE.search(re.split(r"[：:]", text, maxsplit=1)[0])
    n = m and (int(m.group(1)) if m.group(1).isdigit() else parse_cn_int(m.group(1)))
    if not n:
        return None
    return await s.scalar(select(DraftArticle).where(
        DraftArticle.consultation_id == consultation_id, DraftArticle.locator == f"第{int_to_cn(n)}条")
        .order_by(DraftArticle.ordinal).limit(1))


def check_opinion_text(text: str | None) -> str:
    """The opinion as it will be stored; raises for an empty or overlong one (checked before the deputy is
    asked to confirm, so 确认提交 never fails on the text itself)."""
    text = (text or "").strip()
    if not text:
        raise ConsultationError("意见内容为空，请输入文字或发送语音")
    if len(text) > MAX_OPINION:
        raise ConsultationError(f"意见过长（{len(text)} 字），请控制在 {MAX_OPINION} 字以内，可分条提交")
    return text


async def chapters(s: AsyncSession, consultation_id: int) -> list[tuple[str, int]]:
    """Chapters in document order with their article counts ("" = articles outside any chapter)."""
    rows = (await s.execute(select(DraftArticle.chapter, func.count(), func.min(DraftArticle.ordinal))
                            .where(DraftArticle.consultation_id == consultation_id)
                            .group_by(DraftArticle.chapter))).all()
    return [(ch, n) for ch, n, _ in sorted(rows, key=lambda r: r[2])]


async def articles(s: AsyncSession, consultation_id: int, chapter: str | None = None) -> list[DraftArticle]:
    q = select(DraftArticle).where(DraftArticle.consultation_id == consultation_id)
    if chapter is not None:
        q = q.where(DraftArticle.chapter == chapter)
    return list((await s.execute(q.order_by(DraftArticle.ordinal))).scalars())


async def add_opinion(s: AsyncSession, consultation_id: int, user_id: int, text: str, *,
                      article_id: int | None = None, kind: str = "text", now: datetime | None = None) -> Opinion:
    now = now or utcnow()
    c = await get(s, consultation_id)
    check_open(c, now)
    if not await aud.includes(s, aud.AudienceSpec.from_json(c.audience), user_id):
        raise ConsultationError(NOT_INVITED)
    text = check_opinion_text(text)
    if article_id is not None:
        a = await s.get(DraftArticle, article_id)
        if a is None or a.consultation_id != c.id:
            raise ConsultationError("所选条文不属于该草案，请重新选择")
    op = Opinion(consultation_id=c.id, article_id=article_id, user_id=user_id, text=text, kind=kind, created_at=now)
    s.add(op)
    await s.flush()
    return op


@dataclass
class OpinionRow:
    article: str  # locator, or 总体意见
    chapter: str
    name: str
    delegation: str
    kind: str
    text: str
    created_at: datetime
    article_text: str = ""  # the article's own wording, so the export can be read without the draft


async def grouped_opinions(s: AsyncSession, consultation_id: int) -> list[OpinionRow]:
    """Whole-draft opinions first, then by article order; within a group by time."""
    q = (select(Opinion, DraftArticle, User).join(User, User.id == Opinion.user_id)
         .outerjoin(DraftArticle, DraftArticle.id == Opinion.article_id)
         .where(Opinion.consultation_id == consultation_id))
    rows = (await s.execute(q)).all()
    rows.sort(key=lambda r: (-1 if r[1] is None else r[1].ordinal, r[0].created_at, r[0].id))
    return [OpinionRow(WHOLE_DRAFT if a is None else a.locator, "" if a is None else a.chapter, u.name,
                       u.delegation or "", "语音" if o.kind == "voice" else "文字", o.text, o.created_at,
                       "" if a is None else a.text)
            for o, a, u in rows]


HEADERS = ["条文", "章节", "代表", "代表团", "方式", "意见", "提交时间（北京时间）", "条文内容"]


def export_xlsx(title: str, rows: list[OpinionRow], path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "意见汇总"
    ws.append([f"《{title}》征求意见汇总（共 {len(rows)} 条意见）"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(HEADERS)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append([r.article, r.chapter, r.name, r.delegation, r.kind, r.text, _fmt(r.created_at), r.article_text])
    for col, width in zip("ABCDEFGH", (12, 24, 10, 16, 6, 60, 20, 60)):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=3):
        for i in (5, 7):
            row[i].alignment = Alignment(wrap_text=True, vertical="top")
    wb.save(path)
    return path


def export_docx(title: str, rows: list[OpinionRow], path: Path) -> Path:
    from docx import Document as Docx

    d = Docx()
    d.add_heading(f"《{title}》征求意见汇总", level=1)
    d.add_paragraph(f"共收到意见 {len(rows)} 条。")
    current = None
    for r in rows:
        if r.article != current:
            current = r.article
            d.add_heading(r.article + (f"（{r.chapter}）" if r.chapter else ""), level=2)
            if r.article_text:
                d.add_paragraph().add_run("条文：" + r.article_text).italic = True
        p = d.add_paragraph(style="List Bullet")
        p.add_run(f"{r.name}（{r.delegation or '未填代表团'}，{r.kind}）：").bold = True
        p.add_run(r.text)
    d.save(path)
    return path


async def export(s: AsyncSession, consultation_id: int, out_dir: Path) -> tuple[Path, Path]:
    """Writes both files; the caller sends them. Files are built in a thread by the bot handler if large."""
    c = await get(s, consultation_id)
    rows = await grouped_opinions(s, consultation_id)
    out_dir.mkdir(parents=True, exist_ok=True)
    base = out_dir / f"征求意见汇总_{c.id}"
    return export_xlsx(c.title, rows, base.with_suffix(".xlsx")), export_docx(c.title, rows, base.with_suffix(".docx"))


async def non_responders(s: AsyncSession, consultation_id: int) -> list[int]:
    """User ids invited but without any opinion yet (the deadline reminder goes only to them)."""
    c = await get(s, consultation_id)
    invited = [r.user_id for r in await aud.resolve(s, aud.AudienceSpec.from_json(c.audience))]
    done = set((await s.execute(select(Opinion.user_id).where(Opinion.consultation_id == c.id))).scalars())
    return [u for u in invited if u not in done]


# ---- items held until a button decides (storage.repositories.StateRepo.hold / take / drop) ---------------
OPINION_HELD = "bc_opinion_held"  # {"cid", "aid", "text", "kind", "token"}: a voice or question-like opinion
CONSULT_PREVIEW = "bc_consult_preview"  # {"draft", "deadline", "audience", "token"}: a /consult preview
