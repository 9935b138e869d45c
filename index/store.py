"""The index folder: provisions, BM25 arrays and vectors, described by ``manifest.json``.

Layout of a built version (under ``var/index/versions/``)::

    manifest.json       format, encoder, analyzer fingerprint, corpus hash, checksums, counts
    documents.json      document metadata (title, 文号, issuers, jurisdiction with level and
                        parents) in row order, each with the range of rows of its provisions
    provisions.sqlite   each provision by row and by id, and each document's outline
    indicators.jsonl    the indicators the documents state (corpus.indicators), one per line
    bm25/               bm25s arrays (npy, memory-mapped) and vocabulary (json)
    vectors.npy         the provisions' vectors by row (float32, memory-mapped)
    ann.faiss           for a large corpus, the approximate index of those vectors

Rows are laid out by place (:mod:`index.places`): every jurisdiction's provisions, and every
place's subtree, are one contiguous range. Loading reads the manifest, the documents and the
vocabulary, and maps the rest: no provision is parsed until a hit shows it. Nothing is pickled.
``PolicyIndex.load`` checks the manifest and the checksums and refuses a mismatch with a
message that says how to rebuild.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from corpus import CorpusFolder, Heading, Kind, Provision
from corpus.indicators import Indicator
from index.analysis import Analyzer
from index.dense import DenseIndex
from index.encoders import EmbeddingCache, Encoder, spec_of
from index.errors import IndexMismatch, IndexNotFound
from index.indicators import FILE as INDICATORS
from index.indicators import read_indicator_file, write_indicators
from index.lexical import LexicalIndex
from index.parsing import parse_all
from index.places import PlacePath, PlaceRows, Ranges, complement, merge, place_path, subtract
from index.records import DocumentRecord, passage_text, sentence_texts
from index.table import FILE as TABLE
from index.table import ProvisionTable, write_table
from index.versions import IndexRoot, new_version_id, resolve

log = logging.getLogger("policy_qa.build")

# 2: outlines.json; 3: documents of any format, national level, pages; 4: rows by place,
# provisions in SQLite, memory-mapped vectors and BM25, an approximate index for large corpora
FORMAT_VERSION = 6  # 6: sentence vectors of long provisions
MANIFEST = "manifest.json"
WHOLE_HASH_BYTES = 64 << 20  # files up to this size are hashed whole at load; larger ones sampled
SAMPLE_BYTES = 1 << 20


def corpus_hash(corpus: Path) -> str:
    """Changes whenever the corpus folder does (see :meth:`CorpusFolder.hash`)."""
    return CorpusFolder(corpus).hash()


class PolicyIndex:
    """Provisions with their lexical and dense indexes, keyed by row: the local search backend."""

    name = "local"

    def __init__(self, folder: Path, manifest: dict[str, object], documents: dict[str, DocumentRecord],
                 document_rows: dict[str, tuple[int, int]], provisions: ProvisionTable,
                 lexical: LexicalIndex, dense: DenseIndex, analyzer: Analyzer, encoder: Encoder,
                 indicators: dict[str, list[Indicator]] | None = None) -> None:
        self.folder = folder
        self.manifest = manifest
        self.documents = documents  # in row order
        self.document_rows = document_rows
        self.provisions = provisions
        self.lexical = lexical
        self.dense = dense
        self.analyzer = analyzer
        self.encoder = encoder
        self.places = PlaceRows(((self.path_of(documents[d]), start, end)
                                 for d, (start, end) in document_rows.items()), len(provisions))
        self.provision_counts = {d: end - start for d, (start, end) in document_rows.items()}
        self._indicators = indicators or {}
        self.jurisdictions = frozenset(document.jurisdiction for document in documents.values())
        self.levels = {document.jurisdiction: document.level for document in documents.values()}
        self._paths_by_name: dict[str, list[PlacePath]] = {}
        for path in self.places.paths():
            self._paths_by_name.setdefault(path[-1], []).append(path)

    @staticmethod
    def path_of(document: DocumentRecord) -> PlacePath:
        return place_path(document.jurisdiction, document.parents)

    # The search backend (index.backend.SearchBackend): scopes are ranges of rows ----------

    def groups(self, paths: Sequence[PlacePath]) -> list[tuple[str, Ranges]]:
        """The asked places with their ancestors, then the places inside them, then the rest:
        each a few ranges of rows (:mod:`index.places`), empty groups left out."""
        places = self.places
        in_scope = merge(r for path in paths for depth in range(1, len(path) + 1)
                         for r in places.own(path[:depth]))
        below = subtract(merge(r for path in paths for r in places.subtree(path)), in_scope)
        rest = complement(merge((*in_scope, *below)), len(self.provisions))
        return [(relation, rows) for relation, rows in (("scope", in_scope), ("descendant", below),
                                                        ("other", rest)) if rows]

    def own(self, names: Sequence[str]) -> Ranges | None:
        """The rows of provisions whose document belongs to one of the places ``names``."""
        return merge(r for name in names for path in self._paths_by_name.get(name, ())
                     for r in self.places.own(path)) or None

    def outside(self, names: Sequence[str]) -> Ranges | None:
        return complement(self.own(names) or (), len(self.provisions)) or None

    def lexical_prepare(self, tokens: list[str]) -> npt.NDArray[np.float32] | None:
        """The query's BM25 score of every row, computed once for all its scope groups."""
        return self.lexical.scores(tokens) if tokens else None

    def lexical_search(self, tokens: list[str], k: int, scope: Ranges | None,
                       prepared: object = None) -> list[tuple[int, float]]:
        scores = prepared if isinstance(prepared, np.ndarray) else None
        return self.lexical.search(tokens, k, scope, scores)

    def dense_search(self, vector: npt.NDArray[np.float32], k: int, scope: Ranges | None
                     ) -> list[tuple[int, float]]:
        return self.dense.search(vector, k, scope)

    def retrieve(self, tokens: list[str], vector: npt.NDArray[np.float32] | None, k: int,
                 scope: Ranges | None, prepared: object = None
                 ) -> tuple[list[tuple[int, float]], list[tuple[int, float]]]:
        return (self.lexical_search(tokens, k, scope, prepared) if tokens else [],
                self.dense_search(vector, k, scope) if vector is not None else [])

    def idf(self, token: str) -> float:
        return self.lexical.idf(token)

    def coverage(self, tokens: list[str]) -> float:
        return self.lexical.coverage(tokens)

    def key_of(self, provision_id: str) -> int | None:
        return self.provisions.row_of(provision_id)

    def provisions_of(self, document_id: str) -> list[Provision]:
        """A document's provisions, in order."""
        start, end = self.document_rows.get(document_id, (0, 0))
        return self.provisions.between(start, end)

    def outline(self, document_id: str) -> tuple[Heading, ...]:
        return self.provisions.outline(document_id)

    def indicators(self, document_ids: Iterable[str] | None = None) -> list[Indicator]:
        if document_ids is None:
            return [i for document in self.documents for i in self._indicators.get(document, [])]
        return [i for document in document_ids for i in self._indicators.get(document, [])]

    def document_of(self, provision: Provision) -> DocumentRecord:
        return self.documents[provision.document_id]

    # Building ------------------------------------------------------------------------------

    @property
    def version(self) -> str | None:
        """The id of the published version this index was loaded from (its folder's name)."""
        value = self.manifest.get("version")
        return value if isinstance(value, str) else None

    @classmethod
    def build(cls, corpus: Path, out: Path, encoder: Encoder, analyzer: Analyzer, cache: Path,
              progress: Callable[[int, int], Callable[[int], None]] | None = None,
              locked: bool = False, sentences: bool | None = None) -> PolicyIndex:
        """Index a corpus folder and publish the result as a new version of the index root ``out``.

        Only what changed costs anything: a document whose files, catalog entry, parser and
        analyzer are unchanged is read from the parse cache (``cache/parsed``), and a passage
        already encoded from the embedding cache. The version is written beside the published
        one and published atomically (:mod:`index.versions`): a build that fails or is killed
        leaves the published version as it was. The corpus folder's lock is held throughout (a
        corpus changing under a build would give an index of neither state), unless the caller
        holds it already (``locked``).

        ``sentences`` gives long provisions a vector per sentence as well (:mod:`index.dense`);
        they more than double the vectors of a corpus of regulations, so a large corpus may go
        without. None builds as the published version was built (with them when there is none).

        Raises:
            CorpusError: a document cannot be read, or its jurisdiction is unknown.
        """
        folder = CorpusFolder(corpus)
        if sentences is None:
            sentences = _published_sentences(IndexRoot(out))
        if locked:
            return cls._build(folder, out, encoder, analyzer, cache, progress, sentences)
        with folder.lock():
            return cls._build(folder, out, encoder, analyzer, cache, progress, sentences)

    @classmethod
    def _build(cls, folder: CorpusFolder, out: Path, encoder: Encoder, analyzer: Analyzer, cache: Path,
               progress: Callable[[int, int], Callable[[int], None]] | None, with_sentences: bool
               ) -> PolicyIndex:
        corpus = folder.path
        catalog = folder.catalog()
        vocabulary: dict[str, int] = {}
        parsed = parse_all(folder, catalog, analyzer, cache / "parsed", vocabulary)
        # Rows by place: each jurisdiction, and each place's subtree, becomes one range.
        parsed.sort(key=lambda entry: (cls.path_of(entry.record), entry.record.id))
        documents = {entry.record.id: entry.record for entry in parsed}
        document_rows: dict[str, tuple[int, int]] = {}
        row = 0
        for entry in parsed:
            document_rows[entry.record.id] = (row, row + len(entry.provisions))
            row += len(entry.provisions)
        provisions = [p for entry in parsed for p in entry.provisions]
        lexical = LexicalIndex.build_ids([ids for entry in parsed for ids in entry.ids], vocabulary)
        passages = [passage_text(p, documents[p.document_id]) for p in provisions]
        # Long provisions' sentences, each with its provision's row (rows ascending).
        sentences: list[str] = []
        owners: list[int] = []
        if encoder.dimension and with_sentences:
            for position, provision in enumerate(provisions):
                own = sentence_texts(provision, documents[provision.document_id])
                sentences += own
                owners += [position] * len(own)
        texts = passages + sentences
        embeddings = EmbeddingCache(cache / "embeddings", encoder)
        missing = sum(1 for text in set(texts) if not embeddings.has(text))
        log.info("encoding %d of %d passages (%d of them sentences of long provisions)",
                 missing, len(texts), len(sentences))
        tick = progress(len(texts), missing) if progress else None
        encoded_all, encoded = embeddings.encode_passages(texts, tick)
        vectors, sentence_vectors = encoded_all[:len(passages)], encoded_all[len(passages):]

        kinds = Counter(p.kind for p in provisions)
        root = IndexRoot(out)
        version = new_version_id()
        staging = root.staging(version)
        try:
            log.info("writing index version %s", version)
            (staging / "bm25").mkdir(parents=True)
            (staging / "documents.json").write_text(json.dumps(
                [{**documents[d].to_json(), "rows": list(rows)} for d, rows in document_rows.items()],
                ensure_ascii=False, indent=1), encoding="utf-8")
            write_table(staging / TABLE, provisions, {entry.record.id: entry.outline for entry in parsed})
            write_indicators(staging / INDICATORS, parsed)
            del provisions
            lexical.save(staging / "bm25")
            dense = DenseIndex.build(vectors, staging, previous=_published_dense(root, encoder),
                                     sentences=sentence_vectors, owners=np.asarray(owners, np.int64))
            manifest = {
                "format_version": FORMAT_VERSION,
                "version": version,
                "built": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "encoder": {"name": encoder.name, "dimension": encoder.dimension, "spec": spec_of(encoder)},
                "analyzer": {"fingerprint": analyzer.fingerprint},
                "corpus": {"hash": folder.hash(), "folder": str(corpus)},
                "counts": {"documents": len(documents), "provisions": row,
                           "clauses": kinds[Kind.CLAUSE], "table_rows": kinds[Kind.TABLE_ROW],
                           "sentences": len(owners), "encoded": encoded,
                           "parsed": sum(1 for entry in parsed if not entry.cached)},
                "dense": {"nprobe": dense.nprobe, "approximate": dense.ann is not None,
                          "sentences": with_sentences},
                "checksums": _checksums(staging),
            }
            (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1),
                                            encoding="utf-8")
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)  # a full disk gets its space back at once
            raise
        log.info("publishing index version %s", version)
        published = root.publish(staging)
        return cls._open(published, manifest, analyzer, encoder)

    # Loading ------------------------------------------------------------------------------

    @staticmethod
    def read_manifest(folder: Path) -> dict[str, Any]:
        """The manifest of the published version of an index root (or of a version folder).

        Raises:
            IndexNotFound: no manifest there (or the path is not a folder).
            IndexMismatch: the manifest is not valid JSON of the expected shape.
        """
        path = resolve(folder) / MANIFEST
        rebuild = f"rebuild it with `policy-qa build --out {folder}`"
        if folder.exists() and not folder.is_dir():
            raise IndexNotFound(f"{folder} is a file, not an index folder: choose another --index")
        if not path.is_file():
            raise IndexNotFound(f"no index in {folder}: build one with `policy-qa build --out {folder}`")
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError, UnicodeDecodeError) as error:
            raise IndexMismatch(f"the index manifest is not valid JSON ({error}): {rebuild}") from error
        problem = _manifest_problem(manifest)
        if problem:
            raise IndexMismatch(f"the index manifest {problem}: {rebuild}")
        return dict(manifest)

    @classmethod
    def staleness(cls, folder: Path, corpus: Path, analyzer: Analyzer,
                  encoder_name: str | None = None) -> str | None:
        """Why the index in ``folder`` needs a rebuild for this corpus, or None if it does not:
        missing, unreadable, damaged (a file that disagrees with its checksum), another format,
        another corpus state, analyzer or encoder."""
        try:
            manifest = cls.read_manifest(folder)
        except (IndexNotFound, IndexMismatch) as error:
            return str(error)
        if manifest["format_version"] != FORMAT_VERSION:
            return f"index format {manifest['format_version']}, expected {FORMAT_VERSION}"
        damaged = _damaged(resolve(folder), manifest)
        if damaged:
            return f"index files are damaged or changed since the build ({damaged})"
        if manifest["corpus"].get("hash") != corpus_hash(corpus):
            return f"the corpus in {corpus} changed since the index was built"
        if manifest["analyzer"].get("fingerprint") != analyzer.fingerprint:
            return "the analyzer dictionary or synonyms changed"
        if encoder_name and manifest["encoder"].get("name") != encoder_name:
            return f"the index was built with {manifest['encoder'].get('name')}, not {encoder_name}"
        return None

    @classmethod
    def load(cls, root: Path, encoder: Encoder, analyzer: Analyzer) -> PolicyIndex:
        """Open the published version, refusing one built with another format, encoder or analyzer.

        Raises:
            IndexNotFound: no manifest in ``folder``.
            IndexMismatch: the manifest, a checksum or an index part disagrees or cannot be
                read; the message says what to do.
        """
        folder = resolve(root)
        manifest = cls.read_manifest(folder)
        rebuild = f"rebuild it with `policy-qa build --out {root}`"
        if manifest["format_version"] != FORMAT_VERSION:
            raise IndexMismatch(f"index format {manifest['format_version']} in {folder}, this "
                                f"version reads format {FORMAT_VERSION}: {rebuild}")
        built_with = manifest["encoder"]
        if built_with.get("name") != encoder.name or built_with.get("dimension") != encoder.dimension:
            raise IndexMismatch(f"the index in {folder} was built with encoder {built_with.get('name')} "
                                f"({built_with.get('dimension')} dimensions), not {encoder.name} "
                                f"({encoder.dimension}): {rebuild} --encoder …, or ask with that encoder")
        if manifest["analyzer"].get("fingerprint") != analyzer.fingerprint:
            raise IndexMismatch(f"the index in {folder} was built with another analyzer dictionary "
                                f"or synonym table: {rebuild}")
        damaged = _damaged(folder, manifest)
        if damaged:
            raise IndexMismatch(f"index files changed since the build ({damaged}): {rebuild}")
        try:
            return cls._open(folder, manifest, analyzer, encoder)
        except IndexMismatch:
            raise
        except Exception as error:  # a part that passed its checksum but cannot be read
            reason = str(error).splitlines()[0][:120] if str(error) else ""
            raise IndexMismatch(f"an index part cannot be read ({type(error).__name__}: {reason}): "
                                f"{rebuild}") from error

    @classmethod
    def _open(cls, folder: Path, manifest: dict[str, Any], analyzer: Analyzer, encoder: Encoder
              ) -> PolicyIndex:
        raw_documents = json.loads((folder / "documents.json").read_text(encoding="utf-8"))
        documents = {raw["id"]: DocumentRecord.from_json(raw) for raw in raw_documents}
        document_rows = {raw["id"]: (int(raw["rows"][0]), int(raw["rows"][1])) for raw in raw_documents}
        provisions = ProvisionTable(folder / TABLE)
        provisions.check()
        lexical = LexicalIndex.load(folder / "bm25")
        dense = DenseIndex.load(folder, int(manifest.get("dense", {}).get("nprobe", 0)))
        size = len(provisions)
        if dense.size != size or lexical.size != size or \
                sum(end - start for start, end in document_rows.values()) != size:
            raise IndexMismatch(f"index parts disagree on the number of provisions: rebuild it with "
                                f"`policy-qa build --out {folder.parent.parent}`")
        return cls(folder, manifest, documents, document_rows, provisions, lexical, dense, analyzer,
                   encoder, read_indicator_file(folder / INDICATORS))


