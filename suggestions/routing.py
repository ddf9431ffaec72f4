"""两推: ranked recommendations of handling units (建议) and the special committee (议案).

Each target's remit is data (``suggestions/data/*.json``, the project's own words). Scores are a
weighted mixture of distributions over targets:
- remit: e5 similarity of the draft to each remit (softmax);
- keywords: remit keywords found in the draft (the title counts double);
- embedding: a logistic regression on the e5 vectors of past items, with every remit added as one
  more example of its target (so targets with little or no history keep a voice). Every item is
  read whole: its routing_text and each ~380-character body window are examples of its target, and
  a draft's distribution is the mean over its own windows (e5 reads 256 tokens, and long drafts put
  their concrete demands late). On 4-fold CV of the benchmark's history rows (5 repeats) this beat
  the head-only vector (top-1/top-3 0.682/0.930 vs 0.670/0.922), and beat a single mean-of-windows
  vector (0.675/0.918); tempering the two models (p^(1/T), T=0.5..5), combining by log-probability
  or rank and character 1-3-gram TF-IDF were worse, and other C values (1..100) gave no clear gain;
- lexical: a logistic regression on TF-IDF of jieba words of past items (full text);
- knn: votes of the most similar past items. Reported as evidence (the reasons name the closest
  past item), but weighted 0 by default: on cross-validation it added noise to the two models.
History signals gain weight as history grows, so a fresh install works from remits alone.
"""

from __future__ import annotations

import asyncio
import json
import re
import warnings
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Iterable, Sequence

import numpy as np

from suggestions.text import TOO_LONG_CHARS, book_title, routing_chunks, routing_text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from suggestions.types import KIND_BILL, DraftContent, EmbedderLike

REMIT_TEMPERATURE = 0.02
KNN_K = 10
KNN_TEMPERATURE = 0.03
EMBED_CHARS = 600  # e5 reads 256 tokens; the head of a draft (title, demands) is what matters
MIN_HISTORY = 10  # history items needed before the two history models are trained
MODEL_C = 10.0  # inverse regularisation of both logistic regressions (class-balanced)


@dataclass(frozen=True)
class Target:
    name: str
    remit: str
    keywords: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # the short names local counterparts go by (住建局, 人社局, 卫健委)

    def passage(self) -> str:
        return f"{self.name}：{self.remit}"


@dataclass
class HistoryItem:
    text: str
    target: str
    title: str = ""
    embedding: np.ndarray | None = None  # routing_text's vector (similarity, kNN evidence)
    windows: np.ndarray | None = None  # rows: vectors of the body windows (routing_chunks[1:])


@dataclass
class Recommendation:
    name: str
    score: float
    reasons: list[str] = field(default_factory=list)
    components: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "score": round(float(self.score), 4),
            "reasons": self.reasons,
            "components": {k: round(float(v), 4) for k, v in self.components.items()},
        }


@dataclass(frozen=True)
class Weights:
    # Chosen by cross-validation on the benchmark's history rows only (never on its evaluation
    # rows): see bench/suggestions_bench.py and the README's suggestions row.
    remit: float = 1.0
    keywords: float = 0.25
    embedding: float = 0.5
    lexical: float = 1.0
    knn: float = 0.0
    named: float = 1.0  # the draft itself says who should lead (“民政部门牵头”): as strong as the remit
    history_half: int = 20  # history size at which history signals reach half their weight


# How far (e5 cosine) a named lead's remit may trail the best-fitting remit and still count: drafts that name
# the right unit trailed by 0–0.006, a tax draft naming 民政局 by 0.036.
NAMED_FIT = 0.02

# When to say the recommendation is unsure, and which ones are filler. Calibrated on the benchmark
# (bench/suggestions_bench.py: 14 topics, 4-fold CV of the even rows and the odd rows, with and without history):
# - the runner-up within 0.8 of the top: top-1 right 32–49% of the time there, 67–83% elsewhere;
# - the top under twice an even share (2/n): the lowest ~8% of tops, top-1 right 31–53% of the time;
# - a recommendation below the top resting on its remit's similarity alone (no keyword, no named lead, under half
#   its score from history), under a fifth of the top's score, was never the right one in any of those runs (at
#   three tenths, one was): it is dropped as filler.
UNSURE_TIE = 0.8
UNSURE_LOW_SHARE = 2.0
FILLER_SHARE = 0.2
UNSURE_NOTE = "推荐把握不大，请工作人员核对"

