"""Turning file bytes into text and lines whose offsets stay true to the file.

Offsets everywhere are code-point offsets into the decoded text, without newline translation:
``Path.read_bytes().decode(encoding)`` gives the string they index.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from corpus.errors import EmptyDocument, NotText

# Characters that count as blank: str.isspace() does not include the BOM or zero-width space.
_INVISIBLE = "\ufeff\u200b"


def is_blank_char(char: str) -> bool:
    return char.isspace() or char in _INVISIBLE


def strip(value: str) -> str:
    return value.strip().strip(_INVISIBLE).strip()


def decode(data: bytes) -> tuple[str, str]:
    """Decode a policy file, returning ``(text, encoding)``.

    UTF-8 first (the common case), UTF-16 when it starts with a BOM, then GB18030, which is a
    superset of GBK and GB2312, the encodings older government files still arrive in.

    Raises:
        EmptyDocument: zero bytes, or only whitespace.
        NotText: NUL bytes, control characters, or no encoding fits.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    elif b"\x00" in data:
        raise NotText("the file contains NUL bytes: it looks binary, not a text document")
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        _check_text(text)
        return text, encoding
    raise NotText("the file is neither UTF-8 nor GB18030 text")


def _check_text(text: str) -> None:
    if not any(not is_blank_char(char) for char in text):
        raise EmptyDocument("the document is empty")
    control = sum(
        1 for char in text if unicodedata.category(char) == "Cc" and char not in "\t\n\r\f\v"
    )
    if control > max(8, len(text) // 1000):
        raise NotText(f"the file holds {control} control characters: it looks binary")


def read_file(path: Path) -> tuple[str, str]:
    """Read and decode a file; see :func:`decode`."""
    data = path.read_bytes()
    if not data:
        raise EmptyDocument(f"{path} is empty")
    return decode(data)


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
