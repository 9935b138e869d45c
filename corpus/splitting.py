"""Splitting a long body into parts at sentence ends, so that no provision is a wall of text.

A body longer than ``MAX_CHARS`` is cut into paragraphs; a paragraph still longer is cut at
sentence ends (。；！？) into parts of about equal length; short neighbouring paragraphs (a list
of names, say) are packed back together up to ``PACK_CHARS``.
"""

from __future__ import annotations

import itertools
import math
import re

MAX_CHARS = 600
PACK_CHARS = 300

_SENTENCE_END = re.compile(r"[。；！？!?;][”’」』）)]*")
_CLAUSE_END = re.compile(r"[，,、：:][”’」』]*")

Span = tuple[int, int]


def split_body(text: str, paragraphs: list[Span]) -> list[Span]:
    """Parts of a body made of ``paragraphs`` (spans into ``text``), in order."""
    if not paragraphs:
        return []
    whole = (paragraphs[0][0], paragraphs[-1][1])
    if whole[1] - whole[0] <= MAX_CHARS:
        return [whole]
    pieces: list[Span] = []
    for start, end in paragraphs:
        pieces.extend(split_paragraph(text, start, end))
    return _pack(pieces)


def split_paragraph(text: str, start: int, end: int) -> list[Span]:
    length = end - start
    if length <= MAX_CHARS:
        return [(start, end)]
    count = math.ceil(length / MAX_CHARS)
    cuts = _boundaries(text, start, end, _SENTENCE_END) or _boundaries(text, start, end, _CLAUSE_END)
    chosen: list[int] = []
    for k in range(1, count):
        target = start + length * k / count
        candidates = [c for c in cuts if (not chosen or c > chosen[-1]) and c < end]
        if candidates:
            best = min(candidates, key=lambda c: abs(c - target))
            if abs(best - target) <= MAX_CHARS / 2:
                chosen.append(best)
                continue
        chosen.append(int(target))  # no sentence end nearby: cut at the length itself
    bounds = [start, *sorted(set(chosen)), end]
    parts = []
    for left, right in itertools.pairwise(bounds):
        left, right = _trim(text, left, right)
        if right > left:
            parts.append((left, right))
    return parts


def _boundaries(text: str, start: int, end: int, pattern: re.Pattern[str]) -> list[int]:
    # finditer with pos/endpos reports offsets into the whole text.
    return [m.end() for m in pattern.finditer(text, start, end) if m.end() < end]


def _trim(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _pack(pieces: list[Span]) -> list[Span]:
    packed: list[Span] = []
    for piece in pieces:
        if packed and piece[1] - packed[-1][0] <= PACK_CHARS:
            packed[-1] = (packed[-1][0], piece[1])
        else:
            packed.append(piece)
    return packed
