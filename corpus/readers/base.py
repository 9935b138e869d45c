"""What every format reader returns: the text a person reads, with the structure the format knew.

A :class:`Rendition` is the one text that every offset of the document points into. For a plain
text file it is the decoded file, unchanged. For every other format it is the extracted text,
normalised once (page furniture dropped, wrapped lines re-joined, letter spacing closed up) and
then frozen: the corpus stores it beside the original, and provisions are cut from it, so a
later library upgrade cannot move a citation.

Conventions every reader follows, so that the parser reads all formats alike:

* Paragraphs and headings are lines separated by ``\\n``; no ``\\r``. Leading indentation
  (full-width spaces) is dropped.
* A table is written one row per line, its cells separated by a tab; a cell's own line breaks
  become a space, so no cell holds a tab or a newline. Its structure is given in
  :attr:`Rendition.tables`: which span of text each cell is, and which cells a merged cell covers.
* ``properties`` holds metadata the container states outside the text (a portal's metadata box,
  HTML ``<meta>`` tags, PDF or Word document properties) under the keys of :data:`PROPERTY_KEYS`,
  values as written.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

FORMATS = ("text", "markdown", "html", "docx", "doc", "pdf", "ofd")

# Metadata a container may state besides the text. Values are kept as written (dates included).
PROPERTY_KEYS = (
    "title",  # the document's title (HTML ArticleTitle, Word/PDF title property)
    "number",  # 文号
    "issuer",  # 发文机关 / 发布机关 (several separated by 、 or spaces as written)
    "written",  # 成文日期
    "published",  # 发布日期
    "effective",  # 实施日期 / 施行日期
    "expires",  # 失效日期 / 废止日期
    "index_number",  # 索引号
    "status",  # 有效性 / 文件状态
)


@dataclass(frozen=True)
class GridCell:
    """One cell of a table as the format laid it out.

    ``start``/``end`` span the cell's text in the rendition (equal for an empty cell, placed where
    the cell stands in its row). ``origin`` is set on a cell that a merged cell covers (HTML
    rowspan/colspan, Word vMerge/gridSpan, a PDF cell spanning rows): the ``(row, column)`` of the
    cell whose value covers it; such a cell is empty itself.
    """

    start: int
    end: int
    origin: tuple[int, int] | None = None


@dataclass(frozen=True)
class TableGrid:
    """A table with its real structure: every row has the same number of cells.

    ``header_rows`` is how many leading rows are headers (``<th>``/``<thead>``, Word's repeated
    header rows, a header repeated on every PDF page), at least 1 when the table has a header.
    ``start``/``end`` span the table's rows in the rendition (whole lines).
    """

    start: int
    end: int
    rows: tuple[tuple[GridCell, ...], ...]
    header_rows: int = 1

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "header_rows": self.header_rows,
                "rows": [[[c.start, c.end, list(c.origin) if c.origin else None] for c in row]
                         for row in self.rows]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TableGrid:
        rows = tuple(tuple(GridCell(int(c[0]), int(c[1]), (int(c[2][0]), int(c[2][1])) if c[2] else None)
                           for c in row) for row in data["rows"])
        return cls(int(data["start"]), int(data["end"]), rows, int(data["header_rows"]))


@dataclass(frozen=True)
class HeadingHint:
    """A line the format itself marked as a heading (Markdown ``#``, Word Heading styles, HTML
    ``<h1>``–``<h6>``), with its level (1 = top)."""

    start: int
    end: int
    level: int


@dataclass(frozen=True)
class Rendition:
    """The text of a document as read from its file, and what its format said about structure."""

    text: str
    format: str  # one of FORMATS
    encoding: str | None = None  # the file's encoding, for formats read as text
    pages: tuple[int, ...] = ()  # offset at which each page starts (PDF, OFD)
    tables: tuple[TableGrid, ...] = ()
    headings: tuple[HeadingHint, ...] = ()
    properties: Mapping[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    def page_at(self, offset: int) -> int | None:
        """The 1-based page on which ``offset`` lies, or None for formats without pages."""
        if not self.pages:
            return None
        return max(1, bisect.bisect_right(self.pages, offset))

    def to_json(self) -> dict[str, Any]:
        """Everything but the text, which is stored as a file of its own."""
        return {"format": self.format, "encoding": self.encoding, "pages": list(self.pages),
                "tables": [table.to_json() for table in self.tables],
                "headings": [[h.start, h.end, h.level] for h in self.headings],
                "properties": dict(self.properties), "warnings": list(self.warnings)}

    @classmethod
    def from_json(cls, text: str, data: Mapping[str, Any]) -> Rendition:
        return cls(text, str(data["format"]), data.get("encoding"),
                   tuple(int(p) for p in data.get("pages", [])),
                   tuple(TableGrid.from_json(t) for t in data.get("tables", [])),
                   tuple(HeadingHint(int(h[0]), int(h[1]), int(h[2])) for h in data.get("headings", [])),
                   {str(k): str(v) for k, v in data.get("properties", {}).items()},
                   tuple(str(w) for w in data.get("warnings", [])))


class RenditionBuilder:
    """Appends lines and tables to a rendition while recording their offsets.

    Readers describe a document as a sequence of paragraphs, headings and tables; the builder
    joins them with ``\\n`` and keeps every span true to the final text.
    """

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self.tables: list[TableGrid] = []
        self.headings: list[HeadingHint] = []
        self.pages: list[int] = []

    @property
    def offset(self) -> int:
        return self._length

    def _write(self, text: str) -> None:
        self._parts.append(text)
        self._length += len(text)

    def _newline(self) -> None:
        if self._length:
            self._write("\n")

    def start_page(self, offset: int | None = None) -> None:
        """Mark where a page starts: at ``offset`` (inside a paragraph or a table that runs over
        a page break), else with the next line; a page with nothing after it starts where the
        text ends."""
        self.pages.append(offset if offset is not None else self._length + (1 if self._length else 0))

    def _close_pages(self) -> None:
        self.pages = [min(page, self._length) for page in self.pages]

    def line(self, text: str, heading_level: int | None = None) -> tuple[int, int] | None:
        """Append one line (a paragraph or heading); blank text is skipped. Returns its span."""
        text = " ".join(text.replace("\t", " ").splitlines()).strip()
        if not text:
            return None
        self._newline()
        start = self._length
        self._write(text)
        if heading_level is not None:
            self.headings.append(HeadingHint(start, self._length, heading_level))
        return start, self._length

    def table(self, rows: list[list[str | None]], header_rows: int = 1,
              origins: list[list[tuple[int, int] | None]] | None = None) -> TableGrid | None:
        """Append a table given as rows of cell texts.

        ``origins[r][c]`` names the cell that covers ``(r, c)`` when a merged cell does; a
        covered cell's text must be None or empty. Rows are padded to the widest row. Tables
        with no text are skipped.
        """
        width = max((len(row) for row in rows), default=0)
        if width == 0 or not any((cell or "").strip() for row in rows for cell in row):
            return None
        grid: list[tuple[GridCell, ...]] = []
        self._newline()
        table_start = self._length
        for r, row in enumerate(rows):
            if r:
                self._write("\n")
            cells = []
            for c in range(width):
                if c:
                    self._write("\t")
                value = row[c] if c < len(row) else None
                value = " ".join((value or "").replace("\t", " ").split())
                origin = origins[r][c] if origins and r < len(origins) and c < len(origins[r]) else None
                if origin is not None:
                    value = ""
                start = self._length
                self._write(value)
                cells.append(GridCell(start, self._length, origin))
            grid.append(tuple(cells))
        table = TableGrid(table_start, self._length, tuple(grid), min(header_rows, len(grid)))
        self.tables.append(table)
        return table

    def build(self, format: str, **kwargs: Any) -> Rendition:
        self._close_pages()
        return Rendition("".join(self._parts), format, pages=tuple(self.pages),
                         tables=tuple(self.tables), headings=tuple(self.headings), **kwargs)
