"""How each jurisdiction sets the same figure or words the same provision, side by side.

Staff comparing standards want 如皋市 20㎡ / 宿城区 48㎡ / 江苏省 (leaves it to the cities) in one
table: one figure per place. Each place is searched among its own documents only. The figure
of a row is the place's indicator that measures what the question asks (its final target by
default, the year asked when one is), else the figure of its best provisions whose subject is
the one asked (the nursery standard for a nursery question, new residential areas before
existing ones); a place that sets none gets ``figure: null`` and a note, never a figure of
something else. A place whose best provision shares too little of the question is reported as
having nothing relevant instead of showing a weak match.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from corpus.figures import Figure, parse_figures
from corpus.indicators import Indicator, Value
from qa.asking import Asked, asked, asks_number, figure_fit, matching
from qa.errors import UnknownJurisdiction
from qa.results import Hit
from qa.search import Candidate, Searcher, clean_query

# The rarity-weighted share of the question a provision must contain to count as an answer.
# On the public set's numeric, table and jurisdiction questions the correct top hit scores
# 0.48–1.0 (median 0.79) and wrong ones 0.25, 0.30 and 0.74; a place without such a provision
# scores about 0.2–0.3 (涟水县 for a 每百户 standard: 0.28).
RELEVANT = 0.45


@dataclass(frozen=True)
class Comparison:
    jurisdiction: str
    level: str | None
    covered: bool  # the corpus has a document of this jurisdiction
    hit: Hit | None
    relevance: float
    note: str | None  # why there is no hit, or no figure
    figure: Figure | None = None  # offsets index ``hit.text``
    indicator: Indicator | None = None  # the indicator the figure is a value of
    years: tuple[int, ...] = ()  # the years the place gives values for

    def to_json(self) -> dict[str, object]:
        figure = None
        if self.figure is not None:
            figure = {**self.figure.to_json(),
                      "indicator": self.indicator.name if self.indicator else None,
                      "attribute": self.indicator.attribute if self.indicator else None}
        return {"jurisdiction": self.jurisdiction, "level": self.level, "covered": self.covered,
                "relevance": round(self.relevance, 3), "note": self.note, "figure": figure,
                "years": list(self.years), "hit": self.hit.to_json() if self.hit else None}


MAX_PLACES = 30  # the places one comparison covers: each costs a scoped search


def compare(searcher: Searcher, query: str, jurisdictions: Sequence[str] | None = None,
            year: int | None = None) -> list[Comparison]:
    """The figure and provision answering ``query`` in each jurisdiction of the corpus (or
    those named); ``year`` asks for that year's value (default: the year the question names,
    else each indicator's final target).

    Raises:
        BadQuery: an empty or over-long query, or a jurisdiction the gazetteer does not know.
    """
    query = clean_query(query)
    index = searcher.index
    levels = index.levels
    if jurisdictions:
        names = []
        for name in jurisdictions:
            place = searcher.gazetteer.resolve(name)
            if place is None:
                raise UnknownJurisdiction(f"unknown jurisdiction {name!r}")
            names.append(place.name)
        names = list(dict.fromkeys(names))
    tokens = index.analyzer.query_tokens(query)
    vector = searcher.query_vector(query)
    if not jurisdictions:
        names = list(levels)
        if len(names) > MAX_PLACES:
            # A national library holds thousands of places: compare those whose provisions the
            # whole corpus ranks highest for the question, not every one.
            ranked = searcher.rank(tokens, vector, None)
            names = list(dict.fromkeys(index.document_of(index.provisions[c.key]).jurisdiction
                                       for c in ranked))[:MAX_PLACES]
        # The country and provinces first, then cities, then counties: the order of a drafting
        # office's comparison table, whatever order the documents were added in.
        order = {"national": 0, "province": 1, "prefecture": 2, "county": 3}
        names = sorted(names, key=lambda name: (order.get(levels[name], 4), name))
    question = searcher.asked(query, _place_words(searcher, query, names))
    if year is not None:
        question = replace(question, year=year, baseline=False)
    documents_of: dict[str, list[str]] = defaultdict(list)
    for document in index.documents.values():
        documents_of[document.jurisdiction].append(document.id)
    return [_row(searcher, name, question, tokens, vector, documents_of.get(name, []))
            for name in names]


def _row(searcher: Searcher, name: str, question: Asked, tokens: list[str],
         vector: np.ndarray | None, documents: list[str]) -> Comparison:
    index = searcher.index
    level = index.levels.get(name)
    scope = index.own([name])
    if scope is None:
        return Comparison(name, level, False, None, 0.0, "语料中没有该地区的文件")
    # The place's indicator, if it states one that measures what is asked.
    found = matching(question, index.indicators(documents)) if question.measurable else []
    years = tuple(sorted({y for _, indicator in found for y in indicator.years}))
    for _, indicator in found:
        value = indicator.baseline if question.baseline else indicator.target(question.year)
        key = index.key_of(value.provision_id) if value else None
        if value is None or key is None:
            continue
        hit = searcher.hit(Candidate(key), 1, tokens, "exact", question)
        return Comparison(name, level, True, hit, searcher.relevance(tokens, key), None,
                          _figure(value, indicator), indicator, years)
    ranked = searcher.rank(tokens, vector, scope)
    if not ranked:
        return Comparison(name, level, True, None, 0.0, "没有相关条款")
    relevance = searcher.relevance(tokens, ranked[0].key)
    if found:  # the indicator is there, but not for the year (or the baseline) asked
        asked_for = "现状值" if question.baseline else f"{question.year}年的数值"
        missing = f"该地区没有给出{asked_for}" + (f"（有：{'、'.join(map(str, years))}年）" if years else "")
        return Comparison(name, level, True, None, relevance, missing, None, None, years)
    # Else a standard: the best-ranked relevant provision stating a figure whose subject is the
    # one asked, and its best such figure.
    for candidate in ranked[:STANDARD_PROVISIONS]:
        fits = searcher.relevance(tokens, candidate.key)
        if fits < RELEVANT:
            continue
        text = index.provisions[candidate.key].text
        scored = [(score, figure) for figure in parse_figures(text)
                  if (score := figure_fit(question, text, figure)) is not None]
        if scored:
            figure = max(scored, key=lambda item: item[0])[1]
            hit = searcher.hit(candidate, 1, tokens, "exact", question)
            return Comparison(name, level, True, hit, fits, None, figure)
    if relevance < RELEVANT:
        return Comparison(name, level, True, None, relevance, "该地区文件中没有与问题相符的条款")
    hit = searcher.hit(ranked[0], 1, tokens, "exact", question)
    note = "该地区没有给出这一数值" if question.measurable and asks_number(question) else None
    return Comparison(name, level, True, hit, relevance, note)


STANDARD_PROVISIONS = 3  # a place's best provisions searched for a standard's figure


def _figure(value: Value, indicator: Indicator) -> Figure:
    return Figure(value.text, value.start, value.end, value.value, value.unit or indicator.unit,
                  value.operator, None, value.column, indicator.name, value.year)


def _place_words(searcher: Searcher, query: str, names: Sequence[str]) -> list[str]:
    """The place names to leave out of the asked subject: those the question names and those
    compared (:meth:`Searcher.asked` leaves them out without their suffix too)."""
    return sorted({place.name for place in searcher.gazetteer.find(query)} | set(names))


def comparison_json(query: str, rows: Sequence[Comparison], year: int | None = None
                    ) -> dict[str, object]:
    """The comparison as the API and the tools return it; ``year`` the one passed, if any."""
    year = year or asked(query).year
    return {"query": query, "year": year, "note": summary_note(rows, year),
            "rows": [row.to_json() for row in rows]}


def summary_note(rows: Sequence[Comparison], year: int | None) -> str | None:
    """For a year no place gives (2035): which years the places do give."""
    if year is None or any(row.figure is not None for row in rows):
        return None
    years = sorted({y for row in rows for y in row.years})
    if not years:
        return None
    return f"没有地区给出{year}年的数值；各地给出的年份：{'、'.join(map(str, years))}年"
