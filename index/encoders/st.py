"""Any sentence-transformers model from a local folder (or a name already in the local cache)."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.encoders.base import EncoderError, Vectors


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
        self.spec = f"st:{model}"
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
