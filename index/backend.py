"""What the search path asks of an index, whichever engine holds it.

Two backends implement :class:`SearchBackend`: the local one (:class:`index.store.PolicyIndex`:
files in a version folder, rows laid out by place, scopes as ranges of rows) and the engine one
(:class:`index.seekdb.SeekdbIndex`: tables in seekdb or an OceanBase cluster, scopes as SQL
conditions evaluated inside the engine's full-text and vector scans). Ranking, answers,
comparison, the API, the page, chat and MCP only use this interface, so they are the same code
for both (``POLICY_QA_BACKEND=local|seekdb``).

Provisions are named by an integer *key*: a row number in the local backend, a stable number
derived from the provision id in the engine. A *scope* is whatever the backend uses to restrict
a search to some places; the search path only passes it back.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from corpus.indicators import Indicator
from corpus.model import Heading, Provision
from index.analysis import Analyzer
from index.encoders import Encoder
from index.places import PlacePath
from index.records import DocumentRecord

Scope = Any  # a backend's own description of a set of provisions (ranges of rows, SQL condition)
Found = list[tuple[int, float]]  # (key, score), best first
RELATIONS = ("scope", "descendant", "other")


class Provisions(Protocol):
    """The provision records of an index, by key."""

    def __getitem__(self, key: int) -> Provision: ...

    def __iter__(self) -> Iterator[Provision]: ...

    def __len__(self) -> int: ...


class SearchBackend(Protocol):
    """An index the search path can rank, render and cite from."""

    # Read-only properties (a Protocol's plain attributes would have to match types exactly).
    @property
    def name(self) -> str:
        """``local`` or ``seekdb``, as /v1/info reports it."""

    @property
    def analyzer(self) -> Analyzer: ...

    @property
    def encoder(self) -> Encoder: ...

    @property
    def manifest(self) -> Mapping[str, Any]:
        """How the index was built: encoder, analyzer, corpus state, counts."""

    @property
    def documents(self) -> Mapping[str, DocumentRecord]: ...

    @property
    def provisions(self) -> Provisions: ...

    @property
    def provision_counts(self) -> Mapping[str, int]: ...

    @property
    def jurisdictions(self) -> frozenset[str]: ...

    @property
    def levels(self) -> Mapping[str, str]:
        """Each jurisdiction of the corpus with its level (national, province, prefecture, county)."""

    @property
    def version(self) -> str | None:
        """What changes whenever the indexed corpus does (a version id, a corpus generation)."""

    # Scopes ----------------------------------------------------------------------------------

    def groups(self, paths: Sequence[PlacePath]) -> list[tuple[str, Scope]]:
        """For the asked places (their paths from 全国 down): the non-empty groups of provisions
        in ranking order, each with its relation: ``scope`` (the places and their ancestors),
        ``descendant`` (places inside them), ``other`` (the rest)."""

    def own(self, names: Sequence[str]) -> Scope | None:
        """The provisions of documents belonging to the places ``names``; None when none has any."""

    def outside(self, names: Sequence[str]) -> Scope | None:
        """Every provision except those of the places ``names``; None when that is all of them."""

    # Retrieval -------------------------------------------------------------------------------

    def lexical_prepare(self, tokens: list[str]) -> object:
        """Whatever makes several lexical searches of one query cheaper (BM25 scores of every
        row in the local backend); passed back to :meth:`lexical_search`."""

    def lexical_search(self, tokens: list[str], k: int, scope: Scope | None,
                       prepared: object = None) -> Found:
        """The best ``k`` provisions by BM25 with a positive score, inside ``scope`` (all when None)."""

    def dense_search(self, vector: npt.NDArray[np.float32], k: int, scope: Scope | None) -> Found:
        """The ``k`` provisions nearest to ``vector`` (inner product), inside ``scope``."""

    def retrieve(self, tokens: list[str], vector: npt.NDArray[np.float32] | None, k: int,
                 scope: Scope | None, prepared: object = None) -> tuple[Found, Found]:
        """Both retrievers' best ``k`` inside ``scope``: lexical (none without tokens) and dense
        (none without a vector). An engine runs the two at once."""

    def idf(self, token: str) -> float:
        """How rare a token is across provisions: log(1 + N / df); unseen tokens count as rarest."""

    def coverage(self, tokens: list[str]) -> float:
        """The share of query tokens the lexical index knows."""

    # Records -----------------------------------------------------------------------------------

    def document_of(self, provision: Provision) -> DocumentRecord: ...

    def key_of(self, provision_id: str) -> int | None: ...

    def provisions_of(self, document_id: str) -> list[Provision]: ...

    def outline(self, document_id: str) -> tuple[Heading, ...]: ...

    def indicators(self, document_ids: Iterable[str] | None = None) -> list[Indicator]:
        """The indicators the documents ``document_ids`` state (every document's when None)."""
