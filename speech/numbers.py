"""Number forms (八月份 ↔ 8月): moved to corpus.numbers, shared by typed and spoken queries."""

from corpus.numbers import arabic_to_cn, cn_to_arabic, int_to_cn, parse_cn_int, search_text, variants

__all__ = ["arabic_to_cn", "cn_to_arabic", "int_to_cn", "parse_cn_int", "search_text", "variants"]
