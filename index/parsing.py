"""Every document of a corpus folder parsed and analysed, through a parse cache.

A document whose files, catalog entry, parser code and analyzer are unchanged is read from its
parse-cache entry (named by a hash of all of these); the others are parsed, in worker processes
when there are many. Both backends build from what this returns.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import multiprocessing
import os
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import corpus as corpus_package
from corpus import CatalogEntry, CorpusError, CorpusFolder, Document, Heading, Provision
from corpus.folder import atomic_write
from index.analysis import Analyzer
from index.records import DocumentRecord, lexical_tokens

log = logging.getLogger("policy_qa.build")


@dataclass(frozen=True)
class Parsed:
    """One document as the index needs it: its record, provisions, outline and BM25 tokens (as
    strings when parsed; as ids of the build's vocabulary, the strings dropped, once
    :func:`parse_all` has them)."""

    record: DocumentRecord
    provisions: list[Provision]
    outline: tuple[Heading, ...]
    tokens: list[list[str]]
    cached: bool
    ids: list[list[int]] = field(default_factory=list)
    source: str = ""  # the parse-cache key: changes whenever anything the parse depends on does


def _parser_fingerprint() -> str:
    """Changes whenever the code that reads documents does: the corpus package's sources."""
    digest = hashlib.sha256()
    package = Path(corpus_package.__file__).parent
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


_PARSER = _parser_fingerprint()
PARALLEL_FROM = 64  # documents to parse before worker processes repay their start (~2 s each)


def parse_all(folder: CorpusFolder, catalog: dict[str, CatalogEntry], analyzer: Analyzer,
              cache: Path, vocabulary: dict[str, int], names: Sequence[str] | None = None) -> list[Parsed]:
    """Every document of the corpus (or the files ``names``) parsed and analysed; see
    :func:`_parse_all`.

    Raises:
        CorpusError: a document cannot be read, or two documents have one id.
    """
    parsed = _parse_all(folder, catalog, analyzer, cache, vocabulary, names)
    seen: dict[str, str] = {}
    for entry in parsed:
        if entry.record.id in seen:
            raise CorpusError(f"two documents have the id {entry.record.id}: "
                              f"{seen[entry.record.id]} and {entry.record.file}")
        seen[entry.record.id] = entry.record.file
    return parsed


def _parse_all(folder: CorpusFolder, catalog: dict[str, CatalogEntry], analyzer: Analyzer,
               cache: Path, vocabulary: dict[str, int], names: Sequence[str] | None = None) -> list[Parsed]:
    """Every document of the corpus parsed and analysed: from the parse cache when unchanged,
    otherwise in worker processes (one per core) when there are many to parse. Tokens come back
    as ids of ``vocabulary`` (which grows): a token string per occurrence would take gigabytes
    at a million provisions, an id taken from the vocabulary takes a pointer. ``names``: only
    these files of the folder."""

    def with_ids(name: str, entry: Parsed) -> Parsed:
        ids = [[vocabulary.setdefault(token, len(vocabulary)) for token in tokens] for tokens in entry.tokens]
        source = entries[name].stem
        return Parsed(entry.record, entry.provisions, entry.outline, [], entry.cached, ids, source)

    names = folder.files() if names is None else list(names)
    # Each document's cache entry, named by a hash of its files: computed once per build.
    entries = {name: _cache_entry(folder, name, catalog, analyzer, cache) for name in names}
    fresh = [name for name in names if not entries[name].is_file()]
    workers = min(len(fresh) // PARALLEL_FROM, os.cpu_count() or 1)
    log.info("parsing %d documents (%d not in the parse cache%s)", len(names), len(fresh),
             f", {workers} processes" if workers > 1 else "")
    if workers <= 1:
        return [with_ids(name, _parse_cached(folder, name, catalog, analyzer, entries[name]))
                for name in names]
    done: dict[str, Parsed] = {}
    # spawn, not fork: a build may run on a thread of the serving process, and forking a
    # process with threads can copy a lock held by one of them.
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=spawn, initializer=_start_worker,
                             initargs=(folder.path, analyzer.arguments)) as pool:
        started = time.monotonic()
        parsing = pool.map(_parse_in_worker, fresh, [entries[name] for name in fresh], chunksize=4)
        for count, (name, entry) in enumerate(zip(fresh, parsing, strict=True), 1):
            done[name] = with_ids(name, entry)
            if count % max(1, len(fresh) // 10) == 0:
                left = (time.monotonic() - started) / count * (len(fresh) - count)
                log.info("parsed %d of %d documents (about %.0f s left)", count, len(fresh), left)
    return [done.get(name) or with_ids(name, _parse_cached(folder, name, catalog, analyzer, entries[name]))
            for name in names]


_WORKER: dict[str, Any] = {}


def _start_worker(corpus: Path, analyzer: tuple[Any, ...]) -> None:
    folder = CorpusFolder(corpus)
    _WORKER.update(folder=folder, catalog=folder.catalog(), analyzer=Analyzer(*analyzer))


def _parse_in_worker(name: str, entry: Path) -> Parsed:
    return _parse_cached(_WORKER["folder"], name, _WORKER["catalog"], _WORKER["analyzer"], entry)


def _cache_entry(folder: CorpusFolder, name: str, catalog: dict[str, CatalogEntry], analyzer: Analyzer,
                 cache: Path) -> Path:
    """Where the parse cache keeps a document: named by everything its parse depends on (its
    files, catalog entry, the parser's code and the analyzer)."""
    entry = catalog.get(name)
    key = hashlib.sha256("\0".join([
        _PARSER, analyzer.fingerprint, folder.content_key(name), name,
        json.dumps([entry.id, {k: str(v) for k, v in entry.values.items()}] if entry else None),
    ]).encode()).hexdigest()
    return cache / f"{key}.json"


def _parse_cached(folder: CorpusFolder, name: str, catalog: dict[str, CatalogEntry], analyzer: Analyzer,
                  path: Path) -> Parsed:
    """A document parsed and analysed, from its parse cache entry ``path`` when there is one."""
    if path.is_file():
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return Parsed(DocumentRecord.from_json(raw["record"]),
                           [Provision.from_json(p) for p in raw["provisions"]],
                           tuple(Heading.from_json(h) for h in raw["outline"]), raw["tokens"], True)
        except (OSError, ValueError, KeyError, TypeError):
            path.unlink(missing_ok=True)  # a damaged entry is parsed again
    document = folder.load(name, catalog)
    record = _record(folder, name, document)
    tokens = [lexical_tokens(analyzer, p, record) for p in document.provisions]
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps({"record": record.to_json(),
                                   "provisions": [p.to_json() for p in document.provisions],
                                   "outline": [h.to_json() for h in document.headings], "tokens": tokens},
                                  ensure_ascii=False).encode("utf-8"))
    return Parsed(record, list(document.provisions), document.headings, tokens, False)


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


