"""Index versions: every build is a complete folder of its own, published by one atomic rename.

Layout of an index root (default ``var/index``)::

    current -> versions/20261123T140501.123456Z-3f9a1c   the published version (a symlink)
    versions/20261123T140501Z-3f9a1c/             one complete index folder (manifest.json, …)
    versions/20261123T120012Z-8b2d0e/             the previous ones, kept a while
    versions/.building-…/                         a build in progress (or one that was killed)

A build writes into ``.building-…``, renames it into ``versions/`` when every file is written and
synced, then points ``current`` at it by renaming a new symlink over the old one: readers see
the old version or the new one, never half of either, and a build killed at any moment leaves
the published version as it was. This is Elasticsearch's alias swap in a file system; a symlink
renamed with ``os.replace`` is atomic on POSIX, which is why no library is needed here.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
from pathlib import Path

CURRENT = "current"
VERSIONS = "versions"
STAGING_PREFIX = ".building-"
KEEP = 3  # published versions kept: the live one and the two before it


def new_version_id() -> str:
    """Sortable by time (to the microsecond), unique across machines: 20261123T140501.123456Z-3f9a1c."""
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ") + "-" + secrets.token_hex(3)


class IndexRoot:
    """The folder that holds an index's versions and the pointer to the published one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.versions = path / VERSIONS

    def current(self) -> Path | None:
        """The published version's folder, or None when nothing was published."""
        pointer = self.path / CURRENT
        if not pointer.is_symlink():
            return None
        target = pointer.resolve()
        return target if target.is_dir() else None

    def current_id(self) -> str | None:
        current = self.current()
        return current.name if current else None

    def staging(self, version: str) -> Path:
        """A fresh folder to build a version in; leftovers of killed builds are removed first."""
        self.clean_leftovers()
        folder = self.versions / f"{STAGING_PREFIX}{version}"
        folder.mkdir(parents=True)
        return folder

    def publish(self, staging: Path) -> Path:
        """Move a completely written version into place and make it the published one."""
        version = staging.name.removeprefix(STAGING_PREFIX)
        _sync_tree(staging)
        final = self.versions / version
        os.replace(staging, final)
        _sync_dir(self.versions)
        temporary = self.path / f".{CURRENT}-{secrets.token_hex(4)}"
        temporary.symlink_to(Path(VERSIONS) / version)
        os.replace(temporary, self.path / CURRENT)
        _sync_dir(self.path)
        self.prune()
        return final

    def clean_leftovers(self) -> None:
        """Remove the staging folders and temporary pointers of builds that did not finish."""
        if self.versions.is_dir():
            for folder in self.versions.iterdir():
                if folder.name.startswith(STAGING_PREFIX):
                    shutil.rmtree(folder, ignore_errors=True)
        if self.path.is_dir():
            for pointer in self.path.glob(f".{CURRENT}-*"):
                pointer.unlink(missing_ok=True)

    def prune(self, keep: int = KEEP) -> None:
        """Keep the published version and the ``keep - 1`` newest others."""
        current = self.current_id()
        published = sorted((f for f in self.versions.iterdir()
                            if f.is_dir() and not f.name.startswith(STAGING_PREFIX)),
                           key=lambda f: f.name, reverse=True)
        others = [f for f in published if f.name != current]
        for folder in others[max(0, keep - 1):]:
            shutil.rmtree(folder, ignore_errors=True)


def resolve(folder: Path) -> Path:
    """The folder holding an index's files: the published version of an index root, or the
    folder itself (a single version, or an index written before versions existed)."""
    current = IndexRoot(folder).current()
    return current if current is not None else folder


def _sync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _sync_tree(folder: Path) -> None:
    """Flush every file of a version to disk before it is published: a power cut after the
    pointer moved must not leave the pointer at half-written files."""
    for path in folder.rglob("*"):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
    for path in [folder, *[p for p in folder.rglob("*") if p.is_dir()]]:
        _sync_dir(path)
