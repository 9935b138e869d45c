"""Format readers: each turns a file's bytes into a :class:`Rendition`.

One module per format, each with ``read(data: bytes) -> Rendition``; :func:`read_document`
recognises the format from the bytes (:mod:`corpus.readers.detect`) and calls the right one.
A reader raises a :class:`~corpus.errors.CorpusError` with a one-line message for input it
cannot read; anything else a library throws on a damaged file is turned into one here, so that
random or truncated bytes never crash a caller.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from corpus.errors import CorpusError, CorruptDocument, DocumentTooLarge, EncryptedDocument, NotText
from corpus.readers.base import FORMATS, GridCell, HeadingHint, Rendition, TableGrid
from corpus.readers.detect import detect

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024  # documented in the README; a policy PDF is rarely over 10 MB

__all__ = ["FORMATS", "MAX_DOCUMENT_BYTES", "GridCell", "HeadingHint", "Rendition", "TableGrid",
           "detect", "read_document", "read_path"]


# What a file's name claims; only used to say so when its content turns out to be something else.
CLAIMED = {".txt": "text", ".md": "markdown", ".markdown": "markdown", ".htm": "html", ".html": "html",
           ".shtml": "html", ".docx": "docx", ".doc": "doc", ".wps": "doc", ".pdf": "pdf", ".ofd": "ofd"}


def read_document(data: bytes, limit: int = MAX_DOCUMENT_BYTES, name: str | None = None) -> Rendition:
    """The rendition of a document's bytes, whatever its format (recognised from the bytes).

    Args:
        name: the file's name, used only to say, when reading fails, that the name promised
            another format than the content holds (a ``.docx`` that is an HTML page).

    Raises:
        DocumentTooLarge: over ``limit`` bytes.
        CorpusError: a subclass naming what is wrong (empty, unsupported, encrypted, scanned…).
    """
    if len(data) > limit:
        raise DocumentTooLarge(f"the file has {len(data):,} bytes; the limit is {limit:,} "
                               f"({limit // 2**20} MiB)")
    claimed = CLAIMED.get(Path(name).suffix.lower()) if name else None
    try:
        return _read(data)
    except CorpusError as error:
        format = _detected(data)
        if format == "text" and isinstance(error, NotText):
            format = "binary"
        if claimed is None or format is None or claimed == format or isinstance(error, EncryptedDocument):
            raise
        raise type(error)(f"named {Path(name or '').suffix} but its content is {_DESCRIBED[format]}: "
                          f"{error}") from error


_DESCRIBED = {"text": "plain text", "markdown": "Markdown", "html": "an HTML page", "docx": "a Word file",
              "doc": "a Word binary file", "pdf": "a PDF", "ofd": "an OFD file", "binary": "binary data"}


def _detected(data: bytes) -> str | None:
    try:
        return detect(data)
    except CorpusError:
        return None


def _read(data: bytes) -> Rendition:
    format = detect(data)
    module = importlib.import_module(f"corpus.readers.{format}")
    try:
        rendition: Rendition = module.read(data)
    except CorpusError:
        raise
    except (MemoryError, RecursionError) as error:
        raise CorruptDocument(f"this {format} file is too complex to read ({type(error).__name__})") \
            from error
    except Exception as error:  # a library's own error on a damaged file
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise CorruptDocument(f"this {format} file is damaged or truncated: {message}") from error
    return rendition


def read_path(path: Path | str, limit: int = MAX_DOCUMENT_BYTES) -> Rendition:
    """Read a file; see :func:`read_document`."""
    path = Path(path)
    size = path.stat().st_size
    if size > limit:
        raise DocumentTooLarge(f"the file has {size:,} bytes; the limit is {limit:,} ({limit // 2**20} MiB)")
    return read_document(path.read_bytes(), limit, path.name)
