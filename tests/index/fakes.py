"""A tiny deterministic encoder for tests where the model is not the point."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from index.encoders import Vectors


class HashEncoder:
    """Bag of character bigrams hashed into 64 dimensions, L2-normalised.

    Texts sharing bigrams land near each other, which is enough to exercise ranking and
    filtering without loading a model.
    """

    name = "hash-bigrams-64"
    dimension = 64

    def __init__(self) -> None:
        self.passages_encoded = 0

    def _encode(self, texts: Sequence[str]) -> Vectors:
        vectors = np.zeros((len(texts), self.dimension), np.float32)
        for row, text in enumerate(texts):
            compact = "".join(text.split())
            for i in range(max(1, len(compact) - 1)):
                bucket = hashlib.blake2b(compact[i:i + 2].encode(), digest_size=2).digest()
                vectors[row, int.from_bytes(bucket, "big") % self.dimension] += 1.0
            norm = np.linalg.norm(vectors[row])
            if norm:
                vectors[row] /= norm
            else:
                vectors[row, 0] = 1.0
        return vectors

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts)

    def encode_passages(self, texts: Sequence[str]) -> Vectors:
        self.passages_encoded += len(texts)
        return self._encode(texts)
