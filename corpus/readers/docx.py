"""Word files (.docx, Office Open XML): paragraphs, headings, numbering and tables in document order.

python-docx opens the package and finds its parts; the body is walked here, on its XML, because a
rendition needs three things python-docx does not give:

* Word's automatic numbering. The 一、 （一） 1. 第一条 in front of a numbered heading are not in the
  paragraph's text: Word computes them from the numbering part each time it lays out the page.
  python-docx does not, so :class:`~corpus.readers.word_numbering.Numbering` does, counter by
  counter, the way Word prints them.
* Merged cells. python-docx's ``Table.cell`` repeats a merged cell at every grid position it
  covers; the rendition must know which position is the cell's own and which are covered, which is
  what ``w:gridSpan`` and ``w:vMerge`` say.
* Content controls. Paragraphs and tables inside ``w:sdt`` are skipped by python-docx's
  ``Document.paragraphs`` and ``iter_inner_content``, yet Word prints them.

Paragraph styles (heading levels, numbering given by a style) are read by
:mod:`corpus.readers.word_styles`. Page headers and footers, comments and footnotes live in parts of
their own and are not read.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Iterator
from typing import Any

import docx

from corpus.errors import CorruptDocument, EmptyDocument
from corpus.readers.archive import check_zip
from corpus.readers.base import Rendition, RenditionBuilder
from corpus.readers.normalise import clean_line
from corpus.readers.word_numbering import Numbering, join_label
from corpus.readers.word_styles import Styles
from corpus.readers.word_xml import XmlElement, int_value, is_on, val, w

_MATH_TEXT = "{http://schemas.openxmlformats.org/officeDocument/2006/math}t"
_MC_CHOICE = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Choice"
_MC_ALTERNATE = "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent"


Origin = tuple[int, int] | None  # the (row, column) of the merged cell that covers a grid position

# Inline elements whose content Word does not print: deleted and moved-away revisions, field
# codes (the result of a field follows them as ordinary runs), ruby annotations, properties.
_HIDDEN_INLINE = frozenset(w(tag) for tag in (
    "del", "moveFrom", "instrText", "delInstrText", "rt", "pPr", "rPr", "sectPr"))

# Document titles that templates and converters leave behind: not the document's title.
_PLACEHOLDER_TITLES = frozenset((
    "untitled", "document", "title", "标题", "文档", "无标题", "正文", "新建文档",
    "新建 microsoft word 文档", "新建 doc 文档", "新建 docx 文档", "新建 wps文字 文档"))
_FILE_NAME = re.compile(r"\.(?:docx?|wps|wpt|dotx?|pdf|txt|html?)$", re.IGNORECASE)
_CJK = re.compile(r"[\u4e00-\u9fff]")


def read(data: bytes) -> Rendition:
    """The rendition of a .docx file.

    Raises:
        CorruptDocument: not a zip container, or not a readable Word package.
        DocumentTooLarge: a part inflates past the caps of :mod:`corpus.readers.archive`.
        EmptyDocument: the file holds no text.
    """
    try:
        check_zip(data, "Word file")
    except zlib.error as error:  # a damaged deflate stream; check_zip does not translate it yet
        raise CorruptDocument(f"this Word file is not a readable zip container ({error})") from error
    try:
        document = docx.Document(io.BytesIO(data))
        body = document.element.body
        numbering = Numbering.from_xml(_numbering_root(document))
        styles = Styles.from_xml(document.styles.element)
        title = document.core_properties.title
    except Exception as error:  # python-docx and lxml raise many kinds on a damaged package
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise CorruptDocument(f"this Word file is damaged: {message}") from error
    builder = RenditionBuilder()
    _BodyWriter(builder, numbering, styles).blocks(body)
    properties = {"title": clean_line(title)} if _meaningful_title(title) else {}
    rendition = builder.build("docx", properties=properties)
    if not rendition.text:
        raise EmptyDocument(_no_text_message(body))
    return rendition


def _no_text_message(body: XmlElement) -> str:
    if body.find(f".//{w('drawing')}") is not None or body.find(f".//{w('pict')}") is not None:
        return ("this Word file holds only pictures, perhaps scanned pages, and no text: ask for a "
                "version with its text, or run OCR first")
    return "this Word file holds no text: add a version of the document with its text"


def _numbering_root(document: Any) -> XmlElement | None:
    try:
        root: XmlElement = document.part.numbering_part.element
    except (KeyError, NotImplementedError):  # a document without lists has no numbering part
        return None
    return root


def _meaningful_title(title: str | None) -> bool:
    """Whether a core-properties title names the document rather than a template or a file."""
    if not title or not title.strip():
        return False
    title = title.strip()
    if title.lower().startswith("microsoft word - "):
        return False
    return (title.lower() not in _PLACEHOLDER_TITLES and not _FILE_NAME.search(title)
            and len(_CJK.findall(title)) >= 2)


# --- The body ---------------------------------------------------------------------------------


class _BodyWriter:
    """Writes the blocks of a body (or of a table cell) to a rendition, in document order."""

    def __init__(self, builder: RenditionBuilder, numbering: Numbering, styles: Styles) -> None:
        self._builder = builder
        self._numbering = numbering
        self._styles = styles

    def blocks(self, container: XmlElement) -> None:
        for block in _blocks(container):
            if block.tag == w("p"):
                self._paragraph(block)
            else:
                self._table(block)

    def _paragraph(self, paragraph: XmlElement) -> None:
        text, boxes, level = self.paragraph_text(paragraph)
        self._builder.line(text, level)
        for box in boxes:  # text boxes anchored in the paragraph follow it
            self.blocks(box)

    def paragraph_text(self, paragraph: XmlElement) -> tuple[str, list[XmlElement], int | None]:
        """A paragraph's line (numbering included, normalised), its text boxes and heading level."""
        properties = paragraph.find(w("pPr"))
        style_id = val(properties, "pStyle")
        boxes: list[XmlElement] = []
        text = clean_line("".join(_inline_text(paragraph, boxes)))
        label, suffix = self._label(properties, style_id)
        if text:  # an empty numbered paragraph advances its counter, but prints no line
            text = clean_line(join_label(label, suffix, text))
        outline = val(properties, "outlineLvl")
        if outline is not None:
            level = int_value(outline, 9) + 1 if 0 <= int_value(outline, 9) <= 8 else None
        else:
            level = self._styles.heading_level(style_id)
        return text, boxes, level

    def _label(self, properties: XmlElement | None, style_id: str | None) -> tuple[str, str]:
        numbering = properties.find(w("numPr")) if properties is not None else None
        style_num, style_level = self._styles.numbering(style_id)
        num_id = val(numbering, "numId") or style_num
        if num_id is None or num_id == "0":  # numId 0 is how Word switches a style's numbering off
            return "", ""
        ilvl = val(numbering, "ilvl")
        if ilvl is not None:
            level = int_value(ilvl, 0)
        elif style_level is not None:
            level = style_level
        else:
            level = self._numbering.level_of_style(num_id, style_id)
        return self._numbering.label(num_id, level)

    def _table(self, table: XmlElement) -> None:
        rows = _rows(table)
        cells = [_cells(row) for row in rows]
        if len(rows) == 1 and len(cells[0]) == 1:
            # A one-cell table wrapping the text is page layout (a border, a box): its content is
            # the document's paragraphs, not a table of data.
            self.blocks(cells[0][0])
            return
        texts: list[list[str | None]] = []
        origins: list[list[Origin]] = []
        for r, row in enumerate(rows):
            row_texts, row_origins = self._row(r, row, cells[r], origins)
            texts.append(row_texts)
            origins.append(row_origins)
        header_rows = 0
        while header_rows < len(rows) and is_on(rows[header_rows].find(w("trPr")), "tblHeader"):
            header_rows += 1
        self._builder.table(texts, header_rows or 1, origins)

    def _row(self, r: int, row: XmlElement, cells: list[XmlElement],
             above: list[list[Origin]]) -> tuple[list[str | None], list[Origin]]:
        """One row's cell texts and origins on the table grid.

        A cell spanning columns (``w:gridSpan``) covers the columns after its own; a cell continuing
        a vertical merge (``w:vMerge`` without ``restart``) is covered by the cell where the merge
        restarted, found through the row above.
        """
        properties = row.find(w("trPr"))
        skipped = int_value(val(properties, "gridBefore"), 0)
        texts: list[str | None] = [""] * skipped
        origins: list[Origin] = [None] * skipped
        for cell in cells:
            cell_properties = cell.find(w("tcPr"))
            span = max(1, min(int_value(val(cell_properties, "gridSpan"), 1), 1000))
            column = len(texts)
            origin = None
            if _merge_continues(cell_properties, "vMerge"):
                origin = _origin_above(above, r, column)
            elif _merge_continues(cell_properties, "hMerge") and column > 0:
                origin = origins[-1] or (r, column - 1)
            if origin is not None:
                texts += [None] * span
                origins += [origin] * span
            else:
                texts += [self._cell_text(cell)] + [None] * (span - 1)
                origins += [None] + [(r, column)] * (span - 1)
        return texts, origins

    def _cell_text(self, cell: XmlElement) -> str:
        """A cell's paragraphs joined with a space; a nested table's cells likewise, row by row."""
        parts: list[str] = []
        for block in _blocks(cell):
            if block.tag == w("p"):
                text, boxes, _ = self.paragraph_text(block)
                parts += [text, *(self._cell_text(box) for box in boxes)]
            else:
                parts += [self._cell_text(nested) for row in _rows(block) for nested in _cells(row)]
        return " ".join(part for part in parts if part)


