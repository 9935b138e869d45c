"""PDF: the text layer of each page, read in drawing order, with ruled tables and their merged cells.

pdfplumber (MIT) gives each page's characters in content-stream order and finds ruled tables;
PyMuPDF would be faster, but its AGPL licence does not suit a network service. Reading order,
page furniture and wrapped lines are shared with OFD in :mod:`corpus.readers.layout`; this module
turns pdfplumber's characters into that module's glyphs, places a table's cells on its logical
rows (even where a column is drawn with rules of its own), reads each cell from the glyphs inside
it, and joins the parts of a table that runs over several pages into one table.

pdfplumber's own ``Table.extract`` is not used: it orders a cell's characters by their boxes,
which scrambles cells whose digits and punctuation come from a font with a wrong descent.
"""

from __future__ import annotations

import bisect
import io
import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.page import Page as PdfPage
from pdfplumber.pdf import PDF

from corpus.errors import CorpusError, CorruptDocument, EncryptedDocument, ScannedDocument
from corpus.readers import layout
from corpus.readers.base import Rendition, RenditionBuilder
from corpus.readers.layout import Glyph, Table

Cell = tuple[int, int]
BBox = tuple[float, float, float, float]

_MAX_HEADER_ROWS = 3
_COLUMN_SLACK = 2.0  # points: the same table's column rules on two pages line up this closely
_RULE_SLACK = 1.0  # points: two columns' rules this close are one rule
_SCAN_ADVICE = "OCR it first (e.g. ocrmypdf -l chi_sim in.pdf out.pdf) and add the OCR'd PDF"


@dataclass
class _Stats:
    """What the pages said about the text layer, for errors and warnings."""

    glyphs: int = 0
    unmapped: int = 0  # characters whose font maps no Unicode text: "(cid:123)"
    rotated: int = 0
    image_pages: list[int] = field(default_factory=list)  # pages that are images without text


def read(data: bytes) -> Rendition:
    """The rendition of a PDF's text layer.

    Raises:
        EncryptedDocument: a password is needed to open it.
        ScannedDocument: no page has a text layer.
        CorruptDocument: the file is damaged or truncated.
    """
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            return _read(pdf)
    except CorpusError:
        raise
    except (MemoryError, RecursionError) as error:
        raise CorruptDocument(f"this PDF is too complex to read ({type(error).__name__})") from error
    except Exception as error:  # pdfminer raises many types on damaged files
        raise _translate(error) from error


def _translate(error: Exception) -> CorpusError:
    cause: BaseException = error
    if error.args and isinstance(error.args[0], BaseException):  # pdfplumber wraps pdfminer's errors
        cause = error.args[0]
    if isinstance(cause, PDFPasswordIncorrect):
        return EncryptedDocument("this PDF is password-protected: open it with the password and save "
                                 "an unprotected copy, then add that")
    if isinstance(cause, PDFEncryptionError):
        return EncryptedDocument(f"this PDF is encrypted in a way that cannot be opened ({cause}): save "
                                 "an unprotected copy and add that")
    message = str(cause).splitlines()[0] if str(cause) else type(cause).__name__
    return CorruptDocument(f"this PDF is damaged or truncated ({message[:200]}): get a complete copy "
                           "from the publisher")


def _read(pdf: PDF) -> Rendition:
    stats = _Stats()
    pages = [_page(page, number, stats) for number, page in enumerate(pdf.pages, start=1)]
    if not pages:
        raise CorruptDocument("this PDF has no pages: get a complete copy from the publisher")
    if stats.glyphs == 0:
        if stats.unmapped:
            raise ScannedDocument("no text layer: its fonts map no characters to text, so it reads "
                                  f"like a scan; {_SCAN_ADVICE}")
        raise ScannedDocument(f"no text layer: this is a scan; {_SCAN_ADVICE}")
    builder = RenditionBuilder()
    layout.write(layout.compose(layout.drop_furniture(pages), _join_tables), builder)
    return builder.build("pdf", properties=_properties(pdf), warnings=_warnings(stats))


