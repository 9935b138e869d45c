"""Normalising extracted text once, the same way for every format that is not plain text.

Extraction leaves artefacts a reader of the document never sees: spaces a PDF text layer puts
between Chinese characters and digits (``2025 年``), letter-spaced titles (``总  则``), no-break
and ideographic spaces used for indentation, page numbers such as ``— 8 —``. These functions
remove them; what they keep is the text of the rendition, which offsets then point into.
No library does this for Chinese text (unicodedata's NFKC would also rewrite full-width
punctuation, which is part of the document), hence the hand-written rules.
"""

from __future__ import annotations

import re

# Characters written between CJK text that a reader does not see as spaces.
_SPACES = re.compile(r"[\s\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000\ufeff]+")
_CJK = (r"\u2e80-\u2fdf\u3001-\u303f\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff"
        r"\uf900-\ufaff\uff00-\uffef")
# A space with CJK (or CJK punctuation) on one side and CJK or a digit on the other is an
# artefact: 2025 年, 江 西 省, 第 3 条, 〔2021〕 75号. Between two Latin letters or digits it is real.
_GAP = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}0-9%％])|(?<=[0-9%％]) (?=[{_CJK}])")
# A heading marker keeps the space the source put before its title: 第一章 总则, 第三条 本办法…
_MARKER_SPACED = re.compile(r"^(第 ?[一二三四五六七八九十百零〇两\d]+ ?[章节条]) (?=\S)")
_PAGE_NUMBER = re.compile(
    r"^(?:[-－—–一]\s*\d{1,4}\s*[-－—–一]|第\s*\d{1,4}\s*页(?:\s*[,，/／]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*[/／]\s*\d{1,4}|[-－—–]?\s*\d{1,4}\s*[-－—–]?|page\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$",
    re.IGNORECASE)


def clean_line(text: str) -> str:
    """One line of extracted text as a reader sees it.

    Whitespace of every kind becomes one space, spaces inside CJK text and between CJK text and
    figures go, the line is stripped; a leading 第X章/节/条 marker that the source separated from
    its title keeps one space (第一章 总则).
    """
    text = _SPACES.sub(" ", text).strip()
    marker = _MARKER_SPACED.match(text)
    text = _GAP.sub("", text)
    if marker is not None:
        written = _GAP.sub("", marker.group(1))
        text = written + " " + text[len(written):].lstrip()
    return text


def is_page_number(text: str) -> bool:
    """A line that is only a page number: ``— 8 —``, ``- 8 -``, ``第8页 共24页``, ``8/24``, ``8``."""
    return bool(_PAGE_NUMBER.match(text.strip()))


_SENTENCE_END = tuple("。；！？：!?;:”’）)】」』")


def ends_sentence(text: str) -> bool:
    """Whether a line ends where a sentence or clause can end (so the next line starts anew)."""
    return text.rstrip().endswith(_SENTENCE_END)
