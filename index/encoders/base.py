"""The interface every encoder offers, and its error."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]
DEFAULT_ENCODER = "policy"  # what `build` uses unless told otherwise: the project's own model


class Encoder(Protocol):
    """Turns texts into unit vectors; queries and passages may be encoded differently."""

    name: str  # identifies the model in manifests and cache keys
    dimension: int

    def encode_queries(self, texts: Sequence[str]) -> Vectors: ...

    def encode_passages(self, texts: Sequence[str]) -> Vectors: ...


class EncoderError(Exception):
    """An encoder could not be created or loaded."""
