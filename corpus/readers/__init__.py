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

from corpus.errors import CorpusError, CorruptDocument, DocumentTooLarge
from corpus.readers.base import FORMATS, GridCell, HeadingHint, Rendition, TableGrid
from corpus.readers.detect import detect

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024  # documented in the README; a policy PDF is rarely over 10 MB

__all__ = ["FORMATS", "MAX_DOCUMENT_BYTES", "GridCell", "HeadingHint", "Rendition", "TableGrid",
           "detect", "read_document", "read_path"]


def read_document(data: bytes, limit: int = MAX_DOCUMENT_BYTES) -> Rendition:
    """The rendition of a document's bytes, whatever its format.

    Raises:
        DocumentTooLarge: over ``limit`` bytes.
        CorpusError: a subclass naming what is wrong (empty, unsupported, encrypted, scanned…).
    """
    if len(data) > limit:
        raise DocumentTooLarge(f"the file has {len(data):,} bytes; the limit is {limit:,} "
                               f"({limit // 2**20} MiB)")
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
    return read_document(path.read_bytes(), limit)
