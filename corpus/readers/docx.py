"""Word files (.docx, Office Open XML): paragraphs, headings, numbering and tables in document order.

python-docx opens the package and finds its parts; the body is walked here, on its XML, because a
rendition needs three things python-docx does not give:

* Word's automatic numbering. The 一、 （一） 1. 第一条 in front of a numbered heading are not in the
  paragraph's text: Word computes them from the numbering part each time it lays out the page.
  python-docx does not, so :class:`Numbering` does, counter by counter, the way Word prints them.
* Merged cells. python-docx's ``Table.cell`` repeats a merged cell at every grid position it
  covers; the rendition must know which position is the cell's own and which are covered, which is
  what ``w:gridSpan`` and ``w:vMerge`` say.
* Content controls. Paragraphs and tables inside ``w:sdt`` are skipped by python-docx's
  ``Document.paragraphs`` and ``iter_inner_content``, yet Word prints them.

Page headers and footers, comments and footnotes live in parts of their own and are not read.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import docx

from corpus.errors import CorruptDocument, EmptyDocument
from corpus.readers.archive import check_zip
from corpus.readers.base import Rendition, RenditionBuilder
from corpus.readers.normalise import clean_line

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MATH_TEXT = "{http://schemas.openxmlformats.org/officeDocument/2006/math}t"
_MC_CHOICE = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Choice"
_MC_ALTERNATE = "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent"


Origin = tuple[int, int] | None  # the (row, column) of the merged cell that covers a grid position


def _w(tag: str) -> str:
    return _W + tag


class XmlElement(Protocol):
    """The part of lxml's element API used here (python-docx's XML is lxml; lxml ships no types)."""

    tag: Any  # a str for elements; a function for comments and processing instructions
    text: str | None

    def get(self, key: str, default: str | None = None) -> str | None: ...

    def find(self, path: str) -> XmlElement | None: ...

    def findall(self, path: str) -> list[XmlElement]: ...

    def __iter__(self) -> Iterator[XmlElement]: ...


# Inline elements whose content Word does not print: deleted and moved-away revisions, field
# codes (the result of a field follows them as ordinary runs), ruby annotations, properties.
_HIDDEN_INLINE = frozenset(_w(tag) for tag in (
    "del", "moveFrom", "instrText", "delInstrText", "rt", "pPr", "rPr", "sectPr"))
_FALSE = frozenset(("0", "false", "off"))

_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.IGNORECASE)
_TITLE_STYLES = frozenset(("title", "标题"))

# Document titles that templates and converters leave behind: not the document's title.
_PLACEHOLDER_TITLES = frozenset((
    "untitled", "document", "title", "标题", "文档", "无标题", "正文", "新建文档",
    "新建 microsoft word 文档", "新建 doc 文档", "新建 docx 文档", "新建 wps文字 文档"))
_FILE_NAME = re.compile(r"\.(?:docx?|wps|wpt|dotx?|pdf|txt|html?)$", re.IGNORECASE)
_CJK = re.compile(r"[\u4e00-\u9fff]")


def read(data: bytes) -> Rendition:
    """The rendition of a .docx file.

    Raises:
        CorruptDocument: not a zip container, or not a readable Word package.
        DocumentTooLarge: a part inflates past the caps of :mod:`corpus.readers.archive`.
        EmptyDocument: the file holds no text.
    """
    try:
        check_zip(data, "Word file")
    except zlib.error as error:  # a damaged deflate stream; check_zip does not translate it yet
        raise CorruptDocument(f"this Word file is not a readable zip container ({error})") from error
    try:
        document = docx.Document(io.BytesIO(data))
        body = document.element.body
        numbering = Numbering.from_xml(_numbering_root(document))
        styles = Styles.from_xml(document.styles.element)
        title = document.core_properties.title
    except Exception as error:  # python-docx and lxml raise many kinds on a damaged package
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise CorruptDocument(f"this Word file is damaged: {message}") from error
    builder = RenditionBuilder()
    _BodyWriter(builder, numbering, styles).blocks(body)
    properties = {"title": clean_line(title)} if _meaningful_title(title) else {}
    rendition = builder.build("docx", properties=properties)
    if not rendition.text:
        raise EmptyDocument(_no_text_message(body))
    return rendition


def _no_text_message(body: XmlElement) -> str:
    if body.find(f".//{_w('drawing')}") is not None or body.find(f".//{_w('pict')}") is not None:
        return ("this Word file holds only pictures, perhaps scanned pages, and no text: ask for a "
                "version with its text, or run OCR first")
    return "this Word file holds no text: add a version of the document with its text"


def _numbering_root(document: Any) -> XmlElement | None:
    try:
        root: XmlElement = document.part.numbering_part.element
    except (KeyError, NotImplementedError):  # a document without lists has no numbering part
        return None
    return root


def _meaningful_title(title: str | None) -> bool:
    """Whether a core-properties title names the document rather than a template or a file."""
    if not title or not title.strip():
        return False
    title = title.strip()
    if title.lower().startswith("microsoft word - "):
        return False
    return (title.lower() not in _PLACEHOLDER_TITLES and not _FILE_NAME.search(title)
            and len(_CJK.findall(title)) >= 2)


def _int(value: str | None, default: int) -> int:
    """An integer attribute; damaged files hold anything, and Word treats nonsense as absent."""
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _val(element: XmlElement | None, tag: str) -> str | None:
    """The w:val of a child element, or None when the child is absent."""
    if element is None:
        return None
    child = element.find(_w(tag))
    return None if child is None else child.get(_w("val"))


def _is_on(element: XmlElement | None, tag: str) -> bool:
    """A toggle property such as w:tblHeader: on when present, unless its w:val says off."""
    if element is None:
        return False
    child = element.find(_w(tag))
    return child is not None and (child.get(_w("val")) or "true").lower() not in _FALSE


# --- Styles -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Style:
    """What a paragraph style contributes to a rendition: its name, numbering and outline level."""

    name: str
    based_on: str | None = None
    num_id: str | None = None
    level: int | None = None  # w:ilvl of the style's w:numPr
    outline: int | None = None  # w:outlineLvl, 0 = top, 9 = body text


@dataclass(frozen=True)
class Styles:
    """The paragraph styles of a document by style id, and the default paragraph style."""

    by_id: dict[str, Style]
    default: str | None = None

    @classmethod
    def from_xml(cls, root: XmlElement) -> Styles:
        by_id: dict[str, Style] = {}
        default = None
        for element in root.findall(_w("style")):
            style_id = element.get(_w("styleId"))
            if style_id is None or element.get(_w("type"), "paragraph") != "paragraph":
                continue
            properties = element.find(_w("pPr"))
            numbering = properties.find(_w("numPr")) if properties is not None else None
            level = _val(numbering, "ilvl")
            outline = _val(properties, "outlineLvl")
            by_id[style_id] = Style(_val(element, "name") or style_id, _val(element, "basedOn"),
                                    _val(numbering, "numId"), None if level is None else _int(level, 0),
                                    None if outline is None else _int(outline, 9))
            if (element.get(_w("default")) or "").lower() in ("1", "true", "on"):
                default = style_id
        return cls(by_id, default)

    def chain(self, style_id: str | None) -> Iterator[Style]:
        """The style and the styles it is based on, nearest first (a cycle is cut)."""
        seen: set[str] = set()
        current = style_id if style_id is not None else self.default
        while current is not None and current not in seen and current in self.by_id:
            seen.add(current)
            style = self.by_id[current]
            yield style
            current = style.based_on

    def heading_level(self, style_id: str | None) -> int | None:
        """The heading level a style gives (Heading 1–9, 标题 1–9, Title = 1, an outline level)."""
        for style in self.chain(style_id):
            name = style.name.strip()
            if name.lower() in _TITLE_STYLES:
                return 1
            match = _HEADING_STYLE.match(name)
            if match:
                return int(match.group(1))
            if style.outline is not None:
                return style.outline + 1 if 0 <= style.outline <= 8 else None
        return None

    def numbering(self, style_id: str | None) -> tuple[str | None, int | None]:
        """The numId and ilvl a style gives its paragraphs, nearest definition first."""
        num_id: str | None = None
        level: int | None = None
        for style in self.chain(style_id):
            num_id = num_id if num_id is not None else style.num_id
            level = level if level is not None else style.level
        return num_id, level


# --- Numbering --------------------------------------------------------------------------------

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
        restart = _val(element, "lvlRestart")
        return cls(start=_int(_val(element, "start"), 1), format=_val(element, "numFmt") or "decimal",
                   text=_val(element, "lvlText") or "", restart=None if restart is None else _int(restart, 0),
                   legal=_is_on(element, "isLgl"), suffix=_val(element, "suff") or "tab",
                   style=_val(element, "pStyle"))

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
        for element in root.findall(_w("abstractNum")):
            abstract_id = element.get(_w("abstractNumId")) or ""
            definitions[abstract_id] = {_int(lvl.get(_w("ilvl")), 0): Level.from_xml(lvl)
                                        for lvl in element.findall(_w("lvl"))}
            if (style := _val(element, "styleLink")) is not None:
                by_style[style] = abstract_id
            if (style := _val(element, "numStyleLink")) is not None:
                linked[abstract_id] = style
        for abstract_id, style in linked.items():  # a definition that only points to a style's list
            if style in by_style:
                definitions[abstract_id] = definitions[by_style[style]]
        instances: dict[str, tuple[str, dict[int, Level]]] = {}
        for element in root.findall(_w("num")):
            abstract_id = _val(element, "abstractNumId") or ""
            instances[element.get(_w("numId")) or ""] = (abstract_id, cls._overrides(
                element, definitions.get(abstract_id, {})))
        return cls(definitions, instances)

    @staticmethod
    def _overrides(element: XmlElement, levels: dict[int, Level]) -> dict[int, Level]:
        overrides: dict[int, Level] = {}
        for override in element.findall(_w("lvlOverride")):
            ilvl = _int(override.get(_w("ilvl")), 0)
            redefined = override.find(_w("lvl"))
            level = Level.from_xml(redefined) if redefined is not None else levels.get(ilvl, Level())
            start = _val(override, "startOverride")
            overrides[ilvl] = replace(level, start=_int(start, level.start)) if start is not None else level
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


def _join_label(label: str, suffix: str, text: str) -> str:
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


# --- The body ---------------------------------------------------------------------------------


class _BodyWriter:
    """Writes the blocks of a body (or of a table cell) to a rendition, in document order."""

    def __init__(self, builder: RenditionBuilder, numbering: Numbering, styles: Styles) -> None:
        self._builder = builder
        self._numbering = numbering
        self._styles = styles

    def blocks(self, container: XmlElement) -> None:
        for block in _blocks(container):
            if block.tag == _w("p"):
                self._paragraph(block)
            else:
                self._table(block)

    def _paragraph(self, paragraph: XmlElement) -> None:
        text, boxes, level = self.paragraph_text(paragraph)
        self._builder.line(text, level)
        for box in boxes:  # text boxes anchored in the paragraph follow it
            self.blocks(box)

    def paragraph_text(self, paragraph: XmlElement) -> tuple[str, list[XmlElement], int | None]:
        """A paragraph's line (numbering included, normalised), its text boxes and heading level."""
        properties = paragraph.find(_w("pPr"))
        style_id = _val(properties, "pStyle")
        boxes: list[XmlElement] = []
        text = clean_line("".join(_inline_text(paragraph, boxes)))
        label, suffix = self._label(properties, style_id)
        if text:  # an empty numbered paragraph advances its counter, but prints no line
            text = clean_line(_join_label(label, suffix, text))
        outline = _val(properties, "outlineLvl")
        if outline is not None:
            level = _int(outline, 9) + 1 if 0 <= _int(outline, 9) <= 8 else None
        else:
            level = self._styles.heading_level(style_id)
        return text, boxes, level

    def _label(self, properties: XmlElement | None, style_id: str | None) -> tuple[str, str]:
        numbering = properties.find(_w("numPr")) if properties is not None else None
        style_num, style_level = self._styles.numbering(style_id)
        num_id = _val(numbering, "numId") or style_num
        if num_id is None or num_id == "0":  # numId 0 is how Word switches a style's numbering off
            return "", ""
        ilvl = _val(numbering, "ilvl")
        if ilvl is not None:
            level = _int(ilvl, 0)
        elif style_level is not None:
            level = style_level
        else:
            level = self._numbering.level_of_style(num_id, style_id)
        return self._numbering.label(num_id, level)

    def _table(self, table: XmlElement) -> None:
        rows = _rows(table)
        cells = [_cells(row) for row in rows]
        if len(rows) == 1 and len(cells[0]) == 1:
            # A one-cell table wrapping the text is page layout (a border, a box): its content is
            # the document's paragraphs, not a table of data.
            self.blocks(cells[0][0])
            return
        texts: list[list[str | None]] = []
        origins: list[list[Origin]] = []
        for r, row in enumerate(rows):
            row_texts, row_origins = self._row(r, row, cells[r], origins)
            texts.append(row_texts)
            origins.append(row_origins)
        header_rows = 0
        while header_rows < len(rows) and _is_on(rows[header_rows].find(_w("trPr")), "tblHeader"):
            header_rows += 1
        self._builder.table(texts, header_rows or 1, origins)

    def _row(self, r: int, row: XmlElement, cells: list[XmlElement],
             above: list[list[Origin]]) -> tuple[list[str | None], list[Origin]]:
        """One row's cell texts and origins on the table grid.

        A cell spanning columns (``w:gridSpan``) covers the columns after its own; a cell continuing
        a vertical merge (``w:vMerge`` without ``restart``) is covered by the cell where the merge
        restarted, found through the row above.
        """
        properties = row.find(_w("trPr"))
        skipped = _int(_val(properties, "gridBefore"), 0)
        texts: list[str | None] = [""] * skipped
        origins: list[Origin] = [None] * skipped
        for cell in cells:
            cell_properties = cell.find(_w("tcPr"))
            span = max(1, min(_int(_val(cell_properties, "gridSpan"), 1), 1000))
            column = len(texts)
            origin = None
            if _merge_continues(cell_properties, "vMerge"):
                origin = _origin_above(above, r, column)
            elif _merge_continues(cell_properties, "hMerge") and column > 0:
                origin = origins[-1] or (r, column - 1)
            if origin is not None:
                texts += [None] * span
                origins += [origin] * span
            else:
                texts += [self._cell_text(cell)] + [None] * (span - 1)
                origins += [None] + [(r, column)] * (span - 1)
        return texts, origins

    def _cell_text(self, cell: XmlElement) -> str:
        """A cell's paragraphs joined with a space; a nested table's cells likewise, row by row."""
        parts: list[str] = []
        for block in _blocks(cell):
            if block.tag == _w("p"):
                text, boxes, _ = self.paragraph_text(block)
                parts += [text, *(self._cell_text(box) for box in boxes)]
            else:
                parts += [self._cell_text(nested) for row in _rows(block) for nested in _cells(row)]
        return " ".join(part for part in parts if part)


