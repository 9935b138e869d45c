"""Portal HTML pages: the article body as lines and tables, the metadata box as properties.

A government portal page wraps one document in navigation, breadcrumbs, share buttons, related
links, footers and often a hidden copy of the whole body for its search engine. Generic
boilerplate removers are tuned to English news (they score Latin commas and word counts) and
drop the low-punctuation parts a policy document needs — its 文号, title, signature and date —
so the body is found here by hand-written rules that name no site: the container holding nearly
all of the page's punctuated Chinese prose outside links, widened to the document parts beside
it, with portal lines dropped by a few general patterns. selectolax (lexbor) parses.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from corpus.errors import EmptyDocument, NoArticleBody, NotText
from corpus.readers.base import Rendition, RenditionBuilder
from corpus.readers.normalise import clean_line

_SKIPPED = frozenset({"script", "style", "noscript", "template", "iframe", "object", "embed", "svg",
                      "canvas", "select", "button", "input", "textarea", "img", "video", "audio", "map",
                      "head", "title", "meta", "link", "base", "-comment"})
_BLOCKS = frozenset({"p", "div", "li", "ul", "ol", "dl", "dd", "dt", "blockquote", "pre", "tr", "table",
                     "tbody", "thead", "tfoot", "td", "th", "caption", "section", "article", "center",
                     "main", "header", "footer", "nav", "aside", "form", "fieldset", "address", "figure",
                     "figcaption", "hr", "body", "html", "details", "summary", "h1", "h2", "h3", "h4",
                     "h5", "h6"})
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_FURNITURE_TAGS = frozenset({"nav", "aside", "footer"})
_CELLS = frozenset({"td", "th", "dt", "dd"})
_MAX_DEPTH = 120  # deeper markup (unclosed <font> runs) is read flat, so recursion stays bounded
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_WHITESPACE = re.compile(r"[ \t\n\r\f]+")
# Punctuation of written Chinese prose; half-width marks count only right after a CJK character.
_PROSE = re.compile(r"[。！？；，、：]|(?<=[\u4e00-\u9fff])[,;:!?]")
_SENTENCE = re.compile(r"[。！？]")
_DECLARED = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_\-]+)", re.IGNORECASE)
_FILE_LINK = re.compile(r"附件|\.(?:docx?|pdf|xlsx?|wps|ofd|zip|rar|et)\b", re.IGNORECASE)

# Lines a portal puts around every article. Whole-line or clearly marked patterns only, since a
# document may well say 来源 or 分享 in a sentence.
_CHROME = re.compile(
    r"扫一扫|分享到|返回顶部|关闭窗口|打印本页|打印此页|网站标识码|版权所有|ICP备|公网安备|我要纠错|责任编辑[:：]"
    r"|^(?:当前位置|您现在的位置|您的位置|现在位置|所在位置|上一篇|下一篇)"
    r"|(?:^|[\s\d:【\[])(?:信息|文章|稿件)?来源[:：\s]"
    r"|(?:浏览|点击|阅读|访问)(?:次数|数|量)[:：]|发布(?:时间|日期)[:：]\s*\d{4}-"
    r"|^(?:发布时间|发布日期|发布人|发布者|索引号|编辑|作者|字号|字体)[:：\s]"
    r"|^(?:相关新闻|相关链接|相关文章|相关文件|相关解读|政策解读|相关阅读|相关附件|热点新闻)$")
_TOOLS = re.compile(r"^(?:[\s【】\[\]()（）|:：/·]|打印|关闭|收藏|分享|字号|字体|大|中|小|默认)+$")
_TOOL_WORD = re.compile(r"打印|关闭|收藏|分享|字号|字体")
# Document parts that carry little punctuation and may sit beside the prose block.
_NUMBER_LINE = re.compile(r"^[\u4e00-\u9fff]{1,16}(?:[〔\[［（(【]\d{4}[〕\]］）)】]第?\d{1,5}号"
                          r"|第\d{1,5}号)$")
_DATE_LINE = re.compile(r"^[（(]?(?:\d{4}|[〇○零一二三四五六七八九Ｏ]{4})年[\d一二三四五六七八九十]{1,3}月"
                        r"[\d一二三四五六七八九十]{1,3}日(?:印发|发布)?[）)]?$")
_NOTE_LINE = re.compile(r"^[（(][^。]{2,30}[）)]$")
_ISSUER_LINE = re.compile(r"^[\u4e00-\u9fff、 ]{2,40}"
                          r"(?:政府|办公厅|办公室|委员会|局|厅|委|部|院|署|中心|会|办)$")
_ATTACHMENT_LINE = re.compile(r"^附件.{0,100}$|^.{1,100}\.(?:docx?|pdf|xlsx?|wps|ofd|zip|rar|et)$",
                              re.IGNORECASE)
_TITLE_LINE = re.compile(r"^(?=(?:[^\u4e00-\u9fff]*[\u4e00-\u9fff]){4})[^。；：:！？!?>»]{4,80}$")
_SALUTATION_LINE = re.compile(r"^[^。；]{2,80}[:：]$")

# Labels of a portal's metadata box and the property each fills.
_LABELS = {
    "索引号": "index_number", "发文机关": "issuer", "发布机关": "issuer", "发文单位": "issuer",
    "发布单位": "issuer", "制发机关": "issuer", "发文字号": "number", "文号": "number",
    "成文日期": "written", "成文时间": "written", "发布日期": "published", "发布时间": "published",
    "公布日期": "published", "实施日期": "effective", "施行日期": "effective", "生效日期": "effective",
    "失效日期": "expires", "废止日期": "expires", "有效性": "status", "文件状态": "status",
    "时效性": "status", "效力状态": "status", "标题": "title",
}
_GAP = "[\\s\u3000\u00a0]*"  # labels are letter-spaced: 文　　号：
_LABEL = "|".join(_GAP.join(map(re.escape, label)) for label in sorted(_LABELS, key=len, reverse=True))
_LABEL_ONLY = re.compile(rf"^{_GAP}({_LABEL}){_GAP}[:：]?{_GAP}$")
_LABEL_VALUE = re.compile(rf"(?:^|(?<=[\s\u3000\u00a0]))({_LABEL}){_GAP}[:：]")
_ANY_LABEL = re.compile(r"[\s\u3000\u00a0]+[\u4e00-\u9fff\u3000 ]{2,8}[:：]")  # 主题分类：, 来源：…
_DATE = re.compile(r"\d{4}|[〇○零一二三四五六七八九]{4}")
_VALID = {  # what a value must look like, so that a neighbouring title is never taken for one
    "number": re.compile(r"^.{0,30}\d.{0,12}$"), "index_number": re.compile(r"^[\w\-/.]{2,60}$"),
    "status": re.compile(r"^.{1,12}$"), "issuer": re.compile(r"^(?!.*关于).{2,80}$"),
    "title": re.compile(r"^.{2,200}$"),
}
_META = {"articletitle": "title", "pubdate": "published", "contentsource": "issuer"}
_THE_SITE_ITSELF = {"本网", "本站", "本网站"}


def read(data: bytes) -> Rendition:
    """The rendition of a saved portal page.

    Raises:
        EmptyDocument: no bytes, or no text in the page.
        NotText: bytes that no encoding the page could be in decodes.
        NoArticleBody: a page without an article (a list, index or search page).
    """
    html, encoding, warnings = _decode(data)
    parser = LexborHTMLParser(html)
    root = _convert(parser.root, 0) if parser.root is not None else None
    if root is None or not root.total.chars:
        raise EmptyDocument("the page has no text in its body")
    builder = RenditionBuilder()
    body, boxes = _write_article(root, builder, warnings)
    properties = _scan(root, frozenset(id(node) for node in body))
    # Then boxes inside the body, the meta tags, and last any label in the body itself.
    for source in [*map(_scan, boxes), _meta_properties(parser), *map(_scan, body)]:
        for key, value in source.items():
            if key not in properties and not (key == "issuer" and value in _THE_SITE_ITSELF):
                properties[key] = value
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


# --- the element tree ---------------------------------------------------------------------------


@dataclass
class _Stats:
    """What a subtree holds: prose punctuation and sentence ends outside links, characters."""

    prose: int = 0
    sentences: int = 0
    chars: int = 0
    link_chars: int = 0
    links: int = 0

    def add(self, other: _Stats) -> None:
        self.prose += other.prose
        self.sentences += other.sentences
        self.chars += other.chars
        self.link_chars += other.link_chars
        self.links += other.links

    @property
    def link_density(self) -> float:
        return self.link_chars / self.chars if self.chars else 0.0


@dataclass(eq=False)
class _Element:
    """An element with its text-bearing content: the page minus scripts, styles and media."""

    tag: str
    attrs: dict[str, str | None]
    parent: _Element | None = field(default=None, repr=False)
    children: list[_Element | str] = field(default_factory=list)
    hidden: bool = False
    visible: _Stats = field(default_factory=_Stats)  # not counting hidden descendants
    total: _Stats = field(default_factory=_Stats)

    def elements(self, include_hidden: bool = True) -> list[_Element]:
        return [c for c in self.children if isinstance(c, _Element) and (include_hidden or not c.hidden)]

    def text(self, include_hidden: bool = True) -> str:
        parts = [c if isinstance(c, str) else c.text(include_hidden) for c in self.children
                 if isinstance(c, str) or include_hidden or not c.hidden]
        return " ".join("".join(parts).split())

    def append(self, child: _Element | str) -> None:
        self.children.append(child)
        if isinstance(child, str):
            stats = _Stats(len(_PROSE.findall(child)), len(_SENTENCE.findall(child)),
                           len("".join(child.split())))
            self.visible.add(stats)
            self.total.add(stats)
        else:
            child.parent = self
            if not child.hidden:
                self.visible.add(child.visible)
            self.total.add(child.total)


def _convert(node: LexborNode, depth: int) -> _Element | None:
    """Our tree from lexbor's, measuring each subtree on the way up."""
    tag = (node.tag or "").lower()
    if tag in _SKIPPED:
        return None
    attrs = {str(key).lower(): value for key, value in node.attributes.items()}
    element = _Element(tag, attrs, hidden=_is_hidden(attrs))
    if depth >= _MAX_DEPTH:
        for descendant in node.traverse(include_text=True):
            if descendant.is_text_node and (descendant.parent is None
                                            or descendant.parent.tag not in _SKIPPED):
                element.append(descendant.text_content or "")
            elif (descendant.tag or "") in _BLOCKS or descendant.tag == "br":
                element.append(_Element("br", {}))
        return element
    for child in node.iter(include_text=True):
        if child.is_text_node:
            element.append(child.text_content or "")
        elif (converted := _convert(child, depth + 1)) is not None:
            element.append(converted)
    if tag == "a":  # text in a link is navigation, not prose
        for stats in (element.visible, element.total):
            stats.links += 1
            stats.link_chars = stats.chars
            stats.prose = stats.sentences = 0
    return element


