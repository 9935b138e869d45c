"""Portal HTML pages: the article body as lines and tables, the metadata box as properties.

The bytes are decoded here (by BOM, UTF-8, the declared charset, GB18030) and parsed by
selectolax (lexbor) into the measured tree of :mod:`corpus.readers.html_tree`; the article is found
and written by :mod:`corpus.readers.html_article` (with :mod:`corpus.readers.html_lines`), and the
metadata box and ``<meta>`` tags are read by :mod:`corpus.readers.html_properties`.
"""

from __future__ import annotations

import codecs
import re

from selectolax.lexbor import LexborHTMLParser

from corpus.errors import EmptyDocument, NotText
from corpus.readers.base import Rendition, RenditionBuilder
from corpus.readers.html_article import write_article
from corpus.readers.html_properties import page_properties
from corpus.readers.html_tree import convert

_DECLARED = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_\-]+)", re.IGNORECASE)


def read(data: bytes) -> Rendition:
    """The rendition of a saved portal page.

    Raises:
        EmptyDocument: no bytes, or no text in the page.
        NotText: bytes that no encoding the page could be in decodes.
        NoArticleBody: a page without an article (a list, index or search page).
    """
    html, encoding, warnings = _decode(data)
    parser = LexborHTMLParser(html)
    root = convert(parser.root, 0) if parser.root is not None else None
    if root is None or not root.total.chars:
        raise EmptyDocument("the page has no text in its body")
    builder = RenditionBuilder()
    body, boxes = write_article(root, builder, warnings)
    properties = page_properties(root, body, boxes, parser)
    return builder.build("html", encoding=encoding, properties=properties, warnings=tuple(warnings))


# --- decoding -----------------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, str, list[str]]:
    """Decode by BOM, then UTF-8, the charset the page declares, GB18030 (which covers GBK)."""
    if not data.strip():
        raise EmptyDocument("the page is empty")
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding, []
            except UnicodeDecodeError as error:
                raise NotText(f"the page starts with a {encoding} byte-order mark but is not "
                              f"{encoding}: save it again as UTF-8") from error
    if data.count(b"\x00") > len(data) // 100:
        raise NotText("the page holds NUL bytes: it is binary, not HTML; check what was saved")
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as error:
        if error.reason == "unexpected end of data":  # cut off inside its last character
            return data[:error.start].decode("utf-8"), "utf-8", ["the page was saved truncated"]
    encodings = [_declared_charset(data), "gb18030"]
    for encoding in encodings:
        try:
            return data.decode(encoding), encoding, []
        except (UnicodeDecodeError, LookupError):
            continue
    for encoding in encodings:  # a few damaged bytes in an otherwise readable page
        try:
            text = data.decode(encoding, errors="replace")
        except LookupError:
            continue
        damaged = text.count("\ufffd")
        if damaged <= max(2, len(text) // 500):
            return text, encoding, [f"{damaged} undecodable byte sequence(s) replaced"]
    raise NotText("the page is neither UTF-8, its declared charset nor GB18030: save it again as UTF-8")


def _declared_charset(data: bytes) -> str:
    match = _DECLARED.search(data[:8192])
    name = match.group(1).decode("ascii").lower() if match else "gb18030"
    if name in {"gb2312", "gbk", "x-gbk", "gb_2312-80", "cp936"}:
        return "gb18030"  # a superset: pages labelled GB2312 routinely hold GBK characters
    try:
        return codecs.lookup(name).name
    except LookupError:
        return "gb18030"