_LEAD = "(?:部门|系统|部|委|局|厅|机关|单位)?(?:牵头|负责|主管|主抓|会同|统筹)"
# “建议市住建局出台…”“由县人社局…”: a measure addressed to the unit's local counterpart names it too
_ADDRESSED = ("(?:建议|由|请|要求|督促|责成|推动)(?:[省市县区州旗]|自治区|自治州|自治县)?", "(?:局|委|厅|委员会)")


@lru_cache(maxsize=256)
def _lead_patterns(name: str, aliases: tuple[str, ...] = ()) -> tuple[re.Pattern, ...]:
    """“民政部门牵头”“由教育部负责”“卫生健康委会同”: the target's short name (or an alias: 住建, 人社) followed by a
    lead verb; else a local bureau of it that a measure is addressed to (“建议市住建局…”)."""
    short = re.sub(r"^(?:国家|中国)|(?:委员会|总局|办公室|部|局)$", "", name)
    names = [n for n in (short, *aliases) if len(n) >= 2]
    if not names:
        return ()
    alt = "(?:" + "|".join(map(re.escape, names)) + ")"
    return re.compile(alt + _LEAD), re.compile(_ADDRESSED[0] + alt + _ADDRESSED[1])


def named_leads(text: str, targets: Sequence[Target]) -> list[str | None]:
    """For each target, the phrase in ``text`` that names it as the lead, or None."""
    out: list[str | None] = []
    for t in targets:
        m = next((m for p in _lead_patterns(t.name, t.aliases) if (m := p.search(text))), None)
        out.append(m.group(0) if m else None)
    return out


@lru_cache(maxsize=4096)
def _words(text: str) -> tuple[str, ...]:
    """jieba words (search mode, stop words dropped), cached: routers are rebuilt per submission."""
    from retrieval.tokenize import tokenize

    return tuple(tokenize(text))


# Set phrases that contain a remit keyword without being about that remit: 营商环境 is the business climate,
# not 生态环境部's environment; 民族乡 is a kind of township, 中华民族 the nation.
_NOT_KEYWORD_USES = ("营商环境", "发展环境", "法治环境", "政务环境", "民族乡", "中华民族", "民族复兴")
# An autonomous region, prefecture or county as the level of an office (自治区水利厅, 自治州人民政府): where the
# office sits, not ethnic affairs (民族委员会's keyword 自治区).
_NOT_KEYWORD_PATTERNS = (
    re.compile(r"自治[区州县旗](?=(?:人民)?政府|党委|人大|[\u4e00-\u9fff]{1,8}?(?:厅|局|委员会|委|办公室|办|院|中心))"),
)


@lru_cache(maxsize=4096)
def _word_bounds(text: str) -> tuple[int, ...]:
    """Offsets where jieba's precise cut puts a word boundary, in order (0 and len(text) included)."""
    from retrieval.tokenize import dictionary_words

    bounds, at = [0], 0
    for w in dictionary_words(text):
        at += len(w)
        bounds.append(at)
    return tuple(bounds)


def _crossed_inside(word: str, start: int, end: int) -> bool:
    """Is ``word[start:end]`` cut across by a two-character dictionary word inside ``word`` (the parts jieba's search
    mode reads a long word by)? 民政 in 人民|政府, 学校 in 大学|校园, 审判 in 一审|判决: the keyword is no part of
    the word; 教育 in 义务教育法, 文物 in 国家文物局 are. (Three-character parts cut too much: 产权局 would cut
    知识产权 in 国家知识产权局.)"""
    from retrieval.tokenize import in_dictionary

    if end - start < 2:  # one character: a two-character part holds it whole, never across
        return False
    # the parts straddling the keyword's first or last character
    return any(0 <= i and i + 2 <= len(word) and in_dictionary(word[i:i + 2]) for i in (start - 1, end - 1))


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + "□" * (end - start) + text[end:]