def _is_hidden(attrs: dict[str, str | None]) -> bool:
    return ("hidden" in attrs or (attrs.get("aria-hidden") or "").lower() == "true"
            or _HIDDEN_STYLE.search(attrs.get("style") or "") is not None)


def _walk(element: _Element, include_hidden: bool, skip: frozenset[int] = frozenset()) -> Iterator[_Element]:
    yield element
    for child in element.elements(include_hidden):
        if id(child) not in skip:
            yield from _walk(child, include_hidden, skip)


# --- finding the article ------------------------------------------------------------------------


def _write_article(root: _Element, builder: RenditionBuilder,
                   warnings: list[str]) -> tuple[list[_Element], list[_Element]]:
    """Write the article into ``builder``; return the elements it was read from and the
    metadata boxes found inside it."""
    include_hidden = False
    body = _choose_body(root, include_hidden)
    if body is None:
        include_hidden = True
        body = _choose_body(root, include_hidden)
        if body is None:
            raise NoArticleBody("the page holds no article, only links and short lines (a list, index "
                                "or search page?): save the page of the document itself")
        warnings.append("no visible article body: the text was read from a hidden copy of it")
    nodes = _widen(body, include_hidden)
    writer = _Writer(include_hidden, in_body=True)
    for node in nodes:
        writer.walk(node)
    writer.flush()
    warnings.extend(writer.notes)
    _emit(writer.items, builder, warnings)
    return nodes, writer.boxes


