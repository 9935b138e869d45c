"""The indicators of the corpus, listed: for GET /v1/indicators, the CLI and the MCP tool."""

from __future__ import annotations

from dataclasses import dataclass

from corpus.indicators import Indicator
from index.backend import SearchBackend
from qa.asking import asked, matching
from qa.errors import UnknownJurisdiction
from qa.results import citation
from qa.search import Searcher, clean_query

MAX_LISTED = 1000


@dataclass(frozen=True)
class Listed:
    """An indicator as listed: where it comes from, and how well it matches the question."""

    indicator: Indicator
    jurisdiction: str
    citation: str
    score: float | None

    def to_json(self) -> dict[str, object]:
        return {**self.indicator.to_json(), "jurisdiction": self.jurisdiction,
                "citation": self.citation,
                "score": None if self.score is None else round(self.score, 3)}


def list_indicators(searcher: Searcher, query: str | None = None, jurisdiction: str | None = None,
                    limit: int = 100) -> list[Listed]:
    """The indicators of the corpus (or of one place's own documents), those that measure what
    ``query`` asks first and only those when one is given; at most ``limit``.

    Raises:
        BadQuery: an over-long or empty query, or a place the gazetteer does not know.
    """
    index = searcher.index
    documents = list(index.documents.values())
    if jurisdiction is not None:
        place = searcher.gazetteer.resolve(jurisdiction)
        if place is None:
            raise UnknownJurisdiction(f"unknown jurisdiction {jurisdiction!r}")
        documents = [d for d in documents if d.jurisdiction == place.name]
    records = {document.id: document for document in documents}
    indicators = index.indicators(list(records))
    if query is not None:
        query = clean_query(query)
        words = [p.name for p in searcher.gazetteer.find(query)]
        question = asked(query, words + [w[:-1] for w in words if len(w) > 2])
        scored: list[tuple[float | None, Indicator]] = list(matching(question, indicators))
    else:
        scored = [(None, indicator) for indicator in indicators]
    listed = []
    for score, indicator in scored[:max(0, min(limit, MAX_LISTED))]:
        document = records[indicator.document_id]
        label = _label(index, indicator.provision_id)
        listed.append(Listed(indicator, document.jurisdiction, citation(document, label), score))
    return listed


def _label(index: SearchBackend, provision_id: str) -> str:
    key = index.key_of(provision_id)
    return index.provisions[key].label if key is not None else ""
