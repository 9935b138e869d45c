"""What every rendition must hold, whatever its format: one check shared by the readers' tests."""

from __future__ import annotations

from corpus.readers import Rendition


def assert_rendition_consistent(rendition: Rendition) -> None:
    """Tables are whole lines of the text, one line per row of equal width; no cell holds a tab or
    newline; a covered cell is empty and points at an uncovered cell above it or to its left;
    page offsets increase and lie within the text."""
    assert list(rendition.pages) == sorted(rendition.pages)
    assert all(0 <= offset <= len(rendition.text) for offset in rendition.pages)
    for table in rendition.tables:
        assert rendition.text[table.start - 1:table.start] in ("", "\n")
        assert rendition.text[table.end:table.end + 1] in ("", "\n")
        assert rendition.text[table.start:table.end].count("\n") == len(table.rows) - 1
        for r, row in enumerate(table.rows):
            assert len(row) == len(table.rows[0])
            for c, cell in enumerate(row):
                text = rendition.text[cell.start:cell.end]
                assert "\t" not in text and "\n" not in text
                if cell.origin is not None:
                    assert text == ""
                    origin_row, origin_column = cell.origin
                    assert origin_row <= r and origin_column <= c and (origin_row, origin_column) != (r, c)
                    assert table.rows[origin_row][origin_column].origin is None
