"""PDF: the text layer of each page, read in drawing order, with ruled tables and their merged cells.

pdfplumber (MIT) gives each page's characters in content-stream order and finds ruled tables;
PyMuPDF would be faster, but its AGPL licence does not suit a network service. Reading order,
page furniture and wrapped lines are shared with OFD in :mod:`corpus.readers.layout` (lines in
:mod:`corpus.readers.layout_lines`); this module turns pdfplumber's characters into glyphs and
pages. Ruled tables are placed on their logical rows (even where a column is drawn with rules of
its own) by :mod:`corpus.readers.pdf_grid`, read cell by cell from the glyphs inside them and
joined across pages by :mod:`corpus.readers.pdf_tables`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.page import Page as PdfPage
from pdfplumber.pdf import PDF

from corpus.errors import CorpusError, CorruptDocument, EncryptedDocument, ScannedDocument
from corpus.readers import layout, layout_lines
from corpus.readers.base import Rendition, RenditionBuilder
from corpus.readers.layout import Table
from corpus.readers.layout_lines import Glyph
from corpus.readers.pdf_grid import is_grid
from corpus.readers.pdf_tables import join_tables, read_tables

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
    layout.write(layout.compose(layout.drop_furniture(pages), join_tables), builder)
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
    found = [table for table in page.find_tables() if is_grid(table.cells)]
    tables, free = read_tables(found, glyphs)
    items: list[layout_lines.TextLine | Table] = [*layout_lines.lines_from_glyphs(free), *tables]
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
