"""One figure per place: indicators matched across places, the standard for the subject asked,
years, and null cells where a place sets no such figure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.asking import asked, matches
from qa.compare import Comparison, compare, comparison_json
from qa.evaluation import cell_right, evaluate_compare, load_compare_questions
from qa.indicators import list_indicators
from qa.search import Searcher

EVAL = Path(__file__).parents[2] / "qa" / "eval"


def _cells(rows: list[Comparison]) -> dict[str, float | None]:
    return {row.jurisdiction: (row.figure.value if row.figure else None) for row in rows}


def _verbatim(rows: list[Comparison]) -> None:
    """Every figure is a span of the provision its row shows."""
    for row in rows:
        if row.figure is not None:
            assert row.hit is not None
            assert row.hit.text[row.figure.start:row.figure.end] == row.figure.text
            assert row.hit.document.jurisdiction == row.jurisdiction


def test_the_general_indicator_not_a_narrower_one(searcher: Searcher) -> None:
    rows = compare(searcher, "护理型床位占比")
    # 如皋 has 护理型床位数占养老机构床位比例 75 and 农村特困人员供养服务机构护理型床位占比 60;
    # 江苏 states it in a sentence with three other figures.
    assert _cells(rows) == {"江苏省": 70, "随州市": 60, "如皋市": 75, "宿城区": 60, "涟水县": 70}
    rugao = next(row for row in rows if row.jurisdiction == "如皋市")
    assert rugao.indicator is not None and rugao.indicator.attribute == "约束性"
    assert rugao.figure is not None and (rugao.figure.year, rugao.figure.unit) == (2025, "%")
    _verbatim(rows)
    narrow = _cells(compare(searcher, "农村特困人员供养服务机构护理型床位占比"))
    assert narrow == {"江苏省": None, "随州市": None, "如皋市": 60, "宿城区": None, "涟水县": None}


def test_a_year_asked_and_the_years_that_exist(searcher: Searcher) -> None:
    rows = compare(searcher, "2023年普惠性托位占比")
    assert _cells(rows) == {"江苏省": None, "随州市": None, "如皋市": None, "宿城区": 35, "涟水县": 15}
    rugao = next(row for row in rows if row.jurisdiction == "如皋市")
    assert rugao.note == "该地区没有给出2023年的数值（有：2025年）" and rugao.hit is None
    assert _cells(compare(searcher, "普惠性托位占比", year=2024))["宿城区"] == 50
    # A year no place gives: every cell empty, and a note saying which years exist.
    none = compare(searcher, "普惠性托位占比", year=2035)
    assert set(_cells(none).values()) == {None}
    body = comparison_json("普惠性托位占比", none, 2035)
    assert body["year"] == 2035
    assert body["note"] == "没有地区给出2035年的数值；各地给出的年份：2022、2023、2024、2025年"


def test_the_standard_for_the_subject_asked(searcher: Searcher) -> None:
    rows = compare(searcher, "托育服务用房每百户配建标准", ["如皋市", "宿城区", "江苏省"])
    # 如皋's provision gives 30 (养老) before 20 (托育); 江苏 sets only the 养老 standard.
    assert _cells(rows) == {"如皋市": 20, "宿城区": 48, "江苏省": None}
    rugao = rows[0]
    assert rugao.figure is not None and rugao.figure.subject == "普惠性托育服务用房"
    jiangsu = rows[2]
    assert jiangsu.figure is None and jiangsu.note == "该地区没有给出这一数值"
    _verbatim(rows)
    existing = compare(searcher, "已建成小区托育用房每百户补齐标准", ["如皋市", "宿城区"])
    assert _cells(existing) == {"如皋市": 15, "宿城区": 28}


def test_no_figure_is_invented(searcher: Searcher) -> None:
    for question in ("养老服务的总体要求", "托育服务发展的指导思想是什么"):
        rows = compare(searcher, question)
        assert all(row.figure is None for row in rows)
    # Unrelated figures stay out of a row: no population statistic under 普惠托位占比.
    rugao = compare(searcher, "普惠托位占比", ["如皋市"])[0]
    assert rugao.figure is not None and rugao.figure.value == 60
    assert rugao.indicator is not None and rugao.indicator.name == "普惠性托位占比（%）"


def test_the_json_row_carries_the_figure(searcher: Searcher) -> None:
    body = comparison_json("每千人口托位数", compare(searcher, "每千人口托位数", ["宿城区"]))
    (row,) = body["rows"]  # type: ignore[misc]
    assert row["figure"]["value"] == 4.5 and row["figure"]["operator"] == "≈"
    assert row["figure"]["indicator"] == "每千常住人口拥有3岁以下婴幼儿托位数"
    assert row["figure"]["label"] == "2025年" and row["figure"]["year"] == 2025
    assert row["years"] == [2023, 2024, 2025]
    assert row["hit"]["provision_id"] == "suicheng-2023:附件2第8行"


def test_asked_subjects() -> None:
    question = asked("各地2023年护理型床位比例目标是多少", ["如皋市", "如皋"])
    assert (question.subject, question.year, question.unit) == ("护理型床位占比", 2023, "%")
    standard = asked("老旧小区托育用房每百户多少平方米")
    assert standard.existing and standard.per == "百户" and standard.bare == "托育设施"
    assert asked("到2021年现状值是多少").baseline
    # The clause that asks names what is measured; the others set the scene.
    scene = asked("用存量房屋改建养老托育设施，过渡期政策几年")
    assert (scene.bare, scene.unit, scene.existing) == ("过渡期政策", "年", True)
    assert asked("新建住宅小区配套社区养老服务用房，每一百户要配多少平方米").bare == "社区养老设施"
    assert asked("24年托育机构数").year == 2024 and asked("养老骨干企业要培育几家").bare == "养老骨干企业"
    assert matches("护理型床位占比", "护理型床位占比") == 1.0
    assert matches("护理型床位占比", "农村特困人员供养服务机构护理型床位占比") is None
    assert matches("兜底线养老床位占比", "兜底线和普惠养老床位合计占比") is None
    assert matches("养老骨干企业", "骨干养老企业") is not None  # in any order, a little less
    assert matches("托育机构数", "登记备案托育机构数") is None  # qualified: a narrower count


def test_a_part_of_a_total_is_not_the_total() -> None:
    from corpus.indicators import Indicator, indicator_key
    from qa.asking import matching

    def named(name: str) -> Indicator:
        return Indicator(name, indicator_key(name), "d", "d:1", 0, len(name), "table", None, None, None, ())

    total, part = named("托育机构数"), named("其中：示范性婴幼儿照护服务机构数")
    found = matching(asked("托育机构总数到期末要达到多少个"), [part, total])
    assert [indicator.name for _, indicator in found] == ["托育机构数"]
    found = matching(asked("示范性托育机构数"), [part, total])
    assert found[0][1].name == part.name


def test_list_indicators(searcher: Searcher) -> None:
    listed = list_indicators(searcher, "护理型床位占比")
    assert {item.jurisdiction for item in listed} == {"江苏省", "随州市", "如皋市", "宿城区", "涟水县"}
    assert all(item.score is not None and item.score >= 0.7 for item in listed)
    assert "农村特困人员供养服务机构护理型床位占比（%）" not in {item.indicator.name for item in listed}
    assert listed[0].citation.startswith("《")
    one = list_indicators(searcher, None, "涟水")
    assert {item.jurisdiction for item in one} == {"涟水县"} and len(one) > 20
    assert len(list_indicators(searcher, None, None, limit=3)) == 3


def test_the_compare_set_scores_cells(searcher: Searcher) -> None:
    questions = load_compare_questions(EVAL / "compare.jsonl")
    assert len(questions) >= 30
    places = {"江苏省", "随州市", "如皋市", "宿城区", "涟水县"}
    assert all(set(q.expected) == places for q in questions)
    scores = evaluate_compare(questions[:3], searcher)
    assert scores.cells == 15 and scores.share is not None
    assert len(scores.wrong) == scores.cells - scores.right
    assert cell_right(None, None) and not cell_right((4.5, "个"), None)


def test_a_bad_compare_set_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"id": "x", "question": "q", "expected": {"如皋市": {"unit": "%"}}},
                               ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.jsonl:1: not a compare question"):
        load_compare_questions(path)


def test_a_figure_question_is_answered_by_the_provision_stating_the_figure(searcher: Searcher) -> None:
    # The paragraph about building such centres shares more words; the indicator table's row
    # states the number asked.
    result = searcher.search("宿城区到2025年要有几个城市街道综合性养老服务中心", k=3)
    assert result.hits[0].provision_id == "suicheng-2023:附件1第7行"
    assert result.hits[0].relation == "exact"  # never out of its scope group
    # The answer is the clause of the figure asked, not the sentence of four targets.
    hit = searcher.search("江苏护理型床位占比要达到多少", k=1).hits[0]
    assert hit.provision_id == "jiangsu-2021:（一）"
    assert hit.answer == "护理型床位数占养老机构床位比例达到70%以上"
    assert hit.text[hit.answer_start:hit.answer_end] == hit.answer
    # The hit's figures stay the full list of its text, each with what it measures.
    figures = {f.text: f for f in hit.figures}
    assert {"40张以上", "达到70%以上", "达到4.5个"} <= set(figures)
    assert figures["40张以上"].subject == "每千名老人拥有养老床位数" and figures["40张以上"].year == 2025
    # A question that asks no figure keeps the ranking as it was.
    plain = searcher.search("养老服务的总体要求", k=5)
    assert [h.provision_id for h in plain.hits] == [
        h.provision_id for h in searcher.search("养老服务的总体要求", k=5, mode="hybrid").hits]


def test_english_questions_ask_through_official_terms(searcher: Searcher) -> None:
    question = searcher.asked("What share of beds should be nursing-type beds by 2025?")
    assert question.terms and question.year == 2025 and question.unit == "%"
    assert set("护理型床位占比") <= set(question.subject)
    rows = compare(searcher, "nursing-type beds share target", ["如皋市", "涟水县"])
    assert _cells(rows) == {"如皋市": 75, "涟水县": 70}
    general = compare(searcher, "What is the general requirement for elderly care?", ["如皋市"])
    assert general[0].figure is None
