"""The analyzer: domain terms kept whole, synonyms and normalisation shared by both sides."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus import load_corpus
from index.analysis import Analyzer
from index.dictionary import DICTIONARY, build


@pytest.fixture(scope="module")
def analyzer(tmp_path_factory: pytest.TempPathFactory) -> Analyzer:
    return Analyzer(tmp_path_factory.mktemp("jieba-cache"))


@pytest.mark.parametrize("term", ["托位", "托位数", "每百户", "每千人口托位数", "护理型床位", "一老一小",
                                  "婴幼儿照护", "适老化", "医养结合", "普惠性", "特困人员", "兜底线",
                                  "公建民营", "福彩公益金"])
def test_domain_terms_stay_whole(analyzer: Analyzer, term: str) -> None:
    assert term in analyzer.tokens(f"关于{term}的规定")


def test_jieba_alone_would_split_them(tmp_path: Path) -> None:
    import jieba

    plain = jieba.Tokenizer()
    plain.tmp_dir = str(tmp_path)
    assert "托位数" not in plain.lcut("每千人口托位数")  # the failure the dictionary exists for


@pytest.mark.parametrize(("variant", "canonical"), [
    ("每百户不少于20平米", "每百户不少于20平方米"),
    ("托育用房", "托育服务设施"),
    ("婴幼儿照护服务设施", "托育服务设施"),
    ("一老一幼", "一老一小"),
    ("五年", "5年"),
    ("２０２５年", "2025年"),
    ("每千人托位4. 5个", "每千人托位4.5个"),
    ("７０％以上", "70%以上"),
])
def test_variants_normalise_to_one_form(analyzer: Analyzer, variant: str, canonical: str) -> None:
    assert analyzer.tokens(variant) == analyzer.tokens(canonical)


def test_stopwords_and_punctuation_are_dropped(analyzer: Analyzer) -> None:
    tokens = analyzer.tokens("请问，托育服务用房的标准是多少？")
    assert "的" not in tokens and "，" not in tokens and "？" not in tokens and "多少" not in tokens
    assert "标准" in tokens


def test_jieba_cache_goes_where_it_is_told(tmp_path: Path) -> None:
    cache = tmp_path / "nested" / "cache"
    Analyzer(cache).tokens("托育")
    assert any(cache.iterdir())


def test_fingerprint_changes_with_the_dictionary(tmp_path: Path) -> None:
    other = tmp_path / "dict.txt"
    other.write_text("托位 50000\n", encoding="utf-8")
    assert Analyzer(tmp_path / "a").fingerprint != Analyzer(tmp_path / "b", dictionary=other).fingerprint


def test_shipped_dictionary_is_built_from_the_corpus() -> None:
    shipped = DICTIONARY.read_text(encoding="utf-8")
    assert shipped == build(load_corpus()), "run: python -m index.dictionary"
    terms = {line.split()[0] for line in shipped.splitlines()}
    assert {"放管服", "一老一小", "新生儿访视率"} <= terms  # quoted in the text; a table indicator


def test_odd_input_gives_tokens_or_nothing(analyzer: Analyzer) -> None:
    assert analyzer.tokens("") == []
    assert analyzer.tokens("？？！！。。") == []
    assert analyzer.tokens("\x00\ud800🙂") == []
    assert analyzer.tokens("𠀀托育") == ["𠀀", "托育"]  # CJK extension B survives
