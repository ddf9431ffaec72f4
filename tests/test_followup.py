"""Follow-up questions (retrieval.followup) and the bot reading them on from the user's previous question."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import update
from telegram import Update

from bot.app import build_application
from bot.deps import BotDeps
from bot.testing import FakeTelegram, UpdateFactory
from retrieval.followup import read_followup, resolve_followup, subject_of
from retrieval.types import Answer, AnswerSentence, Hit
from storage.core import Core
from storage.models import QueryRecord

PREVIOUS = "代表建议交办会在几月开？"


# -- resolve_followup -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("previous", "question", "query"), [
    # the tester's examples
    (PREVIOUS, "那答复期限是多久？", "代表建议交办会，答复期限是多久？"),
    (PREVIOUS, "具体由哪个部门负责？", "代表建议交办会，具体由哪个部门负责？"),
    (PREVIOUS, "那宁夏呢？", "宁夏代表建议交办会在几月开？"),
    # very short, no noun of its own
    (PREVIOUS, "几月份？", "代表建议交办会，几月份？"),
    (PREVIOUS, "谁负责？", "代表建议交办会，谁负责？"),
    (PREVIOUS, "哪个部门负责", "代表建议交办会，哪个部门负责"),
    ("全国人大代表专题学习班在哪里办，怎么报名", "一期多少天？", "全国人大代表专题学习班，一期多少天？"),
    ("代表去外地视察路费谁出", "标准是多少？", "代表去外地视察路费，标准是多少？"),
    ("代表专题学习班办几期", "在哪里办", "代表专题学习班，在哪里办"),  # not “学习班办，在哪里办” (tenth round)
    # openers and pronouns
    (PREVIOUS, "那么要准备什么材料？", "代表建议交办会，要准备什么材料？"),
    (PREVIOUS, "那如果没赶上呢？", "代表建议交办会，如果没赶上呢？"),
    (PREVIOUS, "还有，经费怎么报销", "代表建议交办会，经费怎么报销"),
    (PREVIOUS, "请问这个要多久", "代表建议交办会，这个要多久"),
    ("宁夏什么时候召开人代会", "那要开几天", "宁夏召开人代会，要开几天"),
    ("人大代表履职有补贴吗", "那标准是多少", "人大代表履职补贴，标准是多少"),
    # “X呢”: a place or a month swapped in, anything else in brackets
    ("全国人大代表今年集中视察大概啥时候搞", "那宁夏呢", "宁夏人大代表今年集中视察大概啥时候搞"),
    ("宁夏8月有什么安排", "那9月呢", "宁夏9月有什么安排"),
    # (thirteenth round) a month counted from the one asked about; its digits stay in the subject
    ("宁夏8月份有什么安排", "那下个月呢", "宁夏9月份有什么安排"),
    ("宁夏十二月有什么安排", "上个月呢？", "宁夏11月有什么安排？"),
    ("宁夏8月份有什么安排", "具体是哪个部门负责", "宁夏8月份，具体是哪个部门负责"),
    ("代表建议交给部门以后多久必须答复", "那议案呢？", "代表建议交给部门以后多久必须答复（议案）？"),
    # a follow-up of a follow-up: the brackets of the last reading are not carried along
    ("代表建议交给部门以后多久必须答复（议案）", "那罢免案呢", "代表建议交给部门以后多久必须答复（罢免案）"),
])
def test_follow_ups_are_read_with_the_previous_question(previous, question, query):
    got = read_followup(question, previous)
    assert got.resolved and got.query == query
    assert resolve_followup(question, previous) == query


# Real deputies' questions, each standalone (bench/answer_questions.tsv, bench/law_questions*.tsv).
BENCH_STANDALONE = [
    "代表培训班一般在什么时候办",  # answer_questions d01
    "代表去外地视察路费谁出",  # d03
    "代表资格怎么审查",
    "联络动态是什么",
    "大会精神怎么宣传",
    "代表证谁发",
    "两摘两推是啥功能",
    "宁夏哪个月组织代表视察",
    "宁夏年底有什么工作",
    "代表建议办理推进会是几月份",
    "3月份谁帮代表把好议案建议的质量关",
    "代表建议交办会在北京哪个会场开",
    "今年重点督办建议具体选了哪些题目",
    "中秋节放几天假",
    "怎么投诉快递丢件",
    "人大代表是不是不能随便抓？公安要拘留我得经过谁同意",  # law_questions l01
    "在人代会上发言批评了政府，会不会事后被追究啊",  # l02
    "单位领导不给假，不让我去参加代表小组的活动，这样行吗",  # round5 n01
    "人大代表都有哪些权利",  # round6 r6L01
    "代表建议交给部门以后多久必须答复",  # r6L02
    "代表法里说的代表活动经费从哪出，能挪作他用吗",  # round7 r7L01
    "我领衔的议案交给专门委员会审了，他们审的时候会来找我沟通吗",  # round8 r8L03
    "开人代会期间普通代表能去列席主席团会议吗",  # r8L04
]


@pytest.mark.parametrize("question", BENCH_STANDALONE)
@pytest.mark.parametrize("previous", [PREVIOUS, "人大代表都有哪些权利", "宁夏8月有哪些工作"])
def test_standalone_bench_questions_are_unchanged(question, previous):
    got = read_followup(question, previous)
    assert not got.resolved and got.query == question


@pytest.mark.parametrize("question", [
    "那代表建议的答复期限是多久",  # an opener, but its own subject (代表建议)
    "另外，代表法第五十一条怎么规定",  # a law
    "另外，新能源汽车补贴政策是什么",  # nouns of its own
    "具体怎么提议案",
    "这次人代会几号开幕",
    "那8月有什么工作",  # a month with a topic
    "这个月有什么安排",  # a time of its own (the schedule answers it)
    "那么？",  # nothing to read on with
])
def test_questions_naming_their_own_subject_are_unchanged(question):
    assert resolve_followup(question, PREVIOUS) == question


@pytest.mark.parametrize("previous", [None, "", "   ", "？"])
def test_without_a_previous_question_nothing_is_resolved(previous):
    assert read_followup("那答复期限是多久？", previous) == read_followup("那答复期限是多久？", None)
    assert resolve_followup("那答复期限是多久？", previous) == "那答复期限是多久？"


def test_the_same_question_again_is_not_a_follow_up():
    assert resolve_followup(PREVIOUS, PREVIOUS) == PREVIOUS


@pytest.mark.parametrize(("question", "subject"), [
    (PREVIOUS, "代表建议交办会"),  # 会 before an asking word is the meeting
    ("宁夏的代表联络站建设由谁负责", "宁夏的代表联络站建设"),
    ("宁夏什么时候召开人代会", "宁夏召开人代会"),
    ("今年的高考什么时候举行", "今年的高考举行"),  # no noun tagged: the runs themselves
    ("人大代表每个月补贴多少钱", "人大代表月补贴"),
    ("宁夏8月份有什么安排", "宁夏8月份"),  # jieba tags the 8 as it tags punctuation
])
def test_subject_of_keeps_what_is_asked_about(question, subject):
    assert subject_of(question) == subject


# -- the bot: a follow-up is answered as the resolved query ----------------------------------------------------

TOKEN = "123456:TEST-TOKEN"


class _StandInKB:
    """Answers from keywords of the query it is given, and records every query."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.searched: list[str] = []

    @staticmethod
    def _hit(text: str) -> Hit:
        return Hit(chunk_id=1, doc_id="d1", title="代表建议办理工作安排", locator="第一条", text=text, score=1.0)

    async def aanswer(self, query: str, top_k: int = 5, filters=None) -> Answer:  # noqa: ANN001
        self.asked.append(query)
        if "交办会" in query and "答复期限" in query:
            text = "代表建议应当自交办之日起三个月内答复。"
        elif "交办会" in query:
            text = "代表建议交办会于3月召开。"
        else:
            return Answer(query, [], [self._hit("代表工作的一般规定。")])
        return Answer(query, [AnswerSentence(text, 0)], [self._hit(text)])

    async def asearch(self, query: str, top_k: int = 10, filters=None) -> list[Hit]:  # noqa: ANN001
        self.searched.append(query)
        return []

    def iter_chunks(self):  # noqa: ANN201 - no schedule documents
        return iter(())


