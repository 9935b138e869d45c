"""Citizens' and English words to official terms (index/thesaurus.py and its tables)."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.analysis import ENGLISH, EXPANSIONS, THESAURUS
from index.thesaurus import Thesaurus, stem


@pytest.fixture(scope="module")
def thesaurus() -> Thesaurus:
    return Thesaurus.load(EXPANSIONS, THESAURUS, ENGLISH)


def test_plain_words_reach_the_official_terms(thesaurus: Thesaurus) -> None:
    assert "喘息服务" in thesaurus.terms("我天天伺候我妈，能不能有人帮忙照看几天")
    assert "既有住宅加装电梯" in thesaurus.terms("我们老楼装电梯政府给不给钱")
    assert "特困人员" in thesaurus.terms("五保户每个月能领多少")


def test_english_phrases_match_whole_words_after_stemming(thesaurus: Thesaurus) -> None:
    assert "喘息服务" in thesaurus.terms("Is there respite care for family carers?")
    assert thesaurus.terms("nursing beds") == thesaurus.terms("nursing bed")
    # "bed" is a word of its own, not a part of "embedded"
    assert "床位" not in thesaurus.terms("embedded systems")
    # a modal verb is not a testament: "will" alone is not 遗嘱, "a will" is
    assert "遗嘱" not in thesaurus.terms("What will Suizhou build by 2025?")
    assert "遗嘱" in thesaurus.terms("Can I change my will after making it?")
    assert stem("nurseries") == "nursery" and stem("children's") == "child" and stem("bus") == "bus"


def test_a_bad_table_line_names_its_file_and_line(tmp_path: Path) -> None:
    table = tmp_path / "thesaurus.tsv"
    table.write_text("# comment\n喘息服务\t帮忙照看几天\n适老化改造 装扶手\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"thesaurus.tsv:3: expected two fields"):
        Thesaurus.load(tmp_path / "none.tsv", table)


def test_the_tables_are_well_formed() -> None:
    # Every official term of the thesaurus is written as documents write it: no empty plain form,
    # none equal to its term.
    for line in THESAURUS.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        term, plain = line.split("\t")
        forms = plain.split("|")
        assert all(forms) and term not in forms, line