def _choose_body(root: _Element, include_hidden: bool) -> _Element | None:
    """The article container, or None when the page has no article.

    The best candidate holds the most punctuated prose outside links, discounted by the share of
    its text that is links (navigation, related lists). From there, descend into the child that
    holds nearly all the prose while its siblings hold no sentence: a cover letter (印发通知) is
    short but belongs with the 办法 it sends; a portal's title, date and share bar have none.
    """
    def stats(element: _Element) -> _Stats:
        return element.total if include_hidden else element.visible

    best = max(_walk(root, include_hidden), key=lambda e: stats(e).prose * (1 - stats(e).link_density))
    while stats(best).prose:
        children = best.elements(include_hidden)
        fullest = max(children, key=lambda child: stats(child).prose, default=None)
        if fullest is None or not _holds_nearly_all(best, fullest, children, stats):
            break
        best = fullest
    while best.tag in {"tbody", "thead", "tfoot", "tr"} and best.parent is not None:
        best = best.parent  # rows are read as part of their table
    return best if _is_article(best, stats(best), include_hidden) else None


def _holds_nearly_all(parent: _Element, child: _Element, children: list[_Element],
                      stats: Callable[[_Element], _Stats]) -> bool:
    """Whether ``child`` holds ≥ 90% of the prose and of the text in ``parent`` while its
    siblings hold no sentence, so that tables beside the prose stay with it.

    Siblings that are page furniture (a footer's 「建议使用IE8以上浏览器。」, a breadcrumb, a
    metadata box) or a copy of ``child`` (a mobile copy of the body, hidden only by a
    stylesheet) do not count; nor, for the text, lines that :func:`_widen` judges (title, 文号,
    signature), so that a portal's title above a short body does not keep the body's container.
    """
    text = child.text(include_hidden=False)
    others = [other for other in children if other is not child and stats(other).chars
              and not _is_furniture(other) and not _is_box(other) and not _is_copy(other.text(False), text)]
    texts = [other for other in others if not _is_part_of_document(other)]

    def beside(measure: Callable[[_Stats], int], siblings: list[_Element]) -> int:
        loose = measure(stats(parent)) - sum(measure(stats(c)) for c in children)
        return loose + sum(measure(stats(sibling)) for sibling in siblings)

    def words(held: _Stats) -> int:
        return held.chars - held.link_chars

    held = stats(child)
    return (beside(lambda s: s.sentences, others) == 0 and held.prose >= 9 * beside(lambda s: s.prose, others)
            and words(held) >= 9 * beside(words, texts))


