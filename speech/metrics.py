"""Character error rate, shared by tests and benchmarks."""

from __future__ import annotations

import re
import unicodedata

from .numbers import cn_to_arabic

_DROP = re.compile(r"[\s\W_]+", re.UNICODE)


def normalise_for_cer(text: str) -> str:
    """Applied to reference and hypothesis alike: full-width forms folded (NFKC: ８月 = 8月),
    punctuation and spaces dropped, numbers before units as digits (八月份 = 8月), lower case."""
    return _DROP.sub("", cn_to_arabic(unicodedata.normalize("NFKC", text))).lower()


def edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def cer_counts(reference: str, hypothesis: str) -> tuple[int, int]:
    """(edits, reference length) after normalisation."""
    r, h = normalise_for_cer(reference), normalise_for_cer(hypothesis)
    return edit_distance(r, h), len(r)


def cer(reference: str, hypothesis: str) -> float:
    e, n = cer_counts(reference, hypothesis)
    return e / max(n, 1)
