"""The index folder: provisions, BM25 arrays and FAISS vectors, described by ``manifest.json``.

Layout of a built folder (default ``var/index``)::

    manifest.json      format, encoder, analyzer fingerprint, corpus hash, checksums, counts
    documents.json     document metadata: title, 文号, issuer, jurisdiction with level and parents
    provisions.jsonl   one provision per line; its line number is its row and its FAISS id
    outlines.json      each document's heading tree
    bm25/              bm25s arrays (npy) and vocabulary (json)
    dense.faiss        the vectors, faiss's own format

Nothing is pickled. ``PolicyIndex.load`` checks the manifest and every checksum and refuses a
mismatch with a message that says how to rebuild.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

import corpus as corpus_package
from corpus import CatalogEntry, Cell, CorpusError, CorpusFolder, Document, Heading, Kind, Provision
from corpus.folder import atomic_write
from index.analysis import Analyzer
from index.dense import DenseIndex
from index.encoders import EmbeddingCache, Encoder
from index.errors import IndexMismatch, IndexNotFound
from index.lexical import LexicalIndex
from index.versions import IndexRoot, new_version_id, resolve

log = logging.getLogger("policy_qa.build")

FORMAT_VERSION = 3  # 2: outlines.json; 3: documents of any format, national level, pages
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class DocumentRecord:
    """What a search hit says about the document it comes from."""

    id: str
    file: str  # the original, relative to the corpus folder: documents/…
    rendition: str  # the text the offsets index, relative to the corpus folder
    title: str
    number: str | None
    issuers: tuple[str, ...]
    jurisdiction: str
    level: str
    parents: tuple[str, ...]
    published: str | None
    written: str | None = None
    effective: str | None = None
    expires: str | None = None
    format: str = "text"

    @property
    def issuer(self) -> str | None:
        return self.issuers[0] if self.issuers else None

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "file": self.file, "rendition": self.rendition, "title": self.title,
                "number": self.number, "issuer": self.issuer, "issuers": list(self.issuers),
                "jurisdiction": self.jurisdiction, "level": self.level, "parents": list(self.parents),
                "published": self.published, "written": self.written, "effective": self.effective,
                "expires": self.expires, "format": self.format}

    def summary(self) -> dict[str, object]:
        """The fields a search hit carries."""
        return {"id": self.id, "title": self.title, "number": self.number, "issuer": self.issuer,
                "issuers": list(self.issuers), "jurisdiction": self.jurisdiction, "level": self.level,
                "published": self.published, "effective": self.effective, "expires": self.expires,
                "format": self.format}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> DocumentRecord:
        return cls(raw["id"], raw["file"], raw["rendition"], raw["title"], raw["number"],
                   tuple(raw["issuers"]), raw["jurisdiction"], raw["level"], tuple(raw["parents"]),
                   raw["published"], raw.get("written"), raw.get("effective"), raw.get("expires"),
                   raw.get("format", "text"))


def corpus_hash(corpus: Path) -> str:
    """Changes whenever the corpus folder does (see :meth:`CorpusFolder.hash`)."""
    return CorpusFolder(corpus).hash()


def lexical_tokens(analyzer: Analyzer, provision: Provision, document: DocumentRecord) -> list[str]:
    """A provision's text, then its heading path and document title as context."""
    return (analyzer.tokens(provision.text) + analyzer.tokens(" ".join(provision.path))
            + analyzer.tokens(document.title))


def passage_text(provision: Provision, document: DocumentRecord) -> str:
    """What the dense encoder reads: the provision with its document title and nearest heading."""
    heading = provision.path[-1] if provision.path else ""
    return f"{document.title} {heading} {provision.text}".strip()


