"""A portal page as a tree of text-bearing elements, each measured for the prose it holds.

lexbor's tree (selectolax) is copied into :class:`Element` objects without scripts, styles and
media, and every subtree is measured on the way up (:class:`Stats`: prose punctuation and sentence
ends outside links, characters, link text). Finding the article (:mod:`corpus.readers.html_article`)
compares these measures; the line writer (:mod:`corpus.readers.html_lines`) and the metadata box
(:mod:`corpus.readers.html_properties`) read the same tree.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from selectolax.lexbor import LexborNode

_SKIPPED = frozenset({"script", "style", "noscript", "template", "iframe", "object", "embed", "svg",
                      "canvas", "select", "button", "input", "textarea", "img", "video", "audio", "map",
                      "head", "title", "meta", "link", "base", "-comment"})
BLOCKS = frozenset({"p", "div", "li", "ul", "ol", "dl", "dd", "dt", "blockquote", "pre", "tr", "table",
                    "tbody", "thead", "tfoot", "td", "th", "caption", "section", "article", "center",
                    "main", "header", "footer", "nav", "aside", "form", "fieldset", "address", "figure",
                    "figcaption", "hr", "body", "html", "details", "summary", "h1", "h2", "h3", "h4",
                    "h5", "h6"})
_MAX_DEPTH = 120  # deeper markup (unclosed <font> runs) is read flat, so recursion stays bounded
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# Punctuation of written Chinese prose; half-width marks count only right after a CJK character.
PROSE = re.compile(r"[。！？；，、：]|(?<=[\u4e00-\u9fff])[,;:!?]")
SENTENCE = re.compile(r"[。！？]")


@dataclass
class Stats:
    """What a subtree holds: prose punctuation and sentence ends outside links, characters."""

    prose: int = 0
    sentences: int = 0
    chars: int = 0
    link_chars: int = 0
    links: int = 0

    def add(self, other: Stats) -> None:
        self.prose += other.prose
        self.sentences += other.sentences
        self.chars += other.chars
        self.link_chars += other.link_chars
        self.links += other.links

    @property
    def link_density(self) -> float:
        return self.link_chars / self.chars if self.chars else 0.0


@dataclass(eq=False)
class Element:
    """An element with its text-bearing content: the page minus scripts, styles and media."""

    tag: str
    attrs: dict[str, str | None]
    parent: Element | None = field(default=None, repr=False)
    children: list[Element | str] = field(default_factory=list)
    hidden: bool = False
    visible: Stats = field(default_factory=Stats)  # not counting hidden descendants
    total: Stats = field(default_factory=Stats)

    def elements(self, include_hidden: bool = True) -> list[Element]:
        return [c for c in self.children if isinstance(c, Element) and (include_hidden or not c.hidden)]

    def text(self, include_hidden: bool = True) -> str:
        parts = [c if isinstance(c, str) else c.text(include_hidden) for c in self.children
                 if isinstance(c, str) or include_hidden or not c.hidden]
        return " ".join("".join(parts).split())

    def append(self, child: Element | str) -> None:
        self.children.append(child)
        if isinstance(child, str):
            stats = Stats(len(PROSE.findall(child)), len(SENTENCE.findall(child)),
                          len("".join(child.split())))
            self.visible.add(stats)
            self.total.add(stats)
        else:
            child.parent = self
            if not child.hidden:
                self.visible.add(child.visible)
            self.total.add(child.total)


def convert(node: LexborNode, depth: int) -> Element | None:
    """Our tree from lexbor's, measuring each subtree on the way up."""
    tag = (node.tag or "").lower()
    if tag in _SKIPPED:
        return None
    attrs = {str(key).lower(): value for key, value in node.attributes.items()}
    element = Element(tag, attrs, hidden=_is_hidden(attrs))
    if depth >= _MAX_DEPTH:
        for descendant in node.traverse(include_text=True):
            if descendant.is_text_node and (descendant.parent is None
                                            or descendant.parent.tag not in _SKIPPED):
                element.append(descendant.text_content or "")
            elif (descendant.tag or "") in BLOCKS or descendant.tag == "br":
                element.append(Element("br", {}))
        return element
    for child in node.iter(include_text=True):
        if child.is_text_node:
            element.append(child.text_content or "")
        elif (converted := convert(child, depth + 1)) is not None:
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


def walk(element: Element, include_hidden: bool, skip: frozenset[int] = frozenset()) -> Iterator[Element]:
    yield element
    for child in element.elements(include_hidden):
        if id(child) not in skip:
            yield from walk(child, include_hidden, skip)
