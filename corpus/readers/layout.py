"""From characters placed on pages to the lines and paragraphs a person reads (PDF and OFD).

PDF and OFD files do not store paragraphs: they place characters at positions, page after page.
Both readers turn their characters into :class:`Glyph` objects and hand them here, so that the
two formats are read by the same rules:

1. **Lines from drawing order.** A producer draws a line's characters left to right, so a new
   line starts where x jumps back to the left or the baseline moves. Grouping characters by
   their boxes instead (what pdfplumber's and ofdkit's own text extraction do) scrambles lines
   whose punctuation or digits come from a font with a wrong descent: their boxes sit ~6 pt
   below the line (the real jx-rongque PDF). When the drawing order is evidently not reading
   order (lines drawn backwards on one baseline, again and again) the characters are grouped by
   baseline and sorted by x instead.
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
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from corpus.headings import match_attachment, match_heading
from corpus.readers.base import RenditionBuilder
from corpus.readers.normalise import clean_line, ends_sentence, is_page_number

# Thresholds, as shares of the font size.
_BACKWARD = 0.5  # x moving back by more than this starts a new line (drawing order)
_NEW_BASELINE = 0.6  # the baseline moving by more than this starts a new line
_SAME_BASELINE = 0.3  # baselines this close are one line (digits and punctuation sit ~0.15 low)
_WORD_GAP = 0.2  # a horizontal gap wider than this is a space (removed again inside CJK text)
_EDGE_SLACK = 1.5  # a line ending this close to the right edge ran to the edge
_INDENT = 1.0  # a line starting this far right of the left edge is indented (first line: 2 chars)
_LINE_PITCH = 2.5  # lines further apart than this are separate paragraphs
_SIZE_CHANGE = 0.15  # lines whose sizes differ by more than this share are separate
_TITLE_SIZE = 1.2  # a title is set this much larger than the body text
_SCRAMBLED_SHARE = 0.25  # this share of lines drawn backwards means the drawing order is not reading order
_FURNITURE_DEPTH = 2  # furniture is among the first and last two items of a page

_CLOSERS = "”’）)】」』》"
_SENTENCE_STOPS = "。！？；!?;…"
_ASCII_LETTER = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class Glyph:
    """One character as drawn: ``baseline`` is measured down from the top of the page."""

    text: str
    x0: float
    x1: float
    baseline: float
    size: float


@dataclass(frozen=True)
class TextLine:
    """One line of text, normalised with :func:`clean_line`, and where it stands."""

    text: str
    x0: float
    x1: float
    baseline: float
    size: float

    @property
    def top(self) -> float:
        return self.baseline - self.size


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


# --------------------------------------------------------------------------- lines


def lines_from_glyphs(glyphs: Sequence[Glyph]) -> list[TextLine]:
    """The lines of a page region (or a table cell), top to bottom.

    ``glyphs`` must be in drawing order (the content stream's order); whitespace glyphs count as
    spaces.
    """
    glyphs = _dedupe(glyphs)
    if not any(glyph.text.strip() for glyph in glyphs):
        return []
    segments = _stream_segments(glyphs)
    groups = _positional_lines(glyphs) if _scrambled(segments) else _merge_same_baseline(segments)
    lines = (_text_line(group) for group in groups)
    return sorted((line for line in lines if line.text), key=lambda line: line.baseline)


def cell_text(glyphs: Sequence[Glyph]) -> str:
    """A table cell's text: its wrapped lines joined (no space inside Chinese text)."""
    text = ""
    for line in lines_from_glyphs(glyphs):
        text = join_text(text, line.text) if text else line.text
    return text


def join_text(first: str, second: str) -> str:
    """Two pieces of one sentence that a line break separated; English words keep a space."""
    if first and second and _ASCII_LETTER.match(first[-1]) and _ASCII_LETTER.match(second[0]):
        return first + " " + second
    return first + second


def _dedupe(glyphs: Sequence[Glyph]) -> list[Glyph]:
    """Drop characters drawn twice at (nearly) the same spot, a common way to fake bold type.

    "Nearly" is within a tenth of the type size: fake bold shifts by a few hundredths of an em,
    while repeated characters (1111) stand at least half an em apart.
    """
    seen: set[tuple[str, int, int]] = set()
    unique = []
    for glyph in glyphs:
        if glyph.text.strip():
            step = max(0.1 * glyph.size, 1e-6)
            x, y = round(glyph.x0 / step), round(glyph.baseline / step)
            near = ((glyph.text, x + dx, y + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1))
            if any(key in seen for key in near):
                continue
            seen.add((glyph.text, x, y))
        unique.append(glyph)
    return unique


def _stream_segments(glyphs: Sequence[Glyph]) -> list[list[Glyph]]:
    """Split drawing order into runs drawn left to right on one baseline."""
    segments: list[list[Glyph]] = []
    current: list[Glyph] = []
    previous: Glyph | None = None
    baseline = 0.0
    for glyph in glyphs:
        if not glyph.text.strip():
            if current:
                current.append(glyph)
            continue
        if previous is not None:
            size = max(min(previous.size, glyph.size), 1e-6)
            if (glyph.x0 < previous.x0 - _BACKWARD * size
                    or abs(glyph.baseline - baseline) > _NEW_BASELINE * size):
                segments.append(current)
                current = []
        if not current:  # a segment starts with a visible glyph: it sets the baseline
            baseline = glyph.baseline
        current.append(glyph)
        previous = glyph
    if current:
        segments.append(current)
    return segments


def _visible(segment: Sequence[Glyph]) -> list[Glyph]:
    return [glyph for glyph in segment if glyph.text.strip()]


def _baseline(segment: Sequence[Glyph]) -> float:
    return statistics.median(glyph.baseline for glyph in _visible(segment))


def _size(segment: Sequence[Glyph]) -> float:
    return max(statistics.median(glyph.size for glyph in _visible(segment)), 1e-6)


def _scrambled(segments: list[list[Glyph]]) -> bool:
    """Whether lines were drawn backwards on one baseline on many lines (not just a footer)."""
    backwards: set[int] = set()
    for previous, segment in itertools.pairwise(segments):
        if abs(_baseline(segment) - _baseline(previous)) <= _SAME_BASELINE * _size(segment):
            backwards.add(round(_baseline(segment)))
    lines = {round(_baseline(segment)) for segment in segments}
    return len(backwards) >= 2 and len(backwards) >= _SCRAMBLED_SHARE * len(lines)


def _clusters(items: list[list[Glyph]]) -> list[list[list[Glyph]]]:
    """Group segments whose baselines lie within a fraction of the type size, top to bottom."""
    ordered = sorted(items, key=_baseline)
    groups: list[list[list[Glyph]]] = []
    for segment in ordered:
        if groups and _baseline(segment) - _baseline(groups[-1][0]) <= _SAME_BASELINE * _size(segment):
            groups[-1].append(segment)
        else:
            groups.append([segment])
    return groups


def _merge_same_baseline(segments: list[list[Glyph]]) -> list[list[Glyph]]:
    """One line per baseline: segments side by side in x order, overlapping ones by position.

    A line drawn right to left (the real PDF's footer ``— 10 —`` is drawn ``—``, ``0``, ``1``,
    ``—``) becomes one segment per character; placing them by x restores it.
    """
    lines = []
    for group in _clusters([segment for segment in segments if _visible(segment)]):
        group.sort(key=lambda segment: min(glyph.x0 for glyph in _visible(segment)))
        if _overlap(group):
            lines.append(sorted(_visible([g for segment in group for g in segment]), key=lambda g: g.x0))
        else:
            lines.append([glyph for segment in group for glyph in segment])
    return lines


def _overlap(group: list[list[Glyph]]) -> bool:
    for left, right in itertools.pairwise(group):
        if max(g.x0 for g in _visible(left)) > min(g.x0 for g in _visible(right)):
            return True
    return False


def _positional_lines(glyphs: Sequence[Glyph]) -> list[list[Glyph]]:
    """The fallback: group characters by baseline and sort each line by x."""
    groups = _clusters([[glyph] for glyph in glyphs if glyph.text.strip()])
    return [sorted((segment[0] for segment in group), key=lambda g: g.x0) for group in groups]


def _text_line(glyphs: list[Glyph]) -> TextLine:
    visible = _visible(glyphs)
    parts: list[str] = []
    previous: Glyph | None = None
    for glyph in glyphs:
        if not glyph.text.strip():
            parts.append(" ")
            continue
        if previous is not None and glyph.x0 - previous.x1 > _WORD_GAP * glyph.size:
            parts.append(" ")
        parts.append(glyph.text)
        previous = glyph
    return TextLine(clean_line("".join(parts)), min(g.x0 for g in visible), max(g.x1 for g in visible),
                    _baseline(visible), _size(visible))


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
