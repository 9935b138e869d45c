"""Real documents from other places, in the forms governments publish them, and Word, PDF and OFD
fixtures made from their text: metadata as a reader finds it, provisions under the labels people
cite, offsets that re-read the rendition, no page chrome, and golden files of every provision.

The expectations (tests/data/realdocs/expected.json) were written by reading the documents, not
the parser's output; bench/ingestion.py prints the same measures as a table.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bench.ingestion import CHROME, compact, expectations
from corpus import Document, Kind, parse_file
from tests.conftest import DATA, REALDOCS

EXPECTED = expectations(DATA / "realdocs" / "expected.json")
GOLDEN = DATA / "golden" / "realdocs"


def _path(name: str) -> Path:
    return DATA / "fixtures" / name.removeprefix("fixtures/") if name.startswith("fixtures/") \
        else REALDOCS / name


@pytest.fixture(scope="module")
def parsed() -> dict[str, Document]:
    return {name: parse_file(_path(name), "doc") for name in EXPECTED if _path(name).is_file()}


def _document(parsed: dict[str, Document], name: str) -> Document:
    if name not in parsed:
        pytest.skip(f"{_path(name)} is not here (shared/realdocs is not beside this checkout)")
    return parsed[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_metadata_is_what_a_reader_finds(parsed: dict[str, Document], name: str) -> None:
    meta = _document(parsed, name).meta.to_json()
    for field, value in EXPECTED[name]["metadata"].items():
        got = meta.get(field)
        if field == "issuers":
            value, got = sorted(value), sorted(got)  # type: ignore[arg-type]
        assert got == value, (field, got, value)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sampled_provisions_are_found_verbatim_under_their_labels(parsed: dict[str, Document],
                                                                 name: str) -> None:
    document = _document(parsed, name)
    by_label: dict[str, list[str]] = {}
    for provision in document.provisions:
        by_label.setdefault(compact(provision.label), []).append(compact(provision.text))
    missing = [sample for sample in EXPECTED[name]["provisions"]
               if not any(compact(sample["contains"]) in text
                          for text in by_label.get(compact(sample["label"]), []))]
    assert len(missing) <= len(EXPECTED[name]["provisions"]) // 10, missing


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_offsets_reread_and_no_page_chrome(parsed: dict[str, Document], name: str) -> None:
    document = _document(parsed, name)
    assert document.provisions
    for provision in document.provisions:
        if provision.kind is Kind.CLAUSE:
            assert document.text[provision.start:provision.end] == provision.text, provision.id
        for cell in provision.cells:
            assert document.text[cell.start:cell.end].strip(), provision.id
        assert not [marker for marker in CHROME if marker in provision.text], provision.id


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_golden_file(parsed: dict[str, Document], name: str) -> None:
    document = _document(parsed, name)
    lines = [json.dumps({"label": p.label, "kind": p.kind.value, "part": p.part, "path": list(p.path),
                         "start": p.start, "end": p.end, "page": p.page,
                         "departments": list(p.departments)}, ensure_ascii=False)
             for p in document.provisions]
    golden = GOLDEN / (name.replace("/", "-") + ".jsonl")
    if os.environ.get("POLICY_QA_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert golden.read_text(encoding="utf-8").splitlines() == lines