class PolicyIndex:
    """Provisions with their lexical and dense indexes, keyed by row."""

    def __init__(self, folder: Path, manifest: dict[str, object], documents: dict[str, DocumentRecord],
                 provisions: list[Provision], lexical: LexicalIndex, dense: DenseIndex,
                 analyzer: Analyzer, encoder: Encoder,
                 outlines: dict[str, tuple[Heading, ...]] | None = None) -> None:
        self.folder = folder
        self.outlines = outlines or {}
        self.manifest = manifest
        self.documents = documents
        self.provisions = provisions
        self.lexical = lexical
        self.dense = dense
        self.analyzer = analyzer
        self.encoder = encoder
        self.rows = {provision.id: row for row, provision in enumerate(provisions)}
        self.provision_counts = Counter(provision.document_id for provision in provisions)
        by_jurisdiction: dict[str, list[int]] = {}
        for row, provision in enumerate(provisions):
            by_jurisdiction.setdefault(documents[provision.document_id].jurisdiction, []).append(row)
        self._jurisdiction_rows = {name: np.array(rows, dtype=np.int64)
                                   for name, rows in by_jurisdiction.items()}

    def rows_in(self, jurisdictions: Sequence[str]) -> npt.NDArray[np.int64]:
        """The rows of provisions whose document belongs to one of ``jurisdictions``."""
        parts = [self._jurisdiction_rows[name] for name in jurisdictions if name in self._jurisdiction_rows]
        return np.sort(np.concatenate(parts)) if parts else np.zeros(0, np.int64)

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
              locked: bool = False) -> PolicyIndex:
        """Index a corpus folder and publish the result as a new version of the index root ``out``.

        Only what changed costs anything: a document whose files, catalog entry, parser and
        analyzer are unchanged is read from the parse cache (``cache/parsed``), and a passage
        already encoded from the embedding cache. The version is written beside the published
        one and published atomically (:mod:`index.versions`): a build that fails or is killed
        leaves the published version as it was. The corpus folder's lock is held throughout (a
        corpus changing under a build would give an index of neither state), unless the caller
        holds it already (``locked``).

        Raises:
            CorpusError: a document cannot be read, or its jurisdiction is unknown.
        """
        folder = CorpusFolder(corpus)
        if locked:
            return cls._build(folder, out, encoder, analyzer, cache, progress)
        with folder.lock():
            return cls._build(folder, out, encoder, analyzer, cache, progress)

    @classmethod
    def _build(cls, folder: CorpusFolder, out: Path, encoder: Encoder, analyzer: Analyzer, cache: Path,
               progress: Callable[[int, int], Callable[[int], None]] | None) -> PolicyIndex:
        corpus = folder.path
        catalog = folder.catalog()
        log.info("parsing %d documents", len(folder.files()))
        parsed = [_parse_cached(folder, name, catalog, analyzer, cache / "parsed") for name in folder.files()]
        documents: dict[str, DocumentRecord] = {}
        for entry in parsed:
            if entry.record.id in documents:
                raise CorpusError(f"two documents have the id {entry.record.id}: "
                                  f"{documents[entry.record.id].file} and {entry.record.file}")
            documents[entry.record.id] = entry.record
        provisions = [p for entry in parsed for p in entry.provisions]
        lexical = LexicalIndex.build([tokens for entry in parsed for tokens in entry.tokens])
        passages = [passage_text(p, documents[p.document_id]) for p in provisions]
        embeddings = EmbeddingCache(cache / "embeddings", encoder)
        missing = sum(1 for text in set(passages) if not embeddings.has(text))
        log.info("encoding %d of %d passages", missing, len(passages))
        tick = progress(len(passages), missing) if progress else None
        vectors, encoded = embeddings.encode_passages(passages, tick)
        dense = DenseIndex.build(vectors)

        root = IndexRoot(out)
        version = new_version_id()
        staging = root.staging(version)
        log.info("writing index version %s", version)
        (staging / "bm25").mkdir(parents=True)
        (staging / "documents.json").write_text(
            json.dumps([d.to_json() for d in documents.values()], ensure_ascii=False, indent=1),
            encoding="utf-8")
        with (staging / "provisions.jsonl").open("w", encoding="utf-8") as handle:
            for provision in provisions:
                handle.write(json.dumps(provision.to_json(), ensure_ascii=False) + "\n")
        outlines = {entry.record.id: entry.outline for entry in parsed}
        (staging / "outlines.json").write_text(json.dumps(
            {doc: [h.to_json() for h in tree] for doc, tree in outlines.items()}, ensure_ascii=False),
            encoding="utf-8")
        lexical.save(staging / "bm25")
        dense.save(staging / "dense.faiss")
        manifest = {
            "format_version": FORMAT_VERSION,
            "version": version,
            "built": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "encoder": {"name": encoder.name, "dimension": encoder.dimension},
            "analyzer": {"fingerprint": analyzer.fingerprint},
            "corpus": {"hash": folder.hash(), "folder": str(corpus)},
            "counts": {"documents": len(documents), "provisions": len(provisions),
                       "clauses": sum(1 for p in provisions if p.kind is Kind.CLAUSE),
                       "table_rows": sum(1 for p in provisions if p.kind is Kind.TABLE_ROW),
                       "encoded": encoded, "parsed": sum(1 for entry in parsed if not entry.cached)},
            "checksums": _checksums(staging),
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1),
                                        encoding="utf-8")
        log.info("publishing index version %s", version)
        published = root.publish(staging)
        return cls(published, manifest, documents, provisions, lexical, dense, analyzer, encoder, outlines)

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
            documents = {raw["id"]: DocumentRecord.from_json(raw)
                         for raw in json.loads((folder / "documents.json").read_text(encoding="utf-8"))}
            with (folder / "provisions.jsonl").open(encoding="utf-8") as handle:
                provisions = [_provision(json.loads(line)) for line in handle]
            outlines = {doc: tuple(Heading.from_json(h) for h in tree) for doc, tree in
                        json.loads((folder / "outlines.json").read_text(encoding="utf-8")).items()}
            lexical = LexicalIndex.load(folder / "bm25")
            dense = DenseIndex.load(folder / "dense.faiss")
        except Exception as error:  # a part that passed its checksum but cannot be read
            reason = str(error).splitlines()[0][:120] if str(error) else ""
            raise IndexMismatch(f"an index part cannot be read ({type(error).__name__}: {reason}): "
                                f"{rebuild}") from error
        if dense.size != len(provisions) or lexical.size != len(provisions):
            raise IndexMismatch(f"index parts disagree on the number of provisions: {rebuild}")
        return cls(folder, manifest, documents, provisions, lexical, dense, analyzer, encoder, outlines)


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


