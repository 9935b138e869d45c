"""The engine backend's read side: an index whose provisions live in seekdb or OceanBase.

:class:`SeekdbIndex` implements :class:`index.backend.SearchBackend`. It holds the documents
table (small: one row per document) and the corpus generation it was opened at; provisions are
fetched by key when a hit is rendered (cached), and every search runs inside the engine: BM25 on
the full-text index and kNN on the HNSW index, each restricted by the scope's condition on the
place column, which the engine applies inside its scan (pre-filter), never by fetching more and
dropping. Each thread has its own connection; a connection lost to a restarted engine is opened
again on the next call, and an engine that does not answer is an :class:`EngineError`.
"""

from __future__ import annotations

import json
import math
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pymysql

from corpus.indicators import Indicator
from corpus.model import Heading, Provision
from index.analysis import Analyzer
from index.encoders import Encoder
from index.errors import EngineError
from index.places import PlacePath, place_path
from index.records import DocumentRecord
from index.seekdb import schema
from index.seekdb.engine import EngineUrl

PROVISION_CACHE = 20_000
K1, B = 1.5, 0.75  # bm25s's defaults, which the local backend uses
EF_SEARCH = 400  # per connection; seekdb's 64 gives recall@10 ≈ 0.68 on spread-out vectors
RESCORE = 2  # the engine's best k × RESCORE by its own BM25 are ranked again by ours
COMMON = 0.02  # a token in more than this share of provisions does not look for candidates
NATIONAL = "全国"  # the place path (and partition) of national documents
NO_TABLE = 1146  # MySQL's "table doesn't exist": an engine no index was written to yet
# Lexical searches run here while the request's thread runs the dense one (each thread has its
# own engine connection); as many as requests can run searches at once (api/admission.py).
_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="engine-lexical")


@dataclass(frozen=True)
class Part:
    """A condition on pq_provisions' columns, with its parameters."""

    sql: str
    params: tuple[str, ...]


@dataclass(frozen=True)
class Condition:
    """A scope as SQL: disjoint parts, each searched by the engine on its own and their best
    merged (exactly: each part's best k contain the union's best k). 全国 is a part of its own,
    ``province = '全国'``, because seekdb answers a condition on the partition key from the HNSW
    index (1 ms at 200k provisions) and ``place = '全国'`` by scanning its 20,000 rows (85 ms)."""

    parts: tuple[Part, ...]


class Connections:
    """One engine connection per thread, opened again after the engine went away."""

    def __init__(self, url: EngineUrl) -> None:
        self.url = url
        self._local = threading.local()

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of a read-only statement (autocommit off: each read ends its snapshot).

        Raises:
            EngineError: the engine does not answer (once reconnected) or rejects the statement.
        """
        for attempt in (1, 2):
            connection = getattr(self._local, "connection", None)
            try:
                if connection is None:
                    connection = self._local.connection = self.url.connect(timeout=5)
                    with connection.cursor() as cursor:
                        cursor.execute(f"SET ob_hnsw_ef_search = {EF_SEARCH}")
                with connection.cursor() as cursor:
                    cursor.execute(sql, tuple(params))
                    rows = list(cursor.fetchall())
                connection.rollback()
                return rows
            except (pymysql.OperationalError, pymysql.InterfaceError) as error:
                self._local.connection = None
                if attempt == 2:
                    raise EngineError(f"the engine at {self.url.address} does not answer: {error}") from error
            except pymysql.Error as error:
                raise EngineError(f"the engine at {self.url.address} refused a query: {error}") from error
        raise AssertionError("unreachable")


def generation(connections: Connections) -> str | None:
    """The engine's corpus generation (changes with every committed write), None before any index."""
    try:
        rows = connections.query("SELECT value FROM pq_meta WHERE name = 'generation'")
    except EngineError as error:
        cause = error.__cause__
        if isinstance(cause, pymysql.ProgrammingError) and cause.args and cause.args[0] == NO_TABLE:
            return None
        raise
    return str(rows[0][0]) if rows else None


