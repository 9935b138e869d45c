"""A PDF's ruled tables read from the glyphs in their cells, and joined when they run over pages.

Each table found on a page is placed on its grid (:mod:`corpus.readers.pdf_grid`) and every glyph
goes to the cell that owns it; a cell's text is its glyphs' lines joined. pdfplumber's own
``Table.extract`` is not used: it orders a cell's characters by their boxes, which scrambles cells
whose digits and punctuation come from a font with a wrong descent.

A table continued at the top of the next page, with the same column rules, is joined to the part
before (:func:`join_tables`), which :func:`corpus.readers.layout.compose` asks for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from corpus.readers.layout import Table
from corpus.readers.layout_lines import Glyph, cell_text, join_text
from corpus.readers.pdf_grid import Cell, Grid, build_grid

_MAX_HEADER_ROWS = 3
_COLUMN_SLACK = 2.0  # points: the same table's column rules on two pages line up this closely


def _anchor(glyph: Glyph) -> tuple[float, float]:
    """A point inside the character's visible shape: boxes are unreliable, the baseline is not."""
    return glyph.x0 + min(0.25 * glyph.size, (glyph.x1 - glyph.x0) / 2), glyph.baseline - 0.35 * glyph.size


def read_tables(found: Sequence[Any], glyphs: list[Glyph]) -> tuple[list[Table], list[Glyph]]:
    """Each table's cells read from the glyphs inside them; the glyphs outside any cell."""
    grids = [build_grid(table.cells) for table in found]
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


def _table(grid: Grid, content: dict[Cell, list[Glyph]]) -> Table:
    rows = tuple(tuple(None if origin else cell_text(content.get((r, c), []))
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


def join_tables(previous: Table, part: Table) -> Table | None:
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
            rows[top - 1][column] = join_text(rows[top - 1][column] or "", text)
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