def _merge_continues(properties: XmlElement | None, tag: str) -> bool:
    if properties is None:
        return False
    merge = properties.find(_w(tag))
    return merge is not None and (merge.get(_w("val")) or "continue") == "continue"


def _origin_above(above: list[list[Origin]], r: int, column: int) -> Origin:
    """The cell a vertical merge continues from: the cell above, or the cell that one continues.

    None when there is nothing above to continue (a damaged table): the cell then stands alone.
    """
    if r == 0 or column >= len(above[r - 1]):
        return None
    return above[r - 1][column] or (r - 1, column)


def _blocks(container: XmlElement) -> Iterator[XmlElement]:
    """The paragraphs and tables of a body or cell, inside content controls and custom XML too."""
    for child in container:
        if child.tag in (_w("p"), _w("tbl")):
            yield child
        elif child.tag in (_w("sdt"), _w("customXml")):
            content = child.find(_w("sdtContent")) if child.tag == _w("sdt") else child
            if content is not None:
                yield from _blocks(content)


def _rows(table: XmlElement) -> list[XmlElement]:
    return list(_wrapped(table, _w("tr")))


def _cells(row: XmlElement) -> list[XmlElement]:
    return list(_wrapped(row, _w("tc")))


def _wrapped(parent: XmlElement, tag: str) -> Iterator[XmlElement]:
    """Children with ``tag``, also where a content control or custom XML wraps them."""
    for child in parent:
        if child.tag == tag:
            yield child
        elif child.tag == _w("sdt"):
            content = child.find(_w("sdtContent"))
            if content is not None:
                yield from _wrapped(content, tag)
        elif child.tag == _w("customXml"):
            yield from _wrapped(child, tag)


def _inline_text(element: XmlElement, boxes: list[XmlElement]) -> Iterator[str]:
    """The printed characters of a paragraph's runs, hyperlinks, fields and insertions.

    Text boxes anchored in the paragraph are collected in ``boxes`` rather than merged into its
    text; of alternative content (a text box as DrawingML and again as VML) only the first choice
    is read, so that nothing is read twice.
    """
    for child in element:
        tag = child.tag
        if tag == _w("t") or tag == _MATH_TEXT:
            yield child.text or ""
        elif tag in (_w("tab"), _w("ptab")):
            yield "\t"
        elif tag in (_w("br"), _w("cr")):
            yield "\n"
        elif tag == _w("noBreakHyphen"):
            yield "-"
        elif tag == _w("txbxContent"):
            boxes.append(child)
        elif tag == _MC_ALTERNATE:
            choice = child.find(_MC_CHOICE)
            if choice is not None:
                yield from _inline_text(choice, boxes)
        elif tag not in _HIDDEN_INLINE:
            yield from _inline_text(child, boxes)
