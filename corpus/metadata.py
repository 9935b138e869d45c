"""Reading a document's metadata from its own text: title, 文号, issuers, dates and jurisdiction.

Everything comes from the document as published: its header and cover notice, its closing
signature, its footer's printing date, sentences such as 「自2021年5月1日起施行」 and
「有效期5年」, and what the container states outside the text (a portal's metadata box, see
:attr:`Rendition.properties`). The jurisdiction is read from the issuers, then the title, then
the 文号's abbreviation (穗 → 广州市, 赣 → 江西省), and resolved through the gazetteer, which
gives its level and enclosing places. National bodies (国务院, its ministries, 全国人大常委会)
are the level ``national``: their documents apply everywhere.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from corpus.gazetteer import NATIONAL, Gazetteer, Place
from corpus.header import CN_DATE, DATE, PROMULGATION, compact, is_date, is_issuer_line
from corpus.headings import chinese_to_int
from corpus.model import DocumentMeta
from corpus.text import Line

_OPEN, _CLOSE = "〔\\[［(（【", "〕\\]］)）】"
NUMBER = re.compile(rf"(?P<org>[\u4e00-\u9fff]{{1,14}})[{_OPEN}](?P<year>(?:19|20)\d{{2}})[{_CLOSE}]"
                    r"第?(?P<serial>\d{1,5})号")
ORDER = re.compile(r"(?P<org>[\u4e00-\u9fff]{2,24}?令)第(?P<serial>\d{1,5})号")
_ISSUED = re.compile(r"(?:印发|转发|公布|发布)[《〈“]?(?P<title>[^《》〈〉]{4,80}?)[》〉”]?"
                     r"的?(?:通知|决定|公告|令)")
_ABOUT = re.compile(r"^(?P<issuers>.{2,80}?)关于")
_PLACE_PREFIX = re.compile(r"^[\u4e00-\u9fff]{2,12}?(?:自治区|自治州|自治县|特别行政区|省|市|县|区|旗|盟|州)")
_ORGANISATION_END = re.compile(r"(人民政府|政府|办公厅|办公室|委员会|总局|局|厅|委|部|署|院|行|联合会|"
                               r"会|办|中心|团委|团)$")
# Bodies whose documents are national: the State Council and its offices, the NPC, the central
# Party organs, ministries and national bureaus. A ministry is named without a place (民政部);
# a provincial department always carries its place or 省/市 (江苏省民政厅, 省民政厅).
_NATIONAL_START = ("国务院", "全国人民代表大会", "全国人大", "中共中央", "中央", "国家", "中国人民银行",
                   "中华人民共和国", "最高人民法院", "最高人民检察院", "全国", "共青团中央", "中国")
_NATIONAL_END = re.compile(r"(部|总局|总署|署|委员会|委|银行|办公厅)$")
_LOCAL_START = ("省", "市", "县", "区", "自治区", "州", "镇", "乡", "街道")
# The province-level abbreviation a 文号 starts with (苏政办发 → 江苏省).
PROVINCE_ABBREVIATIONS = {
    "京": "北京市", "津": "天津市", "沪": "上海市", "渝": "重庆市", "冀": "河北省", "晋": "山西省",
    "辽": "辽宁省", "吉": "吉林省", "黑": "黑龙江省", "苏": "江苏省", "浙": "浙江省", "皖": "安徽省",
    "闽": "福建省", "赣": "江西省", "鲁": "山东省", "豫": "河南省", "鄂": "湖北省", "湘": "湖南省",
    "粤": "广东省", "琼": "海南省", "川": "四川省", "黔": "贵州省", "贵": "贵州省", "云": "云南省",
    "滇": "云南省", "陕": "陕西省", "甘": "甘肃省", "陇": "甘肃省", "青": "青海省", "蒙": "内蒙古自治区",
    "内蒙": "内蒙古自治区", "桂": "广西壮族自治区", "藏": "西藏自治区", "宁": "宁夏回族自治区",
    "新": "新疆维吾尔自治区",
}
# Cities whose 文号 abbreviation is not the start of their name (穗 is 广州's classical name).
# Only unambiguous, conventional ones: 宁 is both 宁夏 and 南京, so it stays the province.
CITY_ABBREVIATIONS = {
    "穗": "广州市", "深": "深圳市", "榕": "福州市", "蓉": "成都市", "筑": "贵阳市", "邕": "南宁市",
    "甬": "宁波市", "厦": "厦门市", "杭": "杭州市", "锡": "无锡市", "汉": "武汉市", "昆": "昆明市",
    "并": "太原市", "郑": "郑州市", "石": "石家庄市", "呼": "呼和浩特市", "乌": "乌鲁木齐市", "银": "银川市",
    "西": "西宁市", "兰": "兰州市", "哈": "哈尔滨市", "长": "长春市", "沈": "沈阳市", "济": "济南市",
    "合": "合肥市", "肥": "合肥市", "洪": "南昌市", "昌": "南昌市", "榆": "榆林市", "珠": "珠海市",
    "莞": "东莞市", "佛": "佛山市", "汕": "汕头市", "温": "温州市", "绍": "绍兴市", "嘉": "嘉兴市",
}
_VALIDITY_YEARS = re.compile(r"有效期(?:为|暂定)?(?P<n>[一二三四五六七八九十\d]{1,3})年")
_VALIDITY_UNTIL = re.compile(r"有效期(?:至|到)(?P<y>(?:19|20)\d{2})年"
                             r"(?:(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日)?|底|末)?")
_EFFECTIVE = re.compile(r"自(?P<y>(?:19|20)\d{2})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日起(?:施行|实施|执行|生效)")
_EFFECTIVE_ON_ISSUE = re.compile(r"自(?:印发|发布|公布|下发|颁布)之日起(?:施行|实施|执行|生效)")
# 本办法, 本实施意见, 本通知…: the document speaking of itself.
_SELF = re.compile(r"本(?:实施)?(?:办法|规定|通知|意见|方案|细则|条例|决定|规则|措施|指南|规划|计划|"
                   r"政策|文件|标准|制度|公告|纲要|法)")
_PRINTED = re.compile(r"(?P<y>(?:19|20)\d{2})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日印发$")
# The record of a law or regulation's adoption under its title: 2014年11月24日 中华人民共和国国务院令
# 第656号公布; 2001年4月19日 浙江省第九届人民代表大会常务委员会第二十六次会议通过.
_DATED = re.compile(r"^(?:19|20)\d{2}年\d{1,2}月\d{1,2}日")
_RECORD = re.compile(r"^(?P<y>(?:19|20)\d{2})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日经?"
                     r"(?:(?P<order>.{2,20}?令第\d{1,5}号)(?:公布|发布)"
                     r"|(?P<body>.{2,40}?(?:人民代表大会|常务委员会|人民政府|委员会|部|总局|局|署|银行))"
                     r"第.{1,12}?次(?:会议|常务会议|部务会议|局务会议|署务会议|行务会议|委务会议|主任会议)"
                     r"|(?P<plain>[^\d第，。]{2,30}?)(?:发布|公布|印发)$)")
_TERM = re.compile(r"第[一二三四五六七八九十百\d]+届")
_ANY_DATE = re.compile(r"(?P<y>(?:19|20)\d{2})\s*[年\-./]\s*(?P<m>\d{1,2})\s*[月\-./]\s*(?P<d>\d{1,2})")


@dataclass(frozen=True)
class Sources:
    """The parts of a document the metadata is read from, as the parser delimited them."""

    header: list[Line]  # the header block's lines
    signature: list[Line]  # the closing signature's lines (issuer, date), if any
    footer: list[Line]  # the 版记 and trailing lines
    opening: list[Line]  # the first non-blank lines of the document, header or not
    attachment_title: str | None  # the first attachment's title, for a standalone attachment
    heading_titles: list[str]  # lines the format marked as top-level headings before the body
    text: str  # the whole rendition
    properties: Mapping[str, str]


def read_meta(sources: Sources, gazetteer: Gazetteer | None, format: str, encoding: str | None,
              jurisdiction: str | None = None) -> DocumentMeta:
    """The metadata of a parsed document; ``jurisdiction`` overrides what the text says."""
    header = [line for line in sources.header if not line.is_blank]
    number = _number(header + sources.opening) or _normal_number(sources.properties.get("number", "")) \
        or _order_number(sources.opening)
    title = _title(header, sources)
    issuers = _issuers(header, sources, title)
    written = _signature_date(header) or _signature_date(sources.signature) \
        or _parse_date(sources.properties.get("written", "")) or _recorded(sources.opening)
    printed = _printed(sources.footer)
    published = _parse_date(sources.properties.get("published", "")) or printed
    effective = _parse_date(sources.properties.get("effective", "")) \
        or _effective(sources.text, printed or written, published)
    expires = _parse_date(sources.properties.get("expires", "")) or _expires(sources.text, effective)
    place = _jurisdiction(gazetteer, jurisdiction, issuers, title, number)
    if place is not None and gazetteer is not None:
        issuers = tuple(_expand(issuer, place) for issuer in issuers)
    level = place.level if place else None
    parents = tuple(p.name for p in gazetteer.ancestors(place)) if place and gazetteer else ()
    return DocumentMeta(title, number, place.name if place else jurisdiction, published,
                        encoding or "utf-8", issuers=issuers, level=level, parents=parents,
                        written=written, effective=effective, expires=expires, format=format)


# 文号 ----------------------------------------------------------------------------------------


def _number(lines: Sequence[Line]) -> str | None:
    """A line that is a 文号 and nothing else (a number cited in the text does not count); a
    number split over two lines is joined."""
    texts = [compact(line.text).strip("（()）") for line in lines if not line.is_blank]
    candidates = texts + [a + b for a, b in itertools.pairwise(texts)]
    for text in candidates:
        number = _normal_number(text, whole=True)
        if number:
            return number
    return None


def _order_number(lines: Sequence[Line]) -> str | None:
    """国务院令第656号 from the record line under a regulation's title."""
    for line in lines:
        record = _RECORD.match(compact(line.text))
        if record and record.group("order"):
            return re.sub(r"^中华人民共和国", "", record.group("order"))
    return None


