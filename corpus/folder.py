"""A corpus folder: the documents a service answers from, as they were published, and their
renditions, with documents added, replaced and removed without ever leaving half a document.

Layout::

    documents/<name>          the original file, byte for byte (text, Markdown, HTML, Word, PDF, OFD)
    renditions/<name>.json    how it was read: format, sha256 of the original and of the
                              rendition text, the rendition's structure (tables, pages, portal
                              metadata), overrides given at add
    renditions/<name>.txt     the rendition text, for every format but plain text (whose
                              rendition is the decoded file itself)
    catalog.toml              optional hand-written overrides, keyed by file (corpus/catalog.py)

The rendition is frozen when a document is added: provisions are cut from the stored text, so a
new version of a PDF library cannot move a citation. A document is identified by its 文号, or by
its title and jurisdiction when it has none: adding a changed version of a document replaces it
under the same id; adding the same bytes again changes nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from corpus.catalog import CatalogEntry, load_catalog
from corpus.errors import CorpusError, DocumentTooLarge, JurisdictionUnknown, NotPolicyDocument
from corpus.gazetteer import Gazetteer, default_gazetteer
from corpus.model import Document
from corpus.parser import parse_rendition
from corpus.readers import MAX_DOCUMENT_BYTES, Rendition, read_document

DEFAULT_FOLDER = Path(__file__).parent  # the bundled default corpus (read-only)
RENDITION_FORMAT = 1
_EXTENSIONS = {"text": ".txt", "markdown": ".md", "html": ".html", "docx": ".docx", "doc": ".doc",
               "pdf": ".pdf", "ofd": ".ofd"}
_MIN_CJK = 20  # fewer Chinese characters than this is not a policy document


@dataclass(frozen=True)
class Added:
    """What ``add`` did with one file."""

    document: Document
    status: str  # added | replaced | unchanged
    file: str  # its name in documents/

    def to_json(self) -> dict[str, object]:
        meta = self.document.meta
        return {"id": self.document.id, "status": self.status, "title": meta.title, "number": meta.number,
                "issuers": list(meta.issuers), "jurisdiction": meta.jurisdiction, "level": meta.level,
                "written": _day(meta.written), "published": _day(meta.published),
                "effective": _day(meta.effective), "expires": _day(meta.expires), "format": meta.format,
                "provisions": len(self.document.provisions), "tables": len(self.document.tables),
                "warnings": list(self.document.warnings), "file": f"documents/{self.file}"}


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


class CorpusFolder:
    """The documents of one corpus folder (see the module docstring for its layout)."""

    def __init__(self, path: Path, gazetteer: Gazetteer | None = None) -> None:
        self.path = path
        self.documents_dir = path / "documents"
        self.renditions_dir = path / "renditions"
        self._gazetteer = gazetteer
        self._sidecars: dict[str, tuple[int, dict[str, Any] | None]] = {}
        self._identities: dict[tuple[str, int], str] = {}  # documents without a sidecar
        self._content_keys: dict[str, tuple[tuple[int, ...], str]] = {}

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            self._gazetteer = default_gazetteer()
        return self._gazetteer

    @classmethod
    def working(cls, path: Path, gazetteer: Gazetteer | None = None) -> CorpusFolder:
        """The working corpus at ``path``, created from the default documents if it does not exist.

        Raises:
            CorpusError: ``path`` exists but is not a folder.
        """
        if path.exists() and not path.is_dir():
            raise CorpusError(f"{path} is not a folder: choose another corpus folder with --corpus")
        if not (path / "documents").is_dir():
            path.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".creating-", dir=path))
            shutil.copytree(DEFAULT_FOLDER / "documents", staging / "documents")
            shutil.copy2(DEFAULT_FOLDER / "catalog.toml", staging / "catalog.toml")
            if not (path / "catalog.toml").exists():
                os.replace(staging / "catalog.toml", path / "catalog.toml")
            os.replace(staging / "documents", path / "documents")
            shutil.rmtree(staging, ignore_errors=True)
        return cls(path, gazetteer)

    # Reading ------------------------------------------------------------------------------

    def catalog(self) -> dict[str, CatalogEntry]:
        return load_catalog(self.path / "catalog.toml")

    def files(self) -> list[str]:
        """The documents' file names, sorted."""
        if not self.documents_dir.is_dir():
            raise CorpusError(f"{self.path} is not a corpus folder: it has no documents/ folder")
        return sorted(p.name for p in self.documents_dir.iterdir()
                      if p.is_file() and not p.name.startswith("."))

    def sidecar(self, name: str) -> dict[str, Any] | None:
        """The sidecar of a document, kept in memory while its file does not change (adding a
        document compares it with every other: without this, adding n documents reads n² files)."""
        path = self.renditions_dir / f"{name}.json"
        try:
            stamp = path.stat().st_mtime_ns
        except OSError:
            return None
        cached = self._sidecars.get(name)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            return None
        result = data if isinstance(data, dict) else None
        self._sidecars[name] = (stamp, result)
        return result

    def rendition(self, name: str) -> tuple[Rendition, dict[str, Any]]:
        """The stored rendition of a document (read afresh when none is stored or the original
        changed since), and its sidecar."""
        original = self.documents_dir / name
        sidecar = self.sidecar(name) or {}
        stored = sidecar.get("rendition")
        if isinstance(stored, dict) and sidecar.get("sha256") == _sha256_file(original):
            text_file = self.renditions_dir / f"{name}.txt"
            if stored.get("format") == "text":
                return read_document(original.read_bytes()), sidecar
            try:
                text = text_file.read_text(encoding="utf-8")
                if sidecar.get("rendition_sha256") in (None, _sha256(text.encode("utf-8"))):
                    return Rendition.from_json(text, stored), sidecar
            except (OSError, UnicodeDecodeError, LookupError, TypeError, ValueError):
                pass  # a damaged rendition (its checksum disagrees, or its shape): read the original
            rendition = read_document(original.read_bytes())
            if _sha256(rendition.text.encode("utf-8")) == sidecar.get("rendition_sha256"):
                # The original reads to the very text that was frozen: put the file back, so
                # that offsets into renditions/ hold again.
                atomic_write(text_file, rendition.text.encode("utf-8"))
            return rendition, sidecar
        return read_document(original.read_bytes()), sidecar

    def rendition_file(self, name: str) -> str:
        """The file, relative to the folder, that a document's offsets index."""
        if (self.renditions_dir / f"{name}.txt").is_file():
            return f"renditions/{name}.txt"
        return f"documents/{name}"

    def load(self, name: str, catalog: dict[str, CatalogEntry] | None = None) -> Document:
        """Parse one document with its overrides.

        Raises:
            CorpusError: the file cannot be read.
        """
        entry = (catalog if catalog is not None else self.catalog()).get(name)
        rendition, sidecar = self.rendition(name)
        values = dict(entry.values) if entry else {}
        jurisdiction = values.pop("jurisdiction", None) or sidecar.get("jurisdiction")
        document_id = (entry.id if entry and entry.id else None) or sidecar.get("id") or Path(name).stem
        document = parse_rendition(rendition, document_id, jurisdiction=jurisdiction,
                                   gazetteer=self.gazetteer)
        if values:
            document = replace(document, meta=replace(document.meta, **values))
        return document

    def load_all(self) -> list[Document]:
        """Every document, in file order.

        Raises:
            CorpusError: a document cannot be read, or two documents share an id.
        """
        catalog = self.catalog()
        documents = [self.load(name, catalog) for name in self.files()]
        seen: dict[str, str] = {}
        for name, document in zip(self.files(), documents, strict=True):
            if document.id in seen:
                raise CorpusError(f"{seen[document.id]} and {name} both have the id {document.id}")
            seen[document.id] = name
        return documents

    def find(self, document_id: str) -> str | None:
        """The file name of the document with this id."""
        catalog = self.catalog()
        return next((name for name in self.files() if self._id_of(name, catalog) == document_id), None)

    def holding(self, data: bytes) -> str | None:
        """The id of the document whose original is exactly these bytes, if any."""
        sha = hashlib.sha256(data).hexdigest()
        catalog = self.catalog()
        for name in self.files():
            stored = (self.sidecar(name) or {}).get("sha256") or _sha256_file(self.documents_dir / name)
            if stored == sha:
                return self._id_of(name, catalog)
        return None

    def sources(self) -> dict[str, str]:
        """Document id by file name: the name in documents/, and the name it was added from."""
        catalog = self.catalog()
        names: dict[str, str] = {}
        for name in self.files():
            document_id = self._id_of(name, catalog)
            names[name] = document_id
            source = (self.sidecar(name) or {}).get("source")
            if isinstance(source, str):
                names.setdefault(source, document_id)
        return names

    def content_key(self, name: str) -> str:
        """Changes whenever a document's original, sidecar or stored rendition does. Kept while
        none of those files changes (size, mtime, inode), so that a build, which needs the key of
        every document for its parse cache and again for the corpus hash, reads each file once."""
        files = [self.documents_dir / name,
                 *(self.renditions_dir / f"{name}{suffix}" for suffix in (".json", ".txt"))]
        signature = tuple(value for path in files for value in _signature(path))
        known = self._content_keys.get(name)
        if known is not None and known[0] == signature:
            return known[1]
        digest = hashlib.sha256(name.encode() + b"\0" + _sha256_file(files[0]).encode())
        for suffix, stored in zip((".json", ".txt"), files[1:], strict=True):
            if stored.is_file():
                digest.update(suffix.encode() + _sha256_file(stored).encode())
        key = digest.hexdigest()
        self._content_keys[name] = (signature, key)
        return key

    def hash(self) -> str:
        """Changes whenever a document, its rendition or the catalog does."""
        digest = hashlib.sha256()
        catalog = self.path / "catalog.toml"
        digest.update(catalog.read_bytes() if catalog.is_file() else b"")
        for name in self.files():
            digest.update(self.content_key(name).encode())
        return digest.hexdigest()

    # Changing -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the folder's lock: one writer (the CLI, a service's job) or index build at a time,
        across processes. An exclusive ``flock`` on the folder itself, so no lock file is left in
        it (the default corpus is read-only), released by the kernel if the holder dies."""
        self.path.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.path, os.O_RDONLY)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # closing releases the lock

    def add(self, source: Path, jurisdiction: str | None = None,
            limit: int = MAX_DOCUMENT_BYTES, keep: Path | None = None) -> Added:
        """Add one document file; a changed version of a document already here replaces it.

        Nothing is written unless the whole document reads: a failure leaves the folder as it was.
        With ``keep``, a replaced document's files are moved there instead of deleted, so that the
        change can be undone (:meth:`restore`).

        Raises:
            CorpusError: the file cannot be read, is not a policy document, or its jurisdiction
                cannot be told (pass ``jurisdiction``).
        """
        size = source.stat().st_size
        if size > limit:
            raise DocumentTooLarge(f"the file has {size:,} bytes; the limit is {limit:,} "
                                   f"({limit // 2**20} MiB)")
        data = source.read_bytes()
        rendition = read_document(data, limit, source.name)
        document = parse_rendition(rendition, "document", jurisdiction=jurisdiction, gazetteer=self.gazetteer)
        _check_policy_document(document)
        if jurisdiction and document.meta.level is None:
            raise JurisdictionUnknown(f"--jurisdiction {jurisdiction!r} is not a place the gazetteer knows: "
                                      "give a province, city or county (e.g. 广州市) or 全国")
        if document.meta.level is None:
            raise JurisdictionUnknown("cannot tell which place this document belongs to (no issuer, title or "
                                      "文号 names one): pass --jurisdiction NAME (e.g. 广州市, or 全国)")
        sha = hashlib.sha256(data).hexdigest()
        catalog = self.catalog()
        existing = {name: self.sidecar(name) or {} for name in self.files()}
        for name, sidecar in existing.items():
            stored = sidecar.get("sha256") or _sha256_file(self.documents_dir / name)
            if stored == sha:
                return Added(self.load(name), "unchanged", name)
        key = identity(document)
        replaced = next((name for name, sidecar in existing.items() if sidecar.get("identity") == key), None)
        if replaced is None:
            replaced = self._identity_of_unrecorded(existing, key)
        if replaced is not None:
            document_id = self._id_of(replaced, catalog)
        else:
            document_id = unique_id(generate_id(document, self.gazetteer),
                                    {self._id_of(n, catalog) for n in existing})
        name = document_id + _EXTENSIONS[rendition.format]
        sidecar = {"format_version": RENDITION_FORMAT, "id": document_id, "source": source.name,
                   "sha256": sha, "identity": key, "jurisdiction": jurisdiction,
                   "added": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                   "rendition": rendition.to_json(),
                   "rendition_sha256": _sha256(rendition.text.encode("utf-8"))}
        if replaced is not None and keep is not None:
            self._delete(replaced, keep)
        self._write(name, data, rendition, sidecar)
        if replaced is not None and replaced != name and keep is None:
            self._delete(replaced)
        final = with_id(document, document_id)
        return Added(final, "replaced" if replaced is not None else "added", name)

    def remove(self, document_ids: list[str], keep: Path | None = None) -> list[str]:
        """Remove documents by id; nothing is removed unless every id exists. With ``keep``,
        their files are moved there, so that the removal can be undone (:meth:`restore`).

        Raises:
            CorpusError: an id names no document.
        """
        names = {document_id: self.find(document_id) for document_id in document_ids}
        missing = [document_id for document_id, name in names.items() if name is None]
        if missing:
            raise CorpusError(f"no document with the id {', '.join(missing)} in {self.path}: "
                              "see `policy-qa list`")
        for name in names.values():
            assert name is not None
            self._delete(name, keep)
        return list(names)

    def restore(self, kept: Path, added: str | None = None) -> None:
        """Undo a change made with ``keep``: remove the document ``added`` (its file name), then
        put back the files moved to ``kept``."""
        if added is not None:
            self._delete(added)
        moves = ((kept / "renditions", self.renditions_dir), (kept / "documents", self.documents_dir))
        for folder, target in moves:
            if folder.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                for path in sorted(folder.iterdir()):
                    os.replace(path, target / path.name)

    def _id_of(self, name: str, catalog: dict[str, CatalogEntry] | None = None) -> str:
        entry = (catalog if catalog is not None else self.catalog()).get(name)
        sidecar = self.sidecar(name) or {}
        return (entry.id if entry and entry.id else None) or sidecar.get("id") or Path(name).stem

    def _identity_of_unrecorded(self, existing: dict[str, dict[str, Any]], key: str) -> str | None:
        """Documents without a sidecar (the default corpus's text files) are parsed to compare."""
        for name, sidecar in existing.items():
            if sidecar:
                continue
            stamp = (name, (self.documents_dir / name).stat().st_mtime_ns)
            if stamp not in self._identities:
                try:
                    self._identities[stamp] = identity(self.load(name))
                except CorpusError:
                    continue
            if self._identities[stamp] == key:
                return name
        return None

    def _write(self, name: str, data: bytes, rendition: Rendition, sidecar: dict[str, Any]) -> None:
        """Write the rendition, then its sidecar, then the original, each by an atomic rename:
        a document exists once its original is in documents/, and then it is complete."""
        self.documents_dir.mkdir(parents=True, exist_ok=True)
        self.renditions_dir.mkdir(parents=True, exist_ok=True)
        if rendition.format != "text":
            atomic_write(self.renditions_dir / f"{name}.txt", rendition.text.encode("utf-8"))
        else:
            (self.renditions_dir / f"{name}.txt").unlink(missing_ok=True)
        atomic_write(self.renditions_dir / f"{name}.json",
                      json.dumps(sidecar, ensure_ascii=False, indent=1).encode("utf-8"))
        atomic_write(self.documents_dir / name, data)

    def _delete(self, name: str, keep: Path | None = None) -> None:
        """Delete a document's files, or move them to ``keep``; the original goes first: without
        it the document no longer exists."""
        files = [self.documents_dir / name,
                 *(self.renditions_dir / f"{name}{suffix}" for suffix in (".json", ".txt"))]
        for path in files:
            if not path.exists():
                continue
            if keep is None:
                path.unlink()
            else:
                (keep / path.parent.name).mkdir(parents=True, exist_ok=True)
                os.replace(path, keep / path.parent.name / path.name)


def with_id(document: Document, document_id: str) -> Document:
    """The document under another id, its provisions' ids following."""
    old = len(document.id)
    return replace(document, id=document_id, provisions=tuple(
        replace(p, id=document_id + p.id[old:], document_id=document_id) for p in document.provisions))


def identity(document: Document) -> str:
    """What makes two files the same document: its 文号, else its title and jurisdiction."""
    meta = document.meta
    if meta.number:
        return f"number:{meta.number}"
    return f"title:{meta.jurisdiction or ''}:{meta.title or document.provisions[0].text[:40]}"


def generate_id(document: Document, gazetteer: Gazetteer) -> str:
    """A readable id that is the same on every machine: place, year, and a short hash of the
    document's identity, e.g. ``guangzhou-2022-5c1e0a``."""
    meta = document.meta
    year = next((d.year for d in (meta.written, meta.published, meta.effective) if d), None)
    digest = hashlib.sha256(identity(document).encode("utf-8")).hexdigest()[:6]
    return f"{place_slug(meta.jurisdiction)}-{year or 'undated'}-{digest}"


def place_slug(name: str | None) -> str:
    """广州市 → guangzhou, 全国 → china: the place's pinyin without its level suffix."""
    if not name:
        return "unknown"
    if name == "全国":
        return "china"
    from pypinyin import lazy_pinyin  # 0.2 s to import: only when an id is made

    short = _LEVEL_SUFFIX.sub("", name) or name
    slug = "".join(lazy_pinyin(short)).lower()
    return re.sub(r"[^a-z0-9]+", "", slug) or "place"


_LEVEL_SUFFIX = re.compile(r"(维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|自治县|特别行政区|"
                           r"省|市|县|区|旗|盟)$")


def unique_id(candidate: str, taken: set[str]) -> str:
    if candidate not in taken:
        return candidate
    n = 2
    while f"{candidate}-{n}" in taken:
        n += 1
    return f"{candidate}-{n}"


def _check_policy_document(document: Document) -> None:
    """A policy document is written in Chinese: a file of English (a README), or with only a few
    Chinese characters, is refused before anything asks where it belongs."""
    text = document.text
    cjk = sum(1 for char in text if "\u4e00" <= char <= "\u9fff")
    latin = sum(1 for char in text if char.isascii() and char.isalpha())
    if cjk < _MIN_CJK or not document.provisions:
        raise NotPolicyDocument(f"this file holds {cjk} Chinese characters and no provisions: it is not a "
                                "policy document")
    if latin > cjk:
        raise NotPolicyDocument(f"this file is mostly in Latin letters ({latin} against {cjk} Chinese "
                                "characters): it is not a Chinese policy document")


def walk(paths: list[Path]) -> Iterator[Path]:
    """The files named, and every file under the folders named (hidden files aside), in order."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
                if child.is_file() and not hidden:
                    yield child
        else:
            yield path


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def atomic_write(path: Path, data: bytes) -> None:
    """Write a file by renaming a complete temporary file over it: readers see old or new, whole."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load_corpus(folder: Path | None = None) -> list[Document]:
    """All documents of a corpus folder (the bundled default corpus when None)."""
    return CorpusFolder(folder or DEFAULT_FOLDER).load_all()


def _signature(path: Path) -> tuple[int, int, int]:
    """What changes when a file is written or replaced (0s for a missing file)."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return (0, 0, 0)
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino)
