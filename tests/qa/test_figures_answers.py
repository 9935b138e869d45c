"""Figures parsed from standards, and answers that are verbatim substrings of provisions."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus import Kind, Provision
from corpus.figures import parse_figures
from index.analysis import Analyzer
from qa.answers import extract


@pytest.mark.parametrize(("text", "expected"), [
    ("按每百户不少于20平方米的标准配建", [("不少于20平方米", "≥", 20.0, "平方米", "百户")]),
    ("新建居住小区按照每百户20平方米以上的标准", [("20平方米以上", "≥", 20.0, "平方米", "百户")]),
    ("每千人口托位数达到4.5个", [("达到4.5个", "=", 4.5, "个", "千人口")]),
    ("护理型床位占比达到70%以上", [("达到70%以上", "≥", 70.0, "%", None)]),
    ("给予2万元补助", [("2万元", "=", 2.0, "万元", None)]),
    ("每千人托位4. 5个", [("4. 5个", "=", 4.5, "个", "千人")]),
    ("到2025年建成", []),  # a year is a date, not a quantity
    ("2024年：4.0｜2025年：4.5左右", [("4.0", "=", 4.0, None, None), ("4.5左右", "≈", 4.5, None, None)]),
])
def test_parse_figures(text: str, expected: list[tuple[object, ...]]) -> None:
    figures = parse_figures(text)
    assert [(f.text, f.operator, f.value, f.unit, f.per) for f in figures] == expected
    for figure in figures:
        assert text[figure.start:figure.end] == figure.text


def test_a_parallel_clause_inherits_its_per_unit() -> None:
    figures = parse_figures("按每百户不少于30平方米的标准配建养老用房，不少于20平方米的标准配建托育用房")
    assert [(f.value, f.per) for f in figures] == [(30.0, "百户"), (20.0, "百户")]


def test_table_values_carry_their_column() -> None:
    (figure,) = parse_figures("指标名称：托位数｜2024年：≥60%")
    assert (figure.label, figure.operator, figure.value, figure.unit) == ("2024年", "≥", 60.0, "%")


@pytest.fixture(scope="module")
def analyzer(tmp_path_factory: pytest.TempPathFactory) -> Analyzer:
    return Analyzer(tmp_path_factory.mktemp("jieba"))


def _clause(text: str) -> Provision:
    return Provision("d:1", "d", Kind.CLAUSE, "1", None, (), text, 0, len(text))


def test_the_answer_is_the_best_sentence_verbatim(analyzer: Analyzer) -> None:
    text = ("3.新建小区配建服务设施。实行“四同步”政策，按每百户不少于30平方米的标准配建养老服务用房。"
            "老旧小区升级燃气设施时一并考虑。对缓建的，整改到位前不得验收。")
    answer = extract(_clause(text), analyzer.query_tokens("养老服务用房每百户多少平方米"), analyzer.tokens)
    assert answer.text == "实行“四同步”政策，按每百户不少于30平方米的标准配建养老服务用房。"
    assert text[answer.start:answer.end] == answer.text
    assert [f.text for f in answer.figures] == ["不少于30平方米"]
    assert text[answer.figures[0].start:answer.figures[0].end] == "不少于30平方米"


def test_a_table_answer_stops_at_the_asked_year(analyzer: Analyzer) -> None:
    text = "某表｜指标名称：托位数｜2023年：3.3｜2024年：4.0｜2025年：4.5｜牵头部门：卫健局"
    row = Provision("d:r", "d", Kind.TABLE_ROW, "附件2 第8行", None, (), text, 0, 10)
    asked = extract(row, analyzer.query_tokens("2024年托位数目标"), analyzer.tokens)
    assert asked.text == "指标名称：托位数｜2023年：3.3｜2024年：4.0"
    whole = extract(row, analyzer.query_tokens("托位数目标是多少"), analyzer.tokens)
    assert whole.text == text.split("｜", 1)[1]


def test_expansion_reaches_official_terms(analyzer: Analyzer) -> None:
    assert "托育机构" in analyzer.query_tokens("楼下能开托儿所吗")
    assert "护理型床位" in analyzer.query_tokens("share of nursing beds")
    assert "床位" not in analyzer.query_tokens("embedded systems")  # whole words only
    assert analyzer.expand("托育") == "托育"


def test_analyzer_cache_is_separate_from_repo(tmp_path: Path) -> None:
    Analyzer(tmp_path / "c").tokens("托育")
    assert (tmp_path / "c").is_dir()
