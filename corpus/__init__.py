"""Stage 1 of the pipeline: policy documents read into provisions with exact source offsets.

``corpus.readers`` turns a file of any supported format into a rendition; ``parse_rendition``
(or ``parse_file``) turns it into a :class:`Document`; :class:`CorpusFolder` holds the documents
of a corpus, and ``load_corpus`` reads them all (the bundled default corpus by default).
"""

from corpus.catalog import CatalogEntry, load_catalog
from corpus.errors import CatalogError, CorpusError, EmptyDocument, NotText
from corpus.folder import DEFAULT_FOLDER, CorpusFolder, load_corpus
from corpus.model import Cell, Document, DocumentMeta, Element, ElementKind, Heading, Kind, Provision, Table
from corpus.parser import parse_file, parse_rendition, parse_text

__all__ = [
    "DEFAULT_FOLDER",
    "CatalogEntry",
    "CatalogError",
    "Cell",
    "CorpusError",
    "CorpusFolder",
    "Document",
    "DocumentMeta",
    "Element",
    "ElementKind",
    "EmptyDocument",
    "Heading",
    "Kind",
    "NotText",
    "Provision",
    "Table",
    "load_catalog",
    "load_corpus",
    "parse_file",
    "parse_rendition",
    "parse_text",
]
