"""OFD (GB/T 33190, China's official e-document format): a zip of XML pages of positioned text.

ofdkit reads the container, resolves pages, templates and resources, and gives each page's text
runs with their baselines in drawing order. Its own ``Page.text()`` groups runs into lines but
keeps every line break, so the runs are made into lines by :mod:`corpus.readers.layout_lines` and
handed to :mod:`corpus.readers.layout` instead: the same rules as for PDF then drop page
furniture, re-join wrapped lines and record page starts.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from collections.abc import Sequence

import ofdkit
from ofdkit import OFDError, TextRun

from corpus.errors import CorpusError, CorruptDocument, EncryptedDocument, ScannedDocument
from corpus.readers import layout, layout_lines
from corpus.readers.archive import check_zip
from corpus.readers.base import Rendition, RenditionBuilder

_PAGE_MARGIN = 2.0  # mm: text may stick out of the page box this much (ofdkit's own tolerance)
_ENCRYPTED_PARTS = ("encryptions.xml", "encryption.xml")  # GM/T 0099 encryption description
_SCAN_ADVICE = "OCR it first (e.g. convert it to PDF and run ocrmypdf -l chi_sim) and add the result"


def read(data: bytes) -> Rendition:
    """The rendition of an OFD file's text.

    Raises:
        DocumentTooLarge: a part inflates past the zip bomb caps.
        EncryptedDocument: its parts are encrypted.
        ScannedDocument: no page holds text.
        CorruptDocument: the container or its XML is damaged.
    """
    _check_container(data)
    try:
        with ofdkit.open(data) as document:
            pages, warnings = _pages(document)
            info = document.info
            warnings += [f"ofdkit: {warning}" for warning in document.warnings]
    except CorpusError:
        raise
    except (MemoryError, RecursionError) as error:
        raise CorruptDocument(f"this OFD file is too complex to read ({type(error).__name__})") from error
    except Exception as error:  # ofdkit's OFDError, or whatever a damaged part makes it throw
        message = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
        raise CorruptDocument(f"this OFD file is damaged ({message}): get a complete copy from the "
                              "publisher") from error
    if not pages:
        raise CorruptDocument("this OFD file has no pages: get a complete copy from the publisher")
    if not any(page.items for page in pages):
        raise ScannedDocument(f"no text layer: this is a scan; {_SCAN_ADVICE}")
    builder = RenditionBuilder()
    layout.write(layout.compose(layout.drop_furniture(pages)), builder)
    title = layout.meaningful_title(info.title) or layout.meaningful_title(info.subject)
    return builder.build("ofd", properties={"title": title} if title else {}, warnings=tuple(warnings))


def _check_container(data: bytes) -> None:
    """Refuse a zip bomb before ofdkit inflates anything, and name encryption for what it is.

    check_zip cannot read an encrypted part and calls the file damaged; a look at the directory
    (which inflates nothing) tells the two apart.
    """
    try:
        check_zip(data, "OFD file")
    except CorruptDocument:
        if _encrypted(data):
            raise EncryptedDocument("this OFD file is password-protected: save an unprotected copy "
                                    "and add that") from None
        raise
    if _encrypted(data):
        raise EncryptedDocument("this OFD file is encrypted (GM/T 0099): save an unprotected copy "
                                "and add that")


def _encrypted(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return any(info.flag_bits & 0x1 or info.filename.rsplit("/", 1)[-1].lower() in _ENCRYPTED_PARTS
               for info in infos)


def _pages(document: ofdkit.OFDDocument) -> tuple[list[layout.Page], list[str]]:
    pages, warnings = [], []
    for page in document.pages:
        try:
            x0, y0, width, height = page.box
            runs = [run for run in page.runs
                    if x0 - _PAGE_MARGIN <= run.x <= x0 + width + _PAGE_MARGIN
                    and y0 - _PAGE_MARGIN <= run.y <= y0 + height + _PAGE_MARGIN]
        except OFDError as error:
            warnings.append(f"page {page.index + 1} cannot be read ({error}): its text is missing")
            pages.append(layout.Page(210.0, 297.0, ()))
            continue
        lines = layout_lines.lines_from_glyphs([glyph for run in runs for glyph in _glyphs(run)])
        pages.append(layout.Page(width, height, tuple(lines)))
    return pages, warnings


def _glyphs(run: TextRun) -> Sequence[layout_lines.Glyph]:
    """A run's characters, placed along its advance (ofdkit gives the run's width, not DeltaX):
    full-width characters take twice the room of half-width ones."""
    weights = [1.0 if unicodedata.east_asian_width(char) in ("W", "F") else 0.5 for char in run.text]
    unit = run.width / sum(weights) if sum(weights) else 0.0
    glyphs, x = [], run.x
    for char, weight in zip(run.text, weights, strict=True):
        glyphs.append(layout_lines.Glyph(char, x, x + weight * unit, run.y, run.size))
        x += weight * unit
    return glyphs
