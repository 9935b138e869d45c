"""Extractive chat for portal chatbots: a conversation in, verbatim sentences and citations out.

The last user message is the question; earlier turns give context. A follow-up that only names
a new place (「那宿城区呢？」) asks the previous question again for that place; a follow-up that
names no place keeps the place asked before. The reply is assembled only from answer
sentences of the provisions (verbatim) and their citations, with fixed phrases around them;
nothing is written by a model. When the asked place has no document in the corpus the reply
says so before anything else.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from qa.errors import BadQuery
from qa.results import Hit, SearchResult
from qa.search import clean_query
from qa.service import PolicyService

ANSWERS = 3
NO_QUESTION = "没有收到问题。请输入您想查询的养老、托育政策问题。"
_FILLER = re.compile(r"[那么呢吗吧啊呀的又还是也怎么样如何多少情况规定标准\s？?！!，,。.、：:]+")


@dataclass(frozen=True)
class Turn:
    role: str  # system | user | assistant
    content: str


@dataclass(frozen=True)
class ChatAnswer:
    question: str  # what was searched
    jurisdiction: str | None  # the place it was searched for
    follow_up: bool
    text: str
    result: SearchResult | None  # None when the conversation asked nothing

    def to_json(self) -> dict[str, object]:
        return {"question": self.question, "jurisdiction": self.jurisdiction,
                "follow_up": self.follow_up,
                "result": self.result.to_json() if self.result else None}


def understand(service: PolicyService, turns: Sequence[Turn],
               jurisdiction: str | None = None) -> tuple[str, str | None, bool]:
    """The question to search, the place to search it for, and whether it was a follow-up.

    The user's messages are read in order, each resolved against the one before: 「那宿城区呢？」
    keeps the previous question and changes the place; a new question without a place keeps
    the place asked before; a new question with a place starts afresh. An explicit
    ``jurisdiction`` (the portal's own place) wins over all of these.

    Raises:
        BadQuery: the conversation has no user message with text in it.
    """
    asked = []
    for turn in turns:
        if turn.role == "user":
            try:
                asked.append(clean_query(turn.content))
            except BadQuery as error:
                if "empty" not in str(error):
                    raise
    if not asked:
        raise BadQuery("the conversation has no user message to answer")
    gazetteer = service.searcher.gazetteer
    question, place, follow_up = "", None, False
    for number, text in enumerate(asked):
        named = [p.name for p in gazetteer.find(text)]
        if named and number > 0 and not _remainder(text, named):
            follow_up, place = True, named[0]  # 「那宿城区呢？」
        elif named:
            question, place, follow_up = _without(text, named) or text, named[0], False
        else:
            question, follow_up = text, number > 0 and place is not None
    return question, jurisdiction or place, follow_up


def answer(service: PolicyService, turns: Sequence[Turn], jurisdiction: str | None = None,
           k: int = 5) -> ChatAnswer:
    try:
        question, place, follow_up = understand(service, turns, jurisdiction)
    except BadQuery as error:
        if "no user message" not in str(error):
            raise
        return ChatAnswer("", jurisdiction, False, NO_QUESTION, None)
    result = service.search(question, place, k)
    return ChatAnswer(question, place, follow_up, compose(result), result)


def compose(result: SearchResult) -> str:
    """The reply: verbatim answers numbered 〔1〕…, then the citations they come from."""
    info = result.jurisdiction
    place = "、".join(p for p in ((info.requested and [info.requested]) or info.detected)) or None
    lines: list[str] = []
    if place and not info.covered:
        lines.append(f"本库没有{place}或其上级地区的政策文件，无法提供{place}的规定。")
        others = list(result.hits[:ANSWERS])
        if not others:
            return lines[0]
        lines.append(f"以下是其他地区的规定，不适用于{place}，仅供参考：")
        return _with_sources(lines, others)
    if place:
        hits = [hit for hit in result.hits if hit.relation in ("exact", "ancestor")][:ANSWERS]
        if not hits:
            return f"在{place}及其上级地区的政策文件中没有找到相关条款。"
        if not info.local:
            lines.append(f"本库没有{place}及其所在省、市的地方政策文件，以下为国家层面的规定：")
    else:
        hits = list(result.hits[:ANSWERS])
        if not hits:
            return "没有找到相关条款。"
    return _with_sources(lines, hits)


def _with_sources(lines: list[str], hits: Sequence[Hit]) -> str:
    for number, hit in enumerate(hits, start=1):
        lines.append(f"{hit.answer}〔{number}〕")
    lines.append("")
    lines.append("来源：")
    for number, hit in enumerate(hits, start=1):
        lines.append(f"〔{number}〕{hit.citation}")
    return "\n".join(lines)


def _without(text: str, names: Sequence[str]) -> str:
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, "")
        short = re.sub(r"(省|市|县|区|自治州|自治县)$", "", name)
        if len(short) >= 2:
            text = text.replace(short, "")
    return text.strip(" ，,")


def _remainder(text: str, names: Sequence[str]) -> str:
    """What a message says besides places and filler words."""
    return _FILLER.sub("", _without(text, names))
