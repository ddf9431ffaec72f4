"""Conservative correction of a Vosk transcript toward a domain lexicon, by pinyin similarity.

Rules that keep a correct transcript correct:
- only spans of three or more syllables aligned to the recogniser's word boundaries are replaced
  by pinyin similarity, by a term of the same syllable count whose every syllable is very close;
- a span that is itself a lexicon term, or contains one, is never replaced, except by a longer term that keeps
  the contained one and sounds exactly the same, in a domain context (罢免按 -> 罢免案, 质询按 -> 质询案);
- known confusions (练习 -> 列席) apply only in a domain context (a domain word in the sentence);
- a common word (联系, 半年) changes only through a known confusion or the n-best list;
- an n-best alternative is preferred when it differs from the best path only by a lexicon term.
Numbers are then normalised to the digit form documents use (八月份 -> 8月).
"""

from __future__ import annotations

import difflib
import logging
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pypinyin import Style, lazy_pinyin

from .lexicon import Lexicon, builtin_lexicon
from .numbers import cn_to_arabic

log = logging.getLogger(__name__)

# Pairs of initials / finals the small model and regional accents confuse.
_FUZZY_INITIALS = {frozenset(p) for p in (("z", "zh"), ("c", "ch"), ("s", "sh"), ("n", "l"), ("l", "r"), ("f", "h"), ("n", "m"), ("j", "q"), ("x", "s"), ("j", "zh"), ("q", "ch"), ("x", "sh"))}
_FUZZY_FINALS = {frozenset(p) for p in (("an", "ang"), ("en", "eng"), ("in", "ing"), ("ian", "iang"), ("uan", "uang"), ("ong", "eng"), ("ue", "un"), ("ian", "ie"), ("i", "ie"), ("u", "ou"), ("e", "ei"), ("ao", "ou"))}

THRESHOLD = 0.86  # mean syllable similarity for a replacement (0..1)
COMMON_WORD_FREQ = 200  # jieba dictionary frequency from which a span counts as a common word
DOMAIN_CUES = ("代表", "人大", "常委会", "委员会", "会议", "议案", "建议", "选举", "法律", "履职", "视察", "宁夏", "自治区", "政府")
NBEST_MIN_POSTERIOR = 0.02
MIN_SCAN_LEN = 3  # two-character homophones are too often right (数智 is not 述职)
MIN_SYLLABLE_SIM = 0.8  # per syllable: exact, or exactly one of initial / final fuzzy
EXACT_SOUND = 0.999  # mean syllable similarity of a homophone (tones aside)


@dataclass
class CorrectionResult:
    text: str  # corrected, numbers normalised
    replacements: list[tuple[str, str]] = field(default_factory=list)


@lru_cache(maxsize=65536)
def _syllables(text: str) -> tuple[tuple[str, str], ...]:
    initials = lazy_pinyin(text, style=Style.INITIALS, strict=False, errors=lambda s: ["?"] * len(s))
    finals = lazy_pinyin(text, style=Style.FINALS, strict=False, errors=lambda s: ["?"] * len(s))
    return tuple(zip(initials, finals))


def _part_sim(a: str, b: str, fuzzy: set[frozenset[str]]) -> float:
    if a == b:
        return 1.0
    if frozenset((a, b)) in fuzzy:
        return 0.75
    return 0.0


def syllable_similarity(a: tuple[str, str], b: tuple[str, str]) -> float:
    return 0.4 * _part_sim(a[0], b[0], _FUZZY_INITIALS) + 0.6 * _part_sim(a[1], b[1], _FUZZY_FINALS)


def pinyin_similarity(a: str, b: str) -> float:
    """Mean syllable similarity of two equally long Chinese strings (0 if lengths differ)."""
    if len(a) != len(b) or not a:
        return 0.0
    sa, sb = _syllables(a), _syllables(b)
    return sum(syllable_similarity(x, y) for x, y in zip(sa, sb)) / len(sa)


@lru_cache(maxsize=1)
def _general_freq() -> dict[str, int]:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba.dt.FREQ