@pytest.fixture
async def bot(db):
    kb = _StandInKB()
    core = Core.build(db, kb, today=lambda: date(2026, 8, 10))
    tg = FakeTelegram()
    app = build_application(BotDeps(core=core), token=TOKEN, request=tg, get_updates_request=tg)
    async with app:
        tg.clear()
        yield app, core, tg, kb, UpdateFactory()


async def _send(app, tg: FakeTelegram, payload: dict) -> list[str]:
    tg.clear()
    await app.process_update(Update.de_json(payload, app.bot))
    return [c.text for c in tg.sent("sendMessage")]


async def _register(core: Core, app, tg: FakeTelegram, upd: UpdateFactory, uid: int) -> None:
    from storage.models import Role

    code, _ = await core.access.create_invitation(name=f"用户{uid}", role=Role.DEPUTY)
    assert "欢迎使用" in (await _send(app, tg, upd.text(uid, f"/start {code}")))[-1]


async def test_a_follow_up_is_answered_as_the_resolved_query_and_says_so(bot, db):
    app, core, tg, kb, upd = bot
    await _register(core, app, tg, upd, 300)
    await _register(core, app, tg, upd, 301)

    (card,) = await _send(app, tg, upd.text(300, "代表建议交办会在几月开？"))
    assert "3月召开" in card and "按上一问理解为" not in card and kb.asked[-1] == "代表建议交办会在几月开？"

    (card,) = await _send(app, tg, upd.text(300, "那答复期限是多久？"))
    assert kb.asked[-1] == "代表建议交办会，答复期限是多久？"
    assert card.startswith("（按上一问理解为：代表建议交办会，答复期限是多久？）\n")
    assert "三个月内答复" in card
    # its 更多结果 searches the resolved query too (the query log keeps what was searched)
    more = dict(tg.sent("sendMessage")[-1].buttons())["更多结果"]
    await _send(app, tg, upd.callback(300, more))
    assert kb.searched[-1] == "代表建议交办会，答复期限是多久？"

    # the same elliptical question from someone who asked nothing before is taken as it stands
    (card,) = await _send(app, tg, upd.text(301, "那答复期限是多久？"))
    assert kb.asked[-1] == "那答复期限是多久？" and "按上一问理解为" not in card

    # … and so is a follow-up after the window: the previous questions are eleven minutes old
    async with db.session() as s, s.begin():
        await s.execute(update(QueryRecord).values(created_at=QueryRecord.created_at - timedelta(minutes=11)))
    (card,) = await _send(app, tg, upd.text(300, "具体由哪个部门负责？"))
    assert kb.asked[-1] == "具体由哪个部门负责？" and "按上一问理解为" not in card


