"""The dense index: FAISS vectors keyed by provision row, filtered inside the search.

Vectors are unit length, so inner product equals cosine similarity. The integer ids FAISS stores
are the rows of ``provisions.jsonl``; a jurisdiction scope becomes an ``IDSelectorBatch`` passed
to the search itself, so a filtered search can only ever return ids from the scope.
"""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import numpy.typing as npt


class DenseIndex:
    def __init__(self, index: faiss.Index) -> None:
        self._index = index

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    @classmethod
    def build(cls, vectors: npt.NDArray[np.float32]) -> DenseIndex:
        index = faiss.IndexIDMap2(faiss.IndexFlatIP(vectors.shape[1]))
        index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32),
                           np.arange(len(vectors), dtype=np.int64))
        return cls(index)

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path) -> DenseIndex:
        return cls(faiss.read_index(str(path)))

    def search(self, vector: npt.NDArray[np.float32], k: int,
               allowed: npt.NDArray[np.int64] | None = None) -> list[tuple[int, float]]:
        """The ``k`` nearest rows, only among the ``allowed`` row ids when given."""
        if k <= 0 or self.size == 0 or (allowed is not None and len(allowed) == 0):
            return []
        query = np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32)
        if allowed is None:
            scores, ids = self._index.search(query, min(k, self.size))
        else:
            # Passed to the constructor, the selector stays referenced for the search's lifetime.
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed.astype(np.int64)))  # type: ignore[call-arg]
            scores, ids = self._index.search(query, min(k, len(allowed)), params=params)
        # FAISS pads with -1 when fewer ids qualify than were asked for.
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]
