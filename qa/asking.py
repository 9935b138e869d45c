"""What a question asks to be measured, and whether an indicator or a figure measures it.

「各地2023年普惠性托位占比目标是多少」 asks for the indicator 普惠托位占比 in 2023;
「老旧小区托育用房每百户多少平方米」 asks for a standard per 百户 for existing areas. The asked
subject is matched to an indicator's normalised name (:func:`corpus.indicators.indicator_key`)
or a figure's subject by the characters they share, in order (longest common subsequence) or,
a little less, in any order: how much of the question the name holds (coverage) and how much
of the name is the question (precision), so that 护理型床位占比 meets 护理型床位数占养老机构
床位比例 but not 农村特困人员供养服务机构护理型床位占比, whose twelve extra characters make it
another indicator. Hand-written: no library reads what a Chinese question asks to be measured
or matches indicator names with the qualifiers that make them narrower.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from corpus.figures import (
    PER,
    UNIT_NAMES,
    Figure,
    clause_end,
    clause_start,
    figure_part_end,
    figure_part_start,
    parse_figures,
)
from corpus.indicators import Indicator, indicator_key, is_indicator
from corpus.model import Provision

_YEAR = re.compile(r"(?:到|至|在)?(?:(?P<year>(?:19|20)\d{2})\s*年?|(?<!\d)(?P<short>[1-4]\d)年)"
                   r"(?:底|末|前)?")
_BASELINE = re.compile(r"现状值?|现有|目前|当前|基期|基线|基数|完成情况|现在")
# Existing areas, as questions and standards name them (适老化改造 is no area).
EXISTING = re.compile(r"已建成?|老旧|既有|存量|老城区")
# Words that ask rather than name: removed before matching.
_ASKING = re.compile(
    r"(?:要|应|需)?(?:达到|达|到)(?=多少|几|[？?]|$)|请问|各地区?|各市|各县|各区|各省|分别|"
    r"(?:是|有)?多少(?:岁|个|张|家|所|名|人|户|处|平方米|平米|元|万元|天|年|项|次)?|"
    r"是什么|什么|怎么|如何|哪些|几(?:岁|个|张|家|所|名|户|处|年|天|项|次)?|"
    r"(?:到|至)?[“\"]?十[三四五六]五[”\"]?(?:时期|期间|期末|末)?|(?:到|至)?(?:期末|末期)|"
    r"多大|多高|多长|多少钱|比较合适|合适|为宜|(?:不能|不得|不可以?)?(?:超过|高于|低于|少于)|"
    r"最多|最少|至少|百分之|规定|要求|目标值|目标|指标|水平|标准|定为|设定|设为|计划|应当|应该|"
    r"应|要|达到|能|可以|是|为|有|的|吗|呢|啊|[？?。，,！!、\s]")
# 「几家」「多少户」: the question counts in this unit.
_COUNTED = re.compile(r"(?:多少|几)(?P<unit>个月|个|家|所|张|名|人次|人|户|处|项|次|床|年|天)")
# Verbs of doing at either end of the asked subject: 「养老骨干企业要培育几家」 asks for 养老骨干企业.
_DOING = re.compile(r"^(?:培育|建设|建成|新建|新增|完成|实现|开展|打造|创建|提供|做|建|办)+|"
                    r"(?:培育|建设|建成|新增|完成|实现|开展|打造|创建|提供|做|建|办|计划)+$")
_PER_WORDS = re.compile(r"按(?:照)?|配建|配套建设|建设|配置|配套|设置|补齐|补足|调剂|用房面积|配")
# Where a standard applies, read into ``existing`` rather than matched as part of the subject.
_AREAS = re.compile(r"(?:新建|已建成?|老旧|既有|存量|老)?(?:城区|住宅小区|居住小区|住宅区|居住区|小区|住宅)"
                    r"(?:和|及|与|、)?")
_QUANTITY = re.compile(r"多少|几|标准|比例|比重|占比|率|面积|数量|目标|指标|多大|多高|多长|\d")
MATCH_COVERAGE = 0.8  # the share of the asked subject a name must hold
MATCH_PRECISION = 0.5  # the share of the name that must be the asked subject
PART_PRECISION = 0.8  # … of a sub-indicator's name (其中：…)


@dataclass(frozen=True)
class Asked:
    """The measurable part of a question."""

    subject: str  # normalised, with its 每… (每千人口托位)
    bare: str  # normalised, without its 每… (托育服务用房)
    year: int | None
    baseline: bool  # asks for the present value (现状值), not a target
    existing: bool  # asks about existing areas (已建成小区, 老旧小区)
    per: str | None  # 百户, 千人口…
    unit: str | None  # a unit the question names: 平方米, %, 元
    quantity: bool = False  # it asks for a number (多少, 标准, 比例…)
    new: bool = False  # asks about new areas (新建小区)
    terms: bool = False  # ``subject`` is a bag of official terms (an English question's), not a phrase

    @property
    def measurable(self) -> bool:
        """Whether anything is left to measure once the asking words are gone."""
        return len(self.subject) >= 2


def asked(question: str, places: Iterable[str] = ()) -> Asked:
    """Read what ``question`` asks to be measured; ``places`` are names to leave out of it (the
    places it names, as written or without their suffix)."""
    text = re.sub(r"每一(?=[百千万])", "每", question)  # 每一百户 is 每百户
    for name in sorted(places, key=len, reverse=True):
        text = text.replace(name, "")
    year_match = _YEAR.search(text)
    year = None
    if year_match:  # 2025年, 2025, and the 25年 of everyday speech
        year = int(year_match.group("year") or 2000 + int(year_match.group("short")))
    if year_match:
        text = text[:year_match.start()] + text[year_match.end():]
    baseline = bool(_BASELINE.search(text))
    text = _BASELINE.sub("", text)
    existing = bool(EXISTING.search(text))
    per_match = PER.search(text)
    per = per_match.group("per") if per_match else ("人均" if "人均" in text else None)
    counted = _COUNTED.search(text)
    unit = ("平方米" if re.search(r"平方米|平米|面积|㎡", text) else
            "%" if re.search(r"占比|比例|比重|率|%|％|百分之|百分比", text) else
            "元" if re.search(r"元|补贴|补助|资助|奖励", text) else
            counted.group("unit") if counted else None)
    quantity = bool(_QUANTITY.search(text))
    subject, bare = _subject(text)
    # 「用存量房屋改建养老托育设施，过渡期政策几年」: the clause that asks names what is measured;
    # the others set the scene (and are kept when that clause names nothing by itself).
    clauses = [c for c in re.split(r"[，,；;]", text) if c.strip()]
    asking_clauses = [c for c in clauses if _QUANTITY.search(c) or _ASKING_WORD.search(c)]
    if len(clauses) > 1 and asking_clauses:
        own_subject, own_bare = _subject(asking_clauses[-1])
        if len(own_bare) >= 2:
            subject, bare = own_subject, own_bare
    new = "新建" in text and not existing
    return Asked(subject, bare, year, baseline, existing, per, unit, quantity, new)


_ASKING_WORD = re.compile(r"多少|几|什么|怎么|如何|哪些|是否|吗|[？?]")


def _subject(text: str) -> tuple[str, str]:
    """The asked subject of ``text`` with its 每… and without (and without areas and verbs)."""
    subject = indicator_key(_DOING.sub("", _ASKING.sub("", text)))
    bare_text = PER.sub("", text)
    bare = indicator_key(_DOING.sub("", _PER_WORDS.sub("", _ASKING.sub("", _AREAS.sub("", bare_text)))))
    return subject, re.sub(r"(?:平方米|平米|面积)$", "", bare)


_ENGLISH_QUANTITY = re.compile(r"\b(?:how (?:many|much|large|big)|what (?:share|percentage|proportion|"
                               r"rate|ratio|number|target|standard)|target|standard|share|percentage|rate|"
                               r"ratio|per (?:hundred|thousand|100|1,?000))\b", re.IGNORECASE)
_ENGLISH_SHARE = re.compile(r"\b(?:share|percentage|proportion|rate|ratio|percent)\b", re.IGNORECASE)


def asked_in_english(question: str, terms: Sequence[str]) -> Asked:
    """What an English question asks to be measured, from the official Chinese terms its words
    stand for (``Thesaurus.terms``: nursing beds → 护理型床位): their order says nothing, so they
    are matched as a bag (an indicator whose name they spell out entirely)."""
    year_match = re.search(r"\b(?:19|20)\d{2}\b", question)
    bag = "".join(dict.fromkeys(terms))
    quantity = bool(_ENGLISH_QUANTITY.search(question)) or year_match is not None
    unit = "%" if _ENGLISH_SHARE.search(question) else None
    return Asked(bag, bag, int(year_match.group()) if year_match else None, False, False, None, unit,
                 quantity, False, terms=True)


def is_english(question: str) -> bool:
    letters = [c for c in question if c.isalpha()]
    return bool(letters) and sum(c.isascii() for c in letters) > len(letters) / 2


def name_matches(question: Asked, key: str) -> float | None:
    """:func:`matches` for a phrase; for a bag of terms, the share of the name the bag spells
    out, when it spells out nearly all of it."""
    if question.terms:
        held = _coverage(key, question.subject)
        return held if held >= BAG_COVERAGE else None
    return matches(question.subject, key)


BAG_COVERAGE = 0.9


def similarity(asked_key: str, key: str) -> tuple[float, float]:
    """(coverage, precision) of a name for an asked subject: the length of their longest common
    subsequence (or nine tenths of the characters they share in any order, if more) over the
    asked subject's length and over the name's."""
    if not asked_key or not key:
        return 0.0, 0.0
    # In order, or a little less in any order: 养老骨干企业 and 骨干养老企业 name one thing.
    common = max(_lcs(asked_key, key), 0.9 * _shared(asked_key, key))
    return common / len(asked_key), common / len(key)


def matches(asked_key: str, key: str) -> float | None:
    """A match score (0–1), or None when ``key`` does not name what was asked."""
    coverage, precision = similarity(asked_key, key)
    if coverage < MATCH_COVERAGE or precision < MATCH_PRECISION:
        return None
    if any(mark in key and mark not in asked_key for mark in _JOINED):
        return None  # 兜底线和普惠性养老床位合计占比 is not 兜底线养老床位占比
    if precision < QUALIFIED_PRECISION and _qualifier(asked_key, key) >= QUALIFIER:
        return None  # 省级示范性…机构数, 登记备案的…机构数: a narrower count than the one asked
    return 0.7 * coverage + 0.3 * precision


QUALIFIER = 3  # characters before the asked subject that make a name a narrower indicator
QUALIFIED_PRECISION = 0.7


def _qualifier(asked_key: str, key: str) -> int:
    """How many characters of ``key`` come before the first character of the asked subject it
    shares: 农村特困人员供养服务机构护理型床位占比 qualifies 护理型床位占比 with 12."""
    return next((i for i, char in enumerate(key) if char in asked_key), len(key))


_JOINED = "和及与"


def _lcs(a: str, b: str) -> int:
    # Names are short (< 40 characters): the quadratic table costs microseconds.
    previous = [0] * (len(b) + 1)
    for char in a:
        current = [0]
        for j, other in enumerate(b):
            current.append(previous[j] + 1 if char == other else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def matching(question: Asked, indicators: Sequence[Indicator]) -> list[tuple[float, Indicator]]:
    """The indicators that measure what ``question`` asks, best first: a table's before a
    sentence's (a plan's indicator table is its statement of record; its sentences also state
    narrower figures), then the closest name."""
    found = []
    for indicator in indicators:
        # The key is made again rather than read from the index: an index built by an earlier
        # version keeps matching the way this one does.
        key = indicator_key(indicator.name)
        score = name_matches(question, key)
        if score is not None and indicator.name.lstrip().startswith("其中") and not question.terms \
                and similarity(question.subject, key)[1] < PART_PRECISION:
            continue  # 「其中：示范性…机构数」 is a part of the total asked, unless asked by name
        if score is not None:
            found.append((score, indicator))
    found.sort(key=lambda item: (item[1].source != "table", -item[0], -len(item[1].targets)))
    return found


STANDARD_SCORE = 0.55  # the least a figure's subject must match to answer


def figure_fit(question: Asked, text: str, figure: Figure, indicators: bool = False) -> float | None:
    """How well ``figure`` of ``text`` answers a question about a standard; None if it does not.

    The figure's own subject must be the one asked; failing that (「每百户不少于20平方米的标准，
    在新建小区规范配置」 names it in another clause), its sentence up to the figure's clause
    must hold the asked subject, and counts for less. A sentence's indicator (「到2025年…占比
    达到60%」) is left to the indicator match unless ``indicators``.
    """
    if not asks_number(question) or question.terms:
        return None  # a bag of terms names no subject to hold a standard's figure against
    if question.year is not None and figure.year is not None and figure.year != question.year:
        return None
    if figure.label is not None or (figure.unit in ("岁", "周岁") and question.unit != "岁"):
        return None  # a table's values are indicators, read as such
    sentence_start = clause_start(text, figure.start, "。；\n")
    start = clause_start(text, figure.start, "，。；：\n")
    end = clause_end(text, figure.end, "，。；\n")
    if figure.year is not None and is_indicator(figure) and not indicators:
        return None  # 「到2025年…占比达到60%」 states an indicator: matched as one, or not at all
    if re.search(r"(?:率|占比|比例|比重)$", figure.subject or "") and \
            any(mark in (figure.subject or "") and mark not in question.bare for mark in _JOINED):
        return None  # 兜底线和普惠性养老床位占比 is not what 兜底线养老床位占比 asks
    if figure.subject and _RATE.search(figure.subject) and \
            matches(question.subject, indicator_key(figure.subject)) is None:
        return None  # a rate or a share is matched by its name, as indicators are
    if figure.subject:
        # What the figure's clause says it measures: 「确保城镇人均用地不低于0.1平方米标准…配置
        # 养老服务设施」 measures 人均用地 of 养老服务设施; the words may come in any order. A 、
        # parts the clause between figures: 「…20平米配套养老服务用房、每百户…48平米建设…」.
        described = (text[figure_part_start(text, start, figure.start):figure.start]
                     + text[figure.end:figure_part_end(text, figure.end, end)])
        score = 0.9 * _coverage(question.bare, indicator_key(described))
    else:  # 「每百户不少于20平方米的标准，在新建小区…」: the sentence names the subject
        sentence = text[sentence_start:clause_end(text, figure.end, "。；\n")]
        score = 0.7 * _coverage(question.bare, indicator_key(sentence))
    if score < MATCH_COVERAGE * 0.7:
        return None
    if question.per == "人均":
        if "人均" not in text[start:figure.start]:
            return None
    elif question.per:
        if not (figure.per and _same_per(question.per, figure.per)):
            return None  # asked per 百户, counted per something else
        score += 0.25
    if question.unit and figure.unit:
        if not _same_unit(question.unit, figure.unit):
            return None  # a 面积 question is not answered by a share
        score += 0.1
    existing = bool(EXISTING.search(text, sentence_start, end))
    if question.existing and not existing:
        return None  # a new areas' standard does not answer for existing ones
    if existing and not question.existing:
        score -= 0.15
    return score if score >= STANDARD_SCORE else None


def _shared(a: str, b: str) -> int:
    """How many characters two strings share, counting repeats."""
    held = Counter(b)
    return sum(min(count, held[char]) for char, count in Counter(a).items())


def _coverage(asked_key: str, described: str) -> float:
    """The share of the asked subject's characters the description holds, in any order."""
    return _shared(asked_key, described) / len(asked_key) if asked_key else 0.0