def _is_copy(text: str, of: str) -> bool:
    """Whether one text repeats the other, give or take a header (a mobile copy of the body)."""
    return 2 * len(text) >= len(of) and 2 * len(of) >= len(text) and (text in of or of in text)


def _is_furniture(element: _Element) -> bool:
    """Navigation, link lists, and blocks with a portal line (版权所有, 来源：, 分享到…)."""
    if element.tag in _FURNITURE_TAGS or (element.visible.links and element.visible.link_density >= 0.5):
        return True
    return any(_is_chrome(line) for line in _lines_of(element, include_hidden=False))


def _is_article(element: _Element, stats: _Stats, include_hidden: bool) -> bool:
    """Prose, not a list: a few sentences besides portal lines (a footer's 「未经许可，不得转载。」),
    and not mostly blocks that each carry a link."""
    prose = "".join(line for line in _lines_of(element, include_hidden) if not _is_chrome(line))
    if len(_SENTENCE.findall(prose)) < 2 or len(_PROSE.findall(prose)) < 6:
        return False
    if stats.links >= 8 and stats.link_density >= 0.35:
        return False
    blocks = [child for child in element.elements(include_hidden) if child.total.chars]
    linked = sum(1 for child in blocks if child.total.links)
    return not (len(blocks) >= 5 and linked >= 0.6 * len(blocks))


