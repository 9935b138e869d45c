"""The lexical index: BM25 (bm25s) over analysed provisions, built once and saved.

bm25s scores a query with its numba backend (compiled accumulation over the query tokens'
postings: about a millisecond at a million provisions, where its numpy backend is two orders
of magnitude slower) and its arrays are memory-mapped at load. A scope is a few ranges of rows
(:mod:`index.places`), so scoping is slicing the score vector: no mask is built per query, and
bm25s's ``weight_mask`` is not used because it would still return out-of-scope rows with score 0
when few rows match.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import bm25s
import numpy as np
import numpy.typing as npt

from index.places import Ranges

# numba is optional for bm25s; without it (or with NUMBA_DISABLE_JIT) the numpy backend answers.
BACKEND = "numba" if bm25s.NUMBA_AVAILABLE and not os.environ.get("NUMBA_DISABLE_JIT") else "numpy"


class LexicalIndex:
    def __init__(self, model: bm25s.BM25, size: int) -> None:
        self._model = model
        self.size = size
        self._vocabulary: dict[str, int] = model.vocab_dict or {}
        # Document frequency per token id, from the column pointers of bm25s's token-major matrix.
        self._document_frequency = np.diff(np.asarray(model.scores["indptr"]))

    def idf(self, token: str) -> float:
        """How rare a token is across provisions: log(1 + N / df); unseen tokens count as rarest."""
        index = self._vocabulary.get(token)
        frequency = int(self._document_frequency[index]) if index is not None and \
            index < len(self._document_frequency) else 0
        return math.log(1.0 + self.size / max(1, frequency))

    def coverage(self, tokens: list[str]) -> float:
        """The share of query tokens the index knows: an English query sees almost nothing."""
        return sum(1 for token in tokens if token in self._vocabulary) / len(tokens) if tokens else 0.0

    @classmethod
    def build(cls, documents: list[list[str]]) -> LexicalIndex:
        """Index token lists, one per provision, in row order."""
        vocabulary: dict[str, int] = {}
        ids = [[vocabulary.setdefault(token, len(vocabulary)) for token in tokens] for tokens in documents]
        return cls.build_ids(ids, vocabulary)

    @classmethod
    def build_ids(cls, documents: list[list[int]], vocabulary: dict[str, int]) -> LexicalIndex:
        """Index token-id lists, one per provision, in row order; ``vocabulary`` maps each token
        to its id (0, 1, 2, …) and is taken over by the index."""
        model = bm25s.BM25(backend=BACKEND)
        _compiled(model)
        # An empty token list would make bm25s drop the row; a placeholder keeps rows aligned.
        empty = vocabulary.setdefault("\u2205", len(vocabulary))
        model.index(([ids or [empty] for ids in documents], vocabulary), show_progress=False)
        return cls(model, len(documents))

    def save(self, folder: Path) -> None:
        self._model.save(str(folder))

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        model = bm25s.BM25.load(str(folder), mmap=True, backend=BACKEND, show_progress=False)
        _compiled(model)
        return cls(model, int(model.scores["num_docs"]))

    def scores(self, tokens: list[str]) -> npt.NDArray[np.float32]:
        """BM25 score of every row for the query tokens (zeros when none is in the vocabulary)."""
        known = [self._vocabulary[token] for token in tokens if token in self._vocabulary]
        if not known:
            return np.zeros(self.size, np.float32)
        return np.asarray(self._model.get_scores_from_ids(known), dtype=np.float32)

    def search(self, tokens: list[str], k: int, ranges: Ranges | None = None,
               scores: npt.NDArray[np.float32] | None = None) -> list[tuple[int, float]]:
        """The best ``k`` rows with a positive score, only inside ``ranges`` if given.
        ``scores`` are the query's scores when the caller has them already (one computation
        serves every scope group of a query)."""
        if scores is None:
            scores = self.scores(tokens)
        parts = [(0, self.size)] if ranges is None else ranges
        rows: list[npt.NDArray[np.int64]] = []
        for start, end in parts:
            block = scores[start:end]
            candidates = np.flatnonzero(block > 0)
            if len(candidates) > k:
                candidates = candidates[np.argpartition(-block[candidates], k - 1)[:k]]
            rows.append(candidates.astype(np.int64) + start)
        found = np.concatenate(rows) if rows else np.zeros(0, np.int64)
        order = found[np.lexsort((found, -scores[found]))][:k]
        return [(int(row), float(scores[row])) for row in order]


def _compiled(model: bm25s.BM25) -> None:
    """Switch the model to numba's compiled scorer. bm25s 0.3.16 means to do this itself
    (``auto_compile``) but its check of NUMBA_DISABLE_JIT is inverted, so it never does."""
    if BACKEND == "numba":
        model.activate_numba_scorer()
