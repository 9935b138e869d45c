"""The header (版头) and footer (版记) of an official document, and the metadata they carry.

A 公文 opens with its document number (文号, 皋政发〔2023〕4号), title, addressees, sometimes
the notice that promulgates a plan, the issuer's signature and the date; it may close with a
抄送 line and the printing office and date. Everything here is read from those lines; the
catalog fills in only what a file does not say.
"""

from __future__ import annotations

import datetime as dt
import re

from corpus.headings import match_heading
from corpus.model import DocumentMeta
from corpus.text import Line

NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}[〔\[［(（]\s*(?:19|20)\d{2}\s*[〕\]］)）]\s*\d{1,4}\s*号")
_DATE = re.compile(r"^((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_ISSUER = re.compile(r"(人民政府|政府|办公厅|办公室|委员会|厅|局|委)$")
_PROMULGATE = re.compile(r"印发[《“]?(?P<title>.+?)[》”]?的通知")
_PLACE = re.compile(r"^([\u4e00-\u9fff]{2,7}?(?:自治区|自治州|自治县|省|市|县|区|旗|盟))")
# The first character of a province-level document number names the province (苏政办发 → 江苏).
_PROVINCE_BY_ABBREVIATION = {
    "京": "北京市", "津": "天津市", "沪": "上海市", "渝": "重庆市", "冀": "河北省", "晋": "山西省",
    "辽": "辽宁省", "吉": "吉林省", "黑": "黑龙江省", "苏": "江苏省", "浙": "浙江省", "皖": "安徽省",
    "闽": "福建省", "赣": "江西省", "鲁": "山东省", "豫": "河南省", "鄂": "湖北省", "湘": "湖南省",
    "粤": "广东省", "琼": "海南省", "川": "四川省", "贵": "贵州省", "黔": "贵州省", "云": "云南省",
    "滇": "云南省", "陕": "陕西省", "甘": "甘肃省", "青": "青海省", "蒙": "内蒙古自治区",
    "桂": "广西壮族自治区", "藏": "西藏自治区", "宁": "宁夏回族自治区", "新": "新疆维吾尔自治区",
}
_TITLE_LINE_MAX = 40


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _is_date(line: Line) -> bool:
    return bool(_DATE.match(_compact(line.text)))


def _is_title_like(line: Line) -> bool:
    text = line.text
    return (len(text) <= _TITLE_LINE_MAX and not text.endswith(("。", "；", "，"))
            and match_heading(text) is None and not line.is_cell)


def find_header_end(lines: list[Line]) -> int:
    """Index of the first line after the header block (0 when the document has none).

    The header runs to the signature date, or else to the addressee line (…：), and then takes
    in the short title lines that follow (the plan's own title, 此件公开发布, the attachment list
    of the notice) up to the first heading or paragraph of text.
    """
    limit = min(len(lines), 60)
    end = None
    for index in range(limit):
        if _is_date(lines[index]):
            end = index + 1
            break
    if end is None:
        for index in range(min(limit, 20)):
            text = lines[index].text
            if text.endswith(("：", ":")) and len(text) <= 80 and match_heading(text) is None:
                end = index + 1
                break
    if end is None:
        # No signature or addressee: a regulation opens with its title lines, then 第一章.
        filled = [i for i in range(min(limit, 6)) if not lines[i].is_blank]
        titles = [i for i in filled[:3] if _is_title_like(lines[i])]
        following = next((i for i in filled if i not in titles), None)
        if titles and titles == filled[: len(titles)] and following is not None \
                and match_heading(lines[following].text):
            return titles[-1] + 1
        return 0
    while end < len(lines) and (lines[end].is_blank or _is_title_like(lines[end])
                                or _is_attachment_line(lines[end])):
        end += 1
    while end > 0 and lines[end - 1].is_blank:
        end -= 1
    return end


def _is_attachment_line(line: Line) -> bool:
    return line.text.startswith("附件") and len(line.text) <= _TITLE_LINE_MAX


def find_footer_start(lines: list[Line], body_start: int) -> int:
    """Index of the first line of the footer (版记: 抄送…, …印发), or ``len(lines)``."""
    tail = range(len(lines) - 1, max(body_start, len(lines) - 12) - 1, -1)
    start = len(lines)
    for index in tail:
        text = _compact(lines[index].text)
        if text.startswith("抄送") or re.search(r"\d{4}年\d{1,2}月\d{1,2}日印发$", text):
            start = index
    return start


def parse_meta(lines: list[Line], header_end: int, encoding: str = "utf-8") -> DocumentMeta:
    """Read the metadata from the header lines (and the footer's printing date if need be)."""
    header = [line for line in lines[:header_end] if not line.is_blank]
    number = _number(header)
    title = _title(header)
    published = _published(header) or _printed(lines)
    jurisdiction = _jurisdiction(title, number, header)
    issuer = _issuer(header, title, jurisdiction)
    return DocumentMeta(title, number, issuer, jurisdiction, published, encoding)


def _number(header: list[Line]) -> str | None:
    for line in header:
        text = _compact(line.text).strip("（()）")
        found = NUMBER.fullmatch(text)
        if found:
            return found.group(0)
    return None


def _title(header: list[Line]) -> str | None:
    joined = "".join(_compact(line.text) for line in header)
    found = _PROMULGATE.search(joined)
    if found:
        return found.group("title")
    lines = []
    for line in header:
        text = _compact(line.text)
        if NUMBER.fullmatch(text.strip("（()）")) or text.endswith(("：", ":")):
            break
        lines.append(text)
    title = "".join(lines)
    return title or None


def _published(header: list[Line]) -> dt.date | None:
    for line in header:
        found = _DATE.match(_compact(line.text))
        if found:
            return _date(found)
    return None


def _printed(lines: list[Line]) -> dt.date | None:
    for line in reversed(lines[-6:]):
        found = re.search(r"((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日印发$", _compact(line.text))
        if found:
            return _date(found)
    return None


def _date(found: re.Match[str]) -> dt.date | None:
    try:
        return dt.date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    except ValueError:
        return None


def _jurisdiction(title: str | None, number: str | None, header: list[Line]) -> str | None:
    for candidate in [title or ""] + [_compact(line.text) for line in header]:
        found = _PLACE.match(candidate)
        if found and not found.group(1).startswith(("关于", "省政府", "市政府", "县政府", "区政府")):
            return found.group(1)
    if number:
        return _PROVINCE_BY_ABBREVIATION.get(number[0])
    return None


def _issuer(header: list[Line], title: str | None, jurisdiction: str | None) -> str | None:
    """The signature line above the date; else the body named before 关于 in the notice title."""
    for index, line in enumerate(header):
        if _is_date(line):
            for previous in reversed(header[max(0, index - 2):index]):
                text = _compact(previous.text)
                if _ISSUER.search(text) and len(text) <= 30 and "：" not in text:
                    return text
            break
    joined = "".join(_compact(line.text) for line in header
                     if not NUMBER.fullmatch(_compact(line.text).strip("（()）")))
    found = re.match(r"^(?P<issuer>[\u4e00-\u9fff]{2,20}?)(?:关于)?印发", joined) or re.match(
        r"^(?P<issuer>[\u4e00-\u9fff]{2,20}?)关于", joined)
    if found:
        issuer = found.group("issuer")
        if jurisdiction and issuer[0] in "省市县区" and jurisdiction.endswith(issuer[0]):
            return jurisdiction + issuer[1:]
        return issuer
    return None

