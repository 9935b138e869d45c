"""PDF ruled tables on their own: the grid of columns and logical rows (corpus/readers/pdf_grid.py)
and the joining of a table's parts across pages (corpus/readers/pdf_tables.py).

Whole tables read from the fixtures and the real jx-rongque PDF are tested in test_pdf.py.
"""

from __future__ import annotations

import itertools

from corpus.readers import pdf_grid, pdf_tables
from corpus.readers.layout import Table


def test_a_single_ruled_box_is_a_paragraph_not_a_table() -> None:
    assert not pdf_grid.is_grid([(0.0, 0.0, 100.0, 20.0)])
    assert pdf_grid.is_grid([(0.0, 0.0, 50.0, 20.0), (50.0, 0.0, 100.0, 20.0), (0.0, 20.0, 100.0, 40.0)])


def part(rows: list[list[str | None]], origins: list[list[tuple[int, int] | None]] | None = None) -> Table:
    origins = origins or [[None] * len(row) for row in rows]
    return Table(0.0, 100.0, tuple(tuple(row) for row in rows), tuple(tuple(row) for row in origins), 1,
                 (10.0, 40.0, 90.0, 150.0))


def test_a_row_broken_by_the_page_break_is_made_whole() -> None:
    before = part([["序号", "指标", "单位"], ["5", "新建城区和新建居住区配套", "%"]])
    after = part([["序号", "指标", "单位"], ["", "建设养老服务设施达标率", ""],
                  ["6", "每千名老年人养老床位数", "张"]])
    joined = pdf_tables.join_tables(before, after)
    assert joined is not None
    assert joined.rows == (("序号", "指标", "单位"),
                           ("5", "新建城区和新建居住区配套建设养老服务设施达标率", "%"),
                           ("6", "每千名老年人养老床位数", "张"))


def test_a_new_group_after_the_page_break_does_not_continue_the_merged_cells() -> None:
    before = part([["序号", "事项", "材料"], ["1", "企业投资项目核准", "项目申请报告"],
                   [None, None, "用地预审"]],
                  [[None, None, None], [None, None, None], [(1, 0), (1, 1), None]])
    after = part([["序号", "事项", "材料"], ["2", "政府投资项目审批", "项目建议书"]])
    joined = pdf_tables.join_tables(before, after)
    assert joined is not None
    assert joined.rows[3] == ("2", "政府投资项目审批", "项目建议书")
    assert joined.origins[3] == (None, None, None)


def test_tables_with_other_columns_are_not_joined() -> None:
    other = Table(0.0, 100.0, (("a", "b", "c"),), ((None, None, None),), 1, (10.0, 60.0, 90.0, 150.0))
    assert pdf_tables.join_tables(part([["序号", "指标", "单位"]]), other) is None


def test_cells_drawn_half_a_row_off_take_one_row_each_in_order() -> None:
    # The first rows of page 14 of the real jx-rongque PDF (pdfplumber's cells, rounded): the
    # 材料类型 cells (x 525.1) are offset from the material rows by up to half a row, so that the
    # third (75.7–94.6) overlaps materials 2 and 3 almost equally.
    lefts = [9.8, 31.0, 89.8, 111.0, 207.5, 228.7, 391.0, 525.1, 647.6]
    rules = [38.1, 61.6, 85.1, 108.6, 127.5]
    types = [38.1, 56.9, 75.7, 94.6, 127.5]
    cells = [(lefts[c], 9.8, lefts[c + 1], 38.1) for c in range(8)]
    cells += [(lefts[c], 38.1, lefts[c + 1], 127.5) for c in (0, 1, 2, 3, 6)]
    cells += [(lefts[c], top, lefts[c + 1], bottom)
              for c in (4, 5) for top, bottom in itertools.pairwise(rules)]
    cells += [(lefts[7], top, lefts[8], bottom) for top, bottom in itertools.pairwise(types)]
    grid = pdf_grid.build_grid(cells)
    assert grid.tops == [9.8, *rules[:-1]]
    assert [row[7] for row in grid.origins] == [None] * 5
    assert [row[6] for row in grid.origins] == [None, None, (1, 6), (1, 6), (1, 6)]
    # A label is read into the row its cell was given, wherever in the cell it is printed.
    assert [grid.owner(600.0, y) for y in (50.0, 60.0, 84.0, 100.0, 120.0)] == [
        (1, 7), (2, 7), (3, 7), (4, 7), (4, 7)]
    assert grid.owner(300.0, 84.0) == (2, 5)
