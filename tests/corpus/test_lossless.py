"""No text is lost: every non-blank character lies in exactly one element of the document."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus import Document, parse_text
from corpus.text import is_blank_char


def coverage_errors(document: Document) -> list[str]:
    counts = [0] * len(document.text)
    for element in document.elements:
        for index in range(element.start, element.end):
            counts[index] += 1
    errors = []
    for index, char in enumerate(document.text):
        if not is_blank_char(char) and counts[index] != 1:
            context = document.text[max(0, index - 10):index + 10]
            errors.append(f"{index} {char!r} in {counts[index]} elements: {context!r}")
    return errors


def test_seed_documents_lose_no_text(documents: dict[str, Document]) -> None:
    for document in documents.values():
        assert coverage_errors(document) == [], document.id


# --- generated documents -------------------------------------------------------------------

CN = "一二三四五六七八九十"
_words = st.text(alphabet="养老托育服务设施每百户平方米标准机构社区街道建设规划发展", min_size=1,
                 max_size=12)
_sentence = st.builds(lambda w, p: w + p, _words, st.sampled_from(["。", "；", "，", "", "！"]))
_paragraph = st.lists(_sentence, min_size=1, max_size=8).map("".join)


def _marker(kind: str, number: int) -> str:
    cn = CN[(number - 1) % 10]
    return {"cn": f"{cn}、", "paren": f"（{cn}）", "num": f"{number}.", "num_paren": f"（{number}）",
            "shi": f"{cn}是", "article": f"第{cn}条 ", "chapter": f"第{cn}章 "}[kind]


_heading = st.builds(
    lambda kind, number, title, body: _marker(kind, number) + title + ("。" + body if body else ""),
    st.sampled_from(["cn", "paren", "num", "num_paren", "shi", "article", "chapter"]),
    st.integers(1, 12), _words, st.one_of(st.just(""), _paragraph))
_cell = st.one_of(st.just(""), _words, st.builds(lambda a, b: f"{a}\n\n{b}", _words, _words),
                  st.decimals(0, 100, places=1).map(str))
_row = st.lists(_cell, min_size=1, max_size=6).map(lambda cells: "\n".join("\t" + c for c in cells))
_table = st.builds(lambda title, rows: title + "\n" + "\n\n".join(rows), _words,
                   st.lists(_row, min_size=1, max_size=6))
_note = st.builds(lambda a, b: f"注：1.{a}。\n2.{b}。", _words, _words)
_attachment = st.builds(lambda n, title: f"附件{n}\n{title}", st.integers(1, 5), _words)
_junk = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
_block = st.one_of(_heading, _paragraph, _table, _note, _attachment, _junk,
                   st.just("附件：1.重点任务清单"), st.just("抄送：市委办公室"))
_header = st.sampled_from(["",
                           "皋政发〔2023〕4号\n市政府关于印发《某市方案》的通知\n各镇：\n"
                           "某市人民政府\n2023年2月14日\n某市方案\n",
                           "省政府办公厅关于促进\n（苏政办发〔2021〕75号）\n各市人民政府：\n"])
documents_text = st.builds(lambda header, blocks, sep: header + sep.join(blocks), _header,
                           st.lists(_block, max_size=25), st.sampled_from(["\n", "\n\n", "\r\n"]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents_text)
def test_generated_documents_lose_no_text(text: str) -> None:
    document = parse_text(text, "generated")
    assert coverage_errors(document) == []
    for provision in document.provisions:
        if provision.kind.value == "clause":
            assert text[provision.start:provision.end] == provision.text


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=300))
def test_any_text_parses_without_loss(text: str) -> None:
    document = parse_text(text, "arbitrary")
    assert coverage_errors(document) == []