def _recorded(lines: Sequence[Line]) -> dt.date | None:
    """The date of the first adoption record under a law's title."""
    for line in lines:
        record = _RECORD.match(compact(line.text))
        if record:
            return _date(int(record.group("y")), int(record.group("m")), int(record.group("d")))
    return None


def _normal_number(text: str, whole: bool = False) -> str | None:
    """The 文号 in ``text`` written the official way (GB/T 9704: 〔2022〕 brackets, no spaces)."""
    text = compact(text).strip("（()）")
    for pattern in (NUMBER, ORDER):
        found = pattern.fullmatch(text) if whole else pattern.search(text)
        if found:
            org, serial = found.group("org"), found.group("serial")
            if pattern is ORDER:
                return f"{org}第{int(serial)}号"
            return f"{org}〔{found.group('year')}〕{int(serial)}号"
    return None


# Title ---------------------------------------------------------------------------------------


def _title(header: list[Line], sources: Sources) -> str | None:
    """For a notice that issues a document, the issued document's title; else the lines the
    format marks as the title (Markdown ``#``, a bold first line); else the header's title lines."""
    joined = "".join(compact(line.text) for line in header if not _normal_number(line.text, whole=True))
    issued = _ISSUED.search(joined)
    if issued:
        return _clean_title(issued.group("title"))
    if sources.heading_titles:
        marked = compact("".join(sources.heading_titles))
        found = _ISSUED.search(marked)
        return _clean_title(found.group("title") if found else marked)
    lines: list[str] = []
    for line in header:
        text = compact(line.text)
        if _normal_number(text, whole=True) or text.endswith(("：", ":")) or is_date(text) \
                or PROMULGATION.search(text) or _RECORD.match(text) or _DATED.match(text):
            if lines:
                break
            continue
        lines.append(text)
    if lines:
        return _clean_title("".join(lines))
    if sources.attachment_title:
        return _clean_title(sources.attachment_title)
    stated = sources.properties.get("title", "")
    if stated:
        found = _ISSUED.search(compact(stated))
        return _clean_title(found.group("title") if found else stated)
    return None


