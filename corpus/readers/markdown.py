"""Markdown (documents converted by crawlers and tools): the text without its markup.

markdown-it-py parses the document (CommonMark with GFM tables); the rendition is what a reader
of the rendered page sees: headings without ``#``, bold without ``**``, links as their text,
ordered list items with the number the list gives them, tables as tables. Headings, and
paragraphs that are bold throughout (a title written ``**…**``), become heading hints.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

from corpus.readers.base import Rendition, RenditionBuilder
from corpus.readers.normalise import clean_line
from corpus.readers.text import decode


def read(data: bytes) -> Rendition:
    text, encoding = decode(data)
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    builder = RenditionBuilder()
    _Writer(builder).blocks(tokens)
    return builder.build("markdown", encoding=encoding)


class _Writer:
    def __init__(self, builder: RenditionBuilder) -> None:
        self.builder = builder
        self.numbers: list[str] = []  # the marker of each open list item ("2." or "")
        self.pending: str = ""  # a list item's marker, waiting for its first paragraph
        self.body_started = False

    def blocks(self, tokens: list[Token]) -> None:
        index = 0
        while index < len(tokens):
            token = tokens[index]
            kind = token.type
            if kind == "heading_open":
                level = int(token.tag[1:])
                self._line(_inline(tokens[index + 1]), level)
                index += 3
                continue
            if kind == "paragraph_open":
                inline = tokens[index + 1]
                hint: int | None = None
                if _all_bold(inline):
                    hint = 3 if self.body_started else 1
                for line in _inline(inline).split("\n"):
                    self._line(line, hint)
                index += 3
                continue
            if kind in ("ordered_list_open", "bullet_list_open"):
                self.numbers.append("")
            elif kind in ("ordered_list_close", "bullet_list_close"):
                self.numbers.pop()
            elif kind == "list_item_open":
                self.pending = f"{token.info}{token.markup} " if token.info else ""
            elif kind in ("fence", "code_block", "html_block"):
                content = token.content if kind != "html_block" else _strip_tags(token.content)
                for line in content.splitlines():
                    self._line(line, None)
            elif kind == "table_open":
                index = self._table(tokens, index)
                continue
            index += 1

    def _line(self, text: str, level: int | None) -> None:
        text = clean_line(self.pending + text)
        self.pending = ""
        if text and self.builder.line(text, level) and level is None:
            self.body_started = True

    def _table(self, tokens: list[Token], index: int) -> int:
        rows: list[list[str | None]] = []
        header_rows = 0
        row: list[str | None] = []
        while tokens[index].type != "table_close":
            token = tokens[index]
            if token.type == "tr_open":
                row = []
            elif token.type in ("th_open", "td_open"):
                row.append(clean_line(_inline(tokens[index + 1]).replace("\n", " ")))
                if token.type == "th_open" and not rows:
                    header_rows = 1
            elif token.type == "tr_close":
                rows.append(row)
            index += 1
        self.builder.table(rows, header_rows=max(header_rows, 1))
        self.body_started = True
        return index + 1


def _inline(token: Token) -> str:
    """The text of an inline token as rendered: markup dropped, soft breaks joined the way the
    language joins them (nothing between Chinese characters, a space between words)."""
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "softbreak":
            parts.append("\0")
        elif child.type == "hardbreak":
            parts.append("\n")
    text = "".join(parts)
    pieces = text.split("\0")
    joined = pieces[0]
    for piece in pieces[1:]:
        left, right = joined[-1:], piece[:1]
        cjk = (left and not left.isascii()) or (right and not right.isascii())
        joined += ("" if cjk else " ") + piece
    return joined


def _all_bold(token: Token) -> bool:
    """A paragraph that is one bold run: ``**贵州省农村支付服务提质增效**``."""
    children = [c for c in token.children or [] if not (c.type == "text" and not c.content.strip())]
    return (len(children) >= 3 and children[0].type == "strong_open"
            and children[-1].type == "strong_close"
            and not any(c.type == "strong_open" for c in children[1:-1]))


def _strip_tags(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)
