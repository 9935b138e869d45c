"""Writing a portal page's elements as lines and tables: block elements and ``<br>`` end a line,
inline ones join, and a data table becomes a grid with its merged cells.

Used twice: to write the article once it is found (:mod:`corpus.readers.html_article`), dropping
what does not belong in it, and to see how any element would read while looking for the article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.readers.html_properties import is_box
from corpus.readers.html_tree import BLOCKS, Element, walk
from corpus.readers.normalise import clean_line

_HEADINGS = {f"h{level}": level for level in range(1, 7)}
# Page furniture, dropped inside the article and discounted while looking for it.
FURNITURE_TAGS = frozenset({"nav", "aside", "footer"})
_WHITESPACE = re.compile(r"[ \t\n\r\f]+")
# A link to an attachment is part of the document, not navigation.
FILE_LINK = re.compile(r"附件|\.(?:docx?|pdf|xlsx?|wps|ofd|zip|rar|et)\b", re.IGNORECASE)


@dataclass
class Line:
    """A line as written, with its heading level (``<h1>``–``<h6>``) if it is a heading."""

    text: str
    level: int | None = None

    def texts(self) -> list[str]:
        return [self.text]


@dataclass
class Table:
    """A data table laid out as a grid: cell texts, the origins of covered cells, header rows."""

    rows: list[list[str | None]]
    origins: list[list[tuple[int, int] | None]]
    header_rows: int

    def texts(self) -> list[str]:
        return [cell for row in self.rows for cell in row if cell]


class LineWriter:
    """Turns elements into lines: block elements and ``<br>`` end a line, inline ones join."""

    def __init__(self, include_hidden: bool, in_body: bool) -> None:
        self.include_hidden = include_hidden
        self.in_body = in_body  # in the article: boxes, link lists and furniture are dropped
        self.items: list[Line | Table] = []
        self.notes: list[str] = []
        self.boxes: list[Element] = []
        self._buffer: list[str] = []

    def flush(self, level: int | None = None) -> None:
        text = clean_line(_WHITESPACE.sub(" ", "".join(self._buffer)))
        self._buffer.clear()
        if text:
            self.items.append(Line(text, level))

    def walk(self, element: Element) -> None:
        if (element.hidden and not self.include_hidden) or self._dropped(element):
            return
        if element.tag == "br":
            self.flush()
        elif element.tag == "table" and not is_layout_table(element):
            self.flush()
            self._table(element)
        elif element.tag in BLOCKS:
            self.flush()
            self.children(element)
            self.flush(_HEADINGS.get(element.tag))
        else:
            self.children(element)

    def children(self, element: Element) -> None:
        for child in element.children:
            if isinstance(child, Element):
                self.walk(child)
            elif element.tag == "pre":
                for i, piece in enumerate(child.split("\n")):
                    if i:
                        self.flush()
                    self._buffer.append(piece)
            else:
                self._buffer.append(child)

    def _dropped(self, element: Element) -> bool:
        if not self.in_body:
            return False
        if element.tag in FURNITURE_TAGS:
            self.notes.append(f"dropped a <{element.tag}> block inside the article body")
        elif is_box(element):
            self.boxes.append(element)
            self.notes.append("dropped a metadata box inside the article body (read as properties)")
        elif element.visible.links >= 3 and element.visible.link_density >= 0.7 \
                and not FILE_LINK.search(element.text(self.include_hidden)):
            self.notes.append(f"dropped a list of {element.visible.links} links inside the article body")
        else:
            return False
        return True

    def _table(self, table: Element) -> None:
        """A data table as a grid; a merged cell leaves covered cells pointing at its origin."""
        rows = _rows(table)
        cells: dict[tuple[int, int], str] = {}
        origins: dict[tuple[int, int], tuple[int, int]] = {}
        header_rows = 0
        for r, (row, in_head) in enumerate(rows):
            column = 0
            row_cells = [c for c in row.elements(self.include_hidden) if c.tag in {"td", "th"}]
            for cell in row_cells:
                while (r, column) in cells or (r, column) in origins:
                    column += 1
                down, across = _span(cell, "rowspan", len(rows) - r), _span(cell, "colspan", 0)
                if len(cells) + len(origins) + down * across > 100_000:
                    self.notes.append("a table too large to lay out was read as lines")
                    self.children(table)
                    return
                cells[(r, column)] = self._cell_text(cell)
                origins.update({(r + dr, column + dc): (r, column)
                                for dr in range(down) for dc in range(across) if dr or dc})
                column += across
            if r == header_rows and row_cells and (in_head or all(c.tag == "th" for c in row_cells)):
                header_rows = max(r + _span(c, "rowspan", len(rows) - r) for c in row_cells)
        for caption in (c for c in table.elements(self.include_hidden) if c.tag == "caption"):
            self.walk(caption)
        used = sorted({r for r, _ in (*cells, *origins)})
        width = 1 + max((c for _, c in (*cells, *origins)), default=-1)
        renumber = {r: i for i, r in enumerate(used)}
        self.items.append(Table(
            [[cells.get((r, c)) for c in range(width)] for r in used],
            [[(renumber[o[0]], o[1]) if (o := origins.get((r, c))) and (r, c) not in cells else None
              for c in range(width)] for r in used],
            max(1, header_rows)))

    def _cell_text(self, cell: Element) -> str:
        writer = LineWriter(self.include_hidden, in_body=False)
        writer.children(cell)
        writer.flush()
        return " ".join(text for item in writer.items for text in item.texts())


def _rows(table: Element) -> list[tuple[Element, bool]]:
    """The table's own rows (not those of tables in its cells), each with whether in <thead>."""
    rows = []
    for child in table.elements():
        if child.tag == "tr":
            rows.append((child, False))
        elif child.tag in {"thead", "tbody", "tfoot"}:
            rows.extend((row, child.tag == "thead") for row in child.elements() if row.tag == "tr")
    return rows


def _span(cell: Element, name: str, rows_left: int) -> int:
    """rowspan/colspan as browsers read it: rowspan="0" spans the rest of the table, a colspan
    is at most 1000, anything unreadable is 1."""
    value = (cell.attrs.get(name) or "").strip()
    number = int(value) if re.fullmatch(r"[0-9]{1,6}", value) else 1
    if name == "rowspan":
        return min(number or rows_left, rows_left)
    return max(1, min(number, 1000))


def is_layout_table(table: Element) -> bool:
    """A table that lays out the page rather than holding data: one column, one filled cell, a
    table inside a cell, or one cell holding nearly all the prose (the article in a layout cell)."""
    rows = [[c for c in row.elements() if c.tag in {"td", "th"}] for row, _ in _rows(table)]
    cells = [cell for row in rows for cell in row]
    if any(e.tag == "table" for cell in cells for e in walk(cell, True) if e is not cell):
        return True
    filled = [cell for cell in cells if cell.total.chars]
    if len(filled) <= 1 or max(len(row) for row in rows) <= 1:
        return True
    fullest = max(filled, key=lambda cell: cell.total.prose)
    return fullest.total.sentences >= 3 and fullest.total.prose >= 0.8 * table.total.prose
