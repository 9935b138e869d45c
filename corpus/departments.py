"""Responsibility clauses: 〔责任单位：市民政局、市卫健委，各镇（区、街道）人民政府等〕."""

from __future__ import annotations

import re

_OPEN = re.compile(r"[（(〔［\[]\s*(?:责任单位|牵头单位|责任部门)\s*[:：]")
_CLOSING = {"（": "）", "(": ")", "〔": "〕", "［": "］", "[": "]"}
_SUFFIXES = ("等按职责分工负责", "按职责分工负责", "牵头负责", "配合负责", "负责", "牵头", "配合", "等")


def find_clauses(text: str) -> list[tuple[int, int, str]]:
    """Every responsibility clause in ``text`` as ``(start, end, inner text)``."""
    clauses = []
    for found in _OPEN.finditer(text):
        opening = text[found.start()]
        closing = _CLOSING[opening]
        depth = 0
        for index in range(found.start(), len(text)):
            char = text[index]
            if char == opening or (char in "（(" and opening in "（("):
                depth += 1
            elif char == closing or (char in "）)" and closing in "）)"):
                depth -= 1
                if depth == 0:
                    clauses.append((found.start(), index + 1, text[found.end():index]))
                    break
        else:
            # The clause runs to the end of the text (extraction dropped the bracket).
            clauses.append((found.start(), len(text), text[found.end():]))
    return clauses


def split_departments(value: str) -> list[str]:
    """``市民政局、市卫健委，各镇（区、街道）人民政府等`` → three names.

    Separators inside brackets do not split: 各镇（区、街道）人民政府 is one name.
    """
    names: list[str] = []
    depth = 0
    current = ""
    for char in value:
        if char in "（(〔":
            depth += 1
        elif char in "）)〕":
            depth = max(0, depth - 1)
        if depth == 0 and char in "、，,；;":
            names.append(current)
            current = ""
        else:
            current += char
    names.append(current)
    # A cell of a department column may list names one per paragraph, joined by spaces.
    names = [part for name in names for part in (name.split() if _all_named(name.split()) else [name])]
    cleaned = []
    for name in names:
        name = name.strip().rstrip("。.")
        for suffix in _SUFFIXES:
            if name.endswith(suffix) and len(name) > len(suffix):
                name = name[: -len(suffix)]
        name = name.strip()
        if name and name not in cleaned:
            cleaned.append(name)
    return cleaned


_NAME_END = re.compile(r"(局|委|会|联|办|部|队|院|所|中心|政府|街道|镇|乡|分局|公司|支行|处|厅|室|站)$")


def _all_named(parts: list[str]) -> bool:
    return len(parts) > 1 and all(_NAME_END.search(part.rstrip("等")) for part in parts)


def departments_in(text: str) -> list[str]:
    names: list[str] = []
    for _, _, inner in find_clauses(text):
        for name in split_departments(inner):
            if name not in names:
                names.append(name)
    return names


# 省发展改革委负责将婴幼儿照护服务纳入…: a line that opens with a department and its duty.
_DUTY = re.compile(r"^(?P<name>[\u4e00-\u9fff（）()]{2,24}?(?:委员会|办公厅|办公室|总工会|联合会|协会|"
                   r"委|厅|局|部|办|会|院|署|行|联|团委|中心|公司|政府))(?:负责|牵头|承担|会同|配合|要|应)")
DUTY_LIST_MIN = 3


def duty_lines(lines: list[str]) -> dict[int, str]:
    """The lines of a duty list (each department's duties, one line each) by position, with
    the department each names; empty unless at least three consecutive lines do so."""
    found = {i: m.group("name") for i, line in enumerate(lines) if (m := _DUTY.match(line))}
    longest = run = 0
    for i in range(len(lines)):
        run = run + 1 if i in found else 0
        longest = max(longest, run)
    return found if longest >= DUTY_LIST_MIN else {}
