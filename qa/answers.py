"""Extractive answers: the sentence(s) of a provision that best answer the question.

Answers are never written, only chosen: each is a verbatim substring of the provision's text
with its offsets into it. A clause answers with its best sentence; a table row answers with the
part of its rendered statement from the indicator to the column the question asks about.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from corpus import Kind, Provision
from qa.figures import Figure, parse_figures

_SENTENCE = re.compile(r"[^。；！？!?;\n]+[。；！？!?;]?[”’」』）)]*")
_QUANTITY_WORDS = re.compile(r"多少|几|标准|比例|比重|占比|率|面积|数量|目标|指标|多大|多高|how many|how much|"
                             r"what (?:is|are) the|standard|target|rate|ratio", re.IGNORECASE)
_SEGMENT = "｜"


@dataclass(frozen=True)
class Answer:
    """``start``/``end`` index the provision's text."""

    text: str
    start: int
    end: int
    figures: tuple[Figure, ...]


def sentences(text: str) -> list[tuple[int, int]]:
    spans = []
    for found in _SENTENCE.finditer(text):
        start, end = found.span()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans


def extract(provision: Provision, query_tokens: list[str],
            tokenize: Callable[[str], list[str]]) -> Answer:
    """The best answer inside ``provision`` for a query analysed into ``query_tokens``."""
    if provision.kind is Kind.TABLE_ROW:
        start, end = _row_answer(provision.text, query_tokens, tokenize)
    else:
        start, end = _best_sentence(provision.text, query_tokens, tokenize)
    text = provision.text[start:end]
    figures = tuple(
        Figure(f.text, f.start + start, f.end + start, f.value, f.unit, f.operator, f.per)
        for f in parse_figures(text))
    return Answer(text, start, end, figures)


def _score(tokens: list[str], query: set[str], wants_quantity: bool, text: str) -> float:
    overlap = sum(len(token) for token in set(tokens) & query)
    if wants_quantity and parse_figures(text):
        overlap += 2
    return overlap


def _best_sentence(text: str, query_tokens: list[str],
                   tokenize: Callable[[str], list[str]]) -> tuple[int, int]:
    spans = sentences(text) or [(0, len(text))]
    query = set(query_tokens)
    wants_quantity = bool(_QUANTITY_WORDS.search(" ".join(query_tokens)))
    scored = [(_score(tokenize(text[s:e]), query, wants_quantity, text[s:e]), -i, (s, e))
              for i, (s, e) in enumerate(spans)]
    best = max(scored)[2]
    start, end = best
    # A sentence that is only a title (养老服务方面，) gets the next sentence with it.
    index = spans.index(best)
    if end - start < 12 and index + 1 < len(spans):
        end = spans[index + 1][1]
    return start, end


def _row_answer(text: str, query_tokens: list[str],
                tokenize: Callable[[str], list[str]]) -> tuple[int, int]:
    """The row without its table title; cut after the value column the question asks about
    (2024年：4.0 for a question about 2024), if it asks about one."""
    segments = []
    position = 0
    for piece in text.split(_SEGMENT):
        segments.append((position, position + len(piece)))
        position += len(piece) + len(_SEGMENT)
    if len(segments) == 1:
        return 0, len(text)
    query = set(query_tokens)
    asked = []
    for index in range(1, len(segments)):
        start, end = segments[index]
        label, colon, value = text[start:end].partition("：")
        if colon and re.search(r"\d", value) and set(tokenize(label)) & query:
            asked.append(index)
    last = max(asked) if asked else len(segments) - 1
    return segments[1][0], segments[last][1]