def _published_manifest(root: IndexRoot) -> tuple[Path, dict[str, Any]] | None:
    """The published version's folder and manifest, or None: no version, or a manifest that
    does not read as an object."""
    version = root.current_id()
    if version is None:
        return None
    folder = root.versions / version
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return (folder, manifest) if isinstance(manifest, dict) else None


def _published_dense(root: IndexRoot, encoder: Encoder) -> DenseIndex | None:
    """The dense index of the published version, if it was built with this encoder and reads."""
    published = _published_manifest(root)
    if published is None:
        return None
    folder, manifest = published
    try:
        if manifest.get("encoder", {}).get("name") != encoder.name:
            return None
        return DenseIndex.load(folder, int(manifest.get("dense", {}).get("nprobe", 0)), read_ahead=False)
    except (OSError, ValueError, AttributeError, RuntimeError):
        return None  # a damaged or older version: train afresh


def _published_sentences(root: IndexRoot) -> bool:
    """Whether the published version has sentence vectors (or was asked to: a corpus without
    long provisions has none); True when there is no published version."""
    published = _published_manifest(root)
    dense = published[1].get("dense") if published is not None else None
    return not (isinstance(dense, dict) and dense.get("sentences") is False)


def _manifest_problem(manifest: object) -> str | None:
    """What is wrong with a manifest's shape, or None: an object with the fields load reads."""
    if not isinstance(manifest, dict):
        return f"is {type(manifest).__name__}, not an object"
    for name in ("encoder", "analyzer", "corpus", "counts", "checksums"):
        if not isinstance(manifest.get(name), dict):
            return f"has no {name} object"
    if not isinstance(manifest.get("format_version"), int):
        return "has no format_version number"
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in manifest["checksums"].items()):
        return "has checksums that are not file names and hashes"
    return None


def _damaged(folder: Path, manifest: dict[str, Any]) -> str | None:
    """The index files whose contents disagree with the manifest's checksums, named, or None."""
    expected = manifest["checksums"]
    actual = _checksums(folder)
    if expected == actual:
        return None
    differing = {name for name in expected if expected[name] != actual.get(name)}
    return ", ".join(sorted(set(expected) ^ set(actual) | differing)) or "unknown"


def _checksums(folder: Path) -> dict[str, str]:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST)
    return {str(p.relative_to(folder)): _checksum(p) for p in files}


def _checksum(path: Path) -> str:
    """SHA-256 of a file; of a large one (vectors, the provision table at a million provisions),
    of its size and evenly spaced 1 MiB samples, so that a load takes seconds, not minutes: a
    truncated, emptied or replaced file is caught, a few flipped bytes in the middle may not be."""
    size = path.stat().st_size
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        if size <= WHOLE_HASH_BYTES:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
            return digest.hexdigest()
        digest.update(str(size).encode())
        for sample in range(16):
            handle.seek((size - SAMPLE_BYTES) * sample // 15)
            digest.update(handle.read(SAMPLE_BYTES))
    return f"sampled:{digest.hexdigest()}"