def _widen(body: _Element, include_hidden: bool) -> list[_Element]:
    """The body and the siblings before and after it that are parts of the document — 文号,
    title, salutation, signature, date, attachments — but not the portal's header (its title
    with 来源, date and share buttons), which a portal line or links betray. Climbs while
    everything beside the body belongs to it."""
    node = body
    while (parent := node.parent) is not None:
        siblings = parent.elements(include_hidden)
        index = next(i for i, sibling in enumerate(siblings) if sibling is node)
        start, end = index, index + 1
        while start > 0 and _is_part(siblings[start - 1], _before_part, include_hidden):
            start -= 1
        while end < len(siblings) and _is_part(siblings[end], _after_part, include_hidden):
            end += 1
        loose_text = any(isinstance(child, str) and child.strip() for child in parent.children)
        if start > 0 or end < len(siblings) or loose_text or parent.tag in {"body", "html"}:
            return siblings[start:end]
        node = parent
    return [node]


def _is_part(element: _Element, accepts: Callable[[str], bool], include_hidden: bool) -> bool:
    if element.visible.link_density >= 0.5 and not _FILE_LINK.search(element.text(include_hidden)):
        return False  # links, unless to the document's attachments
    if element.tag == "table" and not _is_layout_table(element) and not _is_box(element):
        return True  # a data table beside the prose is the document's
    return all(accepts(line) for line in _lines_of(element, include_hidden))


def _is_part_of_document(element: _Element) -> bool:
    """A block of title, 文号, signature or date lines, without a table."""
    return all(e.tag != "table" for e in _walk(element, False)) and all(
        _before_part(line) or _after_part(line) for line in _lines_of(element, include_hidden=False))


def _before_part(line: str) -> bool:
    return not _is_chrome(line) and any(pattern.match(line) for pattern in (
        _NUMBER_LINE, _DATE_LINE, _NOTE_LINE, _TITLE_LINE, _SALUTATION_LINE))


def _after_part(line: str) -> bool:
    return not _is_chrome(line) and any(pattern.search(line) for pattern in (
        _DATE_LINE, _NOTE_LINE, _ISSUER_LINE, _ATTACHMENT_LINE))


def _is_chrome(line: str) -> bool:
    return bool(_CHROME.search(line) or (_TOOLS.match(line) and _TOOL_WORD.search(line)))


def _lines_of(element: _Element, include_hidden: bool) -> list[str]:
    """The lines an element reads as, table cells included, before anything is dropped."""
    writer = _Writer(include_hidden, in_body=False)
    writer.walk(element)
    writer.flush()
    return [text for item in writer.items for text in item.texts()]


# --- writing lines and tables -------------------------------------------------------------------


@dataclass
class _Line:
    text: str
    level: int | None = None

    def texts(self) -> list[str]:
        return [self.text]


@dataclass
class _Table:
    rows: list[list[str | None]]
    origins: list[list[tuple[int, int] | None]]
    header_rows: int

    def texts(self) -> list[str]:
        return [cell for row in self.rows for cell in row if cell]


