"""Shared fixtures: the default corpus parsed once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus import DEFAULT_FOLDER, Document, load_catalog, load_corpus
from corpus.catalog import CatalogEntry

DATA = Path(__file__).parent / "data"
DOCUMENTS = Path(__file__).parent.parent / "corpus" / "documents"
REALDOCS = Path(__file__).parents[2] / "shared" / "realdocs"


@pytest.fixture(scope="session")
def catalog() -> dict[str, CatalogEntry]:
    """The default corpus's overrides, by file."""
    return load_catalog(DEFAULT_FOLDER / "catalog.toml")


@pytest.fixture(scope="session")
def documents() -> dict[str, Document]:
    return {document.id: document for document in load_corpus()}


def file_text(entry: CatalogEntry) -> str:
    return (DOCUMENTS / entry.file).read_bytes().decode("utf-8")
