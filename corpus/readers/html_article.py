"""Finding the article on a portal page and writing it without the portal around it.

A government portal page wraps one document in navigation, breadcrumbs, share buttons, related
links, footers and often a hidden copy of the whole body for its search engine. Generic
boilerplate removers are tuned to English news (they score Latin commas and word counts) and
drop the low-punctuation parts a policy document needs — its 文号, title, signature and date —
so the body is found here by hand-written rules that name no site: the container holding nearly
all of the page's punctuated Chinese prose outside links, widened to the document parts beside
it, with portal lines dropped by a few general patterns.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from corpus.errors import NoArticleBody
from corpus.readers.base import RenditionBuilder
from corpus.readers.html_lines import FILE_LINK, FURNITURE_TAGS, Line, LineWriter, Table, is_layout_table
from corpus.readers.html_properties import is_box
from corpus.readers.html_tree import PROSE, SENTENCE, Element, Stats, walk

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


def write_article(root: Element, builder: RenditionBuilder,
                  warnings: list[str]) -> tuple[list[Element], list[Element]]:
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
    writer = LineWriter(include_hidden, in_body=True)
    for node in nodes:
        writer.walk(node)
    writer.flush()
    warnings.extend(writer.notes)
    _emit(writer.items, builder, warnings)
    return nodes, writer.boxes


def _choose_body(root: Element, include_hidden: bool) -> Element | None:
    """The article container, or None when the page has no article.

    The best candidate holds the most punctuated prose outside links, discounted by the share of
    its text that is links (navigation, related lists). From there, descend into the child that
    holds nearly all the prose while its siblings hold no sentence: a cover letter (印发通知) is
    short but belongs with the 办法 it sends; a portal's title, date and share bar have none.
    """
    def stats(element: Element) -> Stats:
        return element.total if include_hidden else element.visible

    best = max(walk(root, include_hidden), key=lambda e: stats(e).prose * (1 - stats(e).link_density))
    while stats(best).prose:
        children = best.elements(include_hidden)
        fullest = max(children, key=lambda child: stats(child).prose, default=None)
        if fullest is None or not _holds_nearly_all(best, fullest, children, stats):
            break
        best = fullest
    while best.tag in {"tbody", "thead", "tfoot", "tr"} and best.parent is not None:
        best = best.parent  # rows are read as part of their table
    return best if _is_article(best, stats(best), include_hidden) else None


def _holds_nearly_all(parent: Element, child: Element, children: list[Element],
                      stats: Callable[[Element], Stats]) -> bool:
    """Whether ``child`` holds ≥ 90% of the prose and of the text in ``parent`` while its
    siblings hold no sentence, so that tables beside the prose stay with it.

    Siblings that are page furniture (a footer's 「建议使用IE8以上浏览器。」, a breadcrumb, a
    metadata box) or a copy of ``child`` (a mobile copy of the body, hidden only by a
    stylesheet) do not count; nor, for the text, lines that :func:`_widen` judges (title, 文号,
    signature), so that a portal's title above a short body does not keep the body's container.
    """
    text = child.text(include_hidden=False)
    others = [other for other in children if other is not child and stats(other).chars
              and not _is_furniture(other) and not is_box(other) and not _is_copy(other.text(False), text)]
    texts = [other for other in others if not _is_part_of_document(other)]

    def beside(measure: Callable[[Stats], int], siblings: list[Element]) -> int:
        loose = measure(stats(parent)) - sum(measure(stats(c)) for c in children)
        return loose + sum(measure(stats(sibling)) for sibling in siblings)

    def words(held: Stats) -> int:
        return held.chars - held.link_chars

    held = stats(child)
    return (beside(lambda s: s.sentences, others) == 0 and held.prose >= 9 * beside(lambda s: s.prose, others)
            and words(held) >= 9 * beside(words, texts))


def _is_copy(text: str, of: str) -> bool:
    """Whether one text repeats the other, give or take a header (a mobile copy of the body)."""
    return 2 * len(text) >= len(of) and 2 * len(of) >= len(text) and (text in of or of in text)


def _is_furniture(element: Element) -> bool:
    """Navigation, link lists, and blocks with a portal line (版权所有, 来源：, 分享到…)."""
    if element.tag in FURNITURE_TAGS or (element.visible.links and element.visible.link_density >= 0.5):
        return True
    return any(_is_chrome(line) for line in _lines_of(element, include_hidden=False))


def _is_article(element: Element, stats: Stats, include_hidden: bool) -> bool:
    """Prose, not a list: a few sentences besides portal lines (a footer's 「未经许可，不得转载。」),
    and not mostly blocks that each carry a link."""
    prose = "".join(line for line in _lines_of(element, include_hidden) if not _is_chrome(line))
    if len(SENTENCE.findall(prose)) < 2 or len(PROSE.findall(prose)) < 6:
        return False
    if stats.links >= 8 and stats.link_density >= 0.35:
        return False
    blocks = [child for child in element.elements(include_hidden) if child.total.chars]
    linked = sum(1 for child in blocks if child.total.links)
    return not (len(blocks) >= 5 and linked >= 0.6 * len(blocks))


def _widen(body: Element, include_hidden: bool) -> list[Element]:
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


def _is_part(element: Element, accepts: Callable[[str], bool], include_hidden: bool) -> bool:
    if element.visible.link_density >= 0.5 and not FILE_LINK.search(element.text(include_hidden)):
        return False  # links, unless to the document's attachments
    if element.tag == "table" and not is_layout_table(element) and not is_box(element):
        return True  # a data table beside the prose is the document's
    return all(accepts(line) for line in _lines_of(element, include_hidden))


def _is_part_of_document(element: Element) -> bool:
    """A block of title, 文号, signature or date lines, without a table."""
    return all(e.tag != "table" for e in walk(element, False)) and all(
        _before_part(line) or _after_part(line) for line in _lines_of(element, include_hidden=False))


def _before_part(line: str) -> bool:
    return not _is_chrome(line) and any(pattern.match(line) for pattern in (
        _NUMBER_LINE, _DATE_LINE, _NOTE_LINE, _TITLE_LINE, _SALUTATION_LINE))


def _after_part(line: str) -> bool:
    return not _is_chrome(line) and any(pattern.search(line) for pattern in (
        _DATE_LINE, _NOTE_LINE, _ISSUER_LINE, _ATTACHMENT_LINE))


def _is_chrome(line: str) -> bool:
    return bool(_CHROME.search(line) or (_TOOLS.match(line) and _TOOL_WORD.search(line)))


def _lines_of(element: Element, include_hidden: bool) -> list[str]:
    """The lines an element reads as, table cells included, before anything is dropped."""
    writer = LineWriter(include_hidden, in_body=False)
    writer.walk(element)
    writer.flush()
    return [text for item in writer.items for text in item.texts()]


def _emit(items: list[Line | Table], builder: RenditionBuilder, warnings: list[str]) -> None:
    """Write the body without portal lines, and without a title line the page put above the
    document when the document repeats it just below."""
    dropped = []
    for index, item in enumerate(items):
        if isinstance(item, Table):
            builder.table(item.rows, item.header_rows, item.origins)
        elif _is_chrome(item.text):
            dropped.append(item.text)
        elif not (index < 10 and _TITLE_LINE.match(item.text) and any(
                isinstance(later, Line) and later.text == item.text
                for later in items[index + 1:index + 6])):
            builder.line(item.text, item.level)
    if dropped:
        warnings.append(f"dropped {len(dropped)} portal line(s) inside the body, e.g. {dropped[0][:40]!r}")
