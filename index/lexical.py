"""The lexical index: BM25 (bm25s) over analysed provisions, built once and saved.

Scope filtering happens on the full score vector: bm25s's ``weight_mask`` alone would still
return out-of-scope documents with score 0 when few documents match (see docs/research).
"""

from __future__ import annotations

import math
from pathlib import Path

import bm25s
import numpy as np
import numpy.typing as npt


class LexicalIndex:
    def __init__(self, model: bm25s.BM25, size: int) -> None:
        self._model = model
        self.size = size
        vocabulary: dict[str, int] = model.vocab_dict or {}
        self._vocabulary = set(vocabulary)
        # Document frequency per token, from the column pointers of bm25s's token-major matrix.
        counts = np.diff(np.asarray(model.scores["indptr"]))
        self._document_frequency = {token: int(counts[i]) if i < len(counts) else 0
                                    for token, i in vocabulary.items()}

    def idf(self, token: str) -> float:
        """How rare a token is across provisions: log(1 + N / df); unseen tokens count as rarest."""
        return math.log(1.0 + self.size / max(1, self._document_frequency.get(token, 0)))

    def coverage(self, tokens: list[str]) -> float:
        """The share of query tokens the index knows: an English query sees almost nothing."""
        return sum(1 for token in tokens if token in self._vocabulary) / len(tokens) if tokens else 0.0

    @classmethod
    def build(cls, documents: list[list[str]]) -> LexicalIndex:
        """Index token lists, one per provision, in row order."""
        model = bm25s.BM25()
        # An empty token list would make bm25s drop the row; a placeholder keeps rows aligned.
        model.index([tokens or ["\u2205"] for tokens in documents], show_progress=False)
        return cls(model, len(documents))

    def save(self, folder: Path) -> None:
        self._model.save(str(folder))

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        model = bm25s.BM25.load(str(folder), mmap=False)
        return cls(model, int(model.scores["num_docs"]))

    def scores(self, tokens: list[str]) -> npt.NDArray[np.float32]:
        """BM25 score of every row for the query tokens (zeros when none is in the vocabulary)."""
        known = [token for token in tokens if token in self._vocabulary]
        if not known:
            return np.zeros(self.size, np.float32)
        return np.asarray(self._model.get_scores(known), dtype=np.float32)

    def search(self, tokens: list[str], k: int,
               allowed: npt.NDArray[np.bool_] | None = None) -> list[tuple[int, float]]:
        """The best ``k`` rows with a positive score, only among ``allowed`` rows if given."""
        scores = self.scores(tokens)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        candidates = np.flatnonzero(scores > 0)
        order = candidates[np.argsort(-scores[candidates], kind="stable")][:k]
        return [(int(row), float(scores[row])) for row in order]
