"""Word's automatic list numbering: the 一、 （一） 1. 第一条 that Word prints before a paragraph.

These numbers are not in the paragraph's text. The numbering part defines lists (``w:abstractNum``
with a ``w:lvl`` per level: start value, number format, ``w:lvlText`` such as ``（%2）``) and list
instances (``w:num``) that paragraphs name; Word computes each number as it lays out the page.
python-docx does not, so :class:`Numbering` does, counter by counter in document order, and
:func:`number_label` writes a counter in Word's number formats (一, ①, Ⅰ, A, 甲…).
:mod:`corpus.readers.docx` asks for a paragraph's label and joins it to the text with
:func:`join_label`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from corpus.readers.word_xml import XmlElement, int_value, is_on, val, w

# --- Number formats ---------------------------------------------------------------------------

_DIGITS = "零一二三四五六七八九"
_LEGAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_LEGAL_TRADITIONAL_DIGITS = "零壹貳參肆伍陸柒捌玖"
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_IDEOGRAPH_DIGITS = str.maketrans("0123456789", "〇一二三四五六七八九")
_HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"
_EARTHLY_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def _chinese(value: int, digits: str = _DIGITS, units: str = "十百千", short_ten: bool = True) -> str:
    """Chinese counting below 100,000: 10 → 十, 11 → 十一, 23 → 二十三, 101 → 一百零一."""
    if value >= 10_000:
        high, low = divmod(value, 10_000)
        text = _chinese(high, digits, units, short_ten) + "万"
        if low:
            text += (digits[0] if low < 1000 else "") + _chinese(low, digits, units, short_ten=False)
        return text
    text, zero = "", False
    for power in (3, 2, 1, 0):
        digit = value // 10**power % 10
        if digit == 0:
            zero = bool(text)
            continue
        if zero:
            text += digits[0]
            zero = False
        text += digits[digit] + ("" if power == 0 else units[power - 1])
    if short_ten and text.startswith(digits[1] + units[0]):
        text = text[1:]  # 十一, not 一十一, when the number is below twenty
    return text or digits[0]


def _japanese(value: int) -> str:
    """Japanese counting: 一 is not written before 十, 百, 千, and there is no 零 (101 → 百一)."""
    text = ""
    for power, unit in ((3, "千"), (2, "百"), (1, "十"), (0, "")):
        digit = value // 10**power % 10
        if digit:
            text += ("" if digit == 1 and unit else _DIGITS[digit]) + unit
    return text


def _letters(value: int) -> str:
    """Word's letter numbering: A … Z, then AA, BB … (the letter repeated, not base 26)."""
    return chr(ord("A") + (value - 1) % 26) * ((value - 1) // 26 + 1)


def _roman(value: int) -> str:
    text = ""
    for amount, numeral in _ROMAN:
        count, value = divmod(value, amount)
        text += numeral * count
    return text


def _enclosed(value: int, ranges: tuple[tuple[int, int, int], ...]) -> str:
    for first, last, code in ranges:
        if first <= value <= last:
            return chr(code + value - first)
    return str(value)  # Word also falls back to figures past the last enclosed character


def _cyclic(symbols: str) -> Callable[[int], str]:
    """A format that names the first few items (天干, 地支) and writes figures after them."""
    return lambda value: symbols[value - 1] if value <= len(symbols) else str(value)


_NUMBER_FORMATS: dict[str, Callable[[int], str]] = {
    "decimalZero": lambda value: f"{value:02d}",
    "decimalFullWidth": lambda value: str(value).translate(_FULL_WIDTH),
    "decimalFullWidth2": lambda value: str(value).translate(_FULL_WIDTH),
    "decimalEnclosedCircle": lambda value: _enclosed(value, ((1, 20, 0x2460), (21, 35, 0x3251),
                                                             (36, 50, 0x32B1))),
    "decimalEnclosedCircleChinese": lambda value: _enclosed(value, ((1, 20, 0x2460),)),
    "decimalEnclosedFullstop": lambda value: _enclosed(value, ((1, 20, 0x2488),)),
    "decimalEnclosedParen": lambda value: _enclosed(value, ((1, 20, 0x2474),)),
    "ideographEnclosedCircle": lambda value: _enclosed(value, ((1, 10, 0x3220),)),
    "upperLetter": _letters,
    "lowerLetter": lambda value: _letters(value).lower(),
    "upperRoman": _roman,
    "lowerRoman": lambda value: _roman(value).lower(),
    "chineseCounting": _chinese,
    "chineseCountingThousand": _chinese,
    "taiwaneseCounting": _chinese,
    "taiwaneseCountingThousand": _chinese,
    "japaneseCounting": _japanese,
    "chineseLegalSimplified": lambda value: _chinese(value, _LEGAL_DIGITS, "拾佰仟", short_ten=False),
    "ideographLegalTraditional": lambda value: _chinese(value, _LEGAL_TRADITIONAL_DIGITS, "拾佰仟",
                                                        short_ten=False),
    "ideographDigital": lambda value: str(value).translate(_IDEOGRAPH_DIGITS),
    "taiwaneseDigital": lambda value: str(value).translate(_IDEOGRAPH_DIGITS),
    "japaneseDigitalTenThousand": lambda value: str(value).translate(_IDEOGRAPH_DIGITS),
    "ideographTraditional": _cyclic(_HEAVENLY_STEMS),
    "ideographZodiac": _cyclic(_EARTHLY_BRANCHES),
    "none": lambda value: "",
    "bullet": lambda value: "",
}


def number_label(value: int, format: str) -> str:
    """A list counter written in one of Word's number formats (``w:numFmt``): 1 → 一, ①, Ⅰ, A, …

    Formats policy documents do not use (ordinals, Hebrew, Thai…) are written in figures, as Word
    itself does for values a format cannot write (the 30th ``decimalEnclosedCircleChinese`` item).
    """
    if value <= 0 or value >= 100_000:
        return "" if format in ("none", "bullet") else str(value)
    writer = _NUMBER_FORMATS.get(format)
    return writer(value) if writer is not None else str(value)


# --- Lists and their counters -----------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    """One level of a list definition (``w:lvl``)."""

    start: int = 1
    format: str = "decimal"
    text: str = ""  # w:lvlText, with %1 … %9 standing for the counters of levels 1 … 9
    restart: int | None = None  # w:lvlRestart: restart after this 1-based level; 0 = never
    legal: bool = False  # w:isLgl: every counter in the text in figures
    suffix: str = "tab"  # what follows the number: tab, space or nothing
    style: str | None = None  # w:pStyle: the paragraph style this level is linked to

    @classmethod
    def from_xml(cls, element: XmlElement) -> Level:
        restart = val(element, "lvlRestart")
        return cls(start=int_value(val(element, "start"), 1), format=val(element, "numFmt") or "decimal",
                   text=val(element, "lvlText") or "",
                   restart=None if restart is None else int_value(restart, 0),
                   legal=is_on(element, "isLgl"), suffix=val(element, "suff") or "tab",
                   style=val(element, "pStyle"))

    def restarts_after(self, level: int) -> bool:
        """Whether this level starts again when ``level`` (0-based, shallower) is numbered."""
        if self.restart is None:
            return True
        return self.restart != 0 and level < self.restart


@dataclass
class Numbering:
    """Word's list numbering, computed in document order the way Word prints it.

    A paragraph's ``w:numPr`` (its own or its style's) names a list instance (``w:num``), which
    points to a definition (``w:abstractNum``) and may override its levels or start values.
    Instances of one definition continue each other's counters, as they do in Word, unless an
    instance overrides a level (that is how Word restarts a list); such an instance counts alone.
    """

    definitions: dict[str, dict[int, Level]] = field(default_factory=dict)
    instances: dict[str, tuple[str, dict[int, Level]]] = field(default_factory=dict)
    counters: dict[str, dict[int, int]] = field(default_factory=dict, init=False, repr=False)

    @classmethod
    def from_xml(cls, root: XmlElement | None) -> Numbering:
        if root is None:
            return cls()
        definitions: dict[str, dict[int, Level]] = {}
        linked: dict[str, str] = {}  # abstractNum id → the numbering style it takes its levels from
        by_style: dict[str, str] = {}  # numbering style → the abstractNum id that defines it
        for element in root.findall(w("abstractNum")):
            abstract_id = element.get(w("abstractNumId")) or ""
            definitions[abstract_id] = {int_value(lvl.get(w("ilvl")), 0): Level.from_xml(lvl)
                                        for lvl in element.findall(w("lvl"))}
            if (style := val(element, "styleLink")) is not None:
                by_style[style] = abstract_id
            if (style := val(element, "numStyleLink")) is not None:
                linked[abstract_id] = style
        for abstract_id, style in linked.items():  # a definition that only points to a style's list
            if style in by_style:
                definitions[abstract_id] = definitions[by_style[style]]
        instances: dict[str, tuple[str, dict[int, Level]]] = {}
        for element in root.findall(w("num")):
            abstract_id = val(element, "abstractNumId") or ""
            instances[element.get(w("numId")) or ""] = (abstract_id, cls._overrides(
                element, definitions.get(abstract_id, {})))
        return cls(definitions, instances)

    @staticmethod
    def _overrides(element: XmlElement, levels: dict[int, Level]) -> dict[int, Level]:
        overrides: dict[int, Level] = {}
        for override in element.findall(w("lvlOverride")):
            ilvl = int_value(override.get(w("ilvl")), 0)
            redefined = override.find(w("lvl"))
            level = Level.from_xml(redefined) if redefined is not None else levels.get(ilvl, Level())
            start = val(override, "startOverride")
            overrides[ilvl] = (replace(level, start=int_value(start, level.start)) if start is not None
                               else level)
        return overrides

    def _levels(self, num_id: str) -> dict[int, Level]:
        abstract_id, overrides = self.instances[num_id]
        return {**self.definitions.get(abstract_id, {}), **overrides}

    def level_of_style(self, num_id: str, style_id: str | None) -> int:
        """The level a style's paragraphs take when the style names a list but no level: the level
        linked to the style (``w:pStyle``), else the first."""
        if num_id in self.instances and style_id is not None:
            for ilvl, level in sorted(self._levels(num_id).items()):
                if level.style == style_id:
                    return ilvl
        return 0

    def label(self, num_id: str, ilvl: int) -> tuple[str, str]:
        """Advance the counter of ``(num_id, ilvl)`` and return the printed number and its suffix.

        Returns ``("", "")`` for paragraphs Word prints without a number (bullets, ``numId`` 0,
        a list or level that is not defined).
        """
        if num_id not in self.instances:
            return "", ""
        abstract_id, overrides = self.instances[num_id]
        levels = self._levels(num_id)
        if ilvl not in levels:
            return "", ""
        counters = self.counters.setdefault(f"num:{num_id}" if overrides else f"abstract:{abstract_id}", {})
        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else levels[ilvl].start
        for deeper in [level for level in counters if level > ilvl]:
            if levels.get(deeper, Level()).restarts_after(ilvl):
                del counters[deeper]
        level = levels[ilvl]
        if level.format == "bullet":
            return "", ""  # a bullet is a glyph (often from a symbol font), not words of the text

        def counter(match: re.Match[str]) -> str:
            referenced = int(match.group(1)) - 1
            shown = levels.get(referenced, Level())
            value = counters.get(referenced, shown.start)
            format = "decimal" if level.legal and shown.format != "none" else shown.format
            return number_label(value, format)

        return re.sub(r"%([1-9])", counter, level.text), level.suffix


def join_label(label: str, suffix: str, text: str) -> str:
    """A number and its paragraph as printed: 一、总体要求, （一）建立…, 1.加强…, 第一条 本办法….

    The tab Word puts after a number is layout, not a character: after punctuation or a sign
    (、 . ） ①) it is dropped; after a letter, ideograph or figure (第一条, A, 3) it reads as the
    space between them.
    """
    if not label:
        return text
    if suffix == "nothing" or not unicodedata.category(label[-1]).startswith(("L", "Nd")):
        return label + text
    return f"{label} {text}"
