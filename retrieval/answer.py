"""Answer composer: the sentence(s) from the top hits that best answer the question, with citations.

Extractive by design (no LLM). A generator can plug in later by taking the same (question, hits)
and returning an Answer whose sentences point back into ``hits``.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from corpus.cleaning import split_sentences

from .tokenize import tokenize
from .types import Answer, AnswerSentence, Hit

MAX_SENTENCES = 2
MIN_SCORE = 0.80  # below this cosine the best sentence rarely answers the question (e5 scores are compressed)
SOURCES_CONSIDERED = 3


class AnswerGenerator(Protocol):
    def __call__(self, question: str, hits: list[Hit]) -> Answer: ...


def compose_answer(question: str, hits: list[Hit], embedder) -> Answer:
    answer = Answer(question=question, hits=hits)
    cands: list[tuple[int, str]] = []
    for i, hit in enumerate(hits[:SOURCES_CONSIDERED]):
        for s in split_sentences(hit.text):
            # a sentence that only restates the document's title or locator says where, not what
            if len(s) >= 6 and s.rstrip("。：:") not in (hit.title, hit.locator):
                cands.append((i, s))
    if not cands:
        return answer
    qv = embedder.encode_queries([question])[0]
    sv = embedder.encode_passages([f"{hits[i].title} {s}" for i, s in cands], cache=True)
    qtok = set(tokenize(question))
    overlap = np.array([len(qtok & set(tokenize(s))) / max(len(qtok), 1) for _, s in cands])
    rank_prior = np.array([0.02 * (SOURCES_CONSIDERED - i) for i, _ in cands])  # trust the retriever's order a little
    score = sv @ qv + 0.15 * overlap + rank_prior
    best = np.argsort(-score)
    if score[best[0]] - 0.15 * overlap[best[0]] - rank_prior[best[0]] < MIN_SCORE and overlap[best[0]] == 0:
        return answer
    chosen = [best[0]]
    for j in best[1:]:
        if len(chosen) >= MAX_SENTENCES or score[j] < score[best[0]] - 0.03:
            break
        if cands[j][0] == cands[best[0]][0]:
            chosen.append(j)
    for j in sorted(chosen, key=lambda j: (cands[j][0], j)):
        answer.sentences.append(AnswerSentence(text=cands[j][1], source=cands[j][0]))
    return answer
