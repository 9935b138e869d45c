"""Tables extracted one cell per line, rebuilt into titled rows with named columns."""

from __future__ import annotations

from corpus import Kind, parse_text


def _rows(text: str) -> list:
    return [p for p in parse_text(text).provisions if p.kind is Kind.TABLE_ROW]


def test_two_row_header_flattens_under_the_spanning_cell() -> None:
    text = ("一、指标\n（一）目标\n某县指标表\n\n\t序号\n\t指标名称\n\t目标值\n\t属性\n\n"
            "\t\n\t\n\t2024年\n\t2025年\n\t\n\n"
            "\t1\n\t托位数\n\t3.0\n\t4.5\n\t约束性\n\n\t2\n\t床位数\n\t40\n\t45\n\t预期性\n")
    rows = _rows(text)
    assert [c.column for c in rows[0].cells] == ["序号", "指标名称", "2024年", "2025年", "属性"]
    assert rows[0].text == "某县指标表｜指标名称：托位数｜2024年：3.0｜2025年：4.5｜属性：约束性"
    assert rows[1].label == "一（一） 第2行"


def test_a_cell_broken_by_empty_paragraphs_stays_in_its_row() -> None:
    text = ("平台表\n\n\t平台\n\t序号\n\t名称\n\t牵头单位\n\t配合单位\n\t周期\n\n"
            "\t养老\n\t1\n\t智慧平台\n\t县民政局\n\n\t县工信局\n\n\n\t2021-2023年\n\n"
            "\t托育\n\t2\n\t监管平台\n\t县卫健委\n\t县民政局\n\t2022-2025年\n")
    rows = _rows(text)
    assert len(rows) == 2
    assert [c.value for c in rows[0].cells] == ["养老", "1", "智慧平台", "县民政局", "县工信局",
                                                 "2021-2023年"]
    assert rows[0].departments == ("县民政局", "县工信局")


def test_group_captions_and_repeated_headers_are_not_rows() -> None:
    text = ("\t序号\n\t项目名称\n\t总投资\n\n\t一、养老（1个）\n\t\n\n\t1\n\t敬老院\n\t500\n\n"
            "\t二、托育（1个）\n\n\t序号\n\t项目名称\n\t总投资\n\n\t1\n\t托育中心\n\t80\n\n"
            "\t合  计\n\t580\n")
    rows = _rows(text)
    assert [r.text for r in rows] == [
        "一、养老（1个）｜项目名称：敬老院｜总投资：500",
        "二、托育（1个）｜项目名称：托育中心｜总投资：80",
        "合计｜总投资：580",
    ]


def test_wrapped_cells_join_and_department_lists_split() -> None:
    text = ("\t序号\n\t类别\n\t责任单位\n\n\t1\n\t养老\n\n保障\n\t民政局\n\n卫健局\n\n"
            "\t2\n\t\n\t涟水县\n\n民政局\n")
    rows = _rows(text)
    assert rows[0].text == "类别：养老保障｜责任单位：民政局、卫健局"
    assert rows[1].text == "类别：养老保障｜责任单位：涟水县民政局"
    assert rows[1].cells[1].carried  # the merged 类别 cell above


def test_tab_indented_paragraphs_are_not_a_table() -> None:
    text = "一、总则\n\t第一段用制表符缩进。\n\t第二段也是。\n"
    provisions = parse_text(text).provisions
    assert [p.kind for p in provisions] == [Kind.CLAUSE]
    assert provisions[0].text == "第一段用制表符缩进。\n\t第二段也是。"
