"""Rebuilding tables that extraction flattened to one cell per line.

The seeds hold each table cell on a line of its own, indented with a tab; a cell broken over
several lines continues on lines without the tab; a row ends with a blank line, but a cell may
also end in empty paragraphs, so a blank line alone does not end a row. We read the block into
naive rows (split at every blank line before a cell), find the table's width from the most
common row length, and merge the fragments of a row until it is that wide. No library reads
this layout (it is what a PDF/DOCX extractor left behind), hence the hand-written code.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from corpus.headings import is_attachment_list, match_attachment, match_heading
from corpus.readers.base import TableGrid
from corpus.text import Line, join_fragments

# A cell whose lines are each an organisation's name lists several of them (发改局 / 民政局),
# any other cell broken over lines is one phrase wrapped by the extractor (养老 / 保障).
_ORGANISATION = re.compile(r"(局|委|会|联|办|部|队|院|所|中心|政府|街道|镇|乡|分局|公司|支行|处|厅)$")
_TOTAL = re.compile(r"^(合计|总计|小计)$")
_SERIAL = re.compile(r"^(序号|编号)$")
_DEPARTMENT_COLUMN = re.compile(r"(责任|牵头|配合|实施)(单位|部门)|^(责任|牵头|配合)$")
_TABLE_NUMBER = re.compile(r"^表\s*(\d{1,3})")


@dataclass
class RawCell:
    lines: list[Line]
    listing: bool = False  # set for department columns: separate lines are separate names

    @property
    def fragments(self) -> list[Line]:
        return [line for line in self.lines if not line.is_blank]

    @property
    def value(self) -> str:
        texts = [line.text for line in self.fragments]
        if self.listing and len(texts) > 1 and all(_ORGANISATION.search(text) for text in texts):
            return "、".join(join_fragments([text]) for text in texts)
        return join_fragments(texts)

    @property
    def span(self) -> tuple[int, int] | None:
        fragments = self.fragments
        if not fragments:
            return None
        return fragments[0].content_start, fragments[-1].content_end


Row = list[RawCell]


def _span(row: Row) -> tuple[int, int] | None:
    spans = [cell.span for cell in row if cell.span]
    if not spans:
        return None
    return spans[0][0], spans[-1][1]


def _filled(row: Row) -> list[RawCell]:
    return [cell for cell in row if cell.value]


def table_number(title: str | None) -> int | None:
    """The table's own number when its title says 表2."""
    found = _TABLE_NUMBER.match(title or "")
    return int(found.group(1)) if found else None


def ends_table(text: str) -> bool:
    """A line that cannot continue a cell: a heading, a note, an attachment, a table title."""
    return bool(
        match_heading(text)
        or match_attachment(text)
        or is_attachment_list(text)
        or text.startswith(("注：", "注:", "抄送"))
        or _TABLE_NUMBER.match(text)
    )


def scan_table(lines: list[Line], begin: int, stop: int) -> tuple[list[Row], int]:
    """Read the cell lines from ``begin``; return the naive rows and the index after the block.

    A line without a tab continues the current cell unless two blank lines came before it or it
    reads as a heading or note.
    """
    rows: list[Row] = []
    blank_run = 0
    last = begin
    for index in range(begin, stop):
        line = lines[index]
        if line.is_cell:
            if not rows or blank_run:
                rows.append([])
            rows[-1].append(RawCell([line]))
            blank_run = 0
            last = index
        elif line.is_blank:
            blank_run += 1
        else:
            if blank_run >= 2 or ends_table(line.text):
                break
            rows[-1][-1].lines.append(line)
            blank_run = 0
            last = index
    return rows, last + 1


def looks_like_table(rows: list[Row]) -> bool:
    """At least two rows of two or more cells, with text in them: else the tab lines are
    ordinary indented paragraphs."""
    return sum(1 for row in rows if len(row) >= 2 and len(_filled(row)) >= 1) >= 2