class EngineProvisions:
    """Provision records by key, kept as the searches return them (a bounded LRU), and fetched
    from the engine for a key they did not return: a lookup by key alone probes every partition,
    so the searches bring each candidate's record with them."""

    def __init__(self, connections: Connections, size: int) -> None:
        self._connections = connections
        self._size = size
        self._cache: OrderedDict[int, Provision] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, key: int, record: str) -> None:
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return
        provision = Provision.from_json(json.loads(record))
        with self._lock:
            self._cache[key] = provision
            if len(self._cache) > PROVISION_CACHE:
                self._cache.popitem(last=False)

    def __getitem__(self, key: int) -> Provision:
        with self._lock:
            provision = self._cache.get(key)
            if provision is not None:
                self._cache.move_to_end(key)
                return provision
        rows = self._connections.query("SELECT record FROM pq_provisions WHERE pkey = %s", (key,))
        if not rows:
            raise KeyError(key)
        self.remember(key, rows[0][0])
        return self[key]

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[Provision]:
        rows = self._connections.query("SELECT record FROM pq_provisions ORDER BY document_id, position")
        return (Provision.from_json(json.loads(record)) for (record,) in rows)


class SeekdbIndex:
    """A corpus as the engine holds it at one generation."""

    name = "seekdb"

    def __init__(self, url: EngineUrl, encoder: Encoder, analyzer: Analyzer,
                 connections: Connections | None = None) -> None:
        self.url = url
        self.encoder = encoder
        self.analyzer = analyzer
        self._connections = connections or Connections(url)
        meta = dict(self._connections.query("SELECT name, value FROM pq_meta"))
        if not meta:
            raise EngineError(f"the engine at {url.address} holds no policy-qa index yet")
        recorded = json.loads(meta["encoder"])
        if recorded.get("name") != encoder.name or int(recorded.get("dimension") or 0) != encoder.dimension:
            raise EngineError(f"the engine at {url.address} holds vectors of {recorded.get('name')}, "
                              f"not {encoder.name}: serve with that encoder")
        if meta.get("analyzer") != analyzer.fingerprint:
            raise EngineError(f"the engine at {url.address} was indexed with another analyzer "
                              "dictionary: index again (policy-qa build --backend seekdb)")
        self.manifest: dict[str, Any] = {
            "format_version": f"seekdb-{meta.get('schema_version')}", "version": meta.get("generation"),
            "built": meta.get("built"), "encoder": recorded,
            "analyzer": {"fingerprint": analyzer.fingerprint},
            "corpus": {"hash": meta.get("corpus_hash")}, "backend": "seekdb",
            "engine": url.address}
        rows = self._connections.query("SELECT id, place, provisions, record FROM pq_documents "
                                       "ORDER BY place, id")
        self.documents = {str(i): DocumentRecord.from_json(json.loads(record)) for i, _, _, record in rows}
        self.provision_counts = {str(i): int(count) for i, _, count, _ in rows}
        self._places = {str(i): str(place) for i, place, _, _ in rows}
        self.jurisdictions = frozenset(d.jurisdiction for d in self.documents.values())
        self.levels = {d.jurisdiction: d.level for d in self.documents.values()}
        self._present = frozenset(self._places.values())
        size = sum(self.provision_counts.values())
        self._average_length = max(1.0, int(meta.get("tokens", 0)) / max(1, size))
        self.manifest["counts"] = {"documents": len(self.documents), "provisions": size}
        self.provisions = EngineProvisions(self._connections, size)
        self._df: dict[str, int] = {}
        self._indicators: dict[str, list[Indicator]] = {}

    @property
    def version(self) -> str | None:
        return str(self.manifest["version"]) if self.manifest.get("version") is not None else None

    # Scopes --------------------------------------------------------------------------------

    def groups(self, paths: Sequence[PlacePath]) -> list[tuple[str, Condition]]:
        """The scope (the places and their ancestors), descendants and the rest, as conditions
        naming the places present in the corpus (partition pruning by their provinces)."""
        scope = {schema.place_text(path[:depth]) for path in paths for depth in range(1, len(path) + 1)}
        prefixes = tuple(schema.place_text(path) + schema.SEPARATOR for path in paths)
        in_scope = sorted(self._present & scope)
        below = sorted(p for p in self._present - scope if p.startswith(prefixes))
        groups: list[tuple[str, Condition]] = []
        if in_scope:
            groups.append(("scope", _within(in_scope)))
        if below:
            groups.append(("descendant", _within(below)))
        if len(in_scope) + len(below) < len(self._present):
            groups.append(("other", _outside([*in_scope, *below])))
        return groups

    def own(self, names: Sequence[str]) -> Condition | None:
        places = sorted({self._places[d.id] for d in self.documents.values() if d.jurisdiction in names})
        return _within(places) if places else None

    def outside(self, names: Sequence[str]) -> Condition | None:
        places = {self._places[d.id] for d in self.documents.values() if d.jurisdiction in names}
        return _outside(sorted(places)) if self._present - places else None

    # Retrieval -----------------------------------------------------------------------------

    def lexical_prepare(self, tokens: list[str]) -> None:
        self._fetch_frequencies(tokens)

    def lexical_search(self, tokens: list[str], k: int, scope: Condition | None,
                       prepared: object = None) -> list[tuple[int, float]]:
        """The engine's full-text index finds candidates inside the scope; they are ranked by
        the same BM25 as the local backend's (bm25s's Lucene variant, k1 1.5, b 0.75, over
        provision document frequencies and lengths), so both backends rank alike. The engine's
        own BM25 differs in length normalisation: ranking by it cost 0.06 hit@1 on the public set.
        Candidates are found by the query's selective tokens: the engine's full-text search reads
        every posting of a common token (服务 in a fifth of 200,000 provisions: 0.5–2.5 s)."""
        known = [t for t in tokens if self._frequency(t)]  # repeats count, as in bm25s
        if not known:
            return []
        query = " ".join(self._selective(known))
        rows: list[tuple[Any, ...]] = []
        for part in (scope.parts if scope else (Part("1 = 1", ()),)):
            rows += self._connections.query(
                "SELECT pkey, tokens, record, MATCH(tokens) AGAINST(%s IN NATURAL LANGUAGE MODE) AS score "
                f"FROM pq_provisions WHERE MATCH(tokens) AGAINST(%s IN NATURAL LANGUAGE MODE) AND {part.sql} "
                "ORDER BY score DESC, pkey LIMIT %s", (query, query, *part.params, k * RESCORE))
        scored = [(int(key), self._bm25(known, str(text).split())) for key, text, _, _ in rows]
        scored = sorted(((key, score) for key, score in scored if score > 0),
                        key=lambda found: (-found[1], found[0]))[:k]
        kept = {key for key, _ in scored}
        for key, _, record, _ in rows:
            if int(key) in kept:
                self.provisions.remember(int(key), record)
        return scored

    def _selective(self, tokens: list[str]) -> list[str]:
        """The tokens that find candidates: those in at most COMMON of the provisions (and at
        least 1,000), or the three rarest when every one is common."""
        distinct = sorted(dict.fromkeys(tokens), key=self._frequency)
        limit = max(1000, COMMON * len(self.provisions))
        rare = [t for t in distinct if self._frequency(t) <= limit]
        return rare if rare else distinct[:3]

    def _bm25(self, query: list[str], document: list[str]) -> float:
        counts = Counter(document)
        norm = K1 * (1 - B + B * len(document) / self._average_length)
        size = len(self.provisions)
        score = 0.0
        for token in query:
            tf = counts.get(token, 0)
            if tf:
                df = self._frequency(token)
                score += math.log(1 + (size - df + 0.5) / (df + 0.5)) * tf / (tf + norm)
        return score

    def dense_search(self, vector: npt.NDArray[np.float32], k: int, scope: Condition | None
                     ) -> list[tuple[int, float]]:
        if not self.encoder.dimension:
            return []
        rows = []
        for part in (scope.parts if scope else (None,)):
            rows += self._connections.query(*dense_query(vector, k, part))
        rows.sort(key=lambda row: (float(row[2]), int(row[0])))
        for key, record, _ in rows[:k]:
            self.provisions.remember(int(key), record)
        return [(int(key), -float(distance)) for key, _, distance in rows[:k]]

    def retrieve(self, tokens: list[str], vector: npt.NDArray[np.float32] | None, k: int,
                 scope: Condition | None, prepared: object = None
                 ) -> tuple[list[tuple[int, float]], list[tuple[int, float]]]:
        """BM25 and kNN at once, each on a connection of its own: the engine's two searches
        overlap instead of adding up."""
        if not tokens or vector is None or not self.encoder.dimension:
            return (self.lexical_search(tokens, k, scope) if tokens else [],
                    self.dense_search(vector, k, scope) if vector is not None else [])
        self._fetch_frequencies(tokens)  # on this thread, before the lexical thread reads them
        lexical = _POOL.submit(self.lexical_search, tokens, k, scope)
        dense = self.dense_search(vector, k, scope)
        return lexical.result(), dense

    def idf(self, token: str) -> float:
        return math.log(1.0 + len(self.provisions) / max(1, self._frequency(token)))

    def coverage(self, tokens: list[str]) -> float:
        if not tokens:
            return 0.0
        self._fetch_frequencies(tokens)
        return sum(1 for token in tokens if self._df.get(token)) / len(tokens)

    def _frequency(self, token: str) -> int:
        if token not in self._df:
            self._fetch_frequencies([token])
        return self._df.get(token, 0)

    def _fetch_frequencies(self, tokens: Sequence[str]) -> None:
        missing = [t for t in dict.fromkeys(tokens) if t not in self._df]
        if not missing:
            return
        marks = ", ".join(["%s"] * len(missing))
        found = dict(self._connections.query(f"SELECT token, df FROM pq_terms WHERE token IN ({marks})",
                                             missing))
        for token in missing:
            self._df[token] = int(found.get(token, 0))

    # Records -------------------------------------------------------------------------------

    def document_of(self, provision: Provision) -> DocumentRecord:
        """The provision's document; one written since this generation was opened (another
        replica's upload, found before the switch to the new generation) is read from the engine."""
        document = self.documents.get(provision.document_id)
        if document is None:
            rows = self._connections.query("SELECT record FROM pq_documents WHERE id = %s",
                                           (provision.document_id,))
            if not rows:
                raise EngineError(f"the engine at {self.url.address} changed during the search: retry")
            document = DocumentRecord.from_json(json.loads(rows[0][0]))
        return document

    def key_of(self, provision_id: str) -> int | None:
        key = schema.provision_key(provision_id)
        try:
            return key if self.provisions[key].id == provision_id else None
        except KeyError:
            return None

    def provisions_of(self, document_id: str) -> list[Provision]:
        rows = self._connections.query("SELECT record FROM pq_provisions WHERE document_id = %s "
                                       "ORDER BY position", (document_id,))
        return [Provision.from_json(json.loads(record)) for (record,) in rows]

    def indicators(self, document_ids: Iterable[str] | None = None) -> list[Indicator]:
        """Read from the engine on first use and kept for this generation (a new generation is
        a new SeekdbIndex)."""
        wanted = list(self.documents) if document_ids is None else list(document_ids)
        missing = [d for d in wanted if d not in self._indicators]
        for start in range(0, len(missing), 500):
            part = missing[start:start + 500]
            rows = self._connections.query(
                f"SELECT id, indicators FROM pq_documents WHERE id IN ({_marks(part)})", part)
            for document_id, raw in rows:
                self._indicators[str(document_id)] = [Indicator.from_json(i) for i in json.loads(raw)]
        return [i for d in wanted for i in self._indicators.get(d, [])]

    def outline(self, document_id: str) -> tuple[Heading, ...]:
        rows = self._connections.query("SELECT outline FROM pq_documents WHERE id = %s", (document_id,))
        return tuple(Heading.from_json(h) for h in json.loads(rows[0][0])) if rows else ()

    @staticmethod
    def path_of(document: DocumentRecord) -> PlacePath:
        return place_path(document.jurisdiction, document.parents)


