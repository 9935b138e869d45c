"""Plain text: the rendition is the decoded file, unchanged, so offsets index the file itself."""

from __future__ import annotations

import unicodedata

from corpus.errors import EmptyDocument, NotText
from corpus.readers.base import Rendition
from corpus.text import is_blank_char


def decode(data: bytes) -> tuple[str, str]:
    """Decode a policy file, returning ``(text, encoding)``.

    UTF-8 first (the common case), UTF-16 when it starts with a BOM, then GB18030, which is a
    superset of GBK and GB2312, the encodings older government files still arrive in.

    Raises:
        EmptyDocument: zero bytes, or only whitespace.
        NotText: NUL bytes, control characters, or no encoding fits.
    """
    if not data:
        raise EmptyDocument("the file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    elif b"\x00" in data:
        raise NotText("the file contains NUL bytes: it looks binary, not a text document")
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        _check_text(text)
        return text, encoding
    raise NotText("the file is neither UTF-8 nor GB18030 text")


def _check_text(text: str) -> None:
    if not any(not is_blank_char(char) for char in text):
        raise EmptyDocument("the document is empty")
    control = sum(
        1 for char in text if unicodedata.category(char) == "Cc" and char not in "\t\n\r\f\v"
    )
    if control > max(8, len(text) // 1000):
        raise NotText(f"the file holds {control} control characters: it looks binary")


def read(data: bytes) -> Rendition:
    text, encoding = decode(data)
    return Rendition(text, "text", encoding)
