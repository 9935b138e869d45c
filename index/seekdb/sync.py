"""The engine backend's write side: documents into the engine, each change one transaction.

:func:`sync` makes the engine hold exactly a corpus folder (``policy-qa build --backend seekdb``,
and a service that finds an empty engine); :func:`apply` writes only the documents a job changed
(an upload through one API replica must not remove what another replica uploaded). Both parse
through the parse cache and encode through the embedding cache, like the local build, so only
what changed costs anything.

A document's change is one transaction (a bulk load groups documents, up to 5,000 provisions, in
one): its old rows out, its new rows in, the term frequencies and the provision count adjusted,
and the corpus generation advanced. Every replica sees the
change, whole, once it commits (they watch the generation); an engine that goes away in the
middle leaves the document as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np
import pymysql

from corpus import CorpusFolder
from index.analysis import Analyzer
from index.encoders import EmbeddingCache, Encoder
from index.errors import EngineError
from index.indicators import indicators_of
from index.parsing import Parsed, parse_all
from index.places import place_path
from index.records import passage_text
from index.seekdb import schema
from index.seekdb.engine import EngineUrl

log = logging.getLogger("policy_qa.build")
BATCH = 200  # rows per INSERT statement
GROUP_ROWS = 5000  # provisions per transaction in a bulk write (a job's one document is one)
REBUILD_FROM, REBUILD_SHARE = 10_000, 0.2  # a write this large rebuilds the vector index
Progress = Callable[[int, int], Callable[[int], None]]


def encoder_meta(encoder: Encoder) -> dict[str, object]:
    return {"name": encoder.name, "dimension": encoder.dimension}


def sync(url: EngineUrl, corpus: Path, encoder: Encoder, analyzer: Analyzer, cache: Path,
         progress: Progress | None = None) -> Counter[str]:
    """Make the engine hold the corpus folder: new and changed documents written, documents no
    longer in the folder removed. Counts of ``written``, ``removed`` and ``unchanged``.

    Raises:
        CorpusError: a document cannot be read (nothing is written for it; the others are).
        EngineError: the engine is unreachable or holds another encoder's index.
    """
    folder = CorpusFolder(corpus)
    with folder.lock():
        parsed = _parse(folder, analyzer, cache, None)
        with _Writer(url, encoder, analyzer, cache) as writer:
            counts = writer.write(parsed, progress)
            present = {entry.record.id for entry in parsed}
            for document_id in sorted(set(writer.sources) - present):
                writer.remove(document_id)
                counts["removed"] += 1
            writer.set_meta({"corpus_hash": folder.hash()})
            writer.rebuild_vectors_if_grown()
    return counts


def apply(url: EngineUrl, corpus: Path, encoder: Encoder, analyzer: Analyzer, cache: Path,
          names: Sequence[str] = (), removed: Sequence[str] = (), progress: Progress | None = None
          ) -> Counter[str]:
    """Write the documents ``names`` of the corpus folder (files under documents/) and remove the
    documents ``removed`` (ids), leaving every other document of the engine as it is. The caller
    holds the corpus folder's lock."""
    folder = CorpusFolder(corpus)
    parsed = _parse(folder, analyzer, cache, names) if names else []
    with _Writer(url, encoder, analyzer, cache) as writer:
        counts = writer.write(parsed, progress)
        for document_id in removed:
            if writer.remove(document_id):
                counts["removed"] += 1
    return counts


def _parse(folder: CorpusFolder, analyzer: Analyzer, cache: Path, names: Sequence[str] | None
           ) -> list[Parsed]:
    vocabulary: dict[str, int] = {}
    parsed = parse_all(folder, folder.catalog(), analyzer, cache / "parsed", vocabulary, names)
    # The engine indexes token strings (its full-text parser splits them on spaces).
    words = list(vocabulary)
    return [Parsed(e.record, e.provisions, e.outline, [[words[i] for i in ids] for ids in e.ids], e.cached,
                   [], e.source) for e in parsed]


