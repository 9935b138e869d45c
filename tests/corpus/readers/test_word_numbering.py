"""Word's number formats (corpus/readers/word_numbering.py): a list counter written as Word prints it.

How numbering runs through a document (counters, restarts, lists linked to styles) is tested on
whole documents in test_word.py.
"""

from __future__ import annotations

import pytest

from corpus.readers import word_numbering


@pytest.mark.parametrize(("value", "format", "expected"), [
    (1, "chineseCounting", "一"), (10, "chineseCounting", "十"), (11, "chineseCounting", "十一"),
    (20, "chineseCounting", "二十"), (23, "chineseCounting", "二十三"), (100, "chineseCounting", "一百"),
    (101, "chineseCounting", "一百零一"), (110, "chineseCounting", "一百一十"),
    (1010, "chineseCountingThousand", "一千零一十"), (10001, "chineseCountingThousand", "一万零一"),
    (12, "chineseCountingThousand", "十二"), (11, "japaneseCounting", "十一"),
    (101, "japaneseCounting", "百一"),
    (11, "chineseLegalSimplified", "壹拾壹"), (1, "ideographTraditional", "甲"),
    (10, "ideographTraditional", "癸"), (11, "ideographTraditional", "11"), (12, "ideographZodiac", "亥"),
    (12, "decimalFullWidth", "１２"), (1, "decimalEnclosedCircle", "①"), (20, "decimalEnclosedCircle", "⑳"),
    (21, "decimalEnclosedCircle", "㉑"), (3, "decimalEnclosedParen", "⑶"), (1, "upperLetter", "A"),
    (27, "upperLetter", "AA"), (2, "lowerLetter", "b"), (4, "lowerRoman", "iv"),
    (1999, "upperRoman", "MCMXCIX"),
    (5, "decimalZero", "05"), (7, "bullet", ""), (7, "none", ""), (7, "hebrew1", "7"),
])
def test_number_formats(value: int, format: str, expected: str) -> None:
    assert word_numbering.number_label(value, format) == expected
