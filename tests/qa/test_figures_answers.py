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


def _answer(analyzer: Analyzer, text: str, question: str) -> str:
    from qa.asking import asked

    answer = extract(_clause(text), analyzer.query_tokens(question), analyzer.tokens,
                     question=asked(question))
    assert text[answer.start:answer.end] == answer.text
    return answer.text


def test_the_answer_is_the_clause_of_the_figure_asked(analyzer: Analyzer) -> None:
    from qa.asking import asked

    text = ("到2025年，全省每千名老人拥有养老床位数保持在40张以上，护理型床位数占养老机构床位比例达到"
            "70%以上，每千人口拥有3岁以下婴幼儿托位数达到4.5个。")
    question = "护理型床位占比是多少"
    answer = extract(_clause(text), analyzer.query_tokens(question), analyzer.tokens,
                     question=asked(question))
    assert answer.text == "护理型床位数占养老机构床位比例达到70%以上"
    assert text[answer.start:answer.end] == answer.text and [f.value for f in answer.figures] == [70]
    # The nursery standard's clause, not the elderly-care one before it in the same sentence.
    text = ("实行“四同步”政策，按每百户不少于30平方米的标准配建公益性养老服务用房，不少于20平方米的标准"
            "配建普惠性托育服务用房；已建成住宅小区按每百户不少于15平方米的标准调剂普惠性托育服务用房。")
    assert _answer(analyzer, text, "新建小区托育服务用房每百户配建标准是多少") == \
        "不少于20平方米的标准配建普惠性托育服务用房"
    assert _answer(analyzer, text, "已建成小区托育用房每百户多少平方米") == \
        "已建成住宅小区按每百户不少于15平方米的标准调剂普惠性托育服务用房"
    # A subject named in the next clause comes with it; a question without a figure keeps its sentence.
    text = "按照每百户不少于20平方米的标准，在新建小区规范配置婴幼儿照护服务设施。其他要求另行规定。"
    assert _answer(analyzer, text, "新建小区托育设施每百户多少平方米") == \
        "按照每百户不少于20平方米的标准，在新建小区规范配置婴幼儿照护服务设施"
    assert _answer(analyzer, text, "新建小区托育设施怎么配置") == text[:text.index("。") + 1]
