"""Metadata read from each document; the catalog supplies only what a file does not say."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from corpus import DEFAULT_FOLDER, CatalogError, Document, load_catalog, parse_file, parse_text
from corpus.catalog import CatalogEntry
from tests.conftest import DOCUMENTS

# What a reader of each seed file finds in it, checked by eye.
EXPECTED = {
    "rugao-2023-yilao-yixiao.txt": {
        "title": "如皋市“一老一小”整体解决方案", "number": "皋政发〔2023〕4号",
        "issuers": ("如皋市人民政府",), "jurisdiction": "如皋市", "level": "county",
        "parents": ("南通市", "江苏省", "全国"), "written": dt.date(2023, 2, 14),
        "published": dt.date(2023, 2, 14)},
    "jiangsu-2021-yanglao-tuoyu.txt": {
        "title": "省政府办公厅关于促进养老托育服务高质量发展的实施意见", "number": "苏政办发〔2021〕75号",
        "issuers": ("江苏省人民政府办公厅",), "jurisdiction": "江苏省", "level": "province",
        "parents": ("全国",), "written": None, "published": None},
    "suizhou-2022-yilao-yixiao.txt": {
        "title": "随州市“一老一小”整体解决方案", "number": "随政发〔2022〕28号",
        "issuers": ("随州市人民政府",), "jurisdiction": "随州市", "level": "prefecture",
        "parents": ("湖北省", "全国"), "written": dt.date(2022, 9, 22),
        # No portal date and no 印发 line: the document does not say when it was published.
        "published": None},
    "lianshui-2022-yilao-yiyou.txt": {
        "title": "涟水县“一老一幼”整体解决方案", "number": "涟政办发〔2022〕29号",
        "issuers": ("涟水县人民政府办公室",), "jurisdiction": "涟水县", "level": "county",
        "parents": ("淮安市", "江苏省", "全国"), "written": dt.date(2022, 12, 16)},
    "suicheng-2023-yanglao-tuoyu.txt": {
        "title": "宿城区促进养老托育服务高质量发展实施方案", "number": None,
        "issuers": ("宿城区人民政府",), "jurisdiction": "宿城区", "level": "county",
        "parents": ("宿迁市", "江苏省", "全国"), "written": dt.date(2023, 4, 6),
        # 本指南自印发之日起实施，有效期至2025年 closes 附件5, not the plan: not the plan's dates.
        "effective": None, "expires": None},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_metadata_is_read_from_each_seed(name: str) -> None:
    meta = parse_file(DOCUMENTS / name).meta
    for field, value in EXPECTED[name].items():
        assert getattr(meta, field) == value, (name, field)
    assert meta.issuer == meta.issuers[0]
    assert meta.format == "text"


def test_the_catalog_supplies_only_what_a_file_does_not_say(catalog: dict[str, CatalogEntry],
                                                           documents: dict[str, Document]) -> None:
    assert {entry.id for entry in catalog.values()} == set(documents)
    jiangsu = catalog["jiangsu-2021-yanglao-tuoyu.txt"]
    assert set(jiangsu.values) == {"published", "written"}
    assert documents["jiangsu-2021"].meta.published == dt.date(2021, 9, 29)
    assert all(set(entry.values) <= {"published", "written"} for entry in catalog.values())


def test_catalog_files_are_the_seeds_byte_for_byte(catalog: dict[str, CatalogEntry]) -> None:
    seeds = Path(__file__).parents[3] / "shared" / "seeds"
    if not seeds.is_dir():
        pytest.skip("shared/seeds is not beside this checkout")
    seed_bytes = sorted(path.read_bytes() for path in seeds.glob("*.txt"))
    corpus_bytes = sorted((DOCUMENTS / name).read_bytes() for name in catalog)
    assert seed_bytes == corpus_bytes


def test_a_broken_catalog_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "catalog.toml"
    bad.write_text('[[document]]\nid = "x"\n', encoding="utf-8")
    with pytest.raises(CatalogError, match="has no file"):
        load_catalog(bad)
    bad.write_text("not toml [", encoding="utf-8")
    with pytest.raises(CatalogError, match="cannot read"):
        load_catalog(bad)
    bad.write_text('[[document]]\nfile = "a.txt"\npublished = "yesterday"\n', encoding="utf-8")
    with pytest.raises(CatalogError, match="TOML date"):
        load_catalog(bad)
    bad.write_text('[[document]]\nfile = "a.txt"\nlevel = "county"\n', encoding="utf-8")
    with pytest.raises(CatalogError, match="unknown field"):
        load_catalog(bad)
    assert load_catalog(tmp_path / "absent.toml") == {}
    assert set(load_catalog(DEFAULT_FOLDER / "catalog.toml")) == set(EXPECTED)


def test_meta_of_an_uncatalogued_notice() -> None:
    text = ("沭政发〔2024〕7号\n\n沭阳县人民政府关于印发《沭阳县托育服务实施方案》的通知\n\n"
            "各乡镇人民政府：\n现印发给你们。\n沭阳县人民政府\n2024年3月1日\n沭阳县托育服务实施方案\n"
            "一、总则\n（一）正文。内容。\n")
    meta = parse_text(text).meta
    assert (meta.number, meta.title, meta.issuer, meta.jurisdiction, str(meta.written)) == (
        "沭政发〔2024〕7号", "沭阳县托育服务实施方案", "沭阳县人民政府", "沭阳县", "2024-03-01")
    assert meta.published is None  # neither a portal date nor a 印发 line says when it was published
    assert (meta.level, meta.parents) == ("county", ("宿迁市", "江苏省", "全国"))
