"""Lines of a rendition whose offsets stay true to it, and joining text broken by extraction.

Offsets everywhere are code-point offsets into the rendition, without newline translation (for a
plain text file: ``Path.read_bytes().decode(encoding)``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Characters that count as blank: str.isspace() does not include the BOM or zero-width space.
_INVISIBLE = "\ufeff\u200b"


def is_blank_char(char: str) -> bool:
    return char.isspace() or char in _INVISIBLE


def strip(value: str) -> str:
    return value.strip().strip(_INVISIBLE).strip()


@dataclass(frozen=True)
class Line:
    """One line of the document: ``start``/``end`` exclude the line break."""

    index: int
    start: int
    end: int
    raw: str

    @property
    def text(self) -> str:
        return strip(self.raw)

    @property
    def is_blank(self) -> bool:
        return not self.text

    @property
    def is_cell(self) -> bool:
        """Tables arrive one cell per line, each cell line indented with a tab."""
        return self.raw.startswith("\t")

    @property
    def content_start(self) -> int:
        offset = len(self.raw) - len(self.raw.lstrip().lstrip(_INVISIBLE).lstrip())
        return self.start + offset

    @property
    def content_end(self) -> int:
        offset = len(self.raw) - len(self.raw.rstrip().rstrip(_INVISIBLE).rstrip())
        return self.end - offset


def split_lines(text: str) -> list[Line]:
    lines: list[Line] = []
    position = 0
    for index, chunk in enumerate(text.splitlines(keepends=True)):
        body = chunk.rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
        lines.append(Line(index, position, position + len(body), body))
        position += len(chunk)
    return lines


_CJK_GAP = re.compile(r"\s+")


def join_fragments(fragments: list[str]) -> str:
    """Join text broken over lines by extraction, as a reader would read it.

    Whitespace survives only between two ASCII letters or digits (``PPP 模式`` loses it,
    ``New York`` keeps it); ``4. 5`` becomes ``4.5`` and ``合  计`` becomes ``合计``.
    """
    joined = " ".join(strip(fragment) for fragment in fragments if strip(fragment))

    def keep(match: re.Match[str]) -> str:
        before = joined[match.start() - 1] if match.start() else ""
        after = joined[match.end()] if match.end() < len(joined) else ""
        return " " if before.isascii() and before.isalnum() and after.isascii() and after.isalnum() else ""

    return _CJK_GAP.sub(keep, joined)