def _merge_continues(properties: XmlElement | None, tag: str) -> bool:
    if properties is None:
        return False
    merge = properties.find(w(tag))
    return merge is not None and (merge.get(w("val")) or "continue") == "continue"


def _origin_above(above: list[list[Origin]], r: int, column: int) -> Origin:
    """The cell a vertical merge continues from: the cell above, or the cell that one continues.

    None when there is nothing above to continue (a damaged table): the cell then stands alone.
    """
    if r == 0 or column >= len(above[r - 1]):
        return None
    return above[r - 1][column] or (r - 1, column)


def _blocks(container: XmlElement) -> Iterator[XmlElement]:
    """The paragraphs and tables of a body or cell, inside content controls and custom XML too."""
    for child in container:
        if child.tag in (w("p"), w("tbl")):
            yield child
        elif child.tag in (w("sdt"), w("customXml")):
            content = child.find(w("sdtContent")) if child.tag == w("sdt") else child
            if content is not None:
                yield from _blocks(content)


def _rows(table: XmlElement) -> list[XmlElement]:
    return list(_wrapped(table, w("tr")))


def _cells(row: XmlElement) -> list[XmlElement]:
    return list(_wrapped(row, w("tc")))


def _wrapped(parent: XmlElement, tag: str) -> Iterator[XmlElement]:
    """Children with ``tag``, also where a content control or custom XML wraps them."""
    for child in parent:
        if child.tag == tag:
            yield child
        elif child.tag == w("sdt"):
            content = child.find(w("sdtContent"))
            if content is not None:
                yield from _wrapped(content, tag)
        elif child.tag == w("customXml"):
            yield from _wrapped(child, tag)


def _inline_text(element: XmlElement, boxes: list[XmlElement]) -> Iterator[str]:
    """The printed characters of a paragraph's runs, hyperlinks, fields and insertions.

    Text boxes anchored in the paragraph are collected in ``boxes`` rather than merged into its
    text; of alternative content (a text box as DrawingML and again as VML) only the first choice
    is read, so that nothing is read twice.
    """
    for child in element:
        tag = child.tag
        if tag == w("t") or tag == _MATH_TEXT:
            yield child.text or ""
        elif tag in (w("tab"), w("ptab")):
            yield "\t"
        elif tag in (w("br"), w("cr")):
            yield "\n"
        elif tag == w("noBreakHyphen"):
            yield "-"
        elif tag == w("txbxContent"):
            boxes.append(child)
        elif tag == _MC_ALTERNATE:
            choice = child.find(_MC_CHOICE)
            if choice is not None:
                yield from _inline_text(choice, boxes)
        elif tag not in _HIDDEN_INLINE:
            yield from _inline_text(child, boxes)
