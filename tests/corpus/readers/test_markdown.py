"""The Markdown reader: the rendered text without markup, lists numbered, tables kept."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus import parse_rendition
from corpus.errors import CorpusError
from corpus.readers import read_document, read_path
from corpus.readers.markdown import read
from tests.conftest import REALDOCS
from tests.corpus.readers.checks import assert_rendition_consistent

GUIZHOU = REALDOCS / "guizhou-nongcun-zhifu-xingdong-fangan-2026.md"


@pytest.mark.skipif(not GUIZHOU.is_file(), reason="shared/realdocs is not beside this checkout")
def test_a_real_markdown_plan_reads_as_its_text() -> None:
    rendition = read_path(GUIZHOU)
    assert rendition.format == "markdown"
    lines = rendition.text.split("\n")
    # The title is split over two bold lines; both are heading hints, the ** are gone.
    assert lines[:2] == ["贵州省农村支付服务提质增效", "助力乡村振兴行动方案(2026-2028年)"]
    assert [rendition.text[h.start:h.end] for h in rendition.headings[:2]] == lines[:2]
    assert "**" not in rendition.text
    assert "2.巩固规范银行卡助农取款服务。" in lines[lines.index("（一）健全农村支付管理服务体系。") + 2]
    document = parse_rendition(rendition, "guizhou")
    assert document.meta.title == "贵州省农村支付服务提质增效助力乡村振兴行动方案(2026-2028年)"
    assert (document.meta.jurisdiction, document.meta.level) == ("贵州省", "province")
    labels = [p.label for p in document.provisions]
    # Item 1. is missing from the source: the list starts at 2., numbered on across the parts.
    assert labels[:4] == ["引言", "一（一）", "一（二）", "二（一）"]
    assert "2" in labels and "24" in labels and "1" not in labels
    for provision in document.provisions:
        assert rendition.text[provision.start:provision.end] == provision.text


def test_markup_is_rendered_away() -> None:
    source = """# 某市养老服务办法

**第一章 总则**

第一条 为了*规范*养老服务，根据[《老年人权益保障法》](https://example.org/law)，
制定本办法。![图](a.png)

2. 列表从二开始；
3. 再下一项。

| 指标 | 2025年 |
| --- | --- |
| 每千人口托位数 | 4.5 |

```
代码块内容
```
"""
    rendition = read(source.encode("utf-8"))
    lines = rendition.text.split("\n")
    assert lines[0] == "某市养老服务办法"
    assert lines[1] == "第一章 总则"
    # A soft line break between Chinese characters joins without a space.
    assert lines[2] == "第一条 为了规范养老服务，根据《老年人权益保障法》，制定本办法。"
    assert lines[3:5] == ["2. 列表从二开始；", "3. 再下一项。"]
    (table,) = rendition.tables
    assert table.header_rows == 1
    cells = [[rendition.text[c.start:c.end] for c in row] for row in table.rows]
    assert cells == [["指标", "2025年"], ["每千人口托位数", "4.5"]]
    assert lines[-1] == "代码块内容"
    assert [h.level for h in rendition.headings] == [1, 1]


def test_english_soft_breaks_keep_a_space() -> None:
    rendition = read(b"# Title\n\nNew\nYork rules apply.\n")
    assert rendition.text.split("\n")[1] == "New York rules apply."


def test_detection_by_content_not_name(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "plan.txt"
    path.write_text("# 标题\n\n**粗体标题**\n\n正文。\n", encoding="utf-8")
    assert read_path(path).format == "markdown"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("#*|-_[]()!`>1.2 \n养老托育。，")), max_size=300))
def test_any_markdown_reads_or_fails_cleanly(source: str) -> None:
    try:
        rendition = read_document(("# 标题\n\n" + source).encode("utf-8"))
    except CorpusError:
        return
    assert_rendition_consistent(rendition)