def _warnings(stats: _Stats) -> tuple[str, ...]:
    warnings = []
    if stats.image_pages:
        listed = ", ".join(str(number) for number in stats.image_pages[:10])
        warnings.append(f"page(s) {listed} have no text layer (scanned images?): their text is missing")
    if stats.unmapped:
        warnings.append(f"{stats.unmapped} characters have no Unicode mapping in their font: left out")
    if stats.rotated:
        warnings.append(f"{stats.rotated} characters set at an angle or sideways (watermarks, stamps, "
                        "pages turned on their side): left out")
    return tuple(warnings)


def _properties(pdf: PDF) -> dict[str, str]:
    """The title, from Info Title or else Subject, when it is a real title and not a placeholder.

    A damaged Info dictionary costs the title, not the document.
    """
    try:
        metadata: dict[str, Any] = pdf.metadata
    except Exception:
        return {}
    for key in ("Title", "Subject"):
        title = layout.meaningful_title(metadata.get(key))
        if title:
            return {"title": title}
    return {}


# --------------------------------------------------------------------------- one page


def _page(page: PdfPage, number: int, stats: _Stats) -> layout.Page:
    glyphs = _glyphs(page, stats)
    if not any(glyph.text.strip() for glyph in glyphs):
        if page.images:
            stats.image_pages.append(number)
        return layout.Page(float(page.width), float(page.height), ())
    stats.glyphs += len(glyphs)
    found = [table for table in page.find_tables() if _is_grid(table.cells)]
    tables, free = _read_tables(found, glyphs)
    items: list[layout.TextLine | Table] = [*layout.lines_from_glyphs(free), *tables]
    items.sort(key=lambda item: item.top)
    return layout.Page(float(page.width), float(page.height), tuple(items))


def _glyphs(page: PdfPage, stats: _Stats) -> list[Glyph]:
    """The page's characters in drawing order, placed by their baseline.

    The baseline comes from the text matrix, not the character box: a font with a wrong descent
    puts boxes several points below the line, but its baseline is right.
    """
    glyphs = []
    height = float(page.height)
    for char in page.chars:
        text = str(char["text"])
        if text.startswith("(cid:"):
            stats.unmapped += 1
            continue
        a, b, _, _, _, f = (float(value) for value in char["matrix"])
        if not char["upright"] or a <= 0 or abs(b) > 0.1 * a:
            stats.rotated += 1
            continue
        baseline = float(char["top"]) + float(char["y1"]) - f
        x0, x1 = float(char["x0"]), float(char["x1"])
        if x1 < 0 or x0 > float(page.width) or not -1 <= baseline <= height + float(char["size"]):
            continue  # outside the visible page
        glyphs.append(Glyph(text, x0, x1, baseline, float(char["size"])))
    return glyphs


# --------------------------------------------------------------------------- tables


def _is_grid(cells: Sequence[BBox]) -> bool:
    """A real table has at least two rows and two columns; a single ruled box is a framed paragraph."""
    return len({cell[0] for cell in cells}) >= 2 and len({cell[1] for cell in cells}) >= 2


@dataclass(frozen=True)
class _Grid:
    """A pdfplumber table's cells placed on the grid of its columns and logical rows.

    ``boxes[c]`` are the cells drawn in column ``c`` as ``(top, bottom, position)``, top to bottom:
    ``position`` is the grid cell that holds the drawn cell's text, which need not be where its
    box starts when the cell was re-assigned to the logical rows (see :func:`_grid`).
    """

    lefts: list[float]
    tops: list[float]
    bbox: BBox
    origins: list[list[Cell | None]]
    boxes: list[list[tuple[float, float, Cell]]]
    box_tops: list[list[float]]  # the tops of ``boxes``, to search

    def owner(self, x: float, y: float) -> Cell | None:
        """The cell whose drawn box holds the point, else the grid cell under it, following merged
        cells to their origin."""
        if not (self.bbox[0] <= x < self.bbox[2] and self.bbox[1] <= y < self.bbox[3]):
            return None
        column = bisect.bisect_right(self.lefts, x) - 1
        if column < 0:
            return None
        index = bisect.bisect_right(self.box_tops[column], y) - 1
        if index >= 0 and y < self.boxes[column][index][1]:
            return self.boxes[column][index][2]
        row = bisect.bisect_right(self.tops, y) - 1
        if row < 0:
            return None
        return self.origins[row][column] or (row, column)


