"""The tables the engine backend keeps in seekdb or OceanBase, created and migrated here.

::

    pq_meta         name → value: schema version, encoder and analyzer, corpus generation
    pq_documents    each document: its record, outline, indicators, place path and source key
    pq_provisions   each provision: record, jieba tokens (BM25 full-text index, ``space``
                    parser, tokens of one character and up), vector (HNSW, inner product),
                    place path; partitioned by province
    pq_terms        document frequency of each token, for the answer extractor's idf

A provision's key is a number made from its id (:func:`provision_key`), the same in every
replica. Rows are partitioned by province (全国 for national documents): a scope is one province
and 全国, so a scoped search reads two partitions (partition pruning), and the partitions spread
over a cluster's nodes. The partition key must be part of the primary key, hence (key, province).
"""

from __future__ import annotations

import hashlib
import json

import pymysql

from index.errors import EngineError
from index.places import PlacePath

SCHEMA_VERSION = 2  # 2: pq_documents.indicators
PARTITIONS = 16  # provinces spread over partitions; OceanBase advises a few per node and core
SEPARATOR = "/"
COUNTERS = {"generation": "0", "provisions": "0", "tokens": "0"}  # pq_meta's running counts


def provision_key(provision_id: str) -> int:
    """A provision's key: 63 bits of the SHA-256 of its id (collisions: ~10^-6 at 10^7 provisions)."""
    return int.from_bytes(hashlib.sha256(provision_id.encode()).digest()[:8], "big") >> 1


def place_text(path: PlacePath) -> str:
    """A place path as the engine stores it: 全国/江苏省/南通市/如皋市."""
    return SEPARATOR.join(path)


def province_of(path: PlacePath) -> str:
    """The partition of a place: its province, or 全国 for the country itself."""
    return path[1] if len(path) > 1 else path[0]


def tables(dimension: int) -> list[str]:
    vector_column = f"vector VECTOR({dimension}) NOT NULL," if dimension else ""
    vector_index = (",\n  VECTOR INDEX pq_vec (vector) WITH (distance=inner_product, type=hnsw, lib=vsag)"
                    if dimension else "")
    return [
        "CREATE TABLE IF NOT EXISTS pq_meta (name VARCHAR(64) PRIMARY KEY, value LONGTEXT NOT NULL)",
        """CREATE TABLE IF NOT EXISTS pq_documents (
  id VARCHAR(255) PRIMARY KEY,
  place VARCHAR(512) NOT NULL,
  source_key CHAR(64) NOT NULL,
  provisions INT NOT NULL,
  record LONGTEXT NOT NULL,
  outline LONGTEXT NOT NULL,
  indicators LONGTEXT NOT NULL)""",
        f"""CREATE TABLE IF NOT EXISTS pq_provisions (
  pkey BIGINT NOT NULL,
  province VARCHAR(64) NOT NULL,
  place VARCHAR(512) NOT NULL,
  document_id VARCHAR(255) NOT NULL,
  position INT NOT NULL,
  record LONGTEXT NOT NULL,
  tokens LONGTEXT NOT NULL,
  {vector_column}
  PRIMARY KEY (pkey, province),
  KEY pq_by_document (document_id, position) LOCAL,
  KEY pq_by_place (place) LOCAL,
  FULLTEXT INDEX pq_ft (tokens) WITH PARSER space PARSER_PROPERTIES=(min_token_size=1){vector_index}
) PARTITION BY KEY(province) PARTITIONS {PARTITIONS}""",
        "CREATE TABLE IF NOT EXISTS pq_terms (token VARCHAR(255) PRIMARY KEY, df BIGINT NOT NULL)",
    ]


def ensure(connection: pymysql.Connection, encoder: dict[str, object], analyzer: str) -> dict[str, str]:
    """Create the tables if missing and return the meta values; refuse an engine that holds an
    index of another schema, encoder or analyzer (its vectors or tokens would not match ours).

    Raises:
        EngineError: what differs, and what to do.
    """
    dimension = int(str(encoder.get("dimension") or 0))
    with connection.cursor() as cursor:
        for statement in tables(dimension):
            cursor.execute(statement)
        cursor.execute("SELECT name, value FROM pq_meta")
        meta = {str(name): str(value) for name, value in cursor.fetchall()}
        wanted = {"schema_version": str(SCHEMA_VERSION), "encoder": json.dumps(encoder, sort_keys=True),
                  "analyzer": analyzer}
        if not meta:
            cursor.executemany("INSERT INTO pq_meta (name, value) VALUES (%s, %s)",
                               [*wanted.items(), *COUNTERS.items()])
            connection.commit()
            return {**wanted, **COUNTERS}
    if meta.get("schema_version") != wanted["schema_version"]:
        raise EngineError(f"the engine holds policy-qa schema {meta.get('schema_version')}, this "
                          f"version uses {SCHEMA_VERSION}: use another database, or drop this one and "
                          "index again (policy-qa build --backend seekdb)")
    if meta.get("encoder") != wanted["encoder"]:
        raise EngineError(f"the engine holds vectors of {meta.get('encoder')}, not {wanted['encoder']}: "
                          "serve with that encoder, or use another database")
    if meta.get("analyzer") != analyzer:
        raise EngineError("the engine's provisions were tokenised with another analyzer dictionary: "
                          "index again (policy-qa build --backend seekdb)")
    return meta
