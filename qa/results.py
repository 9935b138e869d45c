"""The search result: one shape for the library, the CLI's ``--json`` and the HTTP API."""

from __future__ import annotations

from dataclasses import dataclass, field

from corpus.figures import Figure
from index.records import DocumentRecord


@dataclass(frozen=True)
class RetrieverScore:
    """One retriever's opinion of a hit: its raw score and the rank it gave (1 = best)."""

    score: float
    rank: int


@dataclass(frozen=True)
class Hit:
    rank: int
    provision_id: str
    score: float  # the fused score the ranking used
    scores: dict[str, RetrieverScore | None]  # bm25, dense: None when that retriever missed it
    relation: str | None  # exact | ancestor | descendant | other; None when no place was asked
    kind: str
    text: str
    answer: str
    answer_start: int  # offsets of the answer inside ``text``
    answer_end: int
    figures: tuple[Figure, ...]  # every figure of ``text``, offsets into it
    path: tuple[str, ...]
    label: str
    citation: str
    document: DocumentRecord
    start: int  # the provision's offsets in the document's rendition
    end: int
    page: int | None = None  # the page it starts on, for PDF and OFD documents

    def to_json(self) -> dict[str, object]:
        return {
            "rank": self.rank,
            "provision_id": self.provision_id,
            "score": round(self.score, 6),
            "scores": {name: (None if value is None else {"score": round(value.score, 6),
                                                          "rank": value.rank})
                       for name, value in self.scores.items()},
            "relation": self.relation,
            "kind": self.kind,
            "text": self.text,
            "answer": self.answer,
            "answer_offsets": {"start": self.answer_start, "end": self.answer_end},
            "figures": [figure.to_json() for figure in self.figures],
            "path": list(self.path),
            "label": self.label,
            "citation": self.citation,
            "document": self.document.summary(),
            "source": {"file": self.document.file, "rendition": self.document.rendition,
                       "start": self.start, "end": self.end, "page": self.page},
        }


@dataclass(frozen=True)
class JurisdictionInfo:
    """Where a search looked: the place asked or named, and the scope it and its ancestors make.

    ``covered`` is false when no document of the corpus applies there at all; ``local`` is false
    when the only documents that apply are national ones (the place, its prefecture and province
    have none of their own).
    """

    requested: str | None
    detected: tuple[str, ...]
    scope: tuple[str, ...]
    covered: bool
    local: bool = True

    def to_json(self) -> dict[str, object]:
        return {"requested": self.requested, "detected": list(self.detected),
                "scope": list(self.scope), "covered": self.covered, "local": self.local}


@dataclass(frozen=True)
class SearchResult:
    query: str
    jurisdiction: JurisdictionInfo
    hits: tuple[Hit, ...] = field(default=())

    def to_json(self) -> dict[str, object]:
        return {"query": self.query, "jurisdiction": self.jurisdiction.to_json(),
                "hits": [hit.to_json() for hit in self.hits]}


def citation(document: DocumentRecord, label: str) -> str:
    """One line a person can paste: 《title》（文号）label."""
    number = f"（{document.number}）" if document.number else ""
    return f"《{document.title}》{number}{label}"
