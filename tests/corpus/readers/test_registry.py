"""Format detection by content, and the one entry point that never lets a library error escape."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.errors import CorpusError, NotPolicyDocument, UnsupportedFormat
from corpus.readers import Rendition, detect, read_document, read_path
from tests.conftest import DATA, DOCUMENTS
from tests.corpus.readers.checks import assert_rendition_consistent

FIXTURES = DATA / "fixtures"


@pytest.mark.parametrize(("fixture", "format"), [
    ("gz-jujia-shequ-yanglao-banfa-2022.docx", "docx"), ("gz-jujia-shequ-yanglao-banfa-2022.doc", "doc"),
    ("gz-jujia-shequ-yanglao-banfa-2022.wps", "doc"), ("jx-tuoyu-shishiyijian.pdf", "pdf"),
    ("jx-tuoyu-shishiyijian.ofd", "ofd"),
])
def test_the_format_comes_from_the_bytes_not_the_name(tmp_path: Path, fixture: str, format: str) -> None:
    misnamed = tmp_path / "document.txt"
    shutil.copy(FIXTURES / fixture, misnamed)
    assert detect(misnamed.read_bytes()) == format
    assert read_path(misnamed).format == format


def test_text_markdown_and_html_are_told_apart() -> None:
    assert detect((DOCUMENTS / "rugao-2023-yilao-yixiao.txt").read_bytes()) == "text"
    assert detect("# 标题\n\n正文。".encode()) == "markdown"
    assert detect(b"<!DOCTYPE html><html><body><p>x</p></body></html>") == "html"
    assert detect("一、总则\n（一）正文，不是 **Markdown** 的标记。\n".encode()) == "text"


@pytest.mark.parametrize(("data", "error", "fragment"), [
    (b"\x89PNG\r\n\x1a\n" + bytes(64), NotPolicyDocument, "PNG image"),
    (b"\xff\xd8\xff\xe0" + bytes(64), NotPolicyDocument, "JPEG image"),
    (b"{\\rtf1\\ansi hello}", UnsupportedFormat, "RTF"),
    (b"Rar!\x1a\x07\x00", UnsupportedFormat, "RAR archive"),
])
def test_what_is_not_read_is_named(data: bytes, error: type[CorpusError], fragment: str) -> None:
    with pytest.raises(error, match=fragment):
        read_document(data)


MAGICS = [b"", b"%PDF-1.7\n", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"<!DOCTYPE html><html>",
          b"# ", b"\xef\xbb\xbf", b"\xff\xfe"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(MAGICS), st.binary(max_size=2000))
def test_any_bytes_give_a_rendition_or_a_corpus_error(magic: bytes, data: bytes) -> None:
    try:
        rendition = read_document(magic + data)
    except CorpusError:
        return
    assert isinstance(rendition, Rendition)
    assert_rendition_consistent(rendition)