@dataclass
class TableRow:
    cells: list[tuple[str, RawCell]]  # (column, cell)
    span: tuple[int, int]
    carried: dict[int, tuple[str, tuple[int, int]]] = field(default_factory=dict)
    summary: bool = False
    caption: str | None = None  # the group caption above this row, if any


@dataclass
class ParsedTable:
    """A table before labels are known: rows with their cells, and the non-row elements."""

    title: str | None
    title_span: tuple[int, int] | None
    columns: list[str]
    header_spans: list[tuple[int, int]]
    caption_spans: list[tuple[int, int]]
    rows: list[TableRow]
    start: int
    end: int

    def department_columns(self) -> list[int]:
        return [i for i, column in enumerate(self.columns) if _DEPARTMENT_COLUMN.search(column)]


def build_table(naive_rows: list[Row]) -> ParsedTable:
    width = _width(naive_rows)
    rows = _merge(naive_rows, width)
    position = 0
    title: str | None = None
    title_span = None
    if len(_filled(rows[0])) == 1 and len(rows[0]) <= 2:
        title, title_span = _filled(rows[0])[0].value, _span(rows[0])
        position = 1
    header = rows[position]
    header_spans = [s for s in [_span(header)] if s]
    columns = [cell.value for cell in header]
    position += 1
    if position < len(rows) and _is_subheader(header, rows[position]):
        columns = _flatten(header, rows[position])[0]
        header_spans += [s for s in [_span(rows[position])] if s]
        position += 1
    columns = _fit_columns(columns, rows[position:], width)

    parsed_rows: list[TableRow] = []
    caption_spans: list[tuple[int, int]] = []
    header_values = [cell.value for cell in header if cell.value]
    caption: str | None = None
    for row in rows[position:]:
        span = _span(row)
        if span is None:
            continue
        values = [cell.value for cell in row]
        filled = _filled(row)
        if len(filled) == 1 and len(row) < width and not _TOTAL.match(filled[0].value):
            caption = filled[0].value
            caption_spans.append(span)
            continue
        if [v for v in values if v] == header_values:
            header_spans.append(span)  # the header repeated under a group caption
            continue
        summary = len(row) < len(columns) and bool(filled) and bool(_TOTAL.match(row[0].value))
        names = [""] * len(row) if summary else columns + [
            f"列{i + 1}" for i in range(len(columns), len(row))]
        parsed_rows.append(TableRow(list(zip(names, row, strict=False)), span, summary=summary,
                                    caption=None if summary else caption))
    for index, column in enumerate(columns):
        if _DEPARTMENT_COLUMN.search(column):
            for parsed in parsed_rows:
                if index < len(parsed.cells):
                    parsed.cells[index][1].listing = True
    _carry_down(parsed_rows, columns)
    _name_summary_values(parsed_rows, columns)
    spans = [s for s in [title_span, *header_spans, *caption_spans] if s] + [r.span for r in parsed_rows]
    return ParsedTable(title, title_span, columns, header_spans, caption_spans, parsed_rows,
                       min(s[0] for s in spans), max(s[1] for s in spans))


def _width(rows: list[Row]) -> int:
    counts = Counter(len(row) for row in rows if len(row) >= 2)
    return max(counts, key=lambda n: (counts[n], n))


def _merge(rows: list[Row], width: int) -> list[Row]:
    """Rejoin rows that a cell's trailing empty paragraph split in two."""
    merged: list[Row] = []
    for row in rows:
        previous = merged[-1] if merged else None
        if (previous is not None and len(previous) < width and len(previous) + len(row) <= width
                and len(_filled(previous)) > 1):
            previous.extend(row)
        else:
            merged.append(list(row))
    return merged


