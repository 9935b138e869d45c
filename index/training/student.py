"""A student network made from the teacher: some of its layers, the pieces the texts use.

Keeping a subset of the XLM-R vocabulary does not change how the kept texts are tokenised: the
unigram tokenizer's best segmentation of a text only uses pieces the text's own segmentation
used, and those are all kept. Pieces are kept when the training texts use them, when they are a
single character of the scripts policy text is written in (so that an unseen text still reads
character by character), or when they are among the most frequent English pieces (XLM-R's
scores are log-probabilities: the highest are the commonest), for English questions.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence

import torch
from torch import nn

from index.encoders.e5 import E5, METASPACE, PieceTokenizer, Shape

ENGLISH_PIECES = 14_000  # the commonest ASCII pieces kept for English questions
SPECIAL = 4  # <s>, <pad>, </s>, <unk> stay first


def _readable(char: str) -> bool:
    """Characters of Chinese policy text and English: Latin, general punctuation, CJK
    punctuation and ideographs, enclosed numbers (①), full-width forms."""
    point = ord(char)
    return (0x20 <= point < 0x250 or 0x2000 <= point < 0x2070 or 0x2460 <= point < 0x2500
            or 0x3000 <= point < 0x3040 or 0x3400 <= point < 0x4DC0 or 0x4E00 <= point < 0xA000
            or 0xFF00 <= point < 0xFFF0)


def kept_pieces(tokenizer: PieceTokenizer, texts: Iterable[str], english: int = ENGLISH_PIECES) -> list[int]:
    """The ids of the pieces a student keeps, in the teacher's order, specials first."""
    used: set[int] = set(range(SPECIAL))
    batch: list[str] = []
    for text in texts:
        batch.append(text)
        if len(batch) == 4096:
            used.update(i for row in tokenizer.ids(batch, 1 << 20) for i in row)
            batch = []
    used.update(i for row in tokenizer.ids([*batch, "query: ", "passage: "], 1 << 20) for i in row)
    pieces, scores = tokenizer.pieces, tokenizer.scores
    for i, piece in enumerate(pieces):
        bare = piece.removeprefix(METASPACE)
        if len(bare) == 1 and _readable(bare):
            used.add(i)
    ascii_pieces = sorted((i for i, piece in enumerate(pieces) if piece.replace(METASPACE, "").isascii()
                           and piece.replace(METASPACE, "")), key=lambda i: -scores[i])
    used.update(ascii_pieces[:english])
    return sorted(used)


def make_student(teacher: E5, tokenizer: PieceTokenizer, layers: Sequence[int], pieces: Sequence[int]
                 ) -> tuple[E5, PieceTokenizer]:
    """A network of the teacher's ``layers`` (by index) over the vocabulary ``pieces``."""
    shape = teacher.shape
    student = E5(Shape(shape.hidden, len(layers), shape.heads, shape.feed_forward, len(pieces),
                       shape.positions, shape.eps))
    with torch.no_grad():
        student.word.weight.copy_(teacher.word.weight[list(pieces)])
        student.position.weight.copy_(teacher.position.weight)
        student.token_type.copy_(teacher.token_type)
        student.norm.load_state_dict(teacher.norm.state_dict())
    student.layers = nn.ModuleList(copy.deepcopy(teacher.layers[i]) for i in layers)
    return student, PieceTokenizer([tokenizer.pieces[i] for i in pieces],
                                   [tokenizer.scores[i] for i in pieces], tokenizer.normalisation)
