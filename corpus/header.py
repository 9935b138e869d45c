"""Where a document's header (版头), closing signature and footer (版记) lie.

A 公文 opens with its document number (文号, 皋政发〔2023〕4号), title and addressees; a notice
that issues another document (印发通知) then says so in a sentence or two, is signed and dated,
and the issued document's own title follows. The main text may close with the issuer's
signature, the date and a disclosure note (（此件公开发布）), attachments follow, and the
document may end with a 抄送 line and the printing office and date; a page saved from a portal
may trail links (相关解读). This module finds those boundaries; :mod:`corpus.metadata` reads
what they say.
"""

from __future__ import annotations

import re

from corpus.headings import match_attachment, match_heading
from corpus.text import Line

DATE = re.compile(r"^((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
# 二〇二一年四月十三日: older documents date the signature in Chinese numerals.
CN_DATE = re.compile(r"^([〇零一二三四五六七八九○Ｏ]{4})年"
                     r"([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日$")
# A sentence that promulgates or forwards another document: the body of a cover notice.
PROMULGATION = re.compile(r"印发给你们|转发给你们|现予印发|现予公布|现予发布|现将.{0,60}?(?:印发|转发|公布)|"
                          r"请认真(?:贯彻|遵照|组织)|请遵照执行|请结合实际")
DISCLOSURE = re.compile(r"^[（(]?此件.{0,8}公开.{0,6}[）)]?$|^公开方式[:：]|^[（(]?此页无正文[）)]?$")
# Portal text that trails a crawled document: links to interpretations, sharing, navigation.
TRAILER = re.compile(r"^(?:相关解读|相关链接|相关文件|相关新闻|政策解读|扫一扫|【?\s*返回顶部|【?\s*关闭窗口|"
                     r"【?\s*打印本页|分享到)")
# The record of adoption under a law's title: a dated line, or one in brackets (（2001年4月19日…通过）).
RECORD = re.compile(r"^[（(]?(?:19|20)\d{2}年\d{1,2}月\d{1,2}日.{0,80}"
                    r"(?:通过|公布|发布|批准|修正|修订|施行)[）)]?$")
ISSUER_SUFFIX = re.compile(r"(人民政府|政府|办公厅|办公室|委员会|委|厅|局|部|署|院|会|行|办|中心|"
                           r"总局|联合会|团委)$")
_TITLE_LINE_MAX = 40
_PROSE = 50  # a line this long with a full stop is body text, not part of a header


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def is_date(text: str) -> bool:
    text = compact(text)
    return bool(DATE.match(text) or CN_DATE.match(text))


def is_title_like(line: Line) -> bool:
    text = line.text
    return (len(text) <= _TITLE_LINE_MAX and not text.endswith(("。", "；", "，"))
            and match_heading(text) is None and not line.is_cell)


def is_prose(text: str) -> bool:
    """Body text: a long line holding a full stop (or a heading), unless it promulgates."""
    if PROMULGATION.search(text):
        return False
    return len(text) >= _PROSE and "。" in text


def is_issuer_line(text: str) -> bool:
    """A signature line: one or more issuing bodies, nothing else (宿城区人民政府, or two
    departments separated by spaces)."""
    names = text.split()
    return (0 < len(compact(text)) <= 60 and all(ISSUER_SUFFIX.search(name) for name in names)
            and not re.search(r"[，。；：:、]", text))


def find_header_end(lines: list[Line]) -> int:
    """Index of the first line after the header block (0 when the document has none).

    The header runs to the cover notice's signature date, or else to the addressee line (…：),
    and then takes in the short title lines that follow (the issued document's title, 此件公开发布,
    the attachment list of the notice) up to the first heading or paragraph of text. It never
    runs past the first heading or paragraph of body text: a date at the end of a short notice
    is its closing signature, not a header.
    """
    limit = min(len(lines), 60)
    body = next((i for i in range(limit) if not lines[i].is_blank
                 and (is_prose(lines[i].text) or _is_body_heading(lines, i))), limit)
    end = next((i + 1 for i in range(body) if is_date(lines[i].text)), None)
    if end is None:
        end = next((i + 1 for i in range(min(body, 20)) if lines[i].text.endswith(("：", ":"))
                    and len(lines[i].text) <= 80 and match_heading(lines[i].text) is None), None)
    if end is None:
        return _title_block_end(lines, body)
    while end < len(lines) and (lines[end].is_blank or is_title_like(lines[end])
                                or _is_attachment_line(lines[end]) or DISCLOSURE.match(lines[end].text)):
        end += 1
    while end > 0 and lines[end - 1].is_blank:
        end -= 1
    return end


def _is_body_heading(lines: list[Line], index: int) -> bool:
    found = match_heading(lines[index].text)
    # 第一章 总则 and 一、总体要求 are body headings; a 文号 (…〔2023〕4号) never matches.
    return found is not None


def _title_block_end(lines: list[Line], body: int) -> int:
    """A document without signature or addressee (a regulation, a plan saved as Markdown) opens
    with one to three title lines, perhaps the record of its adoption (2014年11月24日 国务院令第656号
    公布), then its first heading or paragraph."""
    filled = [i for i in range(min(len(lines), 16)) if not lines[i].is_blank]
    titles: list[int] = []
    records: list[int] = []
    for i in filled:
        text = lines[i].text
        if i >= body:
            break
        if RECORD.match(compact(text)) and titles:
            records.append(i)
        elif not records and len(titles) < 3 and is_title_like(lines[i]) \
                and not _is_attachment_line(lines[i]):
            titles.append(i)
        else:
            break
    if not titles:
        return 0
    last = (records or titles)[-1]
    following = next((i for i in filled if i > last), None)
    if following is None:
        return 0
    if match_heading(lines[following].text) or is_prose(lines[following].text) \
            or len(lines[following].text) > _TITLE_LINE_MAX:
        return last + 1
    return 0


def _is_attachment_line(line: Line) -> bool:
    return line.text.startswith("附件") and len(line.text) <= _TITLE_LINE_MAX


def find_footer_start(lines: list[Line], body_start: int) -> int:
    """Index of the first line of the footer (版记: 抄送…, …印发; trailing portal links), or
    ``len(lines)``."""
    tail = range(len(lines) - 1, max(body_start, len(lines) - 12) - 1, -1)
    start = len(lines)
    for index in tail:
        text = compact(lines[index].text)
        if text.startswith("抄送") or re.search(r"\d{4}年\d{1,2}月\d{1,2}日印发$", text) \
                or TRAILER.match(text):
            start = index
    return start


def find_signature(lines: list[Line], begin: int, end: int) -> tuple[int, int] | None:
    """The closing signature of the main text, as a line range ``[first, last)``: issuer lines,
    the date, and disclosure notes (（此件主动公开）), standing alone before the attachments or
    the end. None when the main text is not signed."""
    stop = next((i for i in range(begin, end) if match_attachment(lines[i].text) is not None
                 and not lines[i].text.startswith(("附件：", "附件:"))), end)
    for index in range(stop - 1, begin - 1, -1):
        text = lines[index].text
        if lines[index].is_blank or DISCLOSURE.match(compact(text)) or _is_attachment_list_line(text):
            continue
        if not is_date(text):
            return None
        first = index
        back = index - 1
        while back >= begin and (lines[back].is_blank or is_issuer_line(lines[back].text)):
            if not lines[back].is_blank:
                first = back
            back -= 1
        last = index + 1
        while last < stop and (lines[last].is_blank or DISCLOSURE.match(compact(lines[last].text))):
            last += 1
        return first, last
    return None


def _is_attachment_list_line(text: str) -> bool:
    return text.startswith(("附件：", "附件:")) and len(text) <= 80
