"""Word paragraph styles: the heading level and the list numbering a paragraph takes from its style.

A paragraph names its style (``w:pStyle``); the style, or one it is based on, may make it a heading
(Heading 1–9, 标题 1–9, Title, an outline level) or number it (a ``w:numPr`` naming a list). Read
from the styles part by :mod:`corpus.readers.docx`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from corpus.readers.word_xml import XmlElement, int_value, val, w

_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.IGNORECASE)
_TITLE_STYLES = frozenset(("title", "标题"))


@dataclass(frozen=True)
class Style:
    """What a paragraph style contributes to a rendition: its name, numbering and outline level."""

    name: str
    based_on: str | None = None
    num_id: str | None = None
    level: int | None = None  # w:ilvl of the style's w:numPr
    outline: int | None = None  # w:outlineLvl, 0 = top, 9 = body text


@dataclass(frozen=True)
class Styles:
    """The paragraph styles of a document by style id, and the default paragraph style."""

    by_id: dict[str, Style]
    default: str | None = None

    @classmethod
    def from_xml(cls, root: XmlElement) -> Styles:
        by_id: dict[str, Style] = {}
        default = None
        for element in root.findall(w("style")):
            style_id = element.get(w("styleId"))
            if style_id is None or element.get(w("type"), "paragraph") != "paragraph":
                continue
            properties = element.find(w("pPr"))
            numbering = properties.find(w("numPr")) if properties is not None else None
            level = val(numbering, "ilvl")
            outline = val(properties, "outlineLvl")
            by_id[style_id] = Style(val(element, "name") or style_id, val(element, "basedOn"),
                                    val(numbering, "numId"), None if level is None else int_value(level, 0),
                                    None if outline is None else int_value(outline, 9))
            if (element.get(w("default")) or "").lower() in ("1", "true", "on"):
                default = style_id
        return cls(by_id, default)

    def chain(self, style_id: str | None) -> Iterator[Style]:
        """The style and the styles it is based on, nearest first (a cycle is cut)."""
        seen: set[str] = set()
        current = style_id if style_id is not None else self.default
        while current is not None and current not in seen and current in self.by_id:
            seen.add(current)
            style = self.by_id[current]
            yield style
            current = style.based_on

    def heading_level(self, style_id: str | None) -> int | None:
        """The heading level a style gives (Heading 1–9, 标题 1–9, Title = 1, an outline level)."""
        for style in self.chain(style_id):
            name = style.name.strip()
            if name.lower() in _TITLE_STYLES:
                return 1
            match = _HEADING_STYLE.match(name)
            if match:
                return int(match.group(1))
            if style.outline is not None:
                return style.outline + 1 if 0 <= style.outline <= 8 else None
        return None

    def numbering(self, style_id: str | None) -> tuple[str | None, int | None]:
        """The numId and ilvl a style gives its paragraphs, nearest definition first."""
        num_id: str | None = None
        level: int | None = None
        for style in self.chain(style_id):
            num_id = num_id if num_id is not None else style.num_id
            level = level if level is not None else style.level
        return num_id, level
