"""From characters drawn on a page to its lines of text (PDF and OFD, for :mod:`corpus.readers.layout`).

A producer draws a line's characters left to right, so a new line starts where x jumps back to
the left or the baseline moves. Grouping characters by their boxes instead (what pdfplumber's and
ofdkit's own text extraction do) scrambles lines whose punctuation or digits come from a font with
a wrong descent: their boxes sit ~6 pt below the line (the real jx-rongque PDF). When the drawing
order is evidently not reading order (lines drawn backwards on one baseline, again and again) the
characters are grouped by baseline and sorted by x instead. Characters drawn twice to fake bold
type are read once.

The thresholds are in units of the font size so that they hold in points (PDF) and millimetres
(OFD) alike.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from corpus.readers.normalise import clean_line

# Thresholds, as shares of the font size.
_BACKWARD = 0.5  # x moving back by more than this starts a new line (drawing order)
_NEW_BASELINE = 0.6  # the baseline moving by more than this starts a new line
_SAME_BASELINE = 0.3  # baselines this close are one line (digits and punctuation sit ~0.15 low)
_WORD_GAP = 0.2  # a horizontal gap wider than this is a space (removed again inside CJK text)
_SCRAMBLED_SHARE = 0.25  # this share of lines drawn backwards means the drawing order is not reading order

_ASCII_LETTER = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class Glyph:
    """One character as drawn: ``baseline`` is measured down from the top of the page."""

    text: str
    x0: float
    x1: float
    baseline: float
    size: float


@dataclass(frozen=True)
class TextLine:
    """One line of text, normalised with :func:`clean_line`, and where it stands."""

    text: str
    x0: float
    x1: float
    baseline: float
    size: float

    @property
    def top(self) -> float:
        return self.baseline - self.size


def lines_from_glyphs(glyphs: Sequence[Glyph]) -> list[TextLine]:
    """The lines of a page region (or a table cell), top to bottom.

    ``glyphs`` must be in drawing order (the content stream's order); whitespace glyphs count as
    spaces.
    """
    glyphs = _dedupe(glyphs)
    if not any(glyph.text.strip() for glyph in glyphs):
        return []
    segments = _stream_segments(glyphs)
    groups = _positional_lines(glyphs) if _scrambled(segments) else _merge_same_baseline(segments)
    lines = (_text_line(group) for group in groups)
    return sorted((line for line in lines if line.text), key=lambda line: line.baseline)


def cell_text(glyphs: Sequence[Glyph]) -> str:
    """A table cell's text: its wrapped lines joined (no space inside Chinese text)."""
    text = ""
    for line in lines_from_glyphs(glyphs):
        text = join_text(text, line.text) if text else line.text
    return text


def join_text(first: str, second: str) -> str:
    """Two pieces of one sentence that a line break separated; English words keep a space."""
    if first and second and _ASCII_LETTER.match(first[-1]) and _ASCII_LETTER.match(second[0]):
        return first + " " + second
    return first + second


def _dedupe(glyphs: Sequence[Glyph]) -> list[Glyph]:
    """Drop characters drawn twice at (nearly) the same spot, a common way to fake bold type.

    "Nearly" is within a tenth of the type size: fake bold shifts by a few hundredths of an em,
    while repeated characters (1111) stand at least half an em apart.
    """
    seen: set[tuple[str, int, int]] = set()
    unique = []
    for glyph in glyphs:
        if glyph.text.strip():
            step = max(0.1 * glyph.size, 1e-6)
            x, y = round(glyph.x0 / step), round(glyph.baseline / step)
            near = ((glyph.text, x + dx, y + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1))
            if any(key in seen for key in near):
                continue
            seen.add((glyph.text, x, y))
        unique.append(glyph)
    return unique


def _stream_segments(glyphs: Sequence[Glyph]) -> list[list[Glyph]]:
    """Split drawing order into runs drawn left to right on one baseline."""
    segments: list[list[Glyph]] = []
    current: list[Glyph] = []
    previous: Glyph | None = None
    baseline = 0.0
    for glyph in glyphs:
        if not glyph.text.strip():
            if current:
                current.append(glyph)
            continue
        if previous is not None:
            size = max(min(previous.size, glyph.size), 1e-6)
            if (glyph.x0 < previous.x0 - _BACKWARD * size
                    or abs(glyph.baseline - baseline) > _NEW_BASELINE * size):
                segments.append(current)
                current = []
        if not current:  # a segment starts with a visible glyph: it sets the baseline
            baseline = glyph.baseline
        current.append(glyph)
        previous = glyph
    if current:
        segments.append(current)
    return segments


def _visible(segment: Sequence[Glyph]) -> list[Glyph]:
    return [glyph for glyph in segment if glyph.text.strip()]


def _baseline(segment: Sequence[Glyph]) -> float:
    return statistics.median(glyph.baseline for glyph in _visible(segment))


def _size(segment: Sequence[Glyph]) -> float:
    return max(statistics.median(glyph.size for glyph in _visible(segment)), 1e-6)


def _scrambled(segments: list[list[Glyph]]) -> bool:
    """Whether lines were drawn backwards on one baseline on many lines (not just a footer)."""
    backwards: set[int] = set()
    for previous, segment in itertools.pairwise(segments):
        if abs(_baseline(segment) - _baseline(previous)) <= _SAME_BASELINE * _size(segment):
            backwards.add(round(_baseline(segment)))
    lines = {round(_baseline(segment)) for segment in segments}
    return len(backwards) >= 2 and len(backwards) >= _SCRAMBLED_SHARE * len(lines)


def _clusters(items: list[list[Glyph]]) -> list[list[list[Glyph]]]:
    """Group segments whose baselines lie within a fraction of the type size, top to bottom."""
    ordered = sorted(items, key=_baseline)
    groups: list[list[list[Glyph]]] = []
    for segment in ordered:
        if groups and _baseline(segment) - _baseline(groups[-1][0]) <= _SAME_BASELINE * _size(segment):
            groups[-1].append(segment)
        else:
            groups.append([segment])
    return groups


def _merge_same_baseline(segments: list[list[Glyph]]) -> list[list[Glyph]]:
    """One line per baseline: segments side by side in x order, overlapping ones by position.

    A line drawn right to left (the real PDF's footer ``— 10 —`` is drawn ``—``, ``0``, ``1``,
    ``—``) becomes one segment per character; placing them by x restores it.
    """
    lines = []
    for group in _clusters([segment for segment in segments if _visible(segment)]):
        group.sort(key=lambda segment: min(glyph.x0 for glyph in _visible(segment)))
        if _overlap(group):
            lines.append(sorted(_visible([g for segment in group for g in segment]), key=lambda g: g.x0))
        else:
            lines.append([glyph for segment in group for glyph in segment])
    return lines


def _overlap(group: list[list[Glyph]]) -> bool:
    for left, right in itertools.pairwise(group):
        if max(g.x0 for g in _visible(left)) > min(g.x0 for g in _visible(right)):
            return True
    return False


def _positional_lines(glyphs: Sequence[Glyph]) -> list[list[Glyph]]:
    """The fallback: group characters by baseline and sort each line by x."""
    groups = _clusters([[glyph] for glyph in glyphs if glyph.text.strip()])
    return [sorted((segment[0] for segment in group), key=lambda g: g.x0) for group in groups]


def _text_line(glyphs: list[Glyph]) -> TextLine:
    visible = _visible(glyphs)
    parts: list[str] = []
    previous: Glyph | None = None
    for glyph in glyphs:
        if not glyph.text.strip():
            parts.append(" ")
            continue
        if previous is not None and glyph.x0 - previous.x1 > _WORD_GAP * glyph.size:
            parts.append(" ")
        parts.append(glyph.text)
        previous = glyph
    return TextLine(clean_line("".join(parts)), min(g.x0 for g in visible), max(g.x1 for g in visible),
                    _baseline(visible), _size(visible))
