"""Provisions by row, on disk: a million of them must not live on the Python heap.

``provisions.sqlite`` holds one row per provision (its row number, id and JSON) and each
document's outline. A loaded index opens it read-only and fetches a provision when a hit is
rendered; recently fetched provisions are kept in a bounded cache. SQLite (the standard
library's) gives lookup by row and by id without parsing the rest; the file of a published
version never changes, so it is opened ``immutable`` (no locks, no journal).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import overload

from corpus import Heading, Provision

FILE = "provisions.sqlite"
CACHED = 20_000  # provisions kept after a fetch (a few MB)
_SCHEMA = """
CREATE TABLE provision (row INTEGER PRIMARY KEY, id TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE outline (document TEXT PRIMARY KEY, body TEXT NOT NULL);
"""


def write_table(path: Path, provisions: Iterable[Provision],
                outlines: dict[str, tuple[Heading, ...]]) -> int:
    """Write provisions (in row order) and outlines to a new database; the number of rows."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode = OFF")  # a new file in a staging folder
        connection.execute("PRAGMA synchronous = OFF")  # the build syncs the finished folder
        connection.executescript(_SCHEMA)
        rows = 0

        def records() -> Iterator[tuple[int, str, str]]:
            nonlocal rows
            for row, provision in enumerate(provisions):
                rows = row + 1
                yield row, provision.id, json.dumps(provision.to_json(), ensure_ascii=False)

        connection.executemany("INSERT INTO provision VALUES (?, ?, ?)", records())
        connection.execute("CREATE UNIQUE INDEX provision_id ON provision (id)")
        connection.executemany("INSERT INTO outline VALUES (?, ?)", (
            (document, json.dumps([h.to_json() for h in tree], ensure_ascii=False))
            for document, tree in outlines.items()))
        connection.commit()
    finally:
        connection.close()
    return rows


class ProvisionTable(Sequence[Provision]):
    """The provisions of an index, by row: ``table[row]``, ``len(table)``, iteration in order."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()  # one connection per thread: sqlite3 objects are not shared
        self._cache: OrderedDict[int, Provision] = OrderedDict()
        self._lock = threading.Lock()
        (self._size,) = self._connection().execute("SELECT count(*) FROM provision").fetchone()

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            uri = f"{self.path.resolve().as_uri()}?mode=ro&immutable=1"
            connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
            self._local.connection = connection
        return connection

    def __len__(self) -> int:
        return int(self._size)

    @overload
    def __getitem__(self, row: int) -> Provision: ...

    @overload
    def __getitem__(self, row: slice) -> list[Provision]: ...

    def __getitem__(self, row: int | slice) -> Provision | list[Provision]:
        if isinstance(row, slice):
            return self.between(*row.indices(len(self))[:2]) if row.step in (None, 1) else \
                [self[r] for r in range(*row.indices(len(self)))]
        row = int(row)
        if row < 0:
            row += len(self)
        with self._lock:
            cached = self._cache.get(row)
            if cached is not None:
                self._cache.move_to_end(row)
                return cached
        found = self._connection().execute("SELECT body FROM provision WHERE row = ?", (row,)).fetchone()
        if found is None:
            raise IndexError(f"no provision at row {row}")
        provision = Provision.from_json(json.loads(found[0]))
        with self._lock:
            self._cache[row] = provision
            if len(self._cache) > CACHED:
                self._cache.popitem(last=False)
        return provision

    def between(self, start: int, end: int) -> list[Provision]:
        """The provisions of rows ``start`` to ``end`` (excluded), in order: one query."""
        cursor = self._connection().execute(
            "SELECT body FROM provision WHERE row >= ? AND row < ? ORDER BY row", (start, end))
        return [Provision.from_json(json.loads(body)) for (body,) in cursor]

    def __iter__(self) -> Iterator[Provision]:
        step = 10_000
        for start in range(0, len(self), step):
            yield from self.between(start, start + step)

    def row_of(self, provision_id: str) -> int | None:
        found = self._connection().execute("SELECT row FROM provision WHERE id = ?",
                                           (provision_id,)).fetchone()
        return int(found[0]) if found else None

    def outline(self, document_id: str) -> tuple[Heading, ...]:
        found = self._connection().execute("SELECT body FROM outline WHERE document = ?",
                                           (document_id,)).fetchone()
        return tuple(Heading.from_json(h) for h in json.loads(found[0])) if found else ()

    def check(self) -> None:
        """Raise if the database cannot be read (sqlite3.DatabaseError)."""
        self._connection().execute("SELECT row, id FROM provision ORDER BY row DESC LIMIT 1").fetchall()
