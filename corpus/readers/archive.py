"""Opening zip containers (.docx, .ofd) without trusting what they declare.

A zip bomb declares small sizes and inflates to gigabytes. Every part is inflated here, in
chunks, with a cap per part and in total, before any library sees the container.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from corpus.errors import CorruptDocument, DocumentTooLarge

MAX_PART_BYTES = 64 * 1024 * 1024  # one XML part or image once inflated
MAX_TOTAL_BYTES = 256 * 1024 * 1024  # all parts together
MAX_PARTS = 10_000
_CHUNK = 1 << 20


def check_zip(data: bytes, what: str) -> None:
    """Inflate every part of ``data`` under the caps, or raise.

    Raises:
        CorruptDocument: not a zip, or a part is damaged.
        DocumentTooLarge: a part or the whole inflates past the caps (a zip bomb).
    """
    total = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_PARTS:
                raise DocumentTooLarge(f"this {what} holds {len(infos)} parts (limit {MAX_PARTS})")
            for info in infos:
                size = 0
                with archive.open(info) as part:
                    while chunk := part.read(_CHUNK):
                        size += len(chunk)
                        total += len(chunk)
                        if size > MAX_PART_BYTES or total > MAX_TOTAL_BYTES:
                            raise DocumentTooLarge(
                                f"this {what} inflates past {MAX_PART_BYTES // 2**20} MiB per part or "
                                f"{MAX_TOTAL_BYTES // 2**20} MiB in all: it looks like a zip bomb")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError,
            NotImplementedError, RuntimeError, zlib.error) as error:
        raise CorruptDocument(f"this {what} is not a readable zip container ({error})") from error