def dense_query(vector: npt.NDArray[np.float32], k: int, part: Part | None
                ) -> tuple[str, tuple[object, ...]]:
    """The kNN statement: ORDER BY negative_inner_product … APPROXIMATE, the form seekdb answers
    from its HNSW index (ORDER BY inner_product … DESC would scan the table); the part's
    condition is applied inside the index scan (its plan: VECTOR INDEX ADAPTIVE SCAN (PRE-FILTER))."""
    literal = json.dumps(np.asarray(vector, np.float32).tolist())  # '[…]', what VECTOR reads
    where, params = (f"WHERE {part.sql} ", part.params) if part else ("", ())
    return (f"SELECT pkey, record, negative_inner_product(vector, %s) AS distance FROM pq_provisions "
            f"{where}ORDER BY distance APPROXIMATE LIMIT %s", (literal, *params, k))


def _within(places: Sequence[str]) -> Condition:
    parts = []
    if NATIONAL in places:
        parts.append(Part("province = %s", (NATIONAL,)))
    local = [p for p in places if p != NATIONAL]
    if local:
        provinces = sorted({schema.province_of(tuple(p.split(schema.SEPARATOR))) for p in local})
        parts.append(Part(f"province IN ({_marks(provinces)}) AND place IN ({_marks(local)})",
                          (*provinces, *local)))
    return Condition(tuple(parts))


def _outside(places: Sequence[str]) -> Condition:
    part = Part(f"place NOT IN ({_marks(places)})", tuple(places)) if places else Part("1 = 1", ())
    return Condition((part,))


def _marks(values: Sequence[str]) -> str:
    return ", ".join(["%s"] * len(values))