def _grid(cells: Sequence[BBox]) -> _Grid:
    """Place the cells on the grid of their columns and of the table's logical rows.

    A producer may draw one column's cells with rules of their own, offset from the rows of the
    other columns (the real jx-rongque PDF draws 材料类型 half a row off 材料序号 and 申请材料).
    A grid of every rule would cut each row in two and read each material twice, so the rows are
    those of the columns whose cells agree. In a table whose cells merge but keep to common rows
    the cells of any two columns are nested or apart, never crossing; a column whose cells cross
    those of others is set aside (the one with most crossings first, the rightmost on a tie)
    until none cross. The tops of the remaining cells are the logical rows, and each set-aside
    cell takes the rows it fits best (:func:`_fit`), spanning several when it covers them.

    A grid position that a cell covers but does not start at has the cell's origin: above it in
    the same column for a cell spanning rows, to its left for one spanning columns.
    """
    lefts = sorted({cell[0] for cell in cells})
    spans = [_columns(cell, lefts) for cell in cells]
    column_cells: list[list[int]] = [[] for _ in lefts]
    for index, (first, last) in enumerate(spans):
        for column in range(first, last):
            column_cells[column].append(index)
    for members in column_cells:
        members.sort(key=lambda index: cells[index][1])
    aside = _misaligned(cells, column_cells)
    defining = {index for index, (first, last) in enumerate(spans)
                if not any(column in aside for column in range(first, last))}
    if not defining:  # every cell touches a set-aside column: keep the rules as drawn
        aside, defining = set(), set(range(len(cells)))
    bbox = (min(cell[0] for cell in cells), min(cell[1] for cell in cells),
            max(cell[2] for cell in cells), max(cell[3] for cell in cells))
    tops = _rules([cells[index][1] for index in defining])
    bounds = [*tops, bbox[3]]
    rows: dict[int, tuple[int, int]] = {}
    for index in sorted(defining):
        first = _nearest(bounds, cells[index][1])
        rows[index] = (first, max(first + 1, _nearest(bounds, cells[index][3])))
    for column in sorted(aside):
        members = [index for index in column_cells[column] if index not in rows]
        rows.update(zip(members, _fit([cells[index] for index in members], bounds), strict=True))
    origins: list[list[Cell | None]] = [[None] * len(lefts) for _ in tops]
    claimed: dict[Cell, Cell] = {}
    position: dict[int, Cell] = {}
    for index in sorted(rows, key=lambda index: index not in defining):
        (first_row, end_row), (first_column, end_column) = rows[index], spans[index]
        start = (first_row, first_column)
        position[index] = claimed.get(start, start)  # a cell fitted onto a taken row joins its text
        for row in range(first_row, end_row):
            for column in range(first_column, end_column):
                if (row, column) not in claimed:
                    claimed[(row, column)] = position[index]
                    origins[row][column] = None if (row, column) == position[index] else position[index]
    boxes = [[(cells[index][1], cells[index][3], position[index]) for index in members]
             for members in column_cells]
    return _Grid(lefts, tops, bbox, origins, boxes, [[box[0] for box in column] for column in boxes])


def _columns(cell: BBox, lefts: list[float]) -> tuple[int, int]:
    """The columns a cell spans, as a range of column indexes."""
    first = lefts.index(cell[0])
    end = bisect.bisect_left(lefts, cell[2] - _RULE_SLACK)
    return first, max(first + 1, end)