class _Writer:
    """Turns elements into lines: block elements and ``<br>`` end a line, inline ones join."""

    def __init__(self, include_hidden: bool, in_body: bool) -> None:
        self.include_hidden = include_hidden
        self.in_body = in_body  # in the article: boxes, link lists and furniture are dropped
        self.items: list[_Line | _Table] = []
        self.notes: list[str] = []
        self.boxes: list[_Element] = []
        self._buffer: list[str] = []

    def flush(self, level: int | None = None) -> None:
        text = clean_line(_WHITESPACE.sub(" ", "".join(self._buffer)))
        self._buffer.clear()
        if text:
            self.items.append(_Line(text, level))

    def walk(self, element: _Element) -> None:
        if (element.hidden and not self.include_hidden) or self._dropped(element):
            return
        if element.tag == "br":
            self.flush()
        elif element.tag == "table" and not _is_layout_table(element):
            self.flush()
            self._table(element)
        elif element.tag in _BLOCKS:
            self.flush()
            self.children(element)
            self.flush(_HEADINGS.get(element.tag))
        else:
            self.children(element)

    def children(self, element: _Element) -> None:
        for child in element.children:
            if isinstance(child, _Element):
                self.walk(child)
            elif element.tag == "pre":
                for i, piece in enumerate(child.split("\n")):
                    if i:
                        self.flush()
                    self._buffer.append(piece)
            else:
                self._buffer.append(child)

    def _dropped(self, element: _Element) -> bool:
        if not self.in_body:
            return False
        if element.tag in _FURNITURE_TAGS:
            self.notes.append(f"dropped a <{element.tag}> block inside the article body")
        elif _is_box(element):
            self.boxes.append(element)
            self.notes.append("dropped a metadata box inside the article body (read as properties)")
        elif element.visible.links >= 3 and element.visible.link_density >= 0.7 \
                and not _FILE_LINK.search(element.text(self.include_hidden)):
            self.notes.append(f"dropped a list of {element.visible.links} links inside the article body")
        else:
            return False
        return True

    def _table(self, table: _Element) -> None:
        """A data table as a grid; a merged cell leaves covered cells pointing at its origin."""
        rows = _rows(table)
        cells: dict[tuple[int, int], str] = {}
        origins: dict[tuple[int, int], tuple[int, int]] = {}
        header_rows = 0
        for r, (row, in_head) in enumerate(rows):
            column = 0
            row_cells = [c for c in row.elements(self.include_hidden) if c.tag in {"td", "th"}]
            for cell in row_cells:
                while (r, column) in cells or (r, column) in origins:
                    column += 1
                down, across = _span(cell, "rowspan", len(rows) - r), _span(cell, "colspan", 0)
                if len(cells) + len(origins) + down * across > 100_000:
                    self.notes.append("a table too large to lay out was read as lines")
                    self.children(table)
                    return
                cells[(r, column)] = self._cell_text(cell)
                origins.update({(r + dr, column + dc): (r, column)
                                for dr in range(down) for dc in range(across) if dr or dc})
                column += across
            if r == header_rows and row_cells and (in_head or all(c.tag == "th" for c in row_cells)):
                header_rows = max(r + _span(c, "rowspan", len(rows) - r) for c in row_cells)
        for caption in (c for c in table.elements(self.include_hidden) if c.tag == "caption"):
            self.walk(caption)
        used = sorted({r for r, _ in (*cells, *origins)})
        width = 1 + max((c for _, c in (*cells, *origins)), default=-1)
        renumber = {r: i for i, r in enumerate(used)}
        self.items.append(_Table(
            [[cells.get((r, c)) for c in range(width)] for r in used],
            [[(renumber[o[0]], o[1]) if (o := origins.get((r, c))) and (r, c) not in cells else None
              for c in range(width)] for r in used],
            max(1, header_rows)))

    def _cell_text(self, cell: _Element) -> str:
        writer = _Writer(self.include_hidden, in_body=False)
        writer.children(cell)
        writer.flush()
        return " ".join(text for item in writer.items for text in item.texts())


def _rows(table: _Element) -> list[tuple[_Element, bool]]:
    """The table's own rows (not those of tables in its cells), each with whether in <thead>."""
    rows = []
    for child in table.elements():
        if child.tag == "tr":
            rows.append((child, False))
        elif child.tag in {"thead", "tbody", "tfoot"}:
            rows.extend((row, child.tag == "thead") for row in child.elements() if row.tag == "tr")
    return rows


def _span(cell: _Element, name: str, rows_left: int) -> int:
    """rowspan/colspan as browsers read it: rowspan="0" spans the rest of the table, a colspan
    is at most 1000, anything unreadable is 1."""
    value = (cell.attrs.get(name) or "").strip()
    number = int(value) if re.fullmatch(r"[0-9]{1,6}", value) else 1
    if name == "rowspan":
        return min(number or rows_left, rows_left)
    return max(1, min(number, 1000))


def _is_layout_table(table: _Element) -> bool:
    """A table that lays out the page rather than holding data: one column, one filled cell, a
    table inside a cell, or one cell holding nearly all the prose (the article in a layout cell)."""
    rows = [[c for c in row.elements() if c.tag in {"td", "th"}] for row, _ in _rows(table)]
    cells = [cell for row in rows for cell in row]
    if any(e.tag == "table" for cell in cells for e in _walk(cell, True) if e is not cell):
        return True
    filled = [cell for cell in cells if cell.total.chars]
    if len(filled) <= 1 or max(len(row) for row in rows) <= 1:
        return True
    fullest = max(filled, key=lambda cell: cell.total.prose)
    return fullest.total.sentences >= 3 and fullest.total.prose >= 0.8 * table.total.prose


