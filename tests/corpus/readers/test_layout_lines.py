"""Lines from glyphs in drawing order (corpus/readers/layout_lines.py), shared by the PDF and OFD readers.

Pages read whole, with their furniture and paragraphs, are tested in test_pdf.py and test_ofd.py.
"""

from __future__ import annotations

from corpus.readers import layout_lines
from corpus.readers.layout_lines import Glyph


def glyphs(text: str, baseline: float, x: float = 0.0, size: float = 10.0) -> list[Glyph]:
    return [Glyph(char, x + i * size, x + (i + 1) * size, baseline, size) for i, char in enumerate(text)]


def test_a_line_drawn_backwards_is_put_right_without_reordering_the_page() -> None:
    # The real PDF draws its footer — 10 — as "—", "0", "1", "—" from right to left.
    footer = list(reversed(glyphs("—10—", 500.0, x=300.0)))
    body = glyphs("第一行正文", 100.0) + glyphs("第二行正文", 120.0)
    lines = layout_lines.lines_from_glyphs(body + footer)
    assert [line.text for line in lines] == ["第一行正文", "第二行正文", "—10—"]


def test_punctuation_below_the_baseline_stays_in_its_line() -> None:
    line = [*glyphs("版本为", 100.0), Glyph("2017", 30.0, 50.0, 101.2, 10.0), *glyphs("年本", 100.0, x=50.0)]
    assert [found.text for found in layout_lines.lines_from_glyphs(line)] == ["版本为2017年本"]


def test_letter_spacing_and_spaces_before_figures_are_closed_up() -> None:
    spaced = [Glyph(char, i * 30.0, i * 30.0 + 10.0, 50.0, 10.0) for i, char in enumerate("江西省")]
    assert [line.text for line in layout_lines.lines_from_glyphs(spaced)] == ["江西省"]
    figures = [*glyphs("到", 10.0), Glyph("2025", 25.0, 45.0, 10.0, 10.0), *glyphs("年", 10.0, x=60.0)]
    assert layout_lines.cell_text(figures) == "到2025年"


def test_fake_bold_is_read_once_and_repeated_figures_are_kept() -> None:
    bold = [*glyphs("总则", 50.0), *glyphs("总则", 50.3, x=0.3)]
    assert [line.text for line in layout_lines.lines_from_glyphs(bold)] == ["总则"]
    ones = [Glyph("1", i * 5.0, i * 5.0 + 5.0, 50.0, 10.0) for i in range(4)]
    assert [line.text for line in layout_lines.lines_from_glyphs(ones)] == ["1111"]
