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
from corpus.figures import Figure, clause_end, clause_start, parse_figures
from qa.asking import EXISTING, Asked, figure_fit

_SENTENCE = re.compile(r"[^。；！？!?;\n]+[。；！？!?;]?[”’」』）)]*")
_QUANTITY_WORDS = re.compile(r"多少|几|标准|比例|比重|占比|率|面积|数量|目标|指标|多大|多高|"
                             r"how many|how much|"
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


def extract(provision: Provision, query_tokens: list[str], tokenize: Callable[[str], list[str]],
            idf: Callable[[str], float] = lambda token: 1.0, question: Asked | None = None) -> Answer:
    """The best answer inside ``provision`` for a query analysed into ``query_tokens``.

    When the question asks for a figure (``question``, read by :func:`qa.asking.asked`) and a
    figure of the provision measures what it asks, the answer is that figure's clause: the
    smallest verbatim span that answers, not its whole sentence of four targets. Otherwise
    sentences are scored by the query tokens they share, each weighted by its length and rarity
    (``idf``), so that 三孩 outweighs 父母 in 「生三孩的父母育儿假有多少天」.
    """
    clauses = _figure_clauses(provision.text, question, query_tokens, tokenize, idf) \
        if question else None
    if clauses is not None:
        start, end = clauses
    elif provision.kind is Kind.TABLE_ROW:
        start, end = _row_answer(provision.text, query_tokens, tokenize)
    else:
        start, end = _best_sentence(provision.text, query_tokens, tokenize, idf)
    text = provision.text[start:end]
    figures = tuple(
        Figure(f.text, f.start + start, f.end + start, f.value, f.unit, f.operator, f.per)
        for f in parse_figures(text))
    return Answer(text, start, end, figures)


def _score(tokens: list[str], query: set[str], wants_quantity: bool, text: str,
           idf: Callable[[str], float]) -> float:
    overlap = sum(len(token) * idf(token) for token in set(tokens) & query)
    if wants_quantity and parse_figures(text):
        overlap *= 1.2
    return overlap


def _best_sentence(text: str, query_tokens: list[str], tokenize: Callable[[str], list[str]],
                   idf: Callable[[str], float]) -> tuple[int, int]:
    """The best sentence; with its neighbour when that one answers almost as well (a standard
    often runs over two clauses: 新建…30平方米；已建成…20平方米)."""
    spans = sentences(text) or [(0, len(text))]
    query = set(query_tokens)
    wants_quantity = bool(_QUANTITY_WORDS.search(" ".join(query_tokens)))
    scores = [_score(tokenize(text[s:e]), query, wants_quantity, text[s:e], idf) for s, e in spans]
    best = max(range(len(spans)), key=lambda i: (scores[i], -i))
    first, last = best, best
    neighbours = [i for i in (best - 1, best + 1) if 0 <= i < len(spans)]
    if neighbours:
        other = max(neighbours, key=lambda i: scores[i])
        if scores[best] > 0 and scores[other] >= 0.8 * scores[best]:
            first, last = min(best, other), max(best, other)
    # A sentence that is only a title (养老服务方面，) gets the next sentence with it.
    if spans[last][1] - spans[first][0] < 12 and last + 1 < len(spans):
        last += 1
    return spans[first][0], spans[last][1]


def _figure_clauses(text: str, question: Asked, query_tokens: list[str],
                    tokenize: Callable[[str], list[str]], idf: Callable[[str], float]
                    ) -> tuple[int, int] | None:
    """The clauses (between ，；) of the figure that answers ``question``: the clause holding the
    figure and its subject, with the next clause when the subject is named there (「按照每百户
    不少于20平方米的标准，在新建小区规范配置…」). Figures that fit alike are told apart by how
    much of the question their clause, then their sentence, holds (「第二类资助对象每人每月300元」
    over the 第一类's clause before it; 「生育三孩的…20天」 over 「…15天」 for 三孩).
    None when no figure of ``text`` fits."""
    query = set(query_tokens)

    def held(span: tuple[int, int]) -> float:
        return sum(len(t) * idf(t) for t in set(tokenize(text[span[0]:span[1]])) & query)

    spans = sentences(text)
    scored = []
    for figure in parse_figures(text):
        if _value_cell(text, figure):
            continue  # a table's value (现有：23.3亿) is answered by its row, column by column
        score = figure_fit(question, text, figure, indicators=True)
        if score is None:
            continue
        sentence = next(((s, e) for s, e in spans if s <= figure.start < e), (0, len(text)))
        clause = (clause_start(text, figure.start, _CLAUSE_MARKS),
                  clause_end(text, figure.end, _CLAUSE_MARKS))
        scored.append((round(score, 2), held(clause), held(sentence), -figure.start, clause, figure))
    if not scored:
        return None
    *_, (start, end), figure = max(scored, key=lambda item: item[:4])
    if figure.subject is not None and start > 1 and figure.subject not in text[start:end]:
        # The subject in the clause before (「护理型床位占比，到2025年达到75%」), with no figure between.
        before = clause_start(text, start - 1, _CLAUSE_MARKS)
        at = text.rfind(figure.subject, before, start)
        if at != -1 and not re.search(r"\d", text[at + len(figure.subject):start]):
            start = before
    if figure.subject is None and end < len(text) and text[end] in "，,":
        end = clause_end(text, end + 1, _CLAUSE_MARKS)
    # The areas a standard is for, when the question names them: 「已建成的住宅（小）区采取回购、
    # 租赁等形式，按每百户不少于28平米…」 answers 已建成小区 with the clause that says so.
    areas = EXISTING if question.existing else _NEW_AREAS if question.new else None
    if areas is not None and not areas.search(text, start, end):
        named = [m.start() for m in areas.finditer(text, clause_start(text, start, "。；;！？!?\n"), start)]
        if named:
            start = clause_start(text, named[-1], _CLAUSE_MARKS)
    while start < end and text[start].isspace():
        start += 1
    return start, end


_CLAUSE_MARKS = "，,；;。！？!?\n｜"  # ｜ parts a table row's cells
_NEW_AREAS = re.compile(r"新建")


def _value_cell(text: str, figure: Figure) -> bool:
    """Whether ``figure`` is the whole value of a table cell (列名：值), not part of its prose."""
    if "｜" not in text:
        return False
    start = text.rfind("｜", 0, figure.start) + 1
    end = text.find("｜", figure.end)
    cell = text[start:end if end != -1 else len(text)]
    _, colon, value = cell.partition("：")
    return not colon or len(value.strip()) <= len(figure.text) + 2


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
        # Only a column named by a year or figure (2024年, 2025年目标值) is one to stop at.
        years = {token for token in tokenize(label) if re.search(r"\d", token)}
        if colon and years & query and re.search(r"\d", value):
            asked.append(index)
    last = max(asked) if asked else len(segments) - 1
    return segments[1][0], segments[last][1]
