"""CER as the benchmarks compute it: both sides normalised the same way."""

from __future__ import annotations

from speech.metrics import cer, cer_counts, normalise_for_cer


def test_punctuation_width_and_number_forms_do_not_count():
    assert normalise_for_cer("八月份，代表团 视察。") == normalise_for_cer("8月代表团视察")
    assert normalise_for_cer("８月、３０名代表") == normalise_for_cer("8月30名代表")  # full-width digits
    assert normalise_for_cer("ＡＢＣ, abc!") == "abcabc"


def test_cer_counts_characters_of_the_reference():
    assert cer_counts("代表可以列席会议", "代表可以练习会议") == (2, 8)
    assert cer("欢迎大家", "欢迎大家") == 0.0
    assert cer("", "多余") == 2.0  # insertions against an empty reference still count