class Corrector:
    """Corrects transcripts toward one lexicon. Thread-safe (read-only after construction)."""

    def __init__(self, lexicon: Lexicon, *, threshold: float = THRESHOLD, normalise_numbers: bool = True):
        self.lexicon = lexicon
        self.threshold = threshold
        self.normalise_numbers = normalise_numbers
        self._freq = _general_freq()
        # Terms indexed by (length, first syllable). A term can only match a span whose first
        # syllable is within MIN_SYLLABLE_SIM of its own, i.e. equal, or with exactly one of
        # initial / final a fuzzy partner: a span looks up those few buckets instead of scanning
        # every term of its length (9,000 terms for a national law index). Sorted, so that ties
        # between equally close terms resolve the same way in every process.
        self._buckets: dict[tuple[int, tuple[str, str]], list[tuple[str, tuple[tuple[str, str], ...]]]] = {}
        lengths: set[int] = set()
        for t in sorted(lexicon.terms):
            syl = _syllables(t)
            self._buckets.setdefault((len(t), syl[0]), []).append((t, syl))
            lengths.add(len(t))
        self._max_len = max(lengths, default=0)
        # Spans recur across the n-best list (alternatives differ by a word or two) and across
        # notes: remember each span's best term. Bounded; plain dict ops are thread-safe.
        self._best_cache: dict[str, tuple[float, str] | None] = {}

    # -- public ------------------------------------------------------------------------------

    def correct(self, nbest: list[str], posteriors: list[float] | None = None) -> CorrectionResult:
        """``nbest``: recogniser hypotheses, words separated by spaces, best first."""
        if not nbest:
            return CorrectionResult("")
        posteriors = posteriors or [1.0] * len(nbest)
        words = nbest[0].split()
        replacements: list[tuple[str, str]] = []
        words = self._prefer_nbest(words, nbest[1:], posteriors[1:], replacements)
        text = self._correct_words(words, replacements)
        if self.normalise_numbers:
            text = cn_to_arabic(text)
        return CorrectionResult(text, replacements)

    def correct_text(self, text: str) -> str:
        """Correct plain text (no word boundaries known: every character is a boundary)."""
        return self.correct([" ".join(text)]).text

    # -- n-best ------------------------------------------------------------------------------

    def _prefer_nbest(self, words, alts, posts, replacements) -> list[str]:
        best = "".join(words)
        for alt, post in zip(alts, posts):
            if post < NBEST_MIN_POSTERIOR:
                continue
            alt_text = "".join(alt.split())
            sm = difflib.SequenceMatcher(a=best, b=alt_text, autojunk=False)
            ops = [op for op in sm.get_opcodes() if op[0] != "equal"]
            if len(ops) != 1 or ops[0][0] != "replace":
                continue
            _, i1, i2, j1, j2 = ops[0]
            # Widen the differing span to a lexicon term of the alternative that covers it.
            for length in range(min(self._max_len, 10), 1, -1):
                for s0 in range(max(0, j2 - length), min(j1, len(alt_text) - length) + 1):
                    cand = alt_text[s0 : s0 + length]
                    if cand not in self.lexicon or cand in best:
                        continue
                    a, b = i1 - (j1 - s0), i2 + (s0 + length - j2)
                    heard = best[a:b]
                    if a < 0 or len(heard) != length or pinyin_similarity(heard, cand) < 0.6:
                        continue
                    if not self._has_domain_context(best) and self._freq.get(heard, 0) >= COMMON_WORD_FREQ:
                        continue
                    replacements.append((heard, cand))
                    return _retokenise(words, best[:a] + cand + best[b:])
        return words

    # -- pinyin scan -------------------------------------------------------------------------

    def _correct_words(self, words: list[str], replacements: list[tuple[str, str]]) -> str:
        if not words:
            return ""
        text = "".join(words)
        bounds = {0}
        pos = 0
        for w in words:
            pos += len(w)
            bounds.add(pos)
        single_words = {(b, b + len(w)) for b, w in zip(_starts(words), words)}
        domain = self._has_domain_context(text)
        # Where lexicon terms already occur: spans containing one are right and stay.
        occurrences = [
            (k, k + n) for k in range(len(text)) for n in range(2, min(self._max_len, len(text) - k) + 1)
            if text[k : k + n] in self.lexicon
        ]
        candidates: list[tuple[float, int, int, str]] = []
        starts = sorted(bounds)
        for i in starts:
            for j in starts:
                n = j - i
                if n < 2 or n > self._max_len:
                    continue
                span = text[i:j]
                inside = [(a, b) for a, b in occurrences if i <= a and b <= j]
                if inside:
                    # the recogniser got the term and misheard a homophone beside it (罢免按): only an exact-sounding
                    # longer term that keeps what it got right may replace the span
                    term = self._best_term(span) if domain and n >= MIN_SCAN_LEN and span not in self.lexicon else None
                    if term and term[1] != span and term[0] >= EXACT_SOUND and _ends_phrase(text, j) and \
                            all(term[1][a - i:b - i] == text[a:b] for a, b in inside):
                        candidates.append((term[0], i, j, term[1]))
                    continue
                common = (i, j) in single_words and self._freq.get(span, 0) >= COMMON_WORD_FREQ
                known = self.lexicon.confusions.get(span)
                if known:
                    if domain:  # 他名下有两套房子 keeps its 名下
                        candidates.append((2.0, i, j, known))
                    continue
                if common or n < MIN_SCAN_LEN:
                    continue  # common words and two-syllable spans change only via confusions or the n-best
                best = self._best_term(span)
                if best and not self._changes_common_word(words, i, span, best[1]):
                    candidates.append((best[0], i, j, best[1]))
        # Highest score first, longer spans first on ties; no overlaps.
        candidates.sort(key=lambda c: (-c[0], -(c[2] - c[1])))
        taken: list[tuple[int, int, str]] = []
        for _, i, j, term in candidates:
            if any(i < tj and ti < j for ti, tj, _ in taken):
                continue
            taken.append((i, j, term))
        for i, j, term in sorted(taken, reverse=True):
            replacements.append((text[i:j], term))
            text = text[:i] + term + text[j:]
        return text

    def _best_term(self, span: str) -> tuple[float, str] | None:
        try:
            return self._best_cache[span]
        except KeyError:
            pass
        best = self._scan_terms(span)
        if len(self._best_cache) >= _BEST_CACHE_SIZE:
            self._best_cache.clear()
        self._best_cache[span] = best
        return best

    def _candidate_terms(self, n: int, first: tuple[str, str]):
        for key in _neighbours(first):
            yield from self._buckets.get((n, key), ())

    def _scan_terms(self, span: str) -> tuple[float, str] | None:
        n = len(span)
        threshold = self.threshold
        s_syl = _syllables(span)
        best: tuple[float, str] | None = None
        for term, t_syl in self._candidate_terms(n, s_syl[0]):
            # Every syllable must match closely: same initial and final, or one of them fuzzy.
            score = 0.0
            for a, b in zip(s_syl, t_syl):
                s = syllable_similarity(a, b)
                if s < MIN_SYLLABLE_SIM:
                    score = -1.0
                    break
                score += s
            if score < 0:
                continue
            score /= n
            if score >= threshold and (best is None or score > best[0] or (score == best[0] and term < best[1])):
                best = (score, term)
        return best

    def _changes_common_word(self, words: list[str], offset: int, span: str, term: str) -> bool:
        """True if a character to change lies in a recogniser word that is a common word:
        联系代表 must not become 列席代表 just because the pinyin is close."""
        pos = 0
        for w in words:
            start, end = pos, pos + len(w)
            pos = end
            if len(w) < 2 or end <= offset or start >= offset + len(span):
                continue
            changed = any(
                span[k - offset] != term[k - offset]
                for k in range(max(start, offset), min(end, offset + len(span)))
            )
            if changed and self._freq.get(w, 0) >= COMMON_WORD_FREQ:
                return True
        return False

    def _has_domain_context(self, text: str) -> bool:
        if any(cue in text for cue in DOMAIN_CUES):
            return True
        return any(text[i : i + k] in self.lexicon for k in (3, 4, 5) for i in range(len(text) - k + 1))