def _rules(values: Sequence[float]) -> list[float]:
    """Distinct rule positions, those closer than the slack taken as one."""
    rules: list[float] = []
    for value in sorted(values):
        if not rules or value - rules[-1] > _RULE_SLACK:
            rules.append(value)
    return rules


def _nearest(bounds: list[float], value: float) -> int:
    index = bisect.bisect_left(bounds, value)
    if index == len(bounds) or (index > 0 and value - bounds[index - 1] < bounds[index] - value):
        index -= 1
    return index


def _crosses(a: BBox, b: BBox) -> bool:
    """Whether two cells overlap in height without one holding the other: their rules disagree."""
    (upper, lower) = (a, b) if a[1] <= b[1] else (b, a)
    return (upper[1] + _RULE_SLACK < lower[1] < upper[3] - _RULE_SLACK
            and upper[3] + _RULE_SLACK < lower[3])


def _misaligned(cells: Sequence[BBox], column_cells: list[list[int]]) -> set[int]:
    """The columns to set aside so that no two remaining columns' cells cross."""
    crossings: Counter[tuple[int, int]] = Counter()
    for a, b in itertools.combinations(range(len(column_cells)), 2):
        count = _crossings(cells, column_cells[a], column_cells[b])
        if count:
            crossings[(a, b)] = count
    aside: set[int] = set()
    while crossings:
        per_column: Counter[int] = Counter()
        for (a, b), count in crossings.items():
            per_column[a] += count
            per_column[b] += count
        worst = max(per_column, key=lambda column: (per_column[column], column))
        aside.add(worst)
        crossings = Counter({pair: count for pair, count in crossings.items() if worst not in pair})
    return aside


def _crossings(cells: Sequence[BBox], first: list[int], second: list[int]) -> int:
    """How many cells of two columns (indexes into ``cells``, each column top to bottom) cross."""
    count, i, j = 0, 0, 0
    while i < len(first) and j < len(second):
        if first[i] != second[j] and _crosses(cells[first[i]], cells[second[j]]):
            count += 1
        if cells[first[i]][3] <= cells[second[j]][3]:
            i += 1
        else:
            j += 1
    return count


def _fit(cells: list[BBox], bounds: list[float]) -> list[tuple[int, int]]:
    """The logical rows ``[first, end)`` of each cell of a column drawn off the rows.

    Where the column's rules meet the rows' the column is cut in stretches; within one, each cell
    takes a run of rows, in order, so that the runs match the cells as closely as possible (least
    total height where a cell and its rows differ): three cells drawn half a row off three rows
    take one row each, however the halves fall. A stretch with more cells than rows gives each
    cell the row it overlaps most, and cells sharing a row share its text.
    """
    fitted: list[tuple[int, int]] = []
    start = 0
    for end in range(1, len(cells) + 1):
        if end < len(cells) and not _on_rule(cells[end - 1][3], bounds):
            continue
        stretch = cells[start:end]
        first = min(_nearest(bounds, stretch[0][1]), len(bounds) - 2)
        last = max(first + 1, _nearest(bounds, stretch[-1][3]))
        if len(stretch) <= last - first:
            fitted += _fit_runs(stretch, bounds, first, last)
        else:
            fitted += [_most_overlap(cell, bounds, first, last) for cell in stretch]
        start = end
    return fitted


def _on_rule(y: float, bounds: list[float]) -> bool:
    return abs(bounds[_nearest(bounds, y)] - y) <= _RULE_SLACK


def _most_overlap(cell: BBox, bounds: list[float], first: int, last: int) -> tuple[int, int]:
    row = max(range(first, last),
              key=lambda r: min(cell[3], bounds[r + 1]) - max(cell[1], bounds[r]))
    return row, row + 1