def keyword_in(keyword: str, text: str) -> bool:
    """``keyword`` used as a word of ``text``: not across two words (劳动 in 投工投劳|动员), not cut across by a longer
    word's parts (民政 in 县人民政府), nor inside a set phrase about something else (环境 in 营商环境)."""
    if keyword not in text:
        return False
    masked = text
    for phrase in _NOT_KEYWORD_USES:
        if keyword in phrase:
            masked = masked.replace(phrase, "□" * len(phrase))
    for pat in _NOT_KEYWORD_PATTERNS:
        for m in pat.finditer(masked):
            if keyword in m.group(0):
                masked = _blank(masked, m.start(), m.end())
    start = masked.find(keyword)
    if start < 0:
        return False
    bounds = _word_bounds(masked)
    while start >= 0:
        end = start + len(keyword)
        i = bisect_right(bounds, start)  # bounds[i - 1] <= start < bounds[i]
        if bounds[i] >= end:  # no boundary inside the keyword (one would make it two halves of other words)
            w0, w1 = bounds[i - 1], bounds[i]
            # opening or closing a word is a use (养老|服务体系 is one word to jieba); sunk in the middle of one it
            # is, unless the word's own parts cut across it (人民政府: 人民|政府)
            if start == w0 or end == w1 or not _crossed_inside(masked[w0:w1], start - w0, end - w0):
                return True
        start = masked.find(keyword, start + 1)
    return False


def draft_vectors(embedder: EmbedderLike, draft: DraftContent) -> np.ndarray:
    """Rows: routing_text's vector, then the body windows' (what ``recommend`` and storage take)."""
    return embedder.encode_queries(routing_chunks(draft))


@lru_cache(maxsize=8)
def load_targets(kind: str) -> tuple[Target, ...]:
    """kind: "units" (建议承办单位), "committees" (全国人大专门委员会) or "topics"."""
    raw = json.loads(resources.files("suggestions").joinpath(f"data/{kind}.json").read_text(encoding="utf-8"))
    return tuple(Target(t["name"], t["remit"], tuple(t.get("keywords", ())), tuple(t.get("aliases", ())))
                 for t in raw[kind])


_REMIT_CACHE: dict[tuple[int, tuple[Target, ...]], np.ndarray] = {}


def remit_vectors(embedder: EmbedderLike, targets: tuple[Target, ...]) -> np.ndarray:
    # Remits are fixed data: encode them once per embedder and target list.
    key = (id(embedder), targets)
    if key not in _REMIT_CACHE:
        _REMIT_CACHE[key] = embedder.encode_passages([t.passage() for t in targets])
    return _REMIT_CACHE[key]


def _softmax(x: np.ndarray, temperature: float) -> np.ndarray:
    z = (x - x.max()) / temperature
    e = np.exp(z)
    return e / e.sum()


def _normalised(x: np.ndarray) -> np.ndarray:
    s = x.sum()
    return x / s if s > 0 else x


