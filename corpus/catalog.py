"""``catalog.toml``: optional, hand-written overrides for what a document does not say.

Metadata is read from each document itself (:mod:`corpus.metadata`). A corpus folder may hold a
``catalog.toml`` that supplies what a file does not state, or gives a document a chosen id,
keyed by the file's name in ``documents/``::

    [[document]]
    file = "jiangsu-2021-yanglao-tuoyu.txt"
    id = "jiangsu-2021"
    published = 2021-09-29   # the extracted file carries no date

Fields: ``file`` (required), ``id``, ``title``, ``number``, ``issuers`` (a list) or ``issuer``,
``jurisdiction`` (resolved through the gazetteer, which gives level and parents), ``published``,
``written``, ``effective``, ``expires`` (TOML dates).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.errors import CatalogError

DATE_FIELDS = ("published", "written", "effective", "expires")
TEXT_FIELDS = ("title", "number", "jurisdiction")
_KNOWN = {"file", "id", "issuer", "issuers", "comment", *DATE_FIELDS, *TEXT_FIELDS}


@dataclass(frozen=True)
class CatalogEntry:
    """The overrides for one file: a chosen id and metadata values the file does not state."""

    file: str
    id: str | None = None
    values: Mapping[str, Any] = field(default_factory=dict)


def load_catalog(path: Path) -> dict[str, CatalogEntry]:
    """The entries of a ``catalog.toml`` by file name; an absent file has none.

    Raises:
        CatalogError: not valid TOML, an entry without ``file``, unknown fields, wrong types,
            repeated files or ids.
    """
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise CatalogError(f"cannot read catalog {path}: {error}") from error
    raw_entries = data.get("document", [])
    if not isinstance(raw_entries, list):
        raise CatalogError(f"{path}: 'document' must be an array of tables ([[document]])")
    entries: dict[str, CatalogEntry] = {}
    ids: set[str] = set()
    for position, raw in enumerate(raw_entries, start=1):
        entry = _entry(path, position, raw)
        if entry.file in entries:
            raise CatalogError(f"{path}: {entry.file} is listed twice")
        if entry.id is not None:
            if entry.id in ids:
                raise CatalogError(f"{path}: the id {entry.id} is given twice")
            ids.add(entry.id)
        entries[entry.file] = entry
    return entries


def _entry(path: Path, position: int, raw: object) -> CatalogEntry:
    where = f"{path}: document #{position}"
    if not isinstance(raw, dict):
        raise CatalogError(f"{where} is not a table")
    if not isinstance(raw.get("file"), str) or not raw["file"]:
        raise CatalogError(f"{where} has no file")
    unknown = set(raw) - _KNOWN
    if unknown:
        raise CatalogError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        if name in raw:
            if not isinstance(raw[name], str):
                raise CatalogError(f"{where}: {name} must be a string")
            values[name] = raw[name]
    for name in DATE_FIELDS:
        if name in raw:
            if not isinstance(raw[name], dt.date) or isinstance(raw[name], dt.datetime):
                raise CatalogError(f"{where}: {name} must be a TOML date such as 2021-09-29")
            values[name] = raw[name]
    issuers = raw.get("issuers", [raw["issuer"]] if "issuer" in raw else None)
    if issuers is not None:
        if not isinstance(issuers, list) or not all(isinstance(i, str) for i in issuers):
            raise CatalogError(f"{where}: issuers must be a list of strings")
        values["issuers"] = tuple(issuers)
    document_id = raw.get("id")
    if document_id is not None and (not isinstance(document_id, str) or not document_id.strip()):
        raise CatalogError(f"{where}: id must be a non-empty string")
    return CatalogEntry(raw["file"], document_id, values)