def _fit_runs(cells: list[BBox], bounds: list[float], first: int, last: int) -> list[tuple[int, int]]:
    """Runs of rows in ``[first, last)``, one per cell in order, differing least from the cells."""
    def mismatch(cell: BBox, top: int, end: int) -> float:
        return abs(cell[1] - bounds[top]) + abs(cell[3] - bounds[end])

    rows = last - first
    inf = float("inf")
    # cost[i][j]: the first i cells placed in the first j rows; choice[i][j]: where cell i-1 starts
    cost = [[0.0] * (rows + 1)] + [[inf] * (rows + 1) for _ in cells]
    choice = [[-1] * (rows + 1) for _ in range(len(cells) + 1)]
    for i, cell in enumerate(cells, start=1):
        for j in range(i, rows + 1):
            cost[i][j], choice[i][j] = cost[i][j - 1], -1  # row j-1 left to no cell
            for s in range(i - 1, j):
                value = cost[i - 1][s] + mismatch(cell, first + s, first + j)
                if value < cost[i][j]:
                    cost[i][j], choice[i][j] = value, s
    runs: list[tuple[int, int]] = []
    j = rows
    for i in range(len(cells), 0, -1):
        while choice[i][j] < 0:
            j -= 1
        runs.append((first + choice[i][j], first + j))
        j = choice[i][j]
    return runs[::-1]


def _anchor(glyph: Glyph) -> tuple[float, float]:
    """A point inside the character's visible shape: boxes are unreliable, the baseline is not."""
    return glyph.x0 + min(0.25 * glyph.size, (glyph.x1 - glyph.x0) / 2), glyph.baseline - 0.35 * glyph.size


def _read_tables(found: Sequence[Any], glyphs: list[Glyph]) -> tuple[list[Table], list[Glyph]]:
    """Each table's cells read from the glyphs inside them; the glyphs outside any cell."""
    grids = [_grid(table.cells) for table in found]
    contents: list[dict[Cell, list[Glyph]]] = [{} for _ in grids]
    free = []
    for glyph in glyphs:
        x, y = _anchor(glyph)
        for grid, content in zip(grids, contents, strict=True):
            cell = grid.owner(x, y)
            if cell is not None:
                content.setdefault(cell, []).append(glyph)
                break
        else:
            free.append(glyph)
    return [_table(grid, content) for grid, content in zip(grids, contents, strict=True)], free


def _table(grid: _Grid, content: dict[Cell, list[Glyph]]) -> Table:
    rows = tuple(tuple(None if origin else layout.cell_text(content.get((r, c), []))
                       for c, origin in enumerate(row)) for r, row in enumerate(grid.origins))
    origins = tuple(tuple(row) for row in grid.origins)
    return Table(grid.bbox[1], grid.bbox[3], rows, origins, _header_rows(origins),
                 (*grid.lefts, grid.bbox[2]))


def _header_rows(origins: tuple[tuple[Cell | None, ...], ...]) -> int:
    """1, or more when the first row groups columns (目标值 over 2022年…2025年): then the header
    runs as deep as the first row's cells span."""
    if len(origins) < 2 or not any(origin and origin[0] == 0 for origin in origins[0]):
        return 1
    depth = max((r for r, row in enumerate(origins) for origin in row if origin and origin[0] == 0),
                default=0)
    return min(depth + 1, _MAX_HEADER_ROWS, len(origins))


# --------------------------------------------------------------------------- tables across pages


