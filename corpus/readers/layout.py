"""From characters placed on pages to the lines and paragraphs a person reads (PDF and OFD).

PDF and OFD files do not store paragraphs: they place characters at positions, page after page.
Both readers turn their characters into :class:`~corpus.readers.layout_lines.Glyph` objects, make
lines of them with :mod:`corpus.readers.layout_lines`, and hand their pages here, so that the two
formats are read by the same rules:

1. **Lines from drawing order** (:mod:`corpus.readers.layout_lines`): a new line starts where the
   drawing jumps back to the left or the baseline moves, not where character boxes say, since
   fonts with a wrong descent put boxes below the line.
2. **Page furniture.** Page numbers (``— 8 —``, ``第8页``) and lines repeated at the top or bottom
   of most pages are dropped.
3. **Paragraphs.** A line that runs to the right edge of the text block and does not end a
   sentence continues on the next line (also across a page break) unless that line starts a
   heading (一、 （一） 1. 第X条 附件) or is indented; a centred title wrapped over two lines is
   re-joined too.
4. **Writing.** Paragraphs and tables go to a :class:`RenditionBuilder`, with the offset at which
   each page starts, even when a page starts inside a paragraph or a table.

Neither pdfplumber nor ofdkit re-joins wrapped Chinese lines or knows 公文 headings, hence the
hand-written rules; the thresholds are in units of the font size so that they hold in points
(PDF) and millimetres (OFD) alike.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from corpus.headings import match_attachment, match_heading
from corpus.readers.base import RenditionBuilder
from corpus.readers.layout_lines import TextLine, join_text
from corpus.readers.normalise import clean_line, ends_sentence, is_page_number

# Thresholds, as shares of the font size.
_EDGE_SLACK = 1.5  # a line ending this close to the right edge ran to the edge
_INDENT = 1.0  # a line starting this far right of the left edge is indented (first line: 2 chars)
_LINE_PITCH = 2.5  # lines further apart than this are separate paragraphs
_SIZE_CHANGE = 0.15  # lines whose sizes differ by more than this share are separate
_TITLE_SIZE = 1.2  # a title is set this much larger than the body text
_FURNITURE_DEPTH = 2  # furniture is among the first and last two items of a page

_CLOSERS = "”’）)】」』》"
_SENTENCE_STOPS = "。！？；!?;…"


@dataclass(frozen=True)
class Table:
    """A ruled table as a reader found it on a page, or several pages joined.

    ``rows`` hold cell texts, None for a covered cell; ``origins[r][c]`` names the cell that covers
    ``(r, c)``. ``columns`` are the x positions of the column boundaries, used to recognise the
    same table continuing on the next page. ``page_rows`` are the rows at which later pages begin.
    """

    top: float
    bottom: float
    rows: tuple[tuple[str | None, ...], ...]
    origins: tuple[tuple[tuple[int, int] | None, ...], ...]
    header_rows: int = 1
    columns: tuple[float, ...] = ()
    page_rows: tuple[int, ...] = ()


@dataclass(frozen=True)
class Page:
    """A page's text lines and tables, top to bottom."""

    width: float
    height: float
    items: tuple[TextLine | Table, ...]


@dataclass
class Paragraph:
    """Lines re-joined into one paragraph; ``breaks`` are the indexes at which later pages begin."""

    text: str
    breaks: list[int] = field(default_factory=list)


class PageStart:
    """Marks that the next block starts a new page."""


Block = Paragraph | Table | PageStart
TableJoiner = Callable[[Table, Table], Table | None]


# --------------------------------------------------------------------------- page furniture


def _furniture_key(text: str) -> str:
    """Running headers differ only in their page number: compare them with digits masked."""
    return re.sub(r"\d+", "#", text.replace(" ", ""))


def _edge_lines(page: Page) -> list[TextLine]:
    items = list(page.items)
    edge = items[:_FURNITURE_DEPTH] + items[-_FURNITURE_DEPTH:]
    return [item for item in edge if isinstance(item, TextLine)]