def _clean_title(title: str) -> str:
    return compact(title).strip("《》〈〉")


# Issuers -------------------------------------------------------------------------------------


def _issuers(header: list[Line], sources: Sources, title: str | None) -> tuple[str, ...]:
    """The signature's bodies; else those the notice title names before 关于; else the portal's."""
    for block in (header, [line for line in sources.signature if not line.is_blank]):
        for index, line in enumerate(block):
            if is_date(line.text):
                names = [name for previous in block[max(0, index - 2):index]
                         if is_issuer_line(previous.text) for part in previous.text.split()
                         for name in split_issuers(part)]
                if names:
                    return tuple(dict.fromkeys(names))
    for line in sources.opening:
        record = _RECORD.match(compact(line.text))
        if record:
            body = record.group("order") or record.group("body") or record.group("plain")
            body = _TERM.sub("", re.sub(r"^中华人民共和国(?=国务院)", "", body))
            return (re.sub(r"令第\d+号$", "", body),)
    joined = "".join(compact(line.text) for line in header if not _normal_number(line.text, whole=True))
    found = _ABOUT.match(joined) or re.match(r"^(?P<issuers>.{2,60}?)(?:关于)?印发", joined)
    if found and _ORGANISATION_END.search(found.group("issuers")):
        return tuple(split_issuers(found.group("issuers")))
    stated = sources.properties.get("issuer", "")
    if stated:
        return tuple(dict.fromkeys(name for part in re.split(r"[、，,；;\s]+", stated) if part
                                   for name in split_issuers(part)))
    return ()


