"""Metadata parsed from each header matches the catalog, which supplies only what is unparsed."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus import CatalogError, Document, load_catalog, parse_file
from corpus.catalog import CatalogEntry
from tests.conftest import DOCUMENTS

FIELDS = ("title", "number", "issuer", "jurisdiction", "published")


def test_parsed_header_values_match_the_catalog(catalog: list[CatalogEntry]) -> None:
    assert len(catalog) == 5
    for entry in catalog:
        parsed = parse_file(DOCUMENTS / entry.file).meta
        for field in FIELDS:
            if field in entry.unparsed:
                continue
            assert getattr(parsed, field) == getattr(entry, field), (entry.id, field)


def test_unparsed_fields_are_really_absent_from_the_file(catalog: list[CatalogEntry]) -> None:
    jiangsu = next(entry for entry in catalog if entry.id == "jiangsu-2021")
    parsed = parse_file(DOCUMENTS / jiangsu.file).meta
    assert parsed.published is None
    assert parsed.issuer == "江苏省政府办公厅"  # as the title names it; the catalog gives the full name


def test_loaded_documents_carry_the_catalog_supplement(documents: dict[str, Document]) -> None:
    assert documents["jiangsu-2021"].meta.issuer == "江苏省人民政府办公厅"
    assert documents["jiangsu-2021"].meta.published is not None
    assert documents["suicheng-2023"].meta.number is None


def test_catalog_entries_place_each_jurisdiction(catalog: list[CatalogEntry]) -> None:
    chains = {entry.jurisdiction: (entry.level, entry.parents) for entry in catalog}
    assert chains["如皋市"] == ("county", ("南通市", "江苏省"))
    assert chains["涟水县"] == ("county", ("淮安市", "江苏省"))
    assert chains["宿城区"] == ("county", ("宿迁市", "江苏省"))
    assert chains["随州市"] == ("prefecture", ("湖北省",))
    assert chains["江苏省"] == ("province", ())


def test_catalog_files_are_the_seeds_byte_for_byte(catalog: list[CatalogEntry]) -> None:
    seeds = Path(__file__).parents[3] / "shared" / "seeds"
    if not seeds.is_dir():
        pytest.skip("shared/seeds is not beside this checkout")
    seed_bytes = sorted(path.read_bytes() for path in seeds.glob("*.txt"))
    corpus_bytes = sorted((DOCUMENTS / entry.file).read_bytes() for entry in catalog)
    assert seed_bytes == corpus_bytes


def test_a_broken_catalog_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "catalog.toml"
    bad.write_text('[[document]]\nid = "x"\n', encoding="utf-8")
    with pytest.raises(CatalogError, match="has no file"):
        load_catalog(bad)
    bad.write_text("not toml [", encoding="utf-8")
    with pytest.raises(CatalogError, match="cannot read"):
        load_catalog(bad)


def test_meta_of_an_uncatalogued_notice() -> None:
    text = ("某政发〔2024〕7号\n\n某某县人民政府关于印发《某某县托育服务实施方案》的通知\n\n"
            "各乡镇人民政府：\n现印发给你们。\n某某县人民政府\n2024年3月1日\n某某县托育服务实施方案\n一、总则\n（一）正文。内容。\n")
    from corpus import parse_text

    meta = parse_text(text).meta
    assert (meta.number, meta.title, meta.issuer, meta.jurisdiction, str(meta.published)) == (
        "某政发〔2024〕7号", "某某县托育服务实施方案", "某某县人民政府", "某某县", "2024-03-01")
