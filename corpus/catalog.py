"""The catalog of the default corpus and loading the catalogued documents.

The catalog (``corpus/catalog.toml``) names each document's stable id and file, the values its
header must yield, what the file does not say (``unparsed``), and where its jurisdiction sits.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from corpus.errors import CatalogError
from corpus.model import Document
from corpus.parser import parse_file

DEFAULT_FOLDER = Path(__file__).parent
LEVELS = ("province", "prefecture", "county")
_FIELDS = ("title", "number", "issuer", "jurisdiction", "published")


@dataclass(frozen=True)
class CatalogEntry:
    id: str
    file: str
    title: str
    number: str | None
    issuer: str
    published: dt.date
    jurisdiction: str
    level: str
    parents: tuple[str, ...]
    unparsed: tuple[str, ...]


def load_catalog(path: Path | None = None) -> list[CatalogEntry]:
    """Read and check ``catalog.toml``.

    Raises:
        CatalogError: the file is not valid TOML, an entry misses a field, ids repeat.
    """
    path = path or DEFAULT_FOLDER / "catalog.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise CatalogError(f"cannot read catalog {path}: {error}") from error
    entries = []
    for position, raw in enumerate(data.get("document", []), start=1):
        try:
            entry = CatalogEntry(
                id=raw["id"], file=raw["file"], title=raw["title"], number=raw.get("number"),
                issuer=raw["issuer"], published=raw["published"],
                jurisdiction=raw["jurisdiction"], level=raw["level"],
                parents=tuple(raw.get("parents", [])), unparsed=tuple(raw.get("unparsed", [])))
        except KeyError as error:
            raise CatalogError(f"{path}: document #{position} has no {error.args[0]}") from error
        if entry.level not in LEVELS:
            raise CatalogError(f"{path}: {entry.id}: level must be one of {', '.join(LEVELS)}")
        unknown = set(entry.unparsed) - set(_FIELDS)
        if unknown:
            raise CatalogError(f"{path}: {entry.id}: unknown unparsed field(s) {sorted(unknown)}")
        entries.append(entry)
    ids = [entry.id for entry in entries]
    if len(set(ids)) != len(ids):
        raise CatalogError(f"{path}: document ids repeat")
    return entries


def load_document(entry: CatalogEntry, folder: Path) -> Document:
    """Parse a catalogued document, filling in what its file does not state."""
    path = folder / entry.file
    if not path.is_file():
        raise CatalogError(f"catalog names {entry.file}, which is not in {folder}")
    document = parse_file(path, entry.id)
    meta = document.meta
    supplied = {name: getattr(entry, name) for name in entry.unparsed}
    return replace(document, meta=replace(meta, **supplied))


def load_corpus(folder: Path | None = None) -> list[Document]:
    """All documents of a corpus folder holding ``catalog.toml`` and ``documents/``."""
    folder = folder or DEFAULT_FOLDER
    return [load_document(entry, folder / "documents")
            for entry in load_catalog(folder / "catalog.toml")]
