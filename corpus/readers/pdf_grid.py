"""A PDF's ruled table as a grid: columns, logical rows, and the cell that owns each point.

pdfplumber finds a ruled table's cells as boxes. This module places them on the grid of the
table's columns and logical rows, with merged cells pointing at their origin, even where one
column is drawn with rules of its own, offset from the rows of the others (see
:func:`build_grid`); :mod:`corpus.readers.pdf_tables` then reads each cell's text from the glyphs
inside it.
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

Cell = tuple[int, int]
BBox = tuple[float, float, float, float]

_RULE_SLACK = 1.0  # points: two columns' rules this close are one rule


def is_grid(cells: Sequence[BBox]) -> bool:
    """A real table has at least two rows and two columns; a single ruled box is a framed paragraph."""
    return len({cell[0] for cell in cells}) >= 2 and len({cell[1] for cell in cells}) >= 2


@dataclass(frozen=True)
class Grid:
    """A pdfplumber table's cells placed on the grid of its columns and logical rows.

    ``boxes[c]`` are the cells drawn in column ``c`` as ``(top, bottom, position)``, top to bottom:
    ``position`` is the grid cell that holds the drawn cell's text, which need not be where its
    box starts when the cell was re-assigned to the logical rows (see :func:`build_grid`).
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


def build_grid(cells: Sequence[BBox]) -> Grid:
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
    return Grid(lefts, tops, bbox, origins, boxes, [[box[0] for box in column] for column in boxes])


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
