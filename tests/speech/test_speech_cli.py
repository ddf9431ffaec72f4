"""``transcribe FILE... --jsonl`` and the voice question path (transcript + answer + sources)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
from speech_testutil import FIXTURES
from typer.testing import CliRunner

from speech.cli import app

pytestmark = pytest.mark.slow


def test_transcribe_jsonl_one_object_per_file(vosk_model_dir, tmp_path):
    bad = tmp_path / "note.ogg"
    bad.write_bytes(b"this is not a voice note" * 20)
    files = [FIXTURES / "liexi.ogg", FIXTURES / "ningxia.ogg", bad]
    result = CliRunner().invoke(app, [*map(str, files), "--jsonl"])
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["file"] for r in rows] == [str(f) for f in files]
    for r in rows:
        assert {"file", "text", "raw_text", "confidence", "duration_s"} <= r.keys()
    assert rows[0]["text"].startswith("代表可以列席") and "练习" in rows[0]["raw_text"]
    assert rows[1]["text"] == "宁夏代表团8月有什么安排"
    assert 2.0 < rows[1]["duration_s"] < 3.0
    assert rows[2]["text"] == "" and "音频" in rows[2]["error"]
    assert result.exit_code == 1  # one file failed; the others were still transcribed


def test_a_folder_or_missing_file_among_notes_is_named_and_the_others_are_transcribed(vosk_model_dir, tmp_path):
    files = [FIXTURES / "ningxia.ogg", tmp_path, tmp_path / "gone.ogg", FIXTURES / "liexi.ogg"]
    result = CliRunner().invoke(app, [*map(str, files), "--jsonl"])
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r.get("error", "") for r in rows][1:3] == ["这是一个文件夹，不是语音文件", "找不到这个文件"]
    assert rows[0]["text"] == "宁夏代表团8月有什么安排" and rows[3]["text"].startswith("代表可以列席")
    assert result.exit_code == 1 and (result.exception is None or isinstance(result.exception, SystemExit))
    missing_index = CliRunner().invoke(app, [str(FIXTURES / "ningxia.ogg"), "--index", str(tmp_path / "typo")])
    assert missing_index.exit_code == 2 and "没有索引" in missing_index.output
    assert not (tmp_path / "typo").exists()


def test_transcribe_plain_output(vosk_model_dir):
    result = CliRunner().invoke(app, [str(FIXTURES / "plain.ogg")])
    assert result.exit_code == 0
    assert "今天天气很好我们去公园散步" in result.stdout and "置信度" in result.stdout


# -- voice question -> answer ----------------------------------------------------------------


@dataclass
class _Hit:
    title: str
    locator: str
    text: str

    @property
    def citation(self) -> str:
        return f"《{self.title}》 {self.locator}"

    def to_json(self) -> dict:
        return {"title": self.title, "locator": self.locator, "text": self.text}


@dataclass
class _Answer:
    question: str
    hits: list = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.hits)

    @property
    def text(self) -> str:
        return self.hits[0].text if self.hits else ""


class _StandInKB:
    """Stand-in for retrieval.KnowledgeBase until it lands: answers from one fixed passage when
    the question names 列席 (so the test fails if correction did not happen)."""

    def __init__(self):
        self.questions: list[str] = []

    def answer(self, query: str, top_k: int = 5, filters=None):
        self.questions.append(query)
        hit = _Hit("全国人民代表大会和地方各级人民代表大会代表法", "第三十三条", "县级以上的各级人民代表大会代表可以应邀列席本级人民代表大会常务委员会会议。")
        return _Answer(query, [hit] if "列席" in query else [])

    async def aanswer(self, query: str, top_k: int = 5, filters=None):
        return self.answer(query, top_k, filters)


def test_ask_voice_answers_the_corrected_question(recognizer):
    from speech.voice import ask_voice

    kb = _StandInKB()
    va = ask_voice(FIXTURES / "liexi.ogg", recognizer=recognizer, kb=kb)
    assert kb.questions == [va.transcript.text]
    assert va.answer.found and va.answer.hits[0].locator == "第三十三条"
    out = va.to_json()
    assert out["transcript"]["raw_text"].startswith("代表可以练习")
    assert out["sources"][0]["citation"].endswith("第三十三条")


async def test_aask_voice(recognizer):
    from speech.voice import aask_voice

    va = await aask_voice((FIXTURES / "liexi.ogg").read_bytes(), recognizer=recognizer, kb=_StandInKB())
    assert va.answer.found


def test_ask_voice_with_the_real_knowledge_base(recognizer, tmp_path):
    retrieval = pytest.importorskip("retrieval")
    if not hasattr(retrieval, "KnowledgeBase"):
        pytest.skip("retrieval.KnowledgeBase not available yet")
    from deputy_assistant.models import ModelMissingError

    from speech.voice import ask_voice

    law = tmp_path / "代表法.md"
    law.write_text(
        "# 全国人民代表大会和地方各级人民代表大会代表法\n\n## 第三章 代表在本级人民代表大会闭会期间的工作\n\n"
        "第三十三条 县级以上的各级人民代表大会代表可以应邀列席本级人民代表大会常务委员会会议、本级人民代表大会各专门委员会会议，参加常务委员会组织的执法检查和其他活动。\n\n"
        "第三十八条 代表在人民代表大会各种会议上的发言和表决，不受法律追究。\n\n"
        "第四十二条 代表的活动经费，应当列入本级财政预算予以保障，专款专用。\n",
        encoding="utf-8",
    )
    try:
        kb = retrieval.KnowledgeBase.open(tmp_path / "index")
        kb.ingest_paths([law])
    except ModelMissingError as exc:
        pytest.skip(str(exc))
    va = ask_voice(FIXTURES / "liexi.ogg", tmp_path / "index", recognizer=recognizer, kb=kb)
    assert va.answer.hits and va.answer.hits[0].locator == "第三十三条"
    # the correction used this index's lexicon: the law's full title is a term of it
    from speech.voice import corrector_for

    assert "全国人民代表大会和地方各级人民代表大会代表法" in corrector_for(tmp_path / "index").lexicon
