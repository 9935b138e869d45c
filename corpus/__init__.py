"""Stage 1 of the pipeline: policy documents read into provisions with exact source offsets.

``parse_file`` turns one file into a :class:`Document`; ``load_corpus`` reads the catalogued
default corpus in ``corpus/documents/``.
"""

from corpus.catalog import CatalogEntry, load_catalog, load_corpus, load_document
from corpus.errors import CatalogError, CorpusError, EmptyDocument, NotText
from corpus.model import Cell, Document, DocumentMeta, Element, ElementKind, Heading, Kind, Provision, Table
from corpus.parser import parse_file, parse_text

__all__ = [
    "CatalogEntry",
    "CatalogError",
    "Cell",
    "CorpusError",
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
    "load_document",
    "parse_file",
    "parse_text",
]