def _is_subheader(header: Row, row: Row) -> bool:
    """A second header row names the columns under one spanning header cell (目标值 → 2022年…).

    It is wider than the header, its filled cells are names (not figures), and walking it under
    the header uses up exactly the header's cells.
    """
    filled = [cell.value for cell in row if cell.value]
    if len(row) <= len(header) or len(filled) < 2 or len(filled) == len(row):
        return False
    if any(re.fullmatch(r"[\d.%％≥≤<>＞＜/]+", value) for value in filled):
        return False
    return _flatten(header, row)[1] == len(header)


def _flatten(header: Row, sub: Row) -> tuple[list[str], int]:
    """Walk the second row: an empty cell falls under the next header cell, a run of filled
    cells under one header cell that spans them. Returns the column names and how many header
    cells the walk used."""
    names: list[str] = []
    used = 0
    index = 0
    while index < len(sub):
        used += 1
        if not sub[index].value:
            names.append(header[used - 1].value if used <= len(header) else "")
            index += 1
            continue
        while index < len(sub) and sub[index].value:
            names.append(sub[index].value)
            index += 1
    return names, used


def _fit_columns(columns: list[str], rows: list[Row], width: int) -> list[str]:
    """Name a column the header left unnamed (涟水县's category column under 指标名称).

    When data rows are one cell wider than the header, the unnamed column is the one whose
    cells are mostly empty: a merged category written once per group.
    """
    if width != len(columns) + 1:
        return columns
    full = [row for row in rows if len(row) == width]
    if not full:
        return columns
    empties = [sum(1 for row in full if not row[i].value) for i in range(width)]
    sparse = max(range(1, width), key=lambda i: (empties[i], -i))
    if empties[sparse] * 2 < len(full):
        return [*columns, f"列{width}"]
    return [*columns[:sparse], "类别", *columns[sparse:]]


def _carry_down(rows: list[TableRow], columns: list[str]) -> None:
    """Fill a merged cell's value into the rows below it that extraction left empty."""
    previous: TableRow | None = None
    for row in rows:
        if row.summary or len(row.cells) != len(columns):
            previous = None
            continue
        if previous is not None and previous.caption == row.caption:
            for index, (column, cell) in enumerate(row.cells):
                if cell.value or _SERIAL.match(column):
                    continue
                _above_column, above = previous.cells[index]
                if above.value and above.span:
                    row.carried[index] = (above.value, above.span)
                elif index in previous.carried:
                    row.carried[index] = previous.carried[index]
        previous = row


_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")


def _name_summary_values(rows: list[TableRow], columns: list[str]) -> None:
    """A short 合计 row (合计 | 7826.39) names its figures after the numeric columns they total.

    Extraction keeps only the filled cells of a total row, so position says nothing; the columns
    whose data cells are numbers (序号 aside) are what such a row can total, in order.
    """
    full = [row for row in rows if not row.summary and len(row.cells) == len(columns)]
    numeric = [i for i, column in enumerate(columns) if not _SERIAL.match(column) and full and
               sum(1 for row in full if _NUMBER.match(row.cells[i][1].value)) >= 0.6 * len(full)]
    for row in rows:
        if not row.summary:
            continue
        values = [i for i, (_, cell) in enumerate(row.cells) if _NUMBER.match(cell.value)]
        if values and len(values) <= len(numeric):
            for position, index in zip(values, numeric[-len(values):], strict=True):
                row.cells[position] = (columns[index], row.cells[position][1])


def render_row(title: str | None, row: TableRow) -> str:
    """A table row as a self-contained statement: ``表题｜列：值｜列：值``."""
    pieces = [title] if title else []
    if row.caption:
        pieces.append(row.caption)
    for index, (column, cell) in enumerate(row.cells):
        value = cell.value or (row.carried[index][0] if index in row.carried else "")
        if not value or _SERIAL.match(column):
            continue
        pieces.append(f"{column}：{value}" if column else value)
    return "｜".join(pieces)


# --- tables whose structure the format gave ---------------------------------------------------


