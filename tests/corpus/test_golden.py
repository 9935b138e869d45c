"""Golden tests: the structure of each seed document, pinned.

The explicit assertions state what a reader of the document can check by eye; the golden files
under tests/data/golden/ pin every provision's id, label, kind and span so that any change to
the parser's output shows up as a reviewable diff. Regenerate them with
``POLICY_QA_UPDATE_GOLDEN=1 pytest tests/corpus/test_golden.py`` after checking the change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from corpus import Document, Kind, Provision

GOLDEN = Path(__file__).parent.parent / "data" / "golden"


def by_label(document: Document, label: str) -> list[Provision]:
    return [p for p in document.provisions if p.label == label]


def rows(document: Document, table_label: str) -> list[Provision]:
    return [p for p in document.provisions if p.kind is Kind.TABLE_ROW and p.table == table_label]


def cell(row: Provision, column: str) -> str:
    return next(c.value for c in row.cells if c.column == column)


def test_jiangsu_has_23_numbered_provisions_under_five_parts(
        documents: dict[str, Document]) -> None:
    document = documents["jiangsu-2021"]
    parts = document.headings
    assert [h.label for h in parts] == ["一", "二", "三", "四", "五"]
    numbered = [p for p in document.provisions if p.label.startswith("（")]
    assert [p.label for p in numbered] == [
        f"（{n}）" for n in ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一",
                            "十二", "十三", "十四", "十五", "十六", "十七", "十八", "十九", "二十",
                            "二十一", "二十二", "二十三"]]
    assert sum(len(h.children) for h in parts) == 23
    eleven = by_label(document, "（十一）")
    assert len(eleven) == 1 and eleven[0].part is None
    assert eleven[0].text.startswith("（十一）鼓励盘活利用存量闲置资源发展养老托育服务。鼓励利用")
    assert eleven[0].path == ("三、完善养老托育服务的支持政策体系",
                              "（十一）鼓励盘活利用存量闲置资源发展养老托育服务。")
    # The heading with its body on the same line is both a heading and a provision.
    assert parts[2].children[1].label == "（十一）"
    assert next(p.label for p in document.provisions) == "引言"


def test_rugao_standards_and_attachments(documents: dict[str, Document]) -> None:
    document = documents["rugao-2023"]
    (standard,) = by_label(document, "四（二）3")
    assert "每百户不少于30平方米" in standard.text
    assert standard.path[:2] == ("四、完善要素支撑", "（二）强化土地规划空间保障")
    assert "市自然资源和规划局" in standard.departments
    assert "各镇（区、街道）人民政府" in standard.departments
    assert standard.text.endswith("〔责任单位：市自然资源和规划局、市住建局、市民政局、"
                                  "市卫健委、市发改委，各镇（区、街道）人民政府等〕")
    leaders = [p for p in document.provisions if p.label == "附件1"]
    assert leaders and "组  长：王鸣昊" in leaders[0].text
    assert leaders[0].path[0].startswith("附件1")
    childcare = rows(document, "二（三）表2")
    assert len(childcare) == 12
    assert childcare[5].text == ("如皋市“十四五”托育服务发展主要指标｜类别：社区/普惠托育｜"
                                 "指标（单位）：每千人口托位数（个）｜2025年目标值：4.5｜指标属性：预期性")
    # The merged category cell is carried down to the next row of its group.
    assert cell(childcare[6], "类别") == "社区/普惠托育"
    assert next(c for c in childcare[6].cells if c.column == "类别").carried
    elderly = rows(document, "二（三）表1")
    assert len(elderly) == 26
    notes = [p for p in document.provisions if p.label == "二（三）表2 注"]
    assert len(notes) == 1 and notes[0].text.startswith("注：1.每个街道至少建成1个普惠性托育机构。")
    assert notes[0].text.endswith("应超过托育机构总数的40%。")
    tasks = rows(document, "附件4")
    assert len(tasks) == 20 and tasks[1].label == "附件4 第2行"
    assert "市住建局" in tasks[1].departments


def test_suizhou_tables(documents: dict[str, Document]) -> None:
    document = documents["suizhou-2022"]
    assert len(rows(document, "表2")) == 25
    assert len(rows(document, "表3")) == 13
    assert len(rows(document, "表1")) == 6
    (capacity,) = [r for r in rows(document, "表3") if cell(r, "工作指标") == "每千人口托位数"]
    assert (cell(capacity, "现有"), cell(capacity, "目标")) == ("0.99", "4.50")
    assert capacity.label == "表3 第10行"
    # Unnumbered paragraphs under （1）养老 are parts of one unit, never merged across units.
    parts = by_label(document, "二（一）1（1）")
    assert [p.part for p in parts] == [1, 2, 3, 4]
    assert parts[0].text.startswith("加强公办养老服务机构服务设施。")


def test_lianshui_indicator_table_has_a_two_row_header(documents: dict[str, Document]) -> None:
    document = documents["lianshui-2022"]
    (table,) = [t for t in document.tables if t.title == "涟水县“十四五”养老托育服务体系发展指标"]
    assert len(table.row_ids) == 27
    for column in ["2021年现状值", "2022年", "2023年", "2024年", "2025年"]:
        assert column in table.columns
    rows_ = [document.provision(i) for i in table.row_ids]
    assert cell(rows_[21], "指标名称") == "每千人口拥有3岁以下婴幼儿托位数"
    assert cell(rows_[21], "2025年") == "4.5"
    assert cell(rows_[21], "类别") == "托育服务"  # carried down from row 14
    assert cell(rows_[0], "类别") == "养老服务"
    # The lost 二、 before 重大平台清单 is restored between 一、 and 三、.
    attachment = document.headings[-1]
    assert [h.label for h in attachment.children] == ["附件 一", "附件 二", "附件 三", "附件 四", "附件 五"]
    assert attachment.children[1].inferred and attachment.children[1].title == "重大平台清单"
    platform = [document.provision(i) for i in document.tables[2].row_ids]
    assert len(platform) == 4
    assert cell(platform[2], "配合单位") == "县工信局"
    assert cell(platform[2], "建设周期") == "2021-2023年"


def test_suicheng_lost_heading_and_attachment_tables(documents: dict[str, Document]) -> None:
    document = documents["suicheng-2023"]
    tasks = document.headings[2]
    assert [h.label for h in tasks.children] == ["三（一）", "三（二）", "三（三）", "三（四）",
                                                 "三（五）", "三（六）"]
    restored = tasks.children[1]
    assert restored.inferred and restored.title == "促进普惠养老托育发展"
    assert [h.label for h in restored.children] == ["三（二）1", "三（二）2"]
    # The restored heading neither swallows （一） nor breaks （三）.
    assert [h.label for h in tasks.children[0].children] == ["三（一）1", "三（一）2"]
    assert [h.label for h in tasks.children[2].children] == ["三（三）1", "三（三）2"]
    (row8,) = [r for r in rows(document, "附件2") if r.label == "附件2 第8行"]
    assert cell(row8, "2024年") == "4.0"
    assert "2024年：4.0" in row8.text
    assert row8.departments == ("卫健局",)
    assert len(rows(document, "附件1")) == 20
    assert len(rows(document, "附件2")) == 23
    plan = rows(document, "附件3")
    assert len(plan) == 43
    assert cell(plan[1], "责任单位") == "民政局"  # merged cell carried down
    assert plan[38].departments == ("发改局", "民政局", "卫健局", "资规分局")
    projects = rows(document, "附件4")
    assert projects[-1].text == "宿城区促进养老托育服务项目清单｜合计｜总投资（万元）：7826.39"


@pytest.mark.parametrize("document_id", ["rugao-2023", "jiangsu-2021", "suizhou-2022",
                                         "lianshui-2022", "suicheng-2023"])
def test_golden_file(documents: dict[str, Document], document_id: str) -> None:
    document = documents[document_id]
    lines = [json.dumps({"id": p.id, "kind": p.kind.value, "label": p.label, "part": p.part,
                         "path": list(p.path), "start": p.start, "end": p.end,
                         "departments": list(p.departments)}, ensure_ascii=False)
             for p in document.provisions]
    golden = GOLDEN / f"{document_id}.jsonl"
    if os.environ.get("POLICY_QA_UPDATE_GOLDEN"):
        golden.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert golden.read_text(encoding="utf-8").splitlines() == lines
