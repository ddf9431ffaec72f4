"""Round 12: “您好” and “谢谢” were searched as questions and got “问题太简短” with three unrelated plan items."""

from __future__ import annotations

import pytest

from botharness import feed, register
from retrieval.questions import small_talk


@pytest.mark.parametrize("text, kind", [
    ("您好", "greeting"), ("你好！", "greeting"), ("在吗？", "greeting"), ("早上好呀", "greeting"), ("hi", "greeting"),
    ("谢谢", "thanks"), ("好的，谢谢！", "thanks"), ("收到👍", "thanks"), ("辛苦了", "thanks"),
    ("您好，代表建议交办会几月开", None), ("谢谢你们，工作安排是什么", None), ("为什么？", None), ("好", None),
])
def test_only_a_greeting_or_thanks_on_its_own_is_small_talk(text, kind):
    assert small_talk(text) == kind


async def test_a_greeting_gets_a_welcome_and_thanks_a_reply_not_sources(app, core, tg, upd):
    await register(core, app, upd, tg, 330)
    tg.clear()
    await feed(app, upd.text(330, "您好"))
    assert tg.texts()[-1].startswith("您好！我是代表履职助手。") and "问题太简短" not in tg.texts()[-1]
    await feed(app, upd.text(330, "谢谢！"))
    assert tg.texts()[-1] == "不客气！还有问题可以随时提问。"
    await feed(app, upd.text(330, "您好，代表建议交办会在几月开？"))
    assert "答：" in tg.texts()[-1]  # a question after the greeting is answered as before
