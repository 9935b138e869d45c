"""The WordprocessingML vocabulary the Word modules share: tag names, and attribute reading that
survives damaged files.

:mod:`corpus.readers.docx` walks the body, :mod:`corpus.readers.word_styles` reads the styles part
and :mod:`corpus.readers.word_numbering` the numbering part, all on python-docx's lxml elements.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_FALSE = frozenset(("0", "false", "off"))


def w(tag: str) -> str:
    """The qualified name of a tag in the WordprocessingML namespace (``w:p`` → ``{…}p``)."""
    return _W + tag


class XmlElement(Protocol):
    """The part of lxml's element API used here (python-docx's XML is lxml; lxml ships no types)."""

    tag: Any  # a str for elements; a function for comments and processing instructions
    text: str | None

    def get(self, key: str, default: str | None = None) -> str | None: ...

    def find(self, path: str) -> XmlElement | None: ...

    def findall(self, path: str) -> list[XmlElement]: ...

    def __iter__(self) -> Iterator[XmlElement]: ...


def int_value(value: str | None, default: int) -> int:
    """An integer attribute; damaged files hold anything, and Word treats nonsense as absent."""
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def val(element: XmlElement | None, tag: str) -> str | None:
    """The w:val of a child element, or None when the child is absent."""
    if element is None:
        return None
    child = element.find(w(tag))
    return None if child is None else child.get(w("val"))


def is_on(element: XmlElement | None, tag: str) -> bool:
    """A toggle property such as w:tblHeader: on when present, unless its w:val says off."""
    if element is None:
        return False
    child = element.find(w(tag))
    return child is not None and (child.get(w("val")) or "true").lower() not in _FALSE