def split_issuers(text: str) -> list[str]:
    """``广州市人力资源和社会保障局广州市财政局`` → the two bodies: a joint document's title names
    its issuers one after another, each starting with its place or ending with its kind."""
    text = compact(text)
    names: list[str] = []
    start = 0
    for found in re.finditer(r"(?:人民政府|办公厅|办公室|委员会|局|厅|委|部|署)(?=[\u4e00-\u9fff]{2,}?"
                             r"(?:省|市|县|区|州|盟|旗|中共|共青团|国家|中国))", text):
        names.append(text[start:found.end()])
        start = found.end()
    names.append(text[start:])
    return [name for name in names if name]


def _expand(issuer: str, place: Place) -> str:
    """省政府办公厅 → 江苏省人民政府办公厅: an issuer written without its place takes the document's."""
    if place.level == NATIONAL.level or not issuer or issuer[0] not in "省市县区":
        return issuer
    if not place.name.endswith(issuer[0]):
        return issuer
    rest = issuer[1:]
    if rest.startswith("政府"):
        rest = "人民" + rest
    return place.name + rest


# Dates ---------------------------------------------------------------------------------------


def _signature_date(lines: Sequence[Line]) -> dt.date | None:
    for line in lines:
        date = _parse_date(line.text) if is_date(line.text) else None
        if date:
            return date
    return None


def _parse_date(text: str) -> dt.date | None:
    """A date as documents and portals write it: 2021年4月13日, 二〇二一年四月十三日, 2021-04-13."""
    text = compact(text)
    if not text:
        return None
    found = CN_DATE.match(text)
    if found:
        digits = "〇一二三四五六七八九"
        year = "".join(str(digits.index(c)) if c in digits else "0" for c in found.group(1))
        return _date(int(year), chinese_to_int(found.group(2)), chinese_to_int(found.group(3)))
    found = DATE.match(text) or _ANY_DATE.search(text)
    if found is None:
        return None
    return _date(int(found.group(1)), int(found.group(2)), int(found.group(3)))


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _printed(footer: Sequence[Line]) -> dt.date | None:
    for line in reversed(footer):
        found = _PRINTED.search(compact(line.text))
        if found:
            return _date(int(found.group("y")), int(found.group("m")), int(found.group("d")))
    return None


