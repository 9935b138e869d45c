"""Quantities in a sentence, parsed into structured figures.

``每百户不少于20平方米`` → per 百户, operator ≥, value 20, unit 平方米; ``70%以上`` → ≥ 70 %;
``2万元`` → 2 万元. Each figure keeps the verbatim span it was read from, so a front end can
highlight it in the answer. Hand-written because no library reads Chinese regulatory
quantities (the number parsers on PyPI convert numerals, not ``不少于…以上`` constraints).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace

UNITS = ("平方米", "平米", "㎡", "万元", "亿元", "元", "个百分点", "%", "％", "个", "张", "家", "所", "人次",
         "人", "名", "户", "次", "岁", "周岁", "亩", "小时", "分钟", "天", "年", "月", "倍", "项", "处", "床",
         "万人次", "万人", "万张", "万个", "万户", "万名", "万家", "万所", "万平方米", "亿")
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
PER = re.compile(r"每(?P<per>百户|千人口|千常住人口|千名老年人|千名老人|千人|万人|百张(?:养老机构)?床位|"
                  r"个街道|个乡镇|个镇|个社区|个县（市、区）|个县|户|人|年|月|周)")
_YEAR = re.compile(r"^(19|20)\d{2}$")
UNIT_NAMES = {"平米": "平方米", "㎡": "平方米", "％": "%"}  # units as written → as figures give them


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
    label: str | None = None  # the column a table value stands in, e.g. 2024年, 现状值
    subject: str | None = None  # what it measures, verbatim: 普惠性托育服务用房, 护理型床位占比
    year: int | None = None  # the year it is stated for: 到2025年…, a 2025年目标值 column

    def to_json(self) -> dict[str, object]:
        return {"text": self.text, "start": self.start, "end": self.end, "value": self.value,
                "unit": self.unit, "operator": self.operator, "per": self.per, "label": self.label,
                "subject": self.subject, "year": self.year}

    def shifted(self, offset: int) -> Figure:
        """The same figure with offsets into a text that holds this one at ``offset``."""
        return replace(self, start=self.start + offset, end=self.end + offset)


def parse_figures(text: str) -> list[Figure]:
    """Every quantity in ``text`` that carries a unit or a constraint; bare years are skipped."""
    return list(_parse_figures(text))


@functools.lru_cache(maxsize=4096)  # a search reads the same provisions' figures several times
def _parse_figures(text: str) -> tuple[Figure, ...]:
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
        unit = UNIT_NAMES.get(unit or "", unit)
        operator = _BEFORE.get(before or "") or _AFTER.get(after or "", "=")
        if before and after and _AFTER[after] != "=":
            operator = _AFTER[after] if _BEFORE[before] == "=" else _BEFORE[before]
        per = None if unit in ("岁", "周岁") else _per(text, found.start())
        if per is None and figures and figures[-1].unit == unit and figures[-1].per \
                and not re.search(r"[。；]", text[figures[-1].end:found.start()]):
            per = figures[-1].per  # 每百户不少于30平方米……，不少于20平方米……: the same 每百户
        figures.append(Figure(found.group(0), found.start(), found.end(), float(raw_value), unit,
                              operator, per))
    figures.extend(_counted_in_words(text, figures + columns))
    return tuple(_with_subject(text, figure) for figure in
                 sorted(figures + columns, key=lambda figure: figure.start))


# Small counts in Chinese numerals, only where a constraint makes them a quantity: 「五年内」,
# 「至少两所」, 「不少于三次」 (「三年行动」 and 「一个中心」 are names, not quantities).
_NUMERALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_IN_WORDS = re.compile(
    rf"(?:(?P<before>{_OP_BEFORE}|至少|最多)\s*)?(?P<value>[一二两三四五六七八九]?十[一二三四五六七八九]?|"
    r"[一二两三四五六七八九])(?P<unit>个月|年|天|日|次|所|家|个|项|名|人|张|处)"
    rf"(?P<after>{_OP_AFTER})?")


def _counted_in_words(text: str, found: list[Figure]) -> list[Figure]:
    figures = []
    for match in _IN_WORDS.finditer(text):
        before, after = match.group("before"), match.group("after")
        if (before is None or _BEFORE.get(before, "≥") == "=") and after is None:
            continue
        if any(f.start < match.end() and match.start() < f.end for f in found):
            continue
        if match.start() > 0 and text[match.start() - 1] in "第一二三四五六七八九十百千万":
            continue  # 第五年, 十五年: part of a longer numeral or an ordinal
        operator = _BEFORE.get(before or "", "=") if before not in ("至少", "最多") else \
            {"至少": "≥", "最多": "≤"}[before or ""]
        if operator == "=" and after:
            operator = _AFTER[after]
        figures.append(Figure(match.group(0), match.start(), match.end(),
                              float(_numeral(match.group("value"))), match.group("unit"), operator,
                              _per(text, match.start())))
    return figures


def _numeral(words: str) -> int:
    """一…九十九 as written in counts: 五, 十, 十二, 二十, 三十五."""
    if "十" not in words:
        return _NUMERALS[words]
    tens, _, ones = words.partition("十")
    return (_NUMERALS[tens] if tens else 1) * 10 + (_NUMERALS[ones] if ones else 0)


_COLUMN_VALUE = re.compile(rf"(?:^|｜)(?P<label>[^｜：]{{1,20}})："
                           rf"(?P<text>(?P<op>[≥≤>＞<＜]|{_OP_BEFORE})?\s*(?P<value>\d+(?:\.\d+)?)"
                           rf"\s*(?P<unit>{_UNIT})?(?P<after>{_OP_AFTER})?)"
                           r"\s*(?=｜|$)")


def _column_values(text: str) -> list[Figure]:
    """Values of a rendered table row (｜2024年：4.0｜): the column names the quantity."""
    values = []
    for match in _COLUMN_VALUE.finditer(text):
        if YEAR_COLUMN.match(match.group("label").strip()):
            continue  # 年度：2023 names the row's year; it is no quantity
        start, end = match.span("text")
        op = match.group("op") or ""
        operator = (_SYMBOLS.get(op) or (_BEFORE.get(op) if _BEFORE.get(op) != "=" else None)
                    or _AFTER.get(match.group("after") or "", "="))
        unit = UNIT_NAMES.get(match.group("unit") or "", match.group("unit"))
        values.append(Figure(match.group("text"), start, end, float(match.group("value")), unit,
                             operator, None, match.group("label")))
    return values


def _preceded_by_digit_or_letter(text: str, index: int) -> bool:
    return index > 0 and (text[index - 1].isascii() and text[index - 1].isalnum())


def _per(text: str, index: int) -> str | None:
    """The 每… this quantity is counted per, if the same clause names one before it."""
    matches = list(PER.finditer(text, clause_start(text, index, "，。；：、,;"), index))
    return matches[-1].group("per") if matches else None


# What a figure measures. No Chinese parser on PyPI ships with a model that runs here, so the
# subject is found the way a reader finds it in these plans' few sentence patterns:
# 「护理型床位占比达到70%」 (the phrase before the figure), 「按每百户不少于20平方米的标准配建
# 普惠性托育服务用房」 (a 按…标准 frame: the object after it), 「建成1所以上护理院」 (a verb before
# the figure: the noun after it). A table value measures its row's indicator.
_CLAUSE_MARKS = "，。；：！？｜\n,;:!?"
_SENTENCE_MARKS = "。；！？｜\n;!?"
_LINK = re.compile(r"(?:不低于|不少于|不高于|不超过|保持在|稳定在|控制在|提高到|提升到|提高至|提升至|增至|"
                   r"增加到|达到|达(?![标成])|超过)")
_LEADING = re.compile(r"^(?:按照|按|原则上|(?:到|至|在)?(?:19|20)\d{2}年(?:底|末|前)?|目前|现有|当前|"
                      r"力争|其中|"
                      r"全(?:省|市|县|区|州|国|盟|旗)|我(?:省|市|县|区)|累计|逐步|进一步|基本|确保|争取|"
                      r"并|且|和|及|同时|[“”\s])+")
_VERB = re.compile(r"(?:建成|新增|建设|培育|打造|提供|设置|配建|配套建设|配备|拥有|开展|完成|实现|"
                   r"创建|扶持|引进|培训|招录|改造|改建|增加|发展|落实|给予|安排|推动|支持|鼓励|补齐|"
                   r"补足|规划建设|配置|可提供|调剂|配套)")
_TRAILING = re.compile(r"(?:的|在|要|应|应当|须|需|要求|可|将|均|都|已|已经|总计|合计|共计|约|大约|计|共)+$")
_FRAME_BEFORE = re.compile(r"(?:按照|按|依照|参照|以)$")
_FRAME_AFTER = re.compile(r"^的?(?:标准|要求|规模|比例)?")
_TARGET_YEAR = re.compile(r"(?:(?:到|至|在)(?P<a>(?:19|20)\d{2})年|(?P<b>(?:19|20)\d{2})年(?:底|末|前))")
_NAME_COLUMN = re.compile(r"指标(?:名称|（单位）|\(单位\))?$|^工作指标$|名称$|^项目$")
YEAR_COLUMN = re.compile(r"^(?:年度|年份|时间|年)$")
_YEAR_IN = re.compile(r"(?:19|20)\d{2}")


def _with_subject(text: str, figure: Figure) -> Figure:
    if figure.label is not None:
        subject, year = _column_subject(text, figure)
    else:
        subject, year = _prose_subject(text, figure), _prose_year(text, figure.start)
    return replace(figure, subject=subject, year=year)


def row_cells(text: str) -> list[tuple[str, str, int]]:
    """A rendered table row (title｜列名：值｜…) as (column, value, value's offset) triples; the
    title (the segment without a column name) is left out."""
    cells, position = [], 0
    for segment in text.split("｜"):
        label, colon, value = segment.partition("：")
        if colon and 0 < len(label) <= 20:
            cells.append((label.strip(), value, position + len(label) + 1))
        position += len(segment) + 1
    return cells


def _column_subject(text: str, figure: Figure) -> tuple[str | None, int | None]:
    """A table value measures the row's indicator (指标名称：…) in the year its column names
    (2025年目标值); in a table laid out by year (年度：2023｜养老床位（个）：1270) it measures its
    column in the row's year."""
    cells = row_cells(text)
    label = figure.label or ""
    year = _YEAR_IN.search(label)
    for column, value, _ in cells:
        if _NAME_COLUMN.search(column) and value.strip() and column != label:
            return value.strip(), int(year.group()) if year else None
    for column, value, _ in cells:
        if YEAR_COLUMN.match(column) and (row_year := _YEAR_IN.fullmatch(value.strip())):
            return label, int(row_year.group())
    return label, int(year.group()) if year else None


def _prose_subject(text: str, figure: Figure) -> str | None:
    start = clause_start(text, figure.start, _CLAUSE_MARKS)
    end = clause_end(text, figure.end, _CLAUSE_MARKS)
    before_end = figure.start
    if figure.per:  # 每百户不少于20平方米: 每百户 says what it is counted per, not what it counts
        per_at = text.rfind("每" + figure.per, start, figure.start)
        if per_at != -1 and not text[per_at + 1 + len(figure.per):figure.start].strip(" 不少于低至为达到"):
            before_end = per_at
    # 「每百户不少于20平米配套养老服务用房、每百户不少于48平米建设婴幼儿照护服务设施」: what
    # precedes a 、 belongs to the figure before it.
    start = figure_part_start(text, start, before_end)
    before = text[start:before_end]
    # The phrase after a figure ends at a 、 too: 「…20平米配套养老服务用房、每百户…」.
    after_end = figure_part_end(text, figure.end, end)
    if not before.strip() or _FRAME_BEFORE.search(before.strip()) \
            or text.startswith(("的标准", "标准"), figure.end) or _VERB.match(text, figure.end):
        return _span_after(text, figure.end, after_end)
    end = before_end
    links = list(_LINK.finditer(text, start, end))
    between = text[links[-1].end():end].strip(" “”") if links else ""
    if len(between) >= 2 and not between.endswith("的"):
        # 目标“2025年达到每千人托位4.5个”: the phrase after 达到 (but 「占比不低于托位总量的60%」
        # measures the 占比, of the 总量)
        start = links[-1].end()
    elif links and text[start:links[-1].start()].strip():
        end = links[-1].start()
    start += _match_length(_LEADING, text[start:end])
    verb = _match_length(_VERB, text[start:end])
    end -= _trailing_length(text[start + verb:end])
    if end - (start + verb) >= 2:
        return text[start + verb:end]
    return _span_after(text, figure.end, after_end)


def clause_start(text: str, index: int, marks: str) -> int:
    """Where the stretch of ``text`` holding ``index`` starts: after the last of ``marks``
    before it (the clause, or with 。；-like marks the sentence)."""
    return max(text.rfind(mark, 0, index) for mark in marks) + 1


def clause_end(text: str, index: int, marks: str) -> int:
    """Where the stretch of ``text`` holding ``index`` ends: at the first of ``marks`` from it."""
    return min((i for mark in marks if (i := text.find(mark, index)) != -1), default=len(text))


def figure_part_start(text: str, start: int, index: int) -> int:
    """Where the part of the clause starting at ``start`` that a figure at ``index`` belongs to
    starts: after a 、 that follows another figure (「每百户不少于20平米配套养老服务用房、每百户…
    48平米」), else at ``start``; a 、 between words (「规划、建设」) parts nothing."""
    pause = text.rfind("、", start, index)
    if pause != -1 and re.search(r"\d", text[start:pause]):
        return pause + 1
    return start


def figure_part_end(text: str, index: int, end: int) -> int:
    """Where the part of the clause ending at ``end`` that a figure ending at ``index`` belongs
    to ends: at a 、 that another figure follows, else at ``end``."""
    pause = text.find("、", index, end)
    if pause != -1 and re.search(r"\d", text[pause:end]):
        return pause
    return end


def _span_after(text: str, start: int, end: int) -> str | None:
    """The noun phrase after a figure: 「…的标准配建」 and a leading verb skipped; 「28平米婴幼儿
    照护服务设施的标准调剂」: the phrase before 的标准."""
    standard = text.find("的标准", start, end)
    if standard - start >= 2:
        end = standard
    start += _match_length(_FRAME_AFTER, text[start:end])
    start += _match_length(_VERB, text[start:end])
    end -= _trailing_length(text[start:end])
    return text[start:end] if end - start >= 2 else None


def _match_length(pattern: re.Pattern[str], text: str) -> int:
    found = pattern.match(text)
    return found.end() if found else 0


def _trailing_length(text: str) -> int:
    found = _TRAILING.search(text)
    return len(found.group()) if found else 0


def _prose_year(text: str, index: int) -> int | None:
    """The target year of the sentence a figure stands in: 到2025年…, 2025年底前…."""
    years = list(_TARGET_YEAR.finditer(text, clause_start(text, index, _SENTENCE_MARKS), index))
    if not years:
        return None
    return int(years[-1].group("a") or years[-1].group("b"))
