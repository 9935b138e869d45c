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


def departments_in(text: str) -> list[str]:
    names: list[str] = []
    for _, _, inner in find_clauses(text):
        for name in split_departments(inner):
            if name not in names:
                names.append(name)
    return names