def _emit(items: list[_Line | _Table], builder: RenditionBuilder, warnings: list[str]) -> None:
    """Write the body without portal lines, and without a title line the page put above the
    document when the document repeats it just below."""
    dropped = []
    for index, item in enumerate(items):
        if isinstance(item, _Table):
            builder.table(item.rows, item.header_rows, item.origins)
        elif _is_chrome(item.text):
            dropped.append(item.text)
        elif not (index < 10 and _TITLE_LINE.match(item.text) and any(
                isinstance(later, _Line) and later.text == item.text
                for later in items[index + 1:index + 6])):
            builder.line(item.text, item.level)
    if dropped:
        warnings.append(f"dropped {len(dropped)} portal line(s) inside the body, e.g. {dropped[0][:40]!r}")


# --- properties ---------------------------------------------------------------------------------


def _is_box(element: _Element) -> bool:
    """A metadata box: a small block holding at least two field labels (索引号, 文号…), filled
    or not (a status a script fills in is still a field)."""
    if element.tag not in {"table", "tbody", "ul", "ol", "dl", "div", "section"} \
            or element.visible.sentences > 1 or element.visible.chars > 800:
        return False
    labelled = {_LABELS["".join(label.split())] for label in _LABEL_VALUE.findall(element.text())}
    return len(labelled | set(_scan(element))) >= 2


def _scan(element: _Element, skip: frozenset[int] = frozenset()) -> dict[str, str]:
    """The labelled fields under ``element``, outside ``skip``: the value follows the label's
    colon in the same text, or in the elements after the label, or in the next table cell."""
    found: dict[str, str] = {}
    for node in _walk(element, True, skip):
        for index, child in enumerate(node.children):
            if isinstance(child, str):
                if len(_SENTENCE.findall(child)) < 3:  # prose (a hidden copy of the body) is no box
                    _read_labels(child, node, index, found)
            elif (label := _LABEL_ONLY.match(child.text())) and not any(
                    _LABEL_ONLY.match(inner.text()) for inner in child.elements()):
                _store(found, label.group(1), _value_after(node, index))
    return found


def _read_labels(text: str, node: _Element, index: int, found: dict[str, str]) -> None:
    matches = list(_LABEL_VALUE.finditer(text))
    for i, match in enumerate(matches):
        value = text[match.end():matches[i + 1].start() if i + 1 < len(matches) else len(text)]
        if not value.strip() and i + 1 == len(matches):
            value = _value_after(node, index)
        _store(found, match.group(1), value)


def _value_after(parent: _Element, index: int) -> str:
    """The text after the label ``parent.children[index]``: its next siblings up to another
    label, or, when the label fills its cell, the next cell."""
    pieces = []
    for sibling in parent.children[index + 1:]:
        text = " ".join((sibling if isinstance(sibling, str) else sibling.text()).split())
        if _LABEL_VALUE.match(text) or _LABEL_ONLY.match(text) or _ANY_LABEL.match(" " + text):
            break
        pieces.append(text)
    if value := " ".join(" ".join(pieces).split()):
        return value
    label = parent.children[index]
    label_text = " ".join(label.split()) if isinstance(label, str) else label.text()
    level: _Element | None = parent
    while level is not None and level.text() == label_text:
        if level.tag in _CELLS and level.parent is not None:
            cells = [c for c in level.parent.elements() if c.tag in _CELLS]
            after = cells[cells.index(level) + 1:][:1]
            return after[0].text() if after and not _LABEL_ONLY.match(after[0].text()) else ""
        level = level.parent
    return ""


def _store(found: dict[str, str], label: str, value: str) -> None:
    key = _LABELS.get("".join(label.split()).rstrip(":："))
    value = " ".join(_ANY_LABEL.split(" " + value)[0].split()).strip(" :：")
    valid = _VALID.get(key or "", _DATE)
    if key and value and key not in found and valid.search(value):
        found[key] = value


def _meta_properties(parser: LexborHTMLParser) -> dict[str, str]:
    """``<meta name="ArticleTitle|PubDate|ContentSource">``, which Chinese portals carry."""
    found: dict[str, str] = {}
    for meta in parser.css("meta"):
        key = _META.get((meta.attributes.get("name") or "").lower())
        value = " ".join((meta.attributes.get("content") or "").split())
        if key and value:
            found.setdefault(key, value)
    return found