class _Writer:
    def __init__(self, url: EngineUrl, encoder: Encoder, analyzer: Analyzer, cache: Path) -> None:
        self.url = url
        self.encoder = encoder
        self.embeddings = EmbeddingCache(cache / "embeddings", encoder)
        self.rows_written = 0
        self.connection = url.connect()
        try:
            schema.ensure(self.connection, encoder_meta(encoder), analyzer.fingerprint)
            self.sources: dict[str, str] = {str(document): str(source) for document, source in
                                            self._query("SELECT id, source_key FROM pq_documents")}
        except BaseException:
            self.connection.close()
            raise

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.connection.close()

    def _query(self, sql: str, params: Iterable[object] = ()) -> list[tuple[object, ...]]:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, tuple(params))
            rows = list(cursor.fetchall())
        self.connection.commit()
        return rows

    def write(self, parsed: list[Parsed], progress: Progress | None) -> Counter[str]:
        counts: Counter[str] = Counter()
        changed = [e for e in parsed if self.sources.get(e.record.id) != e.source]
        counts["unchanged"] = len(parsed) - len(changed)
        passages = [[passage_text(p, e.record) for p in e.provisions] for e in changed]
        total = sum(len(p) for p in passages)
        missing = sum(1 for texts in passages for text in set(texts) if not self.embeddings.has(text))
        log.info("writing %d documents to the engine (%d passages, %d to encode)",
                 len(changed), total, missing)
        tick = progress(total, missing) if progress else None
        group: list[tuple[Parsed, np.ndarray]] = []
        for entry, texts in zip(changed, passages, strict=True):
            vectors, _ = self.embeddings.encode_passages(texts, tick) if texts else (np.zeros((0, 0)), 0)
            group.append((entry, vectors))
            if sum(len(e.provisions) for e, _ in group) >= GROUP_ROWS:
                counts["written"] += self._replace(group)
                group = []
        if group:
            counts["written"] += self._replace(group)
        return counts

    def rebuild_vectors_if_grown(self) -> None:
        """Rebuild the HNSW index after a bulk write. seekdb keeps rows written after the index
        was built in an incremental part that searches scan (an unscoped kNN at 200,000 rows took
        105 ms before the rebuild and 26 ms after); it merges them by itself every 15 minutes
        at most, and rebuilds when a fifth is new."""
        if not self.encoder.dimension or self.rows_written < REBUILD_FROM:
            return
        (total,), = self._query("SELECT value FROM pq_meta WHERE name = 'provisions'")
        if self.rows_written < REBUILD_SHARE * int(str(total)):
            return
        log.info("rebuilding the engine's vector index (%d of %s provisions new)", self.rows_written, total)
        try:
            with self.url.connect(read_timeout=None) as connection, connection.cursor() as cursor:
                cursor.execute("CALL DBMS_VECTOR.REBUILD_INDEX('pq_vec', 'pq_provisions', 'vector', 0)")
        except pymysql.Error as error:
            raise EngineError(f"rebuilding the vector index in the engine at {self.url.address} failed "
                              f"(the written documents stay, and the engine rebuilds it by itself): {error}"
                              ) from error

    def remove(self, document_id: str) -> bool:
        if document_id not in self.sources:
            return False
        self._transaction(lambda cursor: self._delete(cursor, document_id))
        del self.sources[document_id]
        return True

    def set_meta(self, values: dict[str, str]) -> None:
        def change(cursor: pymysql.cursors.Cursor) -> None:
            cursor.executemany("REPLACE INTO pq_meta (name, value) VALUES (%s, %s)", list(values.items()))
        self._transaction(change, advance=False)

    def _replace(self, group: list[tuple[Parsed, np.ndarray]]) -> int:
        """Write documents (with their vectors) in one transaction: each one's old rows out and
        new rows in, the term frequencies adjusted once for all of them (a term's row is updated
        once per group, not once per document: that was most of a bulk load's time)."""
        rows, documents = [], []
        frequencies: Counter[str] = Counter()
        length = 0
        for entry, vectors in group:
            record = entry.record
            path = place_path(record.jurisdiction, record.parents)
            place, province = schema.place_text(path), schema.province_of(path)
            for position, (provision, tokens) in enumerate(zip(entry.provisions, entry.tokens, strict=True)):
                frequencies.update(set(tokens))
                length += len(tokens)
                row = [schema.provision_key(provision.id), province, place, record.id, position,
                       json.dumps(provision.to_json(), ensure_ascii=False), " ".join(tokens)]
                if self.encoder.dimension:
                    row.append(json.dumps(vectors[position].astype(float).round(7).tolist()))  # "[…]"
                rows.append(row)
            documents.append((record.id, place, entry.source, len(entry.provisions),
                              json.dumps(record.to_json(), ensure_ascii=False),
                              json.dumps([h.to_json() for h in entry.outline], ensure_ascii=False),
                              json.dumps([i.to_json() for i in indicators_of(entry)],
                                         ensure_ascii=False)))
        columns = "pkey, province, place, document_id, position, record, tokens" + \
            (", vector" if self.encoder.dimension else "")
        marks = ", ".join(["%s"] * (8 if self.encoder.dimension else 7))

        def change(cursor: pymysql.cursors.Cursor) -> None:
            for entry, _ in group:
                if entry.record.id in self.sources:
                    self._delete(cursor, entry.record.id)
            for start in range(0, len(rows), BATCH):
                cursor.executemany(f"INSERT INTO pq_provisions ({columns}) VALUES ({marks})",
                                   rows[start:start + BATCH])
            cursor.executemany("INSERT INTO pq_documents (id, place, source_key, provisions, record, "
                               "outline, indicators) VALUES (%s, %s, %s, %s, %s, %s, %s)", documents)
            _count_terms(cursor, frequencies, +1)
            _add_provisions(cursor, len(rows), length)

        self._transaction(change)
        self.rows_written += len(rows)
        for entry, _ in group:
            self.sources[entry.record.id] = entry.source
        return len(group)

    def _delete(self, cursor: pymysql.cursors.Cursor, document_id: str) -> None:
        cursor.execute("SELECT tokens FROM pq_provisions WHERE document_id = %s", (document_id,))
        old = cursor.fetchall()
        if old:
            frequencies: Counter[str] = Counter()
            length = 0
            for (tokens,) in old:
                words = str(tokens).split()
                frequencies.update(set(words))
                length += len(words)
            _count_terms(cursor, frequencies, -1)
            cursor.execute("DELETE FROM pq_provisions WHERE document_id = %s", (document_id,))
            _add_provisions(cursor, -len(old), -length)
        cursor.execute("DELETE FROM pq_documents WHERE id = %s", (document_id,))

    def _transaction(self, change: Callable[[pymysql.cursors.Cursor], None], advance: bool = True) -> None:
        try:
            with self.connection.cursor() as cursor:
                change(cursor)
                if advance:
                    cursor.execute("UPDATE pq_meta SET value = CAST(value AS SIGNED) + 1 "
                                   "WHERE name = 'generation'")
                    cursor.execute("REPLACE INTO pq_meta (name, value) VALUES ('built', %s)",
                                   (dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),))
            self.connection.commit()
        except pymysql.Error as error:
            with contextlib.suppress(pymysql.Error):  # a lost connection: the engine drops it itself
                self.connection.rollback()
            raise EngineError(f"writing to the engine at {self.url.address} failed, nothing of this "
                              f"document was kept: {error}") from error


def _count_terms(cursor: pymysql.cursors.Cursor, frequencies: Counter[str], sign: int) -> None:
    rows = [(token[:255], sign * count) for token, count in frequencies.items()]
    for start in range(0, len(rows), 1000):
        cursor.executemany("INSERT INTO pq_terms (token, df) VALUES (%s, %s) "
                           "ON DUPLICATE KEY UPDATE df = df + VALUES(df)", rows[start:start + 1000])
    if sign < 0:
        cursor.execute("DELETE FROM pq_terms WHERE df <= 0")


def _add_provisions(cursor: pymysql.cursors.Cursor, count: int, tokens: int) -> None:
    """Provisions and tokens in the corpus: BM25's N and average length (index/seekdb/store.py)."""
    for name, change in (("provisions", count), ("tokens", tokens)):
        cursor.execute("UPDATE pq_meta SET value = CAST(value AS SIGNED) + %s WHERE name = %s",
                       (change, name))
