"""Recognising the heading numbers that official documents (公文) use.

Document levels, from the top: 一、 / （一） / 1. or 1． / （1） / 一是; regulations and 办法
number 第一章 / 第一节 / 第一条. Attachments (附件1, 附件：…) start a new top-level region.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

# Hand-written because headings only need 1–9999 in Chinese numerals (the 民法典 runs to
# 第一千二百六十条); cn2an would add a dependency (and its own regex engine) for thirty lines.
_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
           "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUMERAL = "零〇一二三四五六七八九十百千两"


def chinese_to_int(numeral: str) -> int:
    """``"二十三"`` → 23, ``"十一"`` → 11, ``"一百零五"`` → 105, ``"一千一百六十四"`` → 1164;
    digits pass through."""
    if numeral.isdigit():
        return int(numeral)
    total, current = 0, 0
    for char in numeral:
        if char in _DIGITS:
            current = _DIGITS[char]
        elif char in _UNITS:
            total += (current or 1) * _UNITS[char]
            current = 0
        else:
            raise ValueError(f"not a Chinese numeral: {numeral!r}")
    return total + current


def int_to_chinese(number: int) -> str:
    """23 → ``"二十三"``, 105 → ``"一百零五"``, 1164 → ``"一千一百六十四"``, as laws number their
    articles; used to write labels and inferred heading numbers. From 10,000 the digits."""
    digits = "零一二三四五六七八九"
    if number < 10:
        return digits[number]
    if number < 20:
        return "十" + (digits[number % 10] if number % 10 else "")
    if number >= 10_000:
        return str(number)
    written, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // value % 10
        if digit:
            written += ("零" if zero and written else "") + digits[digit] + unit
            zero = False
        else:
            zero = zero or bool(written)
    return written


class Marker(Enum):
    """Heading styles with their conventional rank (smaller is higher in the hierarchy)."""

    ATTACHMENT = 0
    CHAPTER = 1  # 第一章
    SECTION = 2  # 第一节
    ARTICLE = 3  # 第一条
    CN = 4  # 一、
    CN_PAREN = 5  # （一）
    NUM = 6  # 1.  1．  1、
    NUM_PAREN = 7  # （1）
    CN_SHI = 8  # 一是

    def write(self, number: int) -> str:
        """The marker as written for ``number``, e.g. CN_PAREN, 2 → ``（二）``."""
        cn = int_to_chinese(number)
        return {
            Marker.ATTACHMENT: f"附件{number}",
            Marker.CHAPTER: f"第{cn}章",
            Marker.SECTION: f"第{cn}节",
            Marker.ARTICLE: f"第{cn}条",
            Marker.CN: f"{cn}、",
            Marker.CN_PAREN: f"（{cn}）",
            Marker.NUM: f"{number}.",
            Marker.NUM_PAREN: f"（{number}）",
            Marker.CN_SHI: f"{cn}是",
        }[self]

    def label_piece(self, number: int) -> str:
        """The marker as it appears inside a citation label: 四 / （二） / 3 / （1） / 一是."""
        cn = int_to_chinese(number)
        if self is Marker.CN:
            return cn
        if self is Marker.NUM:
            return str(number)
        return self.write(number)


_N = f"[{CN_NUMERAL}]+"
_PATTERNS: list[tuple[Marker, re.Pattern[str]]] = [
    (Marker.CHAPTER, re.compile(rf"^第({_N}|\d+)章(?!程)")),
    (Marker.SECTION, re.compile(rf"^第({_N}|\d+)节")),
    # 第十七条之一: an article inserted by an amendment after 第十七条 (the 刑法 has 53).
    (Marker.ARTICLE, re.compile(rf"^第({_N}|\d+)条(之[一二三四五六七八九十]+)?(?![件款例])")),
    (Marker.CN, re.compile(rf"^({_N})[、．.](?!\d)")),
    (Marker.CN_PAREN, re.compile(rf"^[（(]({_N})[）)]")),
    (Marker.NUM, re.compile(r"^(\d{1,3})(?:[.．](?!\s*\d)|、)")),
    (Marker.NUM_PAREN, re.compile(r"^[（(](\d{1,3})[）)]")),
    (Marker.CN_SHI, re.compile(r"^([一二三四五六七八九十]{1,3})是(?=\S)")),
]


@dataclass(frozen=True)
class HeadingMatch:
    marker: Marker
    number: int
    written: str  # the marker as it stands in the line, e.g. "（十一）"
    rest: str  # the line after the marker, stripped
    suffix: str = ""  # 之一 of an inserted article (第十七条之一)


def match_heading(line: str) -> HeadingMatch | None:
    """Recognise a numbered heading at the start of a stripped line."""
    for marker, pattern in _PATTERNS:
        found = pattern.match(line)
        if found:
            suffix = found.group(2) if marker is Marker.ARTICLE else None
            return HeadingMatch(marker, chinese_to_int(found.group(1)), found.group(0),
                                line[found.end():].strip(), suffix or "")
    return None


_ATTACHMENT = re.compile(r"^附\s*件\s*(?P<number>\d{1,2}|[一二三四五六七八九十]{1,3})?\s*"
                         r"(?:[:：]\s*(?P<title>.*))?$")
_ATTACHMENT_LIST = re.compile(r"^附\s*件\s*[:：]\s*\d{1,2}\s*[.．、]")


@dataclass(frozen=True)
class AttachmentMatch:
    number: int | None
    title: str  # a title on the marker line itself (附件：重点任务清单), else ""


def match_attachment(line: str) -> AttachmentMatch | None:
    """``附件1`` / ``附件 2`` / ``附件：重点任务清单`` start an attachment."""
    if _ATTACHMENT_LIST.match(line):
        return None
    found = _ATTACHMENT.match(line)
    if not found:
        return None
    number = found.group("number")
    title = (found.group("title") or "").strip()
    if number is None and not title:
        return AttachmentMatch(None, "")
    return AttachmentMatch(chinese_to_int(number) if number else None, title)


def is_attachment_list(line: str) -> bool:
    """``附件：1.宿城区…`` lists the attachments at the end of the main text."""
    return bool(_ATTACHMENT_LIST.match(line))


def split_title(rest: str) -> tuple[str, bool]:
    """Split the text after a heading marker into its title and whether a body follows.

    ``鼓励盘活利用存量闲置资源发展养老托育服务。鼓励利用…`` → (the first sentence, True);
    ``发展基础`` → (``发展基础``, False); a lone sentence ``存量的商业用房。`` is a list item
    with body: (the sentence, True).
    """
    for index, char in enumerate(rest):
        if char in "。；！？" or (char == "：" and index < 30):
            return rest[: index + 1], True
    if len(rest) > 40:
        return rest, True
    return rest, False