class Router:
    def __init__(
        self,
        targets: Sequence[Target],
        embedder: EmbedderLike,
        history: Iterable[HistoryItem] = (),
        weights: Weights = Weights(),
    ) -> None:
        if not targets:
            raise ValueError("至少需要一个承办目标")
        self.targets = list(targets)
        self._index = {t.name: i for i, t in enumerate(self.targets)}
        self.embedder = embedder
        self.weights = weights
        self._remit_vecs = remit_vectors(embedder, tuple(self.targets))
        self._history: list[HistoryItem] = []
        self._hist_vecs = np.zeros((0, self._remit_vecs.shape[1]), dtype=np.float32)
        self._lexical = None
        self._embedding_model = None
        self.add_history(history)

    # -- history -------------------------------------------------------------------------------
    def add_history(self, items: Iterable[HistoryItem]) -> None:
        """Learn from past assignments (targets unknown to this router are ignored)."""
        items = [h for h in items if h.target in self._index]
        if not items:
            return
        missing = [h for h in items if h.embedding is None]
        if missing:
            vecs = self.embedder.encode_queries([h.text[:EMBED_CHARS] for h in missing])
            for h, v in zip(missing, vecs):
                h.embedding = v
        self._history.extend(items)
        self._hist_vecs = np.vstack([self._hist_vecs, np.stack([h.embedding for h in items]).astype(np.float32)])
        self._fit_models()

    def _fit_models(self) -> None:
        """Train the two history models (when there is enough history)."""
        labels = {h.target for h in self._history}
        if len(self._history) < MIN_HISTORY or len(labels) < 2:
            self._lexical = self._embedding_model = None
            return
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        y = np.array([self._index[h.target] for h in self._history])
        vec = TfidfVectorizer(analyzer=_words, sublinear_tf=True, max_features=60000)
        x = vec.fit_transform([h.text for h in self._history])
        # every remit is one more example of its target
        xe = np.vstack([self._hist_vecs, self._remit_vecs])
        ye = np.concatenate([y, np.arange(len(self.targets))])
        win = [(h.windows, self._index[h.target]) for h in self._history if h.windows is not None and len(h.windows)]
        if win:
            xe = np.vstack([xe] + [w for w, _ in win])
            ye = np.concatenate([ye] + [np.full(len(w), t) for w, t in win])
        with warnings.catch_warnings():
            # many targets with few items each is the normal case for handling units
            warnings.filterwarnings("ignore", message="The number of unique classes", category=UserWarning)
            lex = LogisticRegression(C=MODEL_C, max_iter=2000, class_weight="balanced").fit(x, y)
            emb = LogisticRegression(C=MODEL_C, max_iter=2000, class_weight="balanced").fit(xe, ye)
        self._lexical, self._embedding_model = (vec, lex), emb

    @property
    def history_size(self) -> int:
        return len(self._history)

    # -- scoring -------------------------------------------------------------------------------
    def query_vector(self, text: str) -> np.ndarray:
        return self.embedder.encode_queries([text])[0]

    def query_vectors(self, draft: DraftContent) -> np.ndarray:
        return draft_vectors(self.embedder, draft)

    def recommend(
        self, draft: DraftContent | str, top_k: int = 3, query_vec: np.ndarray | None = None
    ) -> list[Recommendation]:
        """``draft`` is a DraftContent or plain text (title on its first line). ``query_vec``: one
        vector (routing_text's) or the rows of ``query_vectors``."""
        if isinstance(draft, DraftContent):
            text, title, embed_text = draft.full_text(), draft.title, routing_text(draft)
        else:
            text, title, embed_text = draft, draft.split("\n", 1)[0], draft[:EMBED_CHARS]
        too_long = len(text) > TOO_LONG_CHARS
        text = text[:TOO_LONG_CHARS]  # keywords and the word model read no further: a pasted report stays quick
        if query_vec is None:  # a draft is read whole, as in training; plain text by its head
            query_vec = self.query_vectors(draft) if isinstance(draft, DraftContent) else self.query_vector(embed_text)
        rows = np.atleast_2d(query_vec)
        q = rows[0]
        n_t = len(self.targets)
        w = self.weights

        remit_sim = self._remit_vecs @ q
        remit = _softmax(remit_sim, REMIT_TEMPERATURE)

        kw_hits: list[list[str]] = [[k for k in t.keywords if keyword_in(k, text)] for t in self.targets]
        kw = _normalised(np.array([len(h) + sum(keyword_in(k, title) for k in h) for h in kw_hits], dtype=np.float64))

        leads = named_leads(text, self.targets)
        # A named lead counts only when the draft's content also fits its remit: “由市民政局牵头” on tax relief
        # is a slip to point out, not a reason to route to 民政部.
        fits = [lead is not None and remit_sim[i] >= remit_sim.max() - NAMED_FIT for i, lead in enumerate(leads)]
        named = _normalised(np.array(fits, dtype=np.float64))

        knn = np.zeros(n_t)
        neighbours: dict[int, list[tuple[float, HistoryItem]]] = {}
        if self._history:
            sims = self._hist_vecs @ q
            top = np.argsort(-sims)[:KNN_K]
            wts = np.exp((sims[top] - sims[top[0]]) / KNN_TEMPERATURE)
            for j, wt in zip(top, wts):
                h = self._history[j]
                i = self._index[h.target]
                knn[i] += wt
                neighbours.setdefault(i, []).append((float(sims[j]), h))
            knn = _normalised(knn)

        lex = np.zeros(n_t)
        emb = np.zeros(n_t)
        if self._lexical is not None:
            vec, clf = self._lexical
            lex[clf.classes_] = clf.predict_proba(vec.transform([text]))[0]
            emb[self._embedding_model.classes_] = self._embedding_model.predict_proba(rows.astype(np.float64)).mean(0)

        n = len(self._history)
        h_w = n / (n + w.history_half) if n else 0.0
        models_w = h_w if self._lexical is not None else 0.0
        kw_w = w.keywords if kw.sum() > 0 else 0.0
        parts = {
            "remit": (w.remit, remit),
            "keywords": (kw_w, kw),
            "named": (w.named if named.sum() > 0 else 0.0, named),
            "embedding": (models_w * w.embedding, emb),
            "lexical": (models_w * w.lexical, lex),
            "knn": (h_w * w.knn, knn),
        }
        total_w = sum(pw for pw, _ in parts.values())
        score = sum(pw * arr for pw, arr in parts.values()) / total_w
        # components: every signal computed for this draft (kNN is shown as evidence even at weight 0)
        shown = [name for name, (pw, _) in parts.items() if pw > 0 or (name == "knn" and neighbours)]

        order = np.argsort(-score)[:top_k]
        out = []
        for i in order:
            t = self.targets[i]
            reasons = [f"职责相符：{t.remit[:40]}……（语义相似度 {remit_sim[i]:.2f}）"]
            if leads[i]:
                reasons.insert(0, f"草稿写明由其牵头（“{leads[i]}”）" if fits[i] else
                               f"草稿写明由其牵头（“{leads[i]}”），但内容与其职责不够相符，请核对")
            if kw_hits[i]:
                reasons.append("涉及关键词：" + "、".join(kw_hits[i][:5]))
            if i in neighbours:
                best = max(neighbours[i], key=lambda x: x[0])
                label = best[1].title or best[1].text[:30]
                reasons.append(
                    f"以往 {len(neighbours[i])} 件相似事项由其办理（最相似：{book_title(label)}，相似度 {best[0]:.2f}）"
                )
            if models_w > 0 and max(lex[i], emb[i]) >= 0.2:
                reasons.append(f"按以往交办记录训练的模型：文本 {lex[i]:.2f}，语义 {emb[i]:.2f}")
            comps = {name: float(parts[name][1][i]) for name in shown}
            out.append(Recommendation(t.name, float(score[i]), reasons, comps))
        # filler: below the top, held up by the remit's similarity alone (no keyword, no named lead, mostly not
        # the history's) and far below the top
        filler = [not kw_hits[i] and not fits[i] and w.remit * remit[i] / total_w >= 0.5 * score[i]
                  and score[i] < FILLER_SHARE * score[order[0]] for i in order]
        out = [r for r, f in zip(out, filler) if not f or r is out[0]]
        # said first: the bot's staff view shows the first 200 characters of the reasons
        if out and (doubt := unsure_reason(sorted(score, reverse=True)[:2], n_t)):
            out[0].reasons.insert(0, f"{UNSURE_NOTE}（{doubt}）")
        if out and too_long:
            out[0].reasons.insert(0, f"草稿篇幅过长，只按前 {TOO_LONG_CHARS} 字推荐")
        return out


