"""Bad input: a clear error or a sensible flat parse, never a crash or a silent loss."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus import EmptyDocument, NotText, parse_file, parse_text
from corpus.errors import NotPolicyDocument
from tests.conftest import DOCUMENTS
from tests.corpus.test_lossless import coverage_errors


def test_empty_file_is_a_clear_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(EmptyDocument, match="empty"):
        parse_file(empty)
    blank = tmp_path / "blank.txt"
    blank.write_text(" \n\t\n\u3000\n", encoding="utf-8")
    with pytest.raises(EmptyDocument):
        parse_file(blank)


def test_binary_file_is_a_clear_error(tmp_path: Path) -> None:
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(NotPolicyDocument, match="PNG image"):
        parse_file(binary)
    noise = tmp_path / "noise.bin"
    noise.write_bytes(bytes([0x80 + (i * 37) % 120 for i in range(4000)]) + b"\x01\x02\x03" * 50)
    with pytest.raises(NotText):
        parse_file(noise)


def test_gbk_file_is_read_with_offsets_into_the_decoded_text(tmp_path: Path) -> None:
    original = (DOCUMENTS / "jiangsu-2021-yanglao-tuoyu.txt").read_text(encoding="utf-8")
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes(original.encode("gbk"))
    document = parse_file(gbk)
    assert document.meta.encoding == "gb18030"
    assert document.meta.number == "苏政办发〔2021〕75号"
    assert len(document.provisions) == 24
    text = gbk.read_bytes().decode("gb18030")
    for provision in document.provisions:
        assert text[provision.start:provision.end] == provision.text


def test_utf16_with_bom_and_crlf_lines(tmp_path: Path) -> None:
    path = tmp_path / "utf16.txt"
    path.write_bytes("一、总则\r\n（一）甲项。内容。\r\n".encode("utf-16"))
    document = parse_file(path)
    assert [p.text for p in document.provisions] == ["（一）甲项。内容。"]


def test_a_file_without_headings_parses_flat_and_loses_nothing() -> None:
    text = "这是一段没有任何标题的文字。它讲了养老服务。\n\n第二段讲托育服务，每千人口托位4.5个。\n"
    document = parse_text(text)
    assert [p.label for p in document.provisions] == ["正文"]
    assert document.provisions[0].text == text.strip()
    assert coverage_errors(document) == []


def test_text_matching_no_rule_still_ends_up_in_a_provision() -> None:
    text = "一、总则\n（一）甲项\n\u2603 ☃ 🙂 𠀀𪚥 <b>html</b>\n\t孤立的制表符行\n"
    document = parse_text(text)
    assert coverage_errors(document) == []
    assert "🙂" in document.provisions[0].text


@pytest.mark.slow
def test_a_ten_megabyte_file_parses(tmp_path: Path) -> None:
    seed = (DOCUMENTS / "rugao-2023-yilao-yixiao.txt").read_text(encoding="utf-8")
    big = tmp_path / "big.txt"
    copies = 10 * 1024 * 1024 // len(seed.encode("utf-8")) + 1
    big.write_text(seed * copies, encoding="utf-8")
    assert big.stat().st_size >= 10 * 1024 * 1024
    document = parse_file(big)
    assert len(document.provisions) >= 100 * copies
    text = big.read_text(encoding="utf-8")
    for provision in document.provisions[:: max(1, len(document.provisions) // 500)]:
        if provision.kind.value == "clause":
            assert text[provision.start:provision.end] == provision.text
    assert len({p.id for p in document.provisions}) == len(document.provisions)
