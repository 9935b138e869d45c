"""Every provision re-reads from its file: the citation offsets are the proof of verbatim text."""

from __future__ import annotations

import re

from corpus import Document, Kind
from corpus.catalog import CatalogEntry
from tests.conftest import file_text


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_every_clause_rereads_exactly_from_the_file(catalog: dict[str, CatalogEntry],
                                                    documents: dict[str, Document]) -> None:
    for entry in catalog.values():
        text = file_text(entry)
        clauses = [p for p in documents[entry.id].provisions if p.kind is Kind.CLAUSE]
        assert clauses
        for provision in clauses:
            assert text[provision.start:provision.end] == provision.text, provision.id


def test_every_table_cell_lies_in_its_row_span(catalog: dict[str, CatalogEntry],
                                               documents: dict[str, Document]) -> None:
    for entry in catalog.values():
        text = file_text(entry)
        for row in (p for p in documents[entry.id].provisions if p.kind is Kind.TABLE_ROW):
            span = _compact(text[row.start:row.end])
            assert row.cells, row.id
            for cell in row.cells:
                source = _compact(text[cell.start:cell.end])
                if cell.carried:
                    # A merged cell's value lives in the row above; its offsets say where.
                    assert cell.start < row.start
                else:
                    assert row.start <= cell.start < cell.end <= row.end, row.id
                    assert _compact(cell.value).replace("、", "") in span.replace("、", "")
                assert _compact(cell.value).replace("、", "") == source.replace("、", "") or \
                    _compact(cell.value).replace("、", "") in source.replace("、", ""), row.id
                assert _compact(cell.value) in _compact(row.text) or cell.column.startswith("序号")


def test_provision_ids_are_unique_and_stable(documents: dict[str, Document]) -> None:
    from corpus import load_corpus

    again = {document.id: document for document in load_corpus()}
    for document_id, document in documents.items():
        ids = [p.id for p in document.provisions]
        assert len(ids) == len(set(ids))
        assert ids == [p.id for p in again[document_id].provisions]
        assert all(i.startswith(document_id + ":") for i in ids)


def test_provisions_are_in_document_order_and_do_not_overlap(
        documents: dict[str, Document]) -> None:
    for document in documents.values():
        previous_end = 0
        for provision in document.provisions:
            assert provision.start >= previous_end, provision.id
            previous_end = provision.end