def asks_number(question: Asked) -> bool:
    return bool(question.per or question.unit or question.year or question.quantity)


def _same_per(a: str, b: str) -> bool:
    return indicator_key("每" + a) == indicator_key("每" + b)


_RATE = re.compile(r"(?:率|占比|比例|比重|覆盖面)(?:[（(][^（）()]*[）)])?$")
_INSTITUTIONS = {"个", "家", "所", "处", "项"}  # the classifiers plans count institutions with


def _same_unit(asked_unit: str, unit: str) -> bool:
    if asked_unit == "元":
        return unit in ("元", "万元", "亿元")
    if asked_unit in _INSTITUTIONS:
        return unit in _INSTITUTIONS
    return asked_unit == UNIT_NAMES.get(unit, unit)


def provision_fit(question: Asked, provision: Provision) -> int:
    """How directly ``provision`` states the figure ``question`` asks for: 0, a table row of
    the asked indicator (in the year asked: a plan's indicator table is its statement of
    record); 1, a figure whose subject is the one asked; 2, neither."""
    best = 2
    for figure in parse_figures(provision.text):
        if figure.label is not None:
            if figure.subject and name_matches(question, indicator_key(figure.subject)) is not None \
                    and (question.year is None or figure.year in (None, question.year)):
                return 0
        elif figure_fit(question, provision.text, figure, indicators=True) is not None:
            best = 1
    return best
