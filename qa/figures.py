"""Quantities in a sentence, parsed into structured figures.

``每百户不少于20平方米`` → per 百户, operator ≥, value 20, unit 平方米; ``70%以上`` → ≥ 70 %;
``2万元`` → 2 万元. Each figure keeps the verbatim span it was read from, so a front end can
highlight it in the answer. Hand-written because no library reads Chinese regulatory
quantities (the number parsers on PyPI convert numerals, not ``不少于…以上`` constraints).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UNITS = ("平方米", "平米", "㎡", "万元", "亿元", "元", "个百分点", "%", "％", "个", "张", "家", "所", "人次",
         "人", "名", "户", "次", "岁", "周岁", "亩", "小时", "分钟", "天", "年", "月", "倍", "项", "处", "床",
         "万人", "亿")
_UNIT = "|".join(re.escape(unit) for unit in sorted(UNITS, key=len, reverse=True))
_BEFORE = {"不少于": "≥", "不低于": "≥", "不小于": "≥", "至少": "≥", "≥": "≥", "超过": ">", "高于": ">",
           "大于": ">", ">": ">", "＞": ">", "不超过": "≤", "不高于": "≤", "不大于": "≤", "≤": "≤",
           "低于": "<",
           "小于": "<", "<": "<", "＜": "<", "约": "≈", "达到": "=", "达": "=", "为": "="}
_AFTER = {"以上": "≥", "及以上": "≥", "以下": "≤", "及以下": "≤", "以内": "≤", "左右": "≈", "内": "≤"}
_SYMBOLS = {"≥": "≥", "≤": "≤", ">": ">", "＞": ">", "<": "<", "＜": "<"}
_OP_BEFORE = "|".join(re.escape(word) for word in sorted(_BEFORE, key=len, reverse=True))
_OP_AFTER = "|".join(re.escape(word) for word in sorted(_AFTER, key=len, reverse=True))
_FIGURE = re.compile(
    rf"(?:(?P<before>{_OP_BEFORE})\s*)?"
    rf"(?P<value>\d+(?:\s*[.．]\s*\d+)?)"
    rf"\s*(?P<unit>{_UNIT})?"
    rf"(?P<after>{_OP_AFTER})?")
_PER = re.compile(r"每(?P<per>百户|千人口|千常住人口|千名老年人|千名老人|千人|万人|百张(?:养老机构)?床位|"
                  r"个街道|个乡镇|个镇|个社区|个县（市、区）|个县|户|人|年|月|周)")
_YEAR = re.compile(r"^(19|20)\d{2}$")


@dataclass(frozen=True)
class Figure:
    """A quantity: ``start``/``end`` index the text it was parsed from."""

    text: str
    start: int
    end: int
    value: float
    unit: str | None
    operator: str  # = ≥ > ≤ < ≈
    per: str | None = None
    label: str | None = None  # the column a table value stands in, e.g. 2024年

    def to_json(self) -> dict[str, object]:
        return {"text": self.text, "start": self.start, "end": self.end, "value": self.value,
                "unit": self.unit, "operator": self.operator, "per": self.per, "label": self.label}


def parse_figures(text: str) -> list[Figure]:
    """Every quantity in ``text`` that carries a unit or a constraint; bare years are skipped."""
    columns = _column_values(text)
    figures: list[Figure] = []
    for found in _FIGURE.finditer(text):
        if any(c.start < found.end() and found.start() < c.end for c in columns):
            continue
        raw_value = re.sub(r"\s", "", found.group("value")).replace("．", ".")
        unit = found.group("unit")
        before, after = found.group("before"), found.group("after")
        if unit is None and before is None and after is None:
            continue
        if _YEAR.match(raw_value) and unit in (None, "年"):
            continue  # 2025年 is a date, not a quantity
        if _preceded_by_digit_or_letter(text, found.start("value")):
            continue
        unit = {"平米": "平方米", "㎡": "平方米", "％": "%"}.get(unit or "", unit)
        operator = _BEFORE.get(before or "") or _AFTER.get(after or "", "=")
        if before and after and _AFTER[after] != "=":
            operator = _AFTER[after] if _BEFORE[before] == "=" else _BEFORE[before]
        per = None if unit in ("岁", "周岁") else _per(text, found.start())
        if per is None and figures and figures[-1].unit == unit and figures[-1].per \
                and not re.search(r"[。；]", text[figures[-1].end:found.start()]):
            per = figures[-1].per  # 每百户不少于30平方米……，不少于20平方米……: the same 每百户
        figures.append(Figure(found.group(0), found.start(), found.end(), float(raw_value), unit,
                              operator, per))
    return sorted(figures + columns, key=lambda figure: figure.start)


_COLUMN_VALUE = re.compile(r"(?:^|｜)(?P<label>[^｜：]{1,20})：(?P<text>(?P<op>[≥≤>＞<＜])?"
                           r"(?P<value>\d+(?:\.\d+)?)(?P<unit>%|％|个|张|家|人|所|岁)?(?P<after>左右|以上|以下)?)"
                           r"(?=｜|$)")


def _column_values(text: str) -> list[Figure]:
    """Values of a rendered table row (｜2024年：4.0｜): the column names the quantity."""
    values = []
    for match in _COLUMN_VALUE.finditer(text):
        start, end = match.span("text")
        operator = (_SYMBOLS.get(match.group("op") or "")
                    or _AFTER.get(match.group("after") or "", "="))
        unit = {"％": "%"}.get(match.group("unit") or "", match.group("unit"))
        values.append(Figure(match.group("text"), start, end, float(match.group("value")), unit,
                             operator, None, match.group("label")))
    return values


def _preceded_by_digit_or_letter(text: str, index: int) -> bool:
    return index > 0 and (text[index - 1].isascii() and text[index - 1].isalnum())


def _per(text: str, index: int) -> str | None:
    """The 每… this quantity is counted per, if the same clause names one before it."""
    clause_start = max(text.rfind(mark, 0, index) for mark in "，。；：、,;") + 1
    matches = list(_PER.finditer(text, clause_start, index))
    return matches[-1].group("per") if matches else None
