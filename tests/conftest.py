"""Shared fixtures: the default corpus parsed once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus import Document, load_catalog, load_corpus
from corpus.catalog import CatalogEntry

DATA = Path(__file__).parent / "data"
DOCUMENTS = Path(__file__).parent.parent / "corpus" / "documents"


@pytest.fixture(scope="session")
def catalog() -> list[CatalogEntry]:
    return load_catalog()


@pytest.fixture(scope="session")
def documents() -> dict[str, Document]:
    return {document.id: document for document in load_corpus()}


def file_text(entry: CatalogEntry) -> str:
    return (DOCUMENTS / entry.file).read_bytes().decode("utf-8")