@dataclass(frozen=True)
class _Parsed:
    """One document as the index needs it: its record, provisions, outline and BM25 tokens."""

    record: DocumentRecord
    provisions: list[Provision]
    outline: tuple[Heading, ...]
    tokens: list[list[str]]
    cached: bool


def _parser_fingerprint() -> str:
    """Changes whenever the code that reads documents does: the corpus package's sources."""
    digest = hashlib.sha256()
    package = Path(corpus_package.__file__).parent
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


_PARSER = _parser_fingerprint()


def _parse_cached(folder: CorpusFolder, name: str, catalog: dict[str, CatalogEntry], analyzer: Analyzer,
                  cache: Path) -> _Parsed:
    """A document parsed and analysed, from the parse cache when nothing it depends on changed."""
    entry = catalog.get(name)
    key = hashlib.sha256("\0".join([
        _PARSER, analyzer.fingerprint, folder.content_key(name), name,
        json.dumps([entry.id, {k: str(v) for k, v in entry.values.items()}] if entry else None),
    ]).encode()).hexdigest()
    path = cache / f"{key}.json"
    if path.is_file():
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return _Parsed(DocumentRecord.from_json(raw["record"]),
                           [_provision(p) for p in raw["provisions"]],
                           tuple(Heading.from_json(h) for h in raw["outline"]), raw["tokens"], True)
        except (OSError, ValueError, KeyError, TypeError):
            path.unlink(missing_ok=True)  # a damaged entry is parsed again
    document = folder.load(name, catalog)
    record = _record(folder, name, document)
    tokens = [lexical_tokens(analyzer, p, record) for p in document.provisions]
    cache.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps({"record": record.to_json(),
                                   "provisions": [p.to_json() for p in document.provisions],
                                   "outline": [h.to_json() for h in document.headings], "tokens": tokens},
                                  ensure_ascii=False).encode("utf-8"))
    return _Parsed(record, list(document.provisions), document.headings, tokens, False)


def _record(folder: CorpusFolder, name: str, document: Document) -> DocumentRecord:
    meta = document.meta
    if not meta.jurisdiction or not meta.level:
        raise CorpusError(f"{name}: cannot tell which place it belongs to; add `jurisdiction = \"…\"` for it "
                          f"in {folder.path / 'catalog.toml'} or re-add it with --jurisdiction")

    def day(value: dt.date | None) -> str | None:
        return value.isoformat() if value else None

    return DocumentRecord(document.id, f"documents/{name}", folder.rendition_file(name),
                          meta.title or name, meta.number, meta.issuers, meta.jurisdiction, meta.level,
                          meta.parents, day(meta.published), day(meta.written), day(meta.effective),
                          day(meta.expires), meta.format)


def _provision(raw: dict[str, Any]) -> Provision:
    cells = tuple(Cell(c["column"], c["value"], c["start"], c["end"], c["carried"])
                  for c in raw.get("cells", []))
    return Provision(raw["id"], raw["document_id"], Kind(raw["kind"]), raw["label"], raw["part"],
                     tuple(raw["path"]), raw["text"], raw["start"], raw["end"],
                     tuple(raw["departments"]), cells, raw.get("table"), raw.get("page"))


def _checksums(folder: Path) -> dict[str, str]:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST)
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
