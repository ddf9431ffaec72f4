"""Numbers in both forms, so that a spoken 八月份 finds a document's 8月 and the reverse."""

from __future__ import annotations

import pytest

from speech.numbers import arabic_to_cn, cn_to_arabic, int_to_cn, parse_cn_int, variants


@pytest.mark.parametrize(
    "spoken,written",
    [
        ("宁夏八月份有什么安排", "宁夏8月有什么安排"),
        ("三十名以上代表联名", "30名以上代表联名"),
        ("二〇二六年度代表工作计划", "2026年度代表工作计划"),
        ("三月十五日召开", "3月15日召开"),
        ("十一月印发通知", "11月印发通知"),
        ("一月至二月开展集中视察", "1月至2月开展集中视察"),
        ("交办一百二十件建议", "交办120件建议"),
        ("提高百分之三十", "提高30%"),
    ],
)
def test_spoken_numbers_become_digits(spoken, written):
    assert cn_to_arabic(spoken) == written


@pytest.mark.parametrize(
    "text",
    ["一府一委两院", "一人一函", "统一部署", "第十四届全国人大", "第五十一条", "十五五规划", "两名代表参加", "一些问题", "第二十二次会议"],
)
def test_words_and_ordinals_are_left_alone(text):
    assert cn_to_arabic(text) == text


def test_digits_become_chinese():
    assert arabic_to_cn("8月") == "八月"
    assert arabic_to_cn("30名代表") == "三十名代表"
    assert arabic_to_cn("2026年") == "二〇二六年"
    assert arabic_to_cn("第57次委员长会议") == "第57次委员长会议"


@pytest.mark.parametrize("n", [0, 1, 7, 10, 15, 20, 30, 99, 100, 105, 120, 1000, 1001, 2026, 10000, 20500, 123456789])
def test_round_trip(n):
    assert parse_cn_int(int_to_cn(n)) == n


def test_variants_give_both_forms():
    assert variants("宁夏八月份的安排") == ["宁夏八月份的安排", "宁夏8月的安排"]
    assert set(variants("8月有哪些工作")) == {"8月有哪些工作", "八月有哪些工作"}


def test_search_text_carries_both_forms():
    from speech.numbers import search_text

    assert search_text("30名以上代表联名可以提出什么") == "30名以上代表联名可以提出什么 三十名"
    assert search_text("宁夏八月份的安排") == "宁夏8月的安排 八月"
    assert search_text("代表有哪些权利") == "代表有哪些权利"
