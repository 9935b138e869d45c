"""A portal page's metadata box (索引号, 发文机关, 文号, 成文日期…) and ``<meta>`` tags, as properties.

Portals state a document's metadata in a small box of labelled fields above or below the article,
as a table, a list or loose text (labels are often letter-spaced: 文　　号：). The fields are found by
their labels wherever they stand; a value must look like one (a 文号 holds a figure, a date a year)
so that a neighbouring title is never taken for a value.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

from corpus.readers.html_tree import SENTENCE, Element, walk

_CELLS = frozenset({"td", "th", "dt", "dd"})

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


def page_properties(root: Element, body: list[Element], boxes: list[Element],
                    parser: LexborHTMLParser) -> dict[str, str]:
    """The page's properties: first the labelled fields outside the article ``body``, then those of
    the metadata ``boxes`` found inside it, the ``<meta>`` tags, and last any label in the body."""
    properties = _scan(root, frozenset(id(node) for node in body))
    # A later source only fills what the earlier ones left out; 本网 as issuer names the portal.
    for source in [*map(_scan, boxes), _meta_properties(parser), *map(_scan, body)]:
        for key, value in source.items():
            if key not in properties and not (key == "issuer" and value in _THE_SITE_ITSELF):
                properties[key] = value
    return properties


def is_box(element: Element) -> bool:
    """A metadata box: a small block holding at least two field labels (索引号, 文号…), filled
    or not (a status a script fills in is still a field)."""
    if element.tag not in {"table", "tbody", "ul", "ol", "dl", "div", "section"} \
            or element.visible.sentences > 1 or element.visible.chars > 800:
        return False
    labelled = {_LABELS["".join(label.split())] for label in _LABEL_VALUE.findall(element.text())}
    return len(labelled | set(_scan(element))) >= 2


def _scan(element: Element, skip: frozenset[int] = frozenset()) -> dict[str, str]:
    """The labelled fields under ``element``, outside ``skip``: the value follows the label's
    colon in the same text, or in the elements after the label, or in the next table cell."""
    found: dict[str, str] = {}
    for node in walk(element, True, skip):
        for index, child in enumerate(node.children):
            if isinstance(child, str):
                if len(SENTENCE.findall(child)) < 3:  # prose (a hidden copy of the body) is no box
                    _read_labels(child, node, index, found)
            elif (label := _LABEL_ONLY.match(child.text())) and not any(
                    _LABEL_ONLY.match(inner.text()) for inner in child.elements()):
                _store(found, label.group(1), _value_after(node, index))
    return found


def _read_labels(text: str, node: Element, index: int, found: dict[str, str]) -> None:
    matches = list(_LABEL_VALUE.finditer(text))
    for i, match in enumerate(matches):
        value = text[match.end():matches[i + 1].start() if i + 1 < len(matches) else len(text)]
        if not value.strip() and i + 1 == len(matches):
            value = _value_after(node, index)
        _store(found, match.group(1), value)


def _value_after(parent: Element, index: int) -> str:
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
    level: Element | None = parent
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
