"""How each jurisdiction words the same provision: one best provision per place, side by side.

Staff comparing standards want 如皋市 20㎡ / 宿城区 48㎡ / 江苏省 (leaves it to the cities) in one
table. Each place is searched among its own documents only; a place whose best provision
shares too little of the question is reported as having nothing relevant instead of showing
a weak match.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qa.errors import UnknownJurisdiction
from qa.results import Hit
from qa.search import Searcher, clean_query

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
    note: str | None  # why there is no hit

    def to_json(self) -> dict[str, object]:
        return {"jurisdiction": self.jurisdiction, "level": self.level, "covered": self.covered,
                "relevance": round(self.relevance, 3), "note": self.note,
                "hit": self.hit.to_json() if self.hit else None}


MAX_PLACES = 30  # the places one comparison covers: each costs a scoped search


def compare(searcher: Searcher, query: str, jurisdictions: Sequence[str] | None = None
            ) -> list[Comparison]:
    """The best provision for ``query`` in each jurisdiction of the corpus (or those named).

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
    results = []
    for name in names:
        scope = index.own([name])
        if scope is None:
            results.append(Comparison(name, levels.get(name), False, None, 0.0,
                                      "语料中没有该地区的文件"))
            continue
        ranked = searcher.rank(tokens, vector, scope)
        if not ranked:
            results.append(Comparison(name, levels[name], True, None, 0.0, "没有相关条款"))
            continue
        best = ranked[0]
        relevance = searcher.relevance(tokens, best.key)
        if relevance < RELEVANT:
            results.append(Comparison(name, levels[name], True, None, relevance,
                                      "该地区文件中没有与问题相符的条款"))
            continue
        results.append(Comparison(name, levels[name], True, searcher.hit(best, 1, tokens, "exact"),
                                  relevance, None))
    return results