def unsure_reason(scores: Sequence[float], n_targets: int) -> str | None:
    """Why the top recommendation is unsure (in Chinese), or None. ``scores``: the best scores, highest first."""
    if not scores:
        return None
    top = float(scores[0])
    if len(scores) > 1 and scores[1] >= UNSURE_TIE * top:
        return f"前两项得分接近：{top:.2f} 与 {float(scores[1]):.2f}"
    if top < UNSURE_LOW_SHARE / n_targets:
        return f"最高得分只有 {top:.2f}"
    return None


def targets_kind(kind: str) -> str:
    return "committees" if kind == KIND_BILL else "units"


def router_for(kind: str, embedder: EmbedderLike, history: Iterable[HistoryItem] = ()) -> Router:
    """The router for a draft kind: units for 建议, NPC special committees for 议案."""
    return Router(load_targets(targets_kind(kind)), embedder, history)


async def history_from_db(session: AsyncSession, kind: str) -> list[HistoryItem]:
    """What staff actually assigned before: every unit of every assigned item is one example."""
    from suggestions import repository as repo
    from suggestions.embedding import rows_from_blob

    items = []
    for row in await repo.all_suggestions(session):
        if row.kind != kind or not row.units:
            continue
        text = DraftContent.from_dict(row.content).full_text()
        vecs = rows_from_blob(row.embedding)  # older rows hold routing_text's vector only
        first, windows = (None, None) if vecs is None else (vecs[0], vecs[1:])
        for unit in row.units:
            items.append(HistoryItem(text, unit, row.title, first, windows))
    return items


async def build_router(sm: async_sessionmaker[AsyncSession], kind: str, embedder: EmbedderLike) -> Router:
    async with sm() as s:
        history = await history_from_db(s, kind)
    return await asyncio.to_thread(router_for, kind, embedder, history)


async def recommend_for_draft(
    sm: async_sessionmaker[AsyncSession], draft: DraftContent, embedder: EmbedderLike, top_k: int = 3
) -> tuple[np.ndarray, list[Recommendation], str]:
    """(embedding rows of the draft: routing_text's then the body windows', top units/committee,
    topic label) for a submission."""
    router = await build_router(sm, draft.kind, embedder)
    q = await asyncio.to_thread(router.query_vectors, draft)
    recs = await asyncio.to_thread(router.recommend, draft, top_k, q)
    topics = await asyncio.to_thread(Router, load_targets("topics"), embedder)
    topic = (await asyncio.to_thread(topics.recommend, draft, 1, q))[0].name
    return q, recs, topic