_BEST_CACHE_SIZE = 50_000


# What may follow a misheard bill (“提出罢免按吗”“罢免按怎么提”): a span followed by anything else may be right as
# heard (“罢免按程序进行”: 按 is a preposition there).
_AFTER_PHRASE = tuple("吗呢吧的了怎是要由应需须有该可，。？?！!、")


def _ends_phrase(text: str, end: int) -> bool:
    return end >= len(text) or text[end] in _AFTER_PHRASE


def _partners(x: str, fuzzy: set[frozenset[str]]) -> list[str]:
    return [next(iter(p - {x})) for p in fuzzy if x in p]


# _neighbours relies on this: a syllable with both initial and final merely fuzzy never matches.
assert syllable_similarity(("z", "an"), ("zh", "ang")) < MIN_SYLLABLE_SIM <= syllable_similarity(("z", "an"), ("zh", "an"))


@lru_cache(maxsize=4096)
def _neighbours(syl: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    """Syllables within MIN_SYLLABLE_SIM of ``syl``: itself, and one of initial / final swapped
    for a fuzzy partner (both swapped scores 0.75 < 0.8)."""
    ini, fin = syl
    out = [syl]
    out += [(i, fin) for i in _partners(ini, _FUZZY_INITIALS)]
    out += [(ini, f) for f in _partners(fin, _FUZZY_FINALS)]
    return tuple(out)


def _starts(words: list[str]) -> list[int]:
    out, pos = [], 0
    for w in words:
        out.append(pos)
        pos += len(w)
    return out


def _retokenise(words: list[str], new_text: str) -> list[str]:
    """Keep the original word boundaries where the text is unchanged (same length replacement)."""
    if len("".join(words)) != len(new_text):
        return list(new_text)
    out, pos = [], 0
    for w in words:
        out.append(new_text[pos : pos + len(w)])
        pos += len(w)
    return out


_BUILD_LOCK = threading.Lock()  # two voice notes arriving first must not both build the lexicon


def default_corrector() -> Corrector:
    """Corrector over the built-in corpus lexicon (built once per process)."""
    with _BUILD_LOCK:
        return _default_corrector()


@lru_cache(maxsize=1)
def _default_corrector() -> Corrector:
    return Corrector(builtin_lexicon())


_INDEX_CORRECTORS: dict[tuple[str, str], Corrector] = {}


def corrector_for_index(index_dir: str | Path, kb=None) -> Corrector:
    """Corrector over an index's lexicon, cached per index content (rebuilt when it changes).
    ``kb``: the index already opened, if the caller has it (saves opening it a second time)."""
    from .lexicon import index_stamp, lexicon_for_index

    p = Path(index_dir).resolve()
    key = (str(p), index_stamp(p))
    with _BUILD_LOCK:
        c = _INDEX_CORRECTORS.get(key)
        if c is None:
            c = Corrector(lexicon_for_index(p, kb))
            if len(_INDEX_CORRECTORS) >= 8:
                _INDEX_CORRECTORS.pop(next(iter(_INDEX_CORRECTORS)))
            _INDEX_CORRECTORS[key] = c
        return c
