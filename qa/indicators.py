"""What a question asks to be measured, and the indicators and figures that measure it.

「各地2023年普惠性托位占比目标是多少」 asks for the indicator 普惠托位占比 in 2023;
「老旧小区托育用房每百户多少平方米」 asks for a standard per 百户 for existing areas. The asked
subject is matched to an indicator's normalised name (:func:`corpus.indicators.indicator_key`)
or a figure's subject by the longest common subsequence of their characters: how much of the
question the name holds (coverage) and how much of the name is the question (precision), so
that 护理型床位占比 meets 护理型床位数占养老机构床位比例 but not 农村特困人员供养服务机构护理型
床位占比, whose twelve extra characters make it another indicator.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from corpus.figures import PER
from corpus.indicators import Indicator, indicator_key
from index.backend import SearchBackend
from qa.errors import UnknownJurisdiction
from qa.results import citation
from qa.search import Searcher, clean_query

_YEAR = re.compile(r"(?:到|至|在)?(?P<year>(?:19|20)\d{2})\s*年?(?:底|末|前)?")
_BASELINE = re.compile(r"现状值?|现有|目前|当前|基期|基线|基数|完成情况|现在")
_EXISTING = re.compile(r"已建成?|老旧|既有|存量|改造")
# Words that ask rather than name: removed before matching.
_ASKING = re.compile(r"请问|各地区?|各市|各县|各区|各省|分别|(?:是|有)?多少(?:岁|个|张|家|所|名|人|平方米|"
                     r"平米|元|万元|天|年|项|次)?|是什么|什么|怎么|如何|哪些|几(?:岁|个|张|家|所|名|年|天|项|次)?|"
                     r"(?:到|至)?[“\"]?十[三四五六]五[”\"]?(?:时期|期间|期末|末)?|规定|要求|目标值|目标|指标|水平|标准|定为|设定|设为|计划|应当|应该|应|要|"
                     r"达到|能|可以|是|为|有|的|吗|呢|啊|[？?。，,！!、\s]")
_PER_WORDS = re.compile(r"按(?:照)?|配建|配套建设|建设|配置|配套|设置|补齐|补足|调剂|用房面积")
# Where a standard applies, read into ``existing`` rather than matched as part of the subject.
_AREAS = re.compile(r"(?:新建|已建成?|老旧|既有|存量|老)?(?:城区|住宅小区|居住小区|住宅区|居住区|小区|住宅)"
                    r"(?:和|及|与|、)?")
_QUANTITY = re.compile(r"多少|几|标准|比例|比重|占比|率|面积|数量|目标|指标|多大|多高|多长|\d")
MATCH_COVERAGE = 0.7  # the share of the asked subject a name must hold
MATCH_PRECISION = 0.5  # the share of the name that must be the asked subject


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

    @property
    def measurable(self) -> bool:
        """Whether anything is left to measure once the asking words are gone."""
        return len(self.subject) >= 2


def asked(question: str, places: Iterable[str] = ()) -> Asked:
    """Read what ``question`` asks to be measured; ``places`` are names to leave out of it (the
    places it names, as written or without their suffix)."""
    text = question
    for name in sorted(places, key=len, reverse=True):
        text = text.replace(name, "")
    year_match = _YEAR.search(text)
    year = int(year_match.group("year")) if year_match else None
    if year_match:
        text = text[:year_match.start()] + text[year_match.end():]
    baseline = bool(_BASELINE.search(text))
    text = _BASELINE.sub("", text)
    existing = bool(_EXISTING.search(text))
    per_match = PER.search(text)
    per = per_match.group("per") if per_match else ("人均" if "人均" in text else None)
    unit = ("平方米" if re.search(r"平方米|平米|面积|㎡", text) else
            "%" if re.search(r"占比|比例|比重|率|%|％", text) else
            "元" if re.search(r"元|补贴|补助|资助|奖励", text) else None)
    quantity = bool(_QUANTITY.search(text))
    subject = indicator_key(_ASKING.sub("", text))
    bare_text = PER.sub("", text) if per_match else text
    bare = indicator_key(_PER_WORDS.sub("", _ASKING.sub("", _AREAS.sub("", bare_text))))
    bare = re.sub(r"(?:平方米|平米|面积)$", "", bare)
    return Asked(subject, bare, year, baseline, existing, per, unit, quantity)


def similarity(asked_key: str, key: str) -> tuple[float, float]:
    """(coverage, precision) of a name for an asked subject: the length of their longest common
    subsequence over the asked subject's length and over the name's."""
    if not asked_key or not key:
        return 0.0, 0.0
    common = _lcs(asked_key, key)
    return common / len(asked_key), common / len(key)


def matches(asked_key: str, key: str) -> float | None:
    """A match score (0–1), or None when ``key`` does not name what was asked."""
    coverage, precision = similarity(asked_key, key)
    if coverage < MATCH_COVERAGE or precision < MATCH_PRECISION:
        return None
    if any(mark in key and mark not in asked_key for mark in _JOINED):
        return None  # 兜底线和普惠性养老床位合计占比 is not 兜底线养老床位占比
    return 0.7 * coverage + 0.3 * precision


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
        score = matches(question.subject, indicator_key(indicator.name))
        if score is not None:
            found.append((score, indicator))
    found.sort(key=lambda item: (item[1].source != "table", -item[0], -len(item[1].targets)))
    return found


MAX_LISTED = 1000


@dataclass(frozen=True)
class Listed:
    """An indicator as listed: where it comes from, and how well it matches the question."""

    indicator: Indicator
    jurisdiction: str
    citation: str
    score: float | None

    def to_json(self) -> dict[str, object]:
        return {**self.indicator.to_json(), "jurisdiction": self.jurisdiction,
                "citation": self.citation,
                "score": None if self.score is None else round(self.score, 3)}


def list_indicators(searcher: Searcher, query: str | None = None, jurisdiction: str | None = None,
                    limit: int = 100) -> list[Listed]:
    """The indicators of the corpus (or of one place's own documents), those that measure what
    ``query`` asks first and only those when one is given; at most ``limit``.

    Raises:
        BadQuery: an over-long or empty query, or a place the gazetteer does not know.
    """
    index = searcher.index
    documents = list(index.documents.values())
    if jurisdiction is not None:
        place = searcher.gazetteer.resolve(jurisdiction)
        if place is None:
            raise UnknownJurisdiction(f"unknown jurisdiction {jurisdiction!r}")
        documents = [d for d in documents if d.jurisdiction == place.name]
    records = {document.id: document for document in documents}
    indicators = index.indicators(list(records))
    if query is not None:
        query = clean_query(query)
        words = [p.name for p in searcher.gazetteer.find(query)]
        question = asked(query, words + [w[:-1] for w in words if len(w) > 2])
        scored: list[tuple[float | None, Indicator]] = list(matching(question, indicators))
    else:
        scored = [(None, indicator) for indicator in indicators]
    listed = []
    for score, indicator in scored[:max(0, min(limit, MAX_LISTED))]:
        document = records[indicator.document_id]
        label = _label(index, indicator.provision_id)
        listed.append(Listed(indicator, document.jurisdiction, citation(document, label), score))
    return listed


def _label(index: SearchBackend, provision_id: str) -> str:
    key = index.key_of(provision_id)
    return index.provisions[key].label if key is not None else ""
