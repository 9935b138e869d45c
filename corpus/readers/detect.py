"""Recognising a file's format from its bytes, never from its name.

Governments publish the same document as ``.doc`` that is really a ``.docx``, ``.wps`` that is a
Word binary, ``.htm`` saved as ``.txt``; a name says what someone called the file, the first bytes
say what it is. Zip containers are told apart by the parts they hold, text by its markup.
"""

from __future__ import annotations

import io
import re
import zipfile

from corpus.errors import CorruptDocument, EmptyDocument, NotPolicyDocument, UnsupportedFormat

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGES = (
    (b"\x89PNG\r\n\x1a\n", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF87a", "GIF"), (b"GIF89a", "GIF"),
    (b"BM", "BMP"), (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"),
)
_OTHER = (
    (b"{\\rtf", "RTF (save it as .docx or .pdf)"), (b"%!PS", "PostScript"),
    (b"\x1f\x8b", "a gzip archive"), (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"), (b"\x00\x00\x00\x0cjP  ", "a JPEG 2000 image"),
)
_HTML_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b",
                         re.IGNORECASE | re.DOTALL)
_TAG = re.compile(rb"</?(?:p|div|span|br|table|tr|td|h[1-6]|a|font|strong|b|li|ul|section|article)\b[^>]*>",
                  re.IGNORECASE)
_MD_HEADING = re.compile(r"^#{1,6}\s+\S", re.MULTILINE)
_MD_BOLD_LINE = re.compile(r"^\s*\*\*[^*\n]+\*\*\s*$", re.MULTILINE)
_MD_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)+\|?\s*$", re.MULTILINE)
_MD_LINK = re.compile(r"\[[^\]\n]+\]\([^)\s]+\)")


def detect(data: bytes) -> str:
    """The format of a document's bytes: one of ``text``, ``markdown``, ``html``, ``docx``,
    ``doc`` (Word binary, which Kingsoft ``.wps`` files also are), ``pdf`` or ``ofd``.

    Raises:
        EmptyDocument: no bytes at all.
        NotPolicyDocument: an image.
        UnsupportedFormat: a format policy-qa does not read, named in the message.
        CorruptDocument: a zip container that cannot be opened.
    """
    if not data.strip():
        raise EmptyDocument("the file is empty")
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return _zip_format(data)
    if data.startswith(_OLE2):
        return "doc"
    for magic, name in _IMAGES:
        if data.startswith(magic):
            raise NotPolicyDocument(f"this is a {name} image, not a policy document; a scanned page "
                                    "needs OCR, which policy-qa does not do")
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        raise NotPolicyDocument("this is a WebP image, not a policy document")
    for magic, name in _OTHER:
        if data.startswith(magic):
            raise UnsupportedFormat(f"unsupported format: {name}")
    if _looks_like_html(data):
        return "html"
    return "markdown" if _looks_like_markdown(data) else "text"


def _zip_format(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise CorruptDocument(f"the file starts like a zip container (.docx, .ofd) but cannot be "
                              f"opened: {error}") from error
    if "word/document.xml" in names:
        return "docx"
    if "OFD.xml" in names or any(name.lower() == "ofd.xml" for name in names):
        return "ofd"
    if any(name.startswith("xl/") for name in names):
        raise UnsupportedFormat("unsupported format: an Excel workbook (.xlsx)")
    if any(name.startswith("ppt/") for name in names):
        raise UnsupportedFormat("unsupported format: a PowerPoint presentation (.pptx)")
    if "content.xml" in names and "mimetype" in names:
        raise UnsupportedFormat("unsupported format: an OpenDocument file (save it as .docx or .pdf)")
    raise UnsupportedFormat("unsupported format: a zip archive; add the documents inside it instead")


def _looks_like_html(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf")
    if _HTML_START.match(head):
        return True
    sample = data[:65536]
    return len(_TAG.findall(sample)) >= 10


def _looks_like_markdown(data: bytes) -> bool:
    sample = data[:262144].decode("utf-8", errors="replace")
    if _MD_HEADING.search(sample[:1000].lstrip("\ufeff")):
        return True  # a document that opens with a # heading: no plain text policy file does
    signals = (len(_MD_HEADING.findall(sample)) + len(_MD_BOLD_LINE.findall(sample))
               + 2 * len(_MD_TABLE_RULE.findall(sample)) + len(_MD_LINK.findall(sample)))
    return signals >= 2
