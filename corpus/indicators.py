"""Indicators a plan states: 护理型床位占比 75% by 2025, read from its tables and its sentences.

Every "一老一小" plan carries a table of main indicators (指标, 单位, 现状值, yearly targets,
约束性/预期性) and states the same indicators again in its text (「到2025年，护理型床位数占养老
机构床位比例达到70%以上」). :func:`read_indicators` reads both into :class:`Indicator` records,
each value with the provision and offsets it was read from, so that every figure the service
shows can be pointed at. :func:`indicator_key` gives the name a place-independent form, so that
护理型床位数占养老机构床位比例 (如皋) and 养老机构护理型床位占比 (宿城) meet while 农村特困人员
供养服务机构护理型床位占比 stays another indicator.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from corpus.figures import YEAR_COLUMN, Figure, parse_figures, row_cells
from corpus.model import Document, Kind, Provision

_NAME_COLUMN = re.compile(r"指标(?:名称|（单位）|\(单位\))?$|^工作指标$|^(?:指标|项目)名称$")
_UNIT_COLUMN = re.compile(r"^(?:计量)?单位$")
_ATTRIBUTE_COLUMN = re.compile(r"属性|性质|类型$")
_BASELINE = re.compile(r"现状|现有|现值|基期|基数|基准|完成情况|完成值|实际")
_ATTRIBUTES = ("约束性", "预期性", "指导性")
_UNIT_IN_NAME = re.compile(r"[（(](?P<unit>%|％|[^（）()]{1,4}?)[）)]")
_KNOWN_UNITS = {"%", "％", "个", "张", "家", "所", "人", "名", "户", "岁", "人次", "处", "万元", "亿元", "元",
                "平方米", "项", "床", "次", "天"}
# A plan period's last year, for a 目标 column that names none (表2．…具体指标（“十四五”期末）).
_PERIODS = {"十三五": 2020, "十四五": 2025, "十五五": 2030, "十六五": 2035}
# The ends of a phrase that names an indicator rather than a thing: 率, 占比, 床位数, 托位….
_INDICATOR_END = re.compile(r"(?:率|占比|比例|比重|覆盖面|数|床位|托位|寿命|人数|总量|规模|面积|数量)$")


@dataclass(frozen=True)
class Value:
    """One stated value of an indicator: a year's target or its baseline.

    ``start``/``end`` index the text of provision ``provision_id``; ``column`` is the table column
    it stands in (2025年目标值, 现状值), None in a sentence.
    """

    year: int | None
    value: float
    operator: str
    unit: str | None
    text: str
    provision_id: str
    start: int
    end: int
    column: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"year": self.year, "value": self.value, "operator": self.operator, "unit": self.unit,
                "text": self.text, "provision_id": self.provision_id, "start": self.start,
                "end": self.end, "column": self.column}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Value:
        return cls(data["year"], float(data["value"]), data["operator"], data["unit"], data["text"],
                   data["provision_id"], int(data["start"]), int(data["end"]), data.get("column"))


@dataclass(frozen=True)
class Indicator:
    """An indicator as one document states it (a table row, or a sentence).

    ``name`` is verbatim from provision ``provision_id`` at ``start``/``end``; ``key`` is the
    normalised name matched across places.
    """

    name: str
    key: str
    document_id: str
    provision_id: str
    start: int
    end: int
    source: str  # table | text
    unit: str | None
    attribute: str | None  # 约束性 | 预期性 | 指导性
    baseline: Value | None
    targets: tuple[Value, ...] = field(default=())

    @property
    def years(self) -> list[int]:
        return sorted({target.year for target in self.targets if target.year is not None})

    def target(self, year: int | None = None) -> Value | None:
        """The target for ``year``; by default the last year's (a plan's final target), or the
        only target when none names a year. None when the indicator gives no such year."""
        if year is not None:
            return next((t for t in self.targets if t.year == year), None)
        dated = [target for target in self.targets if target.year is not None]
        if dated:
            return max(dated, key=lambda target: target.year or 0)
        return self.targets[-1] if self.targets else None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "key": self.key, "document_id": self.document_id,
                "provision_id": self.provision_id, "start": self.start, "end": self.end,
                "source": self.source, "unit": self.unit, "attribute": self.attribute,
                "baseline": self.baseline.to_json() if self.baseline else None,
                "targets": [target.to_json() for target in self.targets]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Indicator:
        return cls(data["name"], data["key"], data["document_id"], data["provision_id"],
                   int(data["start"]), int(data["end"]), data["source"], data["unit"],
                   data["attribute"],
                   Value.from_json(data["baseline"]) if data["baseline"] else None,
                   tuple(Value.from_json(target) for target in data["targets"]))


# Qualifiers every plan implies, so that leaving them out names the same indicator: 托位 are
# for children under 3, 护理型床位 are beds of 养老机构; and the plans' words for a facility
# (托育服务用房, 托育服务设施, 托育设施, 婴幼儿照护服务设施).
_IMPLIED = (("3岁以下婴幼儿", ""), ("0-3岁婴幼儿", ""), ("0—3岁婴幼儿", ""), ("婴幼儿托位", "托位"),
            ("养老机构护理型", "护理型"), ("护理型养老床位", "护理型床位"), ("普惠性", "普惠"),
            ("千名老人", "千名老年人"), ("老年人口", "老年人"), ("婴幼儿照护服务", "托育"),
            ("婴幼儿照护", "托育"), ("服务用房", "设施"), ("用房", "设施"), ("服务设施", "设施"),
            ("总数", "数"), ("个数", "数"))


@functools.lru_cache(maxsize=65536)  # matching makes the key of every candidate name, per question
def indicator_key(name: str) -> str:
    """The name in a form shared by the ways plans write it.

    >>> indicator_key("护理型床位数占养老机构床位比例（%）") == indicator_key("养老机构护理型床位占比")
    True
    """
    key = re.sub(r"[（(][^（）()]*[）)]", "", name)
    key = re.sub(r"[\s“”\"'、，,：:]", "", key)
    key = re.sub(r"^(?:其中|全(?:省|市|县|区|州|国))", "", key)
    key = re.sub(r"\d+$", "", key)  # a footnote mark: 老年大学覆盖面（%）1
    key = re.sub(r"\d+周?岁及?以上", "", key)  # 65周岁及以上老年人: the age every such count implies
    key = key.replace("拥有", "").replace("的", "")
    key = re.sub(r"千(?:常住)?人(?:口|常住人口)?", "千人口", key)
    for written, implied in _IMPLIED:
        key = key.replace(written, implied)
    key = re.sub(r"占[^占]{1,12}?(?:比例|比重)$", "占比", key)  # X占Y比例 → X占比
    key = re.sub(r"(?<!占)(?:比例|比重)$", "占比", key)
    key = re.sub(r"数(?=占比$)", "", key)
    key = re.sub(r"(?<=[位员])数$", "", key)  # 托位数, 床位数, 人员数 → 托位, 床位, 人员
    return key


def read_indicators(provisions: Sequence[Provision], title: str | None = None,
                    written: int | None = None) -> list[Indicator]:
    """Every indicator a document states, from its tables first, then from its sentences.

    Args:
        provisions: the document's provisions.
        title: its title, which may name the plan period (十四五) a 目标 column is for.
        written: the year it was written: a sentence's figure for an earlier year is a baseline.
    """
    rows = [p for p in provisions if p.kind is Kind.TABLE_ROW]
    found = _from_tables(rows, title or "", written)
    found.extend(_from_sentences((p for p in provisions if p.kind is not Kind.TABLE_ROW), written))
    return found


def document_indicators(document: Document) -> list[Indicator]:
    """:func:`read_indicators` of a parsed document."""
    dated = document.meta.written or document.meta.published
    return read_indicators(document.provisions, document.meta.title, dated.year if dated else None)


def _from_tables(rows: list[Provision], title: str, written: int | None) -> list[Indicator]:
    indicators = []
    by_column: dict[tuple[str | None, str], list[tuple[Provision, Figure]]] = defaultdict(list)
    for row in rows:
        cells = row_cells(row.text)
        name_cell = next(((column, value, at) for column, value, at in cells
                          if _NAME_COLUMN.search(column) and value.strip()), None)
        values = [f for f in parse_figures(row.text) if f.label is not None]
        if name_cell is None:
            # A table laid out by year (年度：2023｜养老床位（个）：1270): each column an indicator.
            if any(YEAR_COLUMN.match(column) for column, _, _ in cells):
                for figure in values:
                    if figure.year is not None:
                        by_column[(row.table, figure.label or "")].append((row, figure))
            continue
        column, name, at = name_cell
        stripped = name.strip()
        at += len(name) - len(name.lstrip())
        unit = _unit(cells, stripped, values)
        attribute = next((value.strip() for column, value, _ in cells
                          if _ATTRIBUTE_COLUMN.search(column) and value.strip() in _ATTRIBUTES), None)
        period_end = _period_end(row.text.split("｜", 1)[0] + title)
        baseline, targets = None, []
        for figure in values:
            if figure.label == column:
                continue
            value = _value(row, figure, unit)
            # 现状值, 2022年完成情况, or a bare year column before the plan was written (2020年).
            if _BASELINE.search(figure.label or "") or (
                    written is not None and value.year is not None and value.year < written
                    and baseline is None and "目标" not in (figure.label or "")):
                baseline = baseline or value
            else:
                if value.year is None and period_end is not None and "目标" in (figure.label or ""):
                    value = Value(period_end, value.value, value.operator, value.unit, value.text,
                                  value.provision_id, value.start, value.end, value.column)
                targets.append(value)
        if baseline is None and not targets:
            continue
        indicators.append(Indicator(stripped, indicator_key(stripped), row.document_id, row.id, at,
                                    at + len(stripped), "table", unit, attribute, baseline,
                                    tuple(targets)))
    for (_, column), entries in by_column.items():
        first_row = entries[0][0]
        unit = _unit([], column, [figure for _, figure in entries])
        name_at = first_row.text.find(column + "：")
        indicators.append(Indicator(
            column, indicator_key(column), first_row.document_id, first_row.id, max(name_at, 0),
            max(name_at, 0) + len(column), "table", unit, None, None,
            tuple(_value(row, figure, unit) for row, figure in entries)))
    return indicators


def _from_sentences(provisions: Iterable[Provision], written: int | None) -> list[Indicator]:
    """Indicators stated with their year: 「到2025年，…护理型床位数占养老机构床位比例达到70%以上」
    (a target) or 「截至2022年底，…每千名老人拥有床位41张」 (a baseline: a year before the document
    was written). A figure without a year is a statistic or a standard, not an indicator."""
    indicators = []
    for provision in provisions:
        for figure in parse_figures(provision.text):
            subject = figure.subject
            if subject is None or figure.year is None or not is_indicator(figure):
                continue
            past = written is not None and figure.year < written
            if written is not None and figure.year < written - 5:
                continue  # 2000年底前建成的老旧小区: a date the sentence mentions, not its year
            at = provision.text.rfind(subject, 0, figure.start)
            value = Value(figure.year, figure.value, figure.operator, figure.unit, figure.text,
                          provision.id, figure.start, figure.end)
            indicators.append(Indicator(subject, indicator_key(subject), provision.document_id,
                                        provision.id, at, at + len(subject), "text", figure.unit,
                                        None, value if past else None, () if past else (value,)))
    return indicators


def is_indicator(figure: Figure) -> bool:
    """Whether a sentence's figure measures an indicator (a rate, a share, a count per 千人口),
    rather than a thing (建成1所以上护理院) or an age."""
    if figure.subject is None or figure.unit in ("岁", "周岁"):
        return False
    bare = re.sub(r"[（(][^（）()]*[）)]$", "", figure.subject)
    return bool(_INDICATOR_END.search(bare))


def _unit(cells: list[tuple[str, str, int]], name: str, values: list[Figure]) -> str | None:
    for column, value, _ in cells:
        if _UNIT_COLUMN.match(column) and value.strip():
            return {"％": "%"}.get(value.strip(), value.strip())
    for found in _UNIT_IN_NAME.finditer(name):
        if found.group("unit") in _KNOWN_UNITS:
            return {"％": "%"}.get(found.group("unit"), found.group("unit"))
    units = {figure.unit for figure in values if figure.unit}
    return units.pop() if len(units) == 1 else None


def _value(row: Provision, figure: Figure, unit: str | None) -> Value:
    return Value(figure.year, figure.value, figure.operator, figure.unit or unit, figure.text,
                 row.id, figure.start, figure.end, figure.label)


def _period_end(text: str) -> int | None:
    for period, year in _PERIODS.items():
        if period in text:
            return year
    return None