async def test_a_month_after_a_schedule_question_gets_that_months_schedule(bot):
    app, core, tg, kb, upd = bot
    await _register(core, app, tg, upd, 310)
    (reply,) = await _send(app, tg, upd.text(310, "8月有什么安排"))
    assert "2026年8月" in reply
    (reply,) = await _send(app, tg, upd.text(310, "那9月呢？"))
    assert reply.startswith("（按上一问理解为：9月有什么安排？）\n") and "2026年9月" in reply
    # (thirteenth round) “下个月” after a month asked about is the month after it, not after today (8月)
    (reply,) = await _send(app, tg, upd.text(310, "那下个月呢"))
    assert reply.startswith("（按上一问理解为：10月有什么安排）\n") and "2026年10月" in reply, reply
    assert not kb.asked  # the schedule, not the answerer
    await _register(core, app, tg, upd, 311)
    (reply,) = await _send(app, tg, upd.text(311, "下个月有什么安排"))  # asked first: today's next month
    assert "2026年9月" in reply and "按上一问理解为" not in reply


async def test_a_spoken_follow_up_reads_on_from_the_typed_question_before_it(db):
    """On an inspection a deputy types a question, then asks the next one by voice: the transcript reads on from it.
    The recogniser is a stand-in here (its text is what this test is about; tests/bot/test_voice.py runs Vosk)."""
    from speech.recognizer import Transcript

    kb = _StandInKB()
    heard = {"note-1": "那答复期限是多久"}

    async def transcribe(data: bytes) -> Transcript:
        return Transcript(text=heard[data.decode()], raw_text=heard[data.decode()], confidence=0.9, duration_s=2.0)

    core = Core.build(db, kb, today=lambda: date(2026, 8, 10))
    tg = FakeTelegram()
    app = build_application(BotDeps(core=core, transcribe=transcribe), token=TOKEN, request=tg, get_updates_request=tg)
    upd = UpdateFactory()
    async with app:
        tg.clear()
        await _register(core, app, tg, upd, 320)
        await _send(app, tg, upd.text(320, "代表建议交办会在几月开？"))
        tg.add_file("note-1", b"note-1")
        tg.clear()
        await app.process_update(Update.de_json(upd.voice(320, "note-1", duration=2), app.bot))
        card = tg.sent("editMessageText")[-1].text
    assert kb.asked[-1] == "代表建议交办会，答复期限是多久"  # transcripts have no punctuation
    assert "那答复期限是多久" in card and "（按上一问理解为：代表建议交办会，答复期限是多久）" in card
    assert card.index("那答复期限是多久") < card.index("按上一问理解为") < card.index("三个月内答复")


def test_question_shapes_the_bot_tells_apart():
    from retrieval.questions import QuestionProblem, check_question, question_count

    assert check_question("What is the deadline for answering a deputy's suggestion?") is QuestionProblem.NOT_CHINESE
    assert check_question("APP怎么下载") is None and check_question("2026") is None
    assert question_count("答复期限多久？谁负责？怎么催办？") == 3
    assert question_count("代表建议的答复期限是多久？") == 1 and question_count("？？？") == 1


async def test_english_is_asked_for_in_chinese_and_several_questions_are_pointed_out(bot):
    """A new-user bot round: an English question got a list of unrelated sources, and a pasted paragraph of four
    questions an answer to none in particular, with no hint either way."""
    app, core, tg, kb, upd = bot
    await _register(core, app, tg, upd, 330)
    (reply,) = await _send(app, tg, upd.text(330, "What is the deadline for answering a deputy's suggestion?"))
    assert reply.startswith("目前只能回答中文提问") and not kb.asked
    (card,) = await _send(app, tg, upd.text(330, "代表建议交办会在几月开？答复期限是多久？不答复怎么办？"))
    assert card.startswith("（您一次问了 3 个问题") and kb.asked