def _join_tables(previous: Table, part: Table) -> Table | None:
    """``previous`` continued by ``part`` at the top of the next page, or None.

    The same table has the same column rules. Header rows repeated on the new page are furniture
    and dropped; a merged cell cut by the page break goes on where the new page's cell in its
    column is empty or repeats its text (see :func:`_continued_cells`); a row broken by the page
    break is made whole again.
    """
    if len(part.columns) != len(previous.columns) or any(
            abs(a - b) > _COLUMN_SLACK for a, b in zip(part.columns, previous.columns, strict=True)):
        return None
    repeated = _repeated_rows(previous, part)
    if repeated >= len(part.rows):
        return None
    offset = len(previous.rows) - repeated
    rows = [list(row) for row in (*previous.rows, *part.rows[repeated:])]
    origins: list[list[Cell | None]] = [list(row) for row in previous.origins]
    origins += [[(o[0] + offset, o[1]) if o and o[0] >= repeated else None for o in row]
                for row in part.origins[repeated:]]
    _continued_cells(rows, origins, len(previous.rows))
    if _split_row(rows, origins, len(previous.rows)):
        _merge_split_row(rows, origins, len(previous.rows))
    _resolve(rows, origins)
    header_rows = max(previous.header_rows, repeated)
    return replace(previous, bottom=part.bottom, header_rows=header_rows,
                   rows=tuple(tuple(row) for row in rows), origins=tuple(tuple(row) for row in origins))


def _repeated_rows(previous: Table, part: Table) -> int:
    count = 0
    while (count < min(_MAX_HEADER_ROWS, len(previous.rows), len(part.rows))
           and part.rows[count] == previous.rows[count] and any(part.rows[count])):
        count += 1
    return count


def _continued_cells(rows: list[list[str | None]], origins: list[list[Cell | None]], top: int) -> None:
    """Cover the cells of row ``top`` (the first after a page break) that continue a merged cell.

    A cell continues the merged cell above the break when it is empty (LibreOffice leaves the
    continuation blank) or repeats its text (the real jx-rongque PDF repeats 序号 and 事项名称;
    where the cell before the break was cut short, the repeat is the whole text and replaces it),
    and that merged cell spanned rows before the break or the new cell spans rows after it. Once
    a merged cell to the left ends at the break, the row is a new group: nothing right of it
    continues.
    """
    last = top - 1
    for column in range(len(rows[top])):
        if origins[top][column] is not None:
            continue
        above = origins[last][column]
        source = above or (last, column)
        vertical = above is not None and above[0] < last
        spans_down = any(origins[r][column] == (top, column) for r in range(top + 1, len(rows)))
        text = rows[top][column] or ""
        value = rows[source[0]][source[1]] or ""
        repeats = not text or value.startswith(text) or bool(value and text.startswith(value))
        if (vertical or spans_down) and repeats:
            if len(text) > len(value):
                rows[source[0]][source[1]] = text
            origins[top][column] = source
            rows[top][column] = None
        elif vertical:
            return


def _split_row(rows: list[list[str | None]], origins: list[list[Cell | None]], top: int) -> bool:
    """Whether row ``top`` is the rest of the row before the page break (Word lets a row break
    across pages): its first open cell is empty where that row has text, and it has text only
    in columns where that row has open cells."""
    last = top - 1
    open_columns = [c for c in range(len(rows[top])) if origins[top][c] is None]
    if not open_columns or rows[top][open_columns[0]] or not rows[last][open_columns[0]]:
        return False
    return all(origins[last][c] is None for c in open_columns if rows[top][c])


def _merge_split_row(rows: list[list[str | None]], origins: list[list[Cell | None]], top: int) -> None:
    """Append the rest of a row broken by the page break to its first part, and drop the rest."""
    for column, text in enumerate(rows[top]):
        if text and origins[top][column] is None:
            rows[top - 1][column] = layout.join_text(rows[top - 1][column] or "", text)
    del rows[top], origins[top]
    for row in origins:
        for column, origin in enumerate(row):
            if origin is not None and origin[0] >= top:
                row[column] = (origin[0] - 1, origin[1])


def _resolve(rows: list[list[str | None]], origins: list[list[Cell | None]]) -> None:
    """Point every covered cell at the cell that holds the text, not at another covered cell."""
    for r, row in enumerate(origins):
        for c, origin in enumerate(row):
            steps = 0
            while origin is not None and origins[origin[0]][origin[1]] is not None and steps < len(rows):
                origin = origins[origin[0]][origin[1]]
                steps += 1
            row[c] = origin
            if origin is not None:
                rows[r][c] = None