def _own_sentences(text: str) -> list[str]:
    """The sentences in which the document speaks of itself (本办法自印发之日起施行，有效期5年), last
    first: a validity clause about something else (评定结果有效期三年) does not date the document."""
    sentences = re.split(r"(?<=[。；;])", compact(text))
    return [s for s in reversed(sentences) if _SELF.search(s)]


def _effective(text: str, issued: dt.date | None, published: dt.date | None) -> dt.date | None:
    for sentence in _own_sentences(text):
        found = _EFFECTIVE.search(sentence)
        if found:
            return _date(int(found.group("y")), int(found.group("m")), int(found.group("d")))
        on_issue = _EFFECTIVE_ON_ISSUE.search(sentence)
        if on_issue:
            return published if "发布" in on_issue.group(0) or "公布" in on_issue.group(0) else issued
    return None


def _expires(text: str, effective: dt.date | None) -> dt.date | None:
    for sentence in _own_sentences(text):
        until = _VALIDITY_UNTIL.search(sentence)
        if until:
            year = int(until.group("y"))
            month = int(until.group("m") or 12)
            day = int(until.group("d") or (31 if month == 12 else 28))
            return _date(year, month, day)
        years = _VALIDITY_YEARS.search(sentence)
        if years and effective:
            n = chinese_to_int(years.group("n"))
            end = _date(effective.year + n, effective.month, effective.day) \
                or _date(effective.year + n, effective.month, 28)
            return end - dt.timedelta(days=1) if end else None
    return None


# Jurisdiction --------------------------------------------------------------------------------


def _jurisdiction(gazetteer: Gazetteer | None, explicit: str | None, issuers: Sequence[str],
                  title: str | None, number: str | None) -> Place | None:
    if gazetteer is None:
        return None
    if explicit:
        return gazetteer.resolve(explicit)
    for issuer in issuers:
        if is_national_body(issuer):
            return NATIONAL
        place = _leading_place(gazetteer, issuer)
        if place is not None:
            return place
    if title:
        place = _leading_place(gazetteer, title)
        if place is not None:
            return place
        if title.startswith(("中华人民共和国", "国务院")) or (
                "关于" in title and is_national_body(title.split("关于")[0])):
            return NATIONAL
    if number:
        return _place_of_number(gazetteer, number)
    return None


def is_national_body(name: str) -> bool:
    """国务院办公厅, 民政部, 国家卫生健康委员会, 中国人民银行: a body of the central government."""
    name = compact(name)
    if not name or name.startswith(_LOCAL_START):
        return False
    if name.startswith(_NATIONAL_START):
        return True
    return bool(_NATIONAL_END.search(name)) and _PLACE_PREFIX.match(name) is None and len(name) <= 16


def _leading_place(gazetteer: Gazetteer, text: str) -> Place | None:
    """The innermost place a run of place names at the start of ``text`` names:
    深圳市南山区人民政府 → 南山区, 广州市民政局 → 广州市, 关于… → None."""
    places = gazetteer.find(compact(text)[:40])
    chain: list[Place] = []
    for place in places:
        if chain and chain[-1] not in gazetteer.ancestors(place):
            break
        chain.append(place)
    if not chain:
        return None
    position = compact(text).find(chain[0].name[:2])
    return chain[-1] if position == 0 else None


def _place_of_number(gazetteer: Gazetteer, number: str) -> Place | None:
    """The place a 文号's issuer abbreviation names: 赣府厅发 → 江西省, 穗府办规 → 广州市."""
    for length in (2, 1):
        key = number[:length]
        name = PROVINCE_ABBREVIATIONS.get(key) or CITY_ABBREVIATIONS.get(key)
        if name:
            return gazetteer.resolve(name)
    if number.startswith("国"):
        return NATIONAL
    return None
