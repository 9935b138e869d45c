"""The OFD reader (ofdkit, with the layout rules shared with PDF).

The fixture tests/data/fixtures/jx-tuoyu-shishiyijian.ofd was written by
tests/data/fixtures/make_pdf_ofd.py from the real 实施意见 text (its docstring says how); the
damaged, encrypted and image-only variations are built here from it with zipfile.
"""

from __future__ import annotations

import io
import itertools
import struct
import zipfile
from pathlib import Path

import ofdkit
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus.errors import CorpusError, CorruptDocument, DocumentTooLarge, EncryptedDocument, ScannedDocument
from corpus.readers import ofd, read_path
from corpus.readers.base import Rendition
from corpus.readers.normalise import is_page_number
from tests.corpus.readers.checks import assert_rendition_consistent

FIXTURES = Path(__file__).resolve().parents[2] / "data" / "fixtures"
OFD = FIXTURES / "jx-tuoyu-shishiyijian.ofd"
JX_TEXT = Path("/work/shared/realdocs/jx-tuoyu-shishiyijian-2020.txt")
JX_TITLE = "江西省人民政府办公厅关于促进3岁以下婴幼儿照护服务发展的实施意见"


def source_lines() -> list[str]:
    """Lines 2–24 of the crawled 实施意见 (title to 二、（三）5.), the text the fixture was set from."""
    lines = JX_TEXT.read_text(encoding="utf-8").replace("\r\n", "\n").split("\n")
    return [line.strip() for line in lines[1:24]]


def rewritten(change: dict[str, bytes | None]) -> bytes:
    """The fixture with some parts replaced (None drops a part)."""
    out = io.BytesIO()
    with zipfile.ZipFile(OFD) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        names = [*source.namelist(), *(name for name in change if name not in source.namelist())]
        for name in names:
            data = change[name] if name in change else source.read(name)
            if data is not None:
                target.writestr(name, data)
    return out.getvalue()


def flagged_encrypted(data: bytes) -> bytes:
    """The zip with every part's "encrypted" flag set, in its local and central headers, as a
    password-protected zip has it (zipfile cannot write one)."""
    marked = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos, position = archive.infolist(), archive.start_dir
    for info in infos:
        marked[info.header_offset + 6] |= 0x1
        assert marked[position:position + 4] == b"PK\x01\x02"
        marked[position + 8] |= 0x1
        name, extra, comment = struct.unpack("<HHH", marked[position + 28:position + 34])
        position += 46 + name + extra + comment
    return bytes(marked)


@pytest.fixture(scope="module")
def rendition() -> Rendition:
    return ofd.read(OFD.read_bytes())


def test_ofdkit_reads_the_fixture_as_four_pages() -> None:
    with ofdkit.open(OFD) as document:
        assert len(document.pages) == 4 and not document.warnings
        assert document.pages[0].text().startswith("赣府厅发〔2020〕6号")


def test_lines_are_rejoined_into_the_source_paragraphs(rendition: Rendition) -> None:
    assert rendition.text.split("\n") == source_lines()


def test_running_header_and_page_numbers_are_dropped(rendition: Rendition) -> None:
    assert "赣府厅发〔2020〕6号" not in rendition.text
    assert not any(is_page_number(line) for line in rendition.text.split("\n"))
    assert "—" not in rendition.text


def test_page_starts_are_recorded(rendition: Rendition) -> None:
    assert len(rendition.pages) == 4 and rendition.pages[0] == 0
    assert all(a < b for a, b in itertools.pairwise(rendition.pages))
    # Page 2 starts inside 2.大力发展社区照护服务…, at the first body line of that page (below
    # the running header; its footer is drawn first).
    with ofdkit.open(OFD) as document:
        body = [run for run in document.pages[1].runs if 30 < run.y < 270]
    first = min(body, key=lambda run: (run.y, run.x))
    assert rendition.text[rendition.pages[1]:].startswith(first.text)
    assert rendition.page_at(rendition.text.index("2.大力发展社区照护服务")) == 1


def test_title_and_format(rendition: Rendition) -> None:
    assert rendition.format == "ofd"
    assert rendition.properties == {"title": JX_TITLE}
    assert rendition.warnings == ()


def test_read_path_dispatches_ofd_files_to_this_reader(rendition: Rendition) -> None:
    assert read_path(OFD) == rendition


def test_an_ofd_without_text_is_a_scan() -> None:
    with zipfile.ZipFile(OFD) as source:
        pages = [name for name in source.namelist() if name.endswith("Content.xml")]
    empty = (b'<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="http://www.ofdspec.org/2016">'
             b'<ofd:Content><ofd:Layer ID="1"><ofd:ImageObject ID="2" ResourceID="3" Boundary="0 0 210 297" '
             b'CTM="210 0 0 297 0 0"/></ofd:Layer></ofd:Content></ofd:Page>')
    with pytest.raises(ScannedDocument, match=r"^no text layer: this is a scan; OCR it first"):
        ofd.read(rewritten(dict.fromkeys(pages, empty)))


def test_encrypted_parts_are_encrypted() -> None:
    with pytest.raises(EncryptedDocument, match="password"):
        ofd.read(flagged_encrypted(OFD.read_bytes()))
    with pytest.raises(EncryptedDocument, match="GM/T 0099"):
        ofd.read(rewritten({"Encryptions.xml": b"<Encryptions/>"}))


def test_damaged_containers_are_corrupt() -> None:
    data = OFD.read_bytes()
    for length in (100, len(data) // 2, len(data) - 30):
        with pytest.raises(CorruptDocument):
            ofd.read(data[:length])
    with pytest.raises(CorruptDocument):
        ofd.read(rewritten({"OFD.xml": None}))
    with pytest.raises(CorruptDocument):
        ofd.read(rewritten({"Doc_0/Document.xml": b"<ofd:Document"}))


def test_a_zip_bomb_is_refused_before_ofdkit_sees_it() -> None:
    with pytest.raises(DocumentTooLarge, match="zip bomb"):
        ofd.read(rewritten({"Doc_0/Res/padding.xml": b" " * (65 * 1024 * 1024)}))


@settings(max_examples=30, deadline=None)
@given(cut=st.floats(0.0, 1.0), flips=st.lists(st.tuples(st.floats(0.0, 1.0), st.integers(1, 255)),
                                                 max_size=8))
def test_damaged_variations_raise_only_corpus_errors(cut: float, flips: list[tuple[float, int]]) -> None:
    data = bytearray(OFD.read_bytes())
    for where, mask in flips:
        data[int(where * (len(data) - 1))] ^= mask
    data = data[: max(1, int(cut * len(data)))] if cut < 0.95 else data
    try:
        rendition = ofd.read(bytes(data))
    except CorpusError:
        return
    assert_rendition_consistent(rendition)