@dataclass
class GridRawCell:
    """A cell of a table the format described (Word, HTML, PDF ruling): its text is exactly the
    rendition's, already normalised by the reader, so nothing is re-joined here."""

    value: str
    span: tuple[int, int] | None
    listing: bool = False


def build_grid_table(grid: TableGrid, text: str) -> ParsedTable:
    """A :class:`ParsedTable` from a reader's grid: the header rows name the columns, a merged
    cell's value is carried into the rows it covers with the span of the cell it comes from,
    a row made of one cell spanning the whole width is a group caption (or, on top, the title)."""
    width = len(grid.rows[0]) if grid.rows else 0

    def own(r: int, c: int) -> GridRawCell:
        cell = grid.rows[r][c]
        value = text[cell.start:cell.end].strip()
        return GridRawCell(value, (cell.start, cell.end) if value else None)

    def spans_row(r: int) -> bool:
        """One cell covering the whole row."""
        cells = grid.rows[r]
        return width > 1 and bool(own(r, 0).value) and all(
            cell.origin == (r, 0) for cell in cells[1:])

    position = 0
    title: str | None = None
    title_span: tuple[int, int] | None = None
    header_end = grid.header_rows
    if grid.rows and spans_row(0) and len(grid.rows) > 1:
        title, title_span = own(0, 0).value, own(0, 0).span
        position = 1
        header_end = max(header_end, 2) if grid.header_rows <= 1 else header_end
    columns = [_column_name(grid, text, position, header_end, c) for c in range(width)]
    header_spans = [s for r in range(position, header_end) for s in [_row_span(grid, r)] if s]
    header_values = [v for v in columns if v]

    rows: list[TableRow] = []
    caption_spans: list[tuple[int, int]] = []
    caption: str | None = None
    for r in range(header_end, len(grid.rows)):
        span = _row_span(grid, r)
        if span is None:
            continue
        if spans_row(r):
            caption = own(r, 0).value
            caption_spans.append(span)
            continue
        values = [own(r, c).value for c in range(width)]
        if [v for v in values if v] == header_values:
            header_spans.append(span)  # the header repeated inside the table
            continue
        cells: list[tuple[str, RawCell]] = []
        carried: dict[int, tuple[str, tuple[int, int]]] = {}
        for c in range(width):
            cell = own(r, c)
            name = columns[c]
            if c < 2 and _TOTAL.match(cell.value):
                name = ""  # 合计 stands for the row, not for the 序号 column it sits in
            cells.append((name, cell))  # type: ignore[arg-type]
            origin = grid.rows[r][c].origin
            if origin is not None and origin[0] < r and origin[0] >= header_end:
                source = own(*origin)
                if source.value and source.span:
                    carried[c] = (source.value, source.span)
        rows.append(TableRow(cells, span, carried, caption=caption))
    for index, column in enumerate(columns):
        if _DEPARTMENT_COLUMN.search(column):
            for parsed in rows:
                parsed.cells[index][1].listing = True
    start = min([s[0] for s in [title_span, *header_spans] if s] + [r.span[0] for r in rows] + [grid.start])
    end = max([s[1] for s in [title_span, *header_spans, *caption_spans] if s] + [r.span[1] for r in rows]
              + [start])
    return ParsedTable(title, title_span, columns, header_spans, caption_spans, rows, start, end)


def _column_name(grid: TableGrid, text: str, first: int, last: int, column: int) -> str:
    """The lowest header cell over ``column`` that has text, or the merged cell covering it."""
    for r in range(last - 1, first - 1, -1):
        cell = grid.rows[r][column]
        if cell.origin is not None:
            cell = grid.rows[cell.origin[0]][cell.origin[1]]
        value = text[cell.start:cell.end].strip()
        if value:
            return value
    return f"列{column + 1}"


def _row_span(grid: TableGrid, r: int) -> tuple[int, int] | None:
    cells = [cell for cell in grid.rows[r] if cell.end > cell.start]
    if not cells:
        return None
    return cells[0].start, cells[-1].end
