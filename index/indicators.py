"""The indicators of an index's documents, read at build time and kept beside its provisions.

Both backends store them per document (the local one as ``indicators.jsonl`` in the version
folder, the engine in ``pq_documents.indicators``), so that listing a place's indicators or
filling a comparison costs a lookup, not a re-reading of its tables.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from corpus.indicators import Indicator, read_indicators
from index.parsing import Parsed

FILE = "indicators.jsonl"


def indicators_of(entry: Parsed) -> list[Indicator]:
    """The indicators a parsed document states."""
    written = entry.record.written or entry.record.published
    year = int(written[:4]) if written and written[:4].isdigit() else None
    return read_indicators(entry.provisions, entry.record.title, year)


def write_indicators(path: Path, parsed: Iterable[Parsed]) -> None:
    """One JSON line per indicator, documents in the order given."""
    with path.open("w", encoding="utf-8") as out:
        for entry in parsed:
            for indicator in indicators_of(entry):
                out.write(json.dumps(indicator.to_json(), ensure_ascii=False) + "\n")


def read_indicator_file(path: Path) -> dict[str, list[Indicator]]:
    """The indicators written by :func:`write_indicators`, by document id."""
    by_document: dict[str, list[Indicator]] = defaultdict(list)
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            indicator = Indicator.from_json(json.loads(line))
            by_document[indicator.document_id].append(indicator)
    return dict(by_document)
