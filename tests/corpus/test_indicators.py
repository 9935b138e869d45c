"""Figures that say what they measure, and indicators read from the plans' tables and sentences."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpus import Document, Kind, Provision
from corpus.figures import parse_figures
from corpus.indicators import Indicator, document_indicators, indicator_key, read_indicators


@pytest.mark.parametrize(("text", "figure", "subject", "year"), [
    # A 按…标准 frame: the standard is for the thing after it.
    ("按每百户不少于30平方米的标准配建养老服务用房，不少于20平方米的标准配建普惠性托育服务用房",
     "不少于20平方米", "普惠性托育服务用房", None),
    ("按每百户不少于30平方米的标准配建养老服务用房，不少于20平方米的标准配建普惠性托育服务用房",
     "不少于30平方米", "养老服务用房", None),
    # The phrase before the figure, the sentence's target year with it.
    ("到2025年，全省每千名老人拥有养老床位数保持在40张以上，护理型床位数占养老机构床位比例达到70%以上。",
     "达到70%以上", "护理型床位数占养老机构床位比例", 2025),
    ("到2025年，全省每千名老人拥有养老床位数保持在40张以上，护理型床位数占养老机构床位比例达到70%以上。",
     "40张以上", "每千名老人拥有养老床位数", 2025),
    # A verb before the figure: the noun after it is counted.
    ("到2025年全县建成1所以上护理院。", "1所以上", "护理院", 2025),
    ("建筑面积280平方米，新增托位40个。", "40个", "托位", None),
    # What precedes a 、 belongs to the figure before it.
    ("明确每百户不少于20平米配套社区居家养老服务用房、每百户不少于48平米建设婴幼儿照护服务设施",
     "不少于48平米", "婴幼儿照护服务设施", None),
    ("普惠性托位占比不低于托位总量的60%，优先满足需求", "60%", "普惠性托位占比", None),
    # A table value measures its row's indicator, in its column's year.
    ("如皋市“十四五”托育服务发展主要指标｜类别：社区/普惠托育｜指标（单位）：每千人口托位数（个）｜"
     "2025年目标值：4.5｜指标属性：预期性", "4.5", "每千人口托位数（个）", 2025),
    # A table laid out by year: the column is the indicator, the row gives the year.
    ("表1．年度建设计划｜年度：2023｜养老床位（个）：1270｜托育床位（个）：2460", "2460", "托育床位（个）",
     2023),
])
def test_a_figure_knows_what_it_measures(text: str, figure: str, subject: str, year: int | None) -> None:
    found = {f.text: f for f in parse_figures(text)}
    assert found[figure].subject == subject
    assert found[figure].year == year
    assert subject in text  # verbatim


@pytest.mark.parametrize(("text", "expected"), [
    ("可在五年内实行继续按土地原用途适用过渡期政策", [("五年内", 5.0, "年", "≤")]),
    ("每年开展不少于十二次培训", [("不少于十二次", 12.0, "次", "≥")]),
    ("实施三年行动计划，建设一个中心，第五年起", []),  # names and ordinals, not quantities
])
def test_small_counts_in_chinese_numerals(text: str, expected: list[tuple[object, ...]]) -> None:
    figures = parse_figures(text)
    assert [(f.text, f.value, f.unit, f.operator) for f in figures] == expected
    assert all(text[f.start:f.end] == f.text for f in figures)


def test_a_year_column_is_no_quantity() -> None:
    figures = parse_figures("表1．年度建设计划｜年度：2023｜养老床位（个）：1270")
    assert [f.text for f in figures] == ["1270"]


@given(st.text(alphabet="到2025年，每百户不少于30平方米的标准配建养老服务用房、；。｜：指标名称护理型床位占比达70%以上",
               max_size=80))
def test_subjects_are_verbatim_wherever_they_are_found(text: str) -> None:
    for figure in parse_figures(text):
        assert text[figure.start:figure.end] == figure.text
        if figure.subject is not None:
            assert figure.subject in text


@pytest.mark.parametrize(("written", "same_as"), [
    ("护理型床位数占养老机构床位比例（%）", "护理型床位占比"),
    ("养老机构护理型床位占比", "护理型床位占比"),
    ("护理型养老床位占比", "护理型床位占比"),
    ("每千人口拥有3岁以下婴幼儿托位数", "每千人口托位数"),
    ("每千常住人口拥有3岁以下婴幼儿托位数", "每千人托位数"),
    ("其中：普惠性托位占比", "普惠托位占比"),
    ("每千名老人拥有养老床位数", "每千名老年人养老床位数"),
])
def test_ways_of_writing_one_indicator_share_a_key(written: str, same_as: str) -> None:
    assert indicator_key(written) == indicator_key(same_as)


@pytest.mark.parametrize(("one", "other"), [
    ("农村特困人员供养服务机构护理型床位占比", "护理型床位占比"),
    ("每千名老人配套社会工作者人数", "每千名老年人养老床位数"),
    ("兜底线和普惠性养老床位合计占比", "普惠性养老床位合计占比"),
])
def test_different_indicators_keep_different_keys(one: str, other: str) -> None:
    assert indicator_key(one) != indicator_key(other)


def _named(indicators: list[Indicator], name: str) -> Indicator:
    (found,) = [i for i in indicators if i.name == name]
    return found


def _verbatim(document: Document, indicator: Indicator) -> None:
    provision = document.provision(indicator.provision_id)
    assert provision.text[indicator.start:indicator.end] == indicator.name
    for value in [indicator.baseline, *indicator.targets]:
        if value is not None:
            assert document.provision(value.provision_id).text[value.start:value.end] == value.text


def test_an_indicator_table_with_one_target_column(documents: dict[str, Document]) -> None:
    document = documents["rugao-2023"]
    indicators = document_indicators(document)
    general = _named(indicators, "护理型床位数占养老机构床位比例（%）")
    assert (general.key, general.unit, general.attribute, general.source) == (
        "护理型床位占比", "%", "约束性", "table")
    assert [(t.year, t.value, t.column) for t in general.targets] == [(2025, 75.0, "2025年目标值")]
    rural = _named(indicators, "农村特困人员供养服务机构护理型床位占比（%）")
    assert rural.key != general.key and rural.target() and rural.target().value == 60  # type: ignore[union-attr]
    for indicator in indicators:
        _verbatim(document, indicator)


def test_an_indicator_table_with_a_baseline_and_yearly_targets(documents: dict[str, Document]) -> None:
    document = documents["lianshui-2022"]
    indicators = document_indicators(document)
    beds = _named(indicators, "护理型养老床位占比")
    assert beds.baseline is not None and (beds.baseline.year, beds.baseline.value) == (2021, 61.44)
    assert [(t.year, t.value) for t in beds.targets] == [(2022, 65), (2023, 66), (2024, 68), (2025, 70)]
    assert beds.years == [2022, 2023, 2024, 2025] and beds.target(2023).value == 66  # type: ignore[union-attr]
    assert beds.target(2035) is None and beds.target().value == 70  # type: ignore[union-attr]
    assert beds.attribute == "预期性"
    # The same indicator stated in a sentence is read too, as the text's own record.
    stated = [i for i in indicators if i.source == "text" and i.key == "护理型床位占比"]
    assert [(i.targets[0].year, i.targets[0].value, i.targets[0].operator) for i in stated] == [
        (2025, 70, "≥")]
    for indicator in indicators:
        _verbatim(document, indicator)


def test_a_target_column_without_a_year_takes_the_plan_period(documents: dict[str, Document]) -> None:
    indicators = document_indicators(documents["suizhou-2022"])
    beds = _named(indicators, "护理型养老床位占比")
    assert beds.baseline is not None and beds.baseline.value == 45.5 and beds.baseline.column == "现有"
    assert [(t.year, t.value, t.unit) for t in beds.targets] == [(2025, 60, "%")]  # 表2…（“十四五”期末）


def test_indicators_stated_in_sentences(documents: dict[str, Document]) -> None:
    document = documents["jiangsu-2021"]  # no indicator table: its targets are sentences
    indicators = {i.key: i for i in document_indicators(document)}
    assert indicators["护理型床位占比"].target().value == 70  # type: ignore[union-attr]
    assert indicators["每千人口托位"].target().value == 4.5  # type: ignore[union-attr]
    assert indicators["每千名老年人养老床位"].target().operator == "≥"  # type: ignore[union-attr]
    for indicator in indicators.values():
        _verbatim(document, indicator)
    # A figure for a year before the plan was written is a baseline, not a target.
    rugao = [i for i in document_indicators(documents["rugao-2023"]) if i.name == "每千名老人拥有床位"]
    assert rugao and rugao[0].targets == () and rugao[0].baseline.year == 2022  # type: ignore[union-attr]


def test_indicators_survive_json(documents: dict[str, Document]) -> None:
    for indicator in document_indicators(documents["suicheng-2023"]):
        assert Indicator.from_json(indicator.to_json()) == indicator


def _row(text: str, number: int = 1) -> Provision:
    label = f"表1第{number}行"
    return Provision(f"d:{label}", "d", Kind.TABLE_ROW, label, None, (), text, 0, len(text))


def test_a_national_style_indicator_table() -> None:
    """Values written with words and 万-units (达到900万张以上), a bare year column before the plan
    (2020年) as the baseline, and a 基数 column."""
    rows = [_row("主要指标｜类别：养老服务｜指标：养老服务床位总量｜2020年基数：821万张｜"
                 "2025年目标值：达到900万张以上｜属性：预期性", 1),
            _row("主要指标｜指标：普惠托位占比｜单位：%｜2020年：10｜2025年：≥60｜指标属性：约束性", 2)]
    beds, share = read_indicators(rows, "“十四五”规划", 2021)
    assert (beds.unit, beds.attribute) == ("万张", "预期性")
    assert beds.baseline is not None and (beds.baseline.year, beds.baseline.value) == (2020, 821)
    assert [(t.year, t.value, t.operator, t.unit) for t in beds.targets] == [(2025, 900, "≥", "万张")]
    assert share.baseline is not None and (share.baseline.year, share.baseline.value) == (2020, 10)
    assert [(t.year, t.value, t.operator) for t in share.targets] == [(2025, 60, "≥")]
    assert share.unit == "%" and share.attribute == "约束性"