def drop_furniture(pages: Sequence[Page]) -> list[Page]:
    """Pages without their page numbers and running headers or footers.

    An item is furniture when it is a text line among the first or last two items of its page
    (counting tables, which are body), with only furniture between it and the page edge, and it
    is a page number or repeats (digits aside) at an edge of at least half of the pages.
    """
    counts: Counter[str] = Counter()
    for page in pages:
        counts.update({_furniture_key(line.text) for line in _edge_lines(page)})
    needed = max(2, (len(pages) + 1) // 2)
    repeated = {key for key, count in counts.items() if count >= needed}

    def furniture(item: TextLine | Table) -> bool:
        return isinstance(item, TextLine) and (is_page_number(item.text)
                                               or _furniture_key(item.text) in repeated)

    cleaned = []
    for page in pages:
        items = list(page.items)
        start, end = 0, len(items)
        while start < min(_FURNITURE_DEPTH, end) and furniture(items[start]):
            start += 1
        while end > max(start, len(items) - _FURNITURE_DEPTH) and furniture(items[end - 1]):
            end -= 1
        cleaned.append(replace(page, items=tuple(items[start:end])))
    return cleaned


# --------------------------------------------------------------------------- paragraphs


@dataclass(frozen=True)
class _Block:
    """The text block of the pages of one width: its edges, body type size, and whether its
    paragraphs start with a first-line indent (公文 indent two characters)."""

    left: float
    right: float
    body_size: float
    indented: bool = False

    @property
    def centre(self) -> float:
        return (self.left + self.right) / 2


def _edge(values: list[float], tolerance: float, lowest: bool) -> float:
    """The outermost value that at least two lines share (one protruding line is an outlier)."""
    ordered = sorted(values, reverse=not lowest)
    for first, second in itertools.pairwise(ordered):
        if abs(first - second) <= tolerance:
            return first
    return ordered[0]


def _text_blocks(pages: Sequence[Page]) -> dict[int, _Block]:
    """The text block for each page width (portrait and landscape pages differ)."""
    by_width: dict[int, list[TextLine]] = {}
    for page in pages:
        lines = [item for item in page.items if isinstance(item, TextLine)]
        by_width.setdefault(round(page.width), []).extend(lines)
    blocks = {}
    for width, lines in by_width.items():
        if not lines:
            continue
        sizes: Counter[float] = Counter()
        for line in lines:
            sizes[round(line.size, 1)] += len(line.text)
        body = sizes.most_common(1)[0][0]  # the size most of the text is set in
        left = _edge([line.x0 for line in lines], 0.5 * body, lowest=True)
        right = _edge([line.x1 for line in lines], 0.5 * body, lowest=False)
        indents = sum(1.5 * body <= line.x0 - left <= 2.5 * body for line in lines)
        blocks[width] = _Block(left, right, body, indents >= max(2, len(lines) // 10))
    return blocks


def _ends_sentence(text: str) -> bool:
    """Like :func:`ends_sentence`, but a closing bracket or quote only ends a sentence after a stop:
    a line ending ``（国办发〔2019〕15号）`` usually goes on."""
    if not ends_sentence(text):
        return False
    text = text.rstrip()
    if text[-1] in _CLOSERS:
        stripped = text.rstrip(_CLOSERS)
        return bool(stripped) and stripped[-1] in _SENTENCE_STOPS
    return True


def _starts_heading(text: str) -> bool:
    return match_heading(text) is not None or match_attachment(text) is not None


def _is_title(line: TextLine, block: _Block) -> bool:
    return (line.size >= _TITLE_SIZE * block.body_size
            and abs((line.x0 + line.x1) / 2 - block.centre) <= 2 * line.size)


def _continues(previous: TextLine, line: TextLine, block: _Block, same_page: bool) -> bool:
    """Whether ``line`` carries on the paragraph that ``previous`` wrapped.

    Where paragraphs start indented, a full line followed by one at the left edge is a wrap even
    when it ends a sentence; elsewhere only a line that stops mid-sentence wraps.
    """
    size = max(previous.size, line.size)
    if _starts_heading(line.text) or abs(previous.size - line.size) > _SIZE_CHANGE * size:
        return False
    if same_page and not 0 < line.baseline - previous.baseline <= _LINE_PITCH * size:
        return False
    if _is_title(previous, block) and _is_title(line, block):
        return not _ends_sentence(previous.text)
    if previous.x1 < block.right - _EDGE_SLACK * size or line.x0 > block.left + _INDENT * size:
        return False
    return block.indented or not _ends_sentence(previous.text)


def compose(pages: Sequence[Page], join_tables: TableJoiner | None = None) -> list[Block]:
    """The document as paragraphs, tables and page starts, in reading order.

    ``join_tables(previous, part)`` returns the table that ``part`` continues on a new page, or
    None; it is asked only when ``part`` is the first item of a page and ``previous`` the last of
    the page before.
    """
    blocks = _text_blocks(pages)
    default = _Block(0.0, 0.0, 1.0)
    flow: list[Block] = []
    last_line: TextLine | None = None  # the last line of the paragraph at the end of ``flow``
    for page in pages:
        block = blocks.get(round(page.width), default)
        if not page.items:
            flow.append(PageStart())
            last_line = None
            continue
        for index, item in enumerate(page.items):
            first = index == 0
            if isinstance(item, TextLine):
                paragraph = flow[-1] if flow and isinstance(flow[-1], Paragraph) else None
                if paragraph is not None and last_line is not None \
                        and _continues(last_line, item, block, same_page=not first):
                    joined = join_text(paragraph.text, item.text)
                    if first:
                        paragraph.breaks.append(len(joined) - len(item.text))
                    paragraph.text = joined
                else:
                    if first:
                        flow.append(PageStart())
                    flow.append(Paragraph(item.text))
                last_line = item
                continue
            last_line = None
            previous = flow[-1] if flow else None
            joined_table = (join_tables(previous, item) if first and join_tables is not None
                            and isinstance(previous, Table) else None)
            if joined_table is not None and isinstance(previous, Table):
                flow[-1] = replace(joined_table, page_rows=(*previous.page_rows, len(previous.rows)))
                continue
            if first:
                flow.append(PageStart())
            flow.append(item)
    return flow


def write(flow: Sequence[Block], builder: RenditionBuilder) -> None:
    """Append the flow to ``builder``, recording where every page starts.

    A page that starts inside a paragraph or a table starts at the exact character or row;
    blank pages at the end start where the text ends.
    """
    content = [index for index, block in enumerate(flow) if not isinstance(block, PageStart)]
    last = content[-1] if content else -1
    for index, block in enumerate(flow):
        if isinstance(block, PageStart):
            builder.start_page(None if index < last else builder.offset)
        elif isinstance(block, Paragraph):
            span = builder.line(block.text)
            for position in block.breaks:
                builder.start_page(span[0] + position if span else builder.offset)
        else:
            grid = builder.table([list(row) for row in block.rows], block.header_rows,
                                 [list(row) for row in block.origins])
            for row in block.page_rows:  # past the end when the page held only the rest of a row
                builder.start_page(grid.rows[row][0].start if grid and row < len(grid.rows)
                                   else builder.offset)


# --------------------------------------------------------------------------- properties

_PLACEHOLDERS = re.compile(r"^(?:标题|题目|作者|创建者|科目|主题|关键字|关键词|生产者|无标题|未命名|"
                           r"untitled|title|subject|document|文档\d*|新建.*文档\d*|.*word\s*文档|"
                           r"wps\s*文字|microsoft\s*word.*|pdf)$", re.IGNORECASE)
_FILE_NAME = re.compile(r"[\\/]|\.(?:docx?|wps|pdf|ofd|txt|rtf|html?|xlsx?|et|tmp|dot|ceb)\s*$",
                        re.IGNORECASE)
_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")


def meaningful_title(value: object) -> str | None:
    """A document title property worth keeping, or None for a placeholder, file name or generic value.

    Producers fill Title with whatever the template held (``标题``, ``Microsoft Word - 1.doc``);
    a policy title names its subject in at least a few Chinese characters.
    """
    if not isinstance(value, str):
        return None
    text = clean_line(value)
    if _PLACEHOLDERS.match(text) or _FILE_NAME.search(text) or len(_CJK_CHAR.findall(text)) < 4:
        return None
    return text
