"""The Word readers: .docx (python-docx plus hand-rendered numbering and merged cells) and the Word
binary .doc/.wps (antiword, LibreOffice when antiword cannot).

The realistic fixtures in tests/data/fixtures were made from real published text by
tests/data/fixtures/make_word.py (its docstring says how); the small documents built here with
python-docx test one rule each. Tests that start LibreOffice take a second or two each and are
marked slow.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx as python_docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from corpus.errors import (
    CorpusError,
    CorruptDocument,
    DocumentTooLarge,
    EmptyDocument,
    EncryptedDocument,
    UnsupportedFormat,
)
from corpus.readers import doc, docx, read_document, read_path
from corpus.readers.base import Rendition
from corpus.readers.normalise import clean_line
from tests.corpus.readers.checks import assert_rendition_consistent

FIXTURES = Path(__file__).resolve().parents[2] / "data" / "fixtures"
REALDOCS = Path("/work/shared/realdocs")
GZ = "gz-jujia-shequ-yanglao-banfa-2022"
HAS_ANTIWORD = shutil.which("antiword") is not None
HAS_SOFFICE = (shutil.which("soffice") or shutil.which("libreoffice")) is not None
needs_antiword = pytest.mark.skipif(not HAS_ANTIWORD, reason="antiword is not installed "
                                    "(apt-get install antiword)")
needs_soffice = pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice is not installed "
                                   "(apt-get install libreoffice-writer-nogui)")


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def lines(rendition: Rendition) -> list[str]:
    return rendition.text.split("\n")


def paragraph_lines(rendition: Rendition) -> list[str]:
    """The rendition's lines outside its tables."""
    inside = [(table.start, table.end) for table in rendition.tables]
    result, offset = [], 0
    for line in lines(rendition):
        if not any(start <= offset < end for start, end in inside):
            result.append(line)
        offset += len(line) + 1
    return result


def hide(monkeypatch: pytest.MonkeyPatch, *programs: str) -> None:
    """Make the readers' program lookup miss ``programs``, as on a machine without them."""
    real_which = shutil.which

    def which(name: str, *args: object, **kwargs: object) -> str | None:
        return None if name in programs else real_which(name)

    monkeypatch.setattr(shutil, "which", which)


# --- .docx: the realistic fixtures ----------------------------------------------------------


@pytest.fixture(scope="module")
def guangzhou() -> Rendition:
    return docx.read(fixture(f"{GZ}.docx"))


def test_published_docx_reads_as_the_portal_page(guangzhou: Rendition) -> None:
    page = LexborHTMLParser((REALDOCS / f"{GZ}.html").read_bytes())
    body = page.css_first("#zoomcon")
    assert body is not None
    portal = [clean_line(p.text()) for p in body.css("p")]
    assert lines(guangzhou) == [line for line in portal if line]


def test_published_docx_holds_the_cover_chapters_and_articles(guangzhou: Rendition) -> None:
    text = lines(guangzhou)
    assert text[0] == "穗府办规〔2022〕13号"
    assert text[1] == "广州市人民政府办公厅关于印发广州市居家社区养老服务管理办法的通知"
    assert "第一章 总则" in text
    assert text[-3] == "第五十二条 本办法自印发之日起施行，有效期5年。"
    assert guangzhou.format == "docx" and "\r" not in guangzhou.text
    assert guangzhou.properties == {"title": "广州市居家社区养老服务管理办法"}


def test_word_numbering_is_printed_as_word_prints_it() -> None:
    rendition = docx.read(fixture("jx-tuoyu-numbered.docx"))
    source = (REALDOCS / "jx-tuoyu-shishiyijian-2020.txt").read_text(encoding="utf-8").splitlines()[1:36]
    assert lines(rendition) == [clean_line(line) for line in source]
    headings = [(rendition.text[h.start:h.end], h.level) for h in rendition.headings]
    assert headings[:5] == [("江西省人民政府办公厅关于促进3岁以下婴幼儿照护服务发展的实施意见", 1),
                            ("一、总体要求", 1), ("二、主要任务", 1),
                            ("（一）建立健全婴幼儿照护服务的供给体系。", 2),
                            ("（二）建立健全婴幼儿照护服务的规范制度体系。", 2)]
    assert ("三、组织实施", 1) in headings and ("（四）加强信息化建设。", 2) in headings


def test_merged_cells_are_read_cell_by_cell() -> None:
    rendition = docx.read(fixture("lianshui-indicators-merged.docx"))
    assert_rendition_consistent(rendition)
    (table,) = rendition.tables
    assert len(table.rows) == 29 and len(table.rows[0]) == 10 and table.header_rows == 2

    def row(r: int) -> list[tuple[str, tuple[int, int] | None]]:
        return [(rendition.text[c.start:c.end], c.origin) for c in table.rows[r]]

    assert row(0) == [("序号", None), ("指标名称", None), ("", (0, 1)), ("单位", None),
                      ("2021年现状值", None), ("目标值", None), ("", (0, 5)), ("", (0, 5)), ("", (0, 5)),
                      ("指标 性质", None)]  # a cell of two paragraphs reads with a space
    assert row(1) == [("", (0, 0)), ("", (0, 1)), ("", (0, 1)), ("", (0, 3)), ("", (0, 4)),
                      ("2022年", None), ("2023年", None), ("2024年", None), ("2025年", None), ("", (0, 9))]
    assert row(2) == [("1", None), ("养老服务", None), ("城乡基本养老保险参保缴费率", None), ("%", None),
                      ("70.07", None), ("75", None), ("80", None), ("85", None), ("90", None),
                      ("约束性", None)]
    assert row(15)[:3] == [("14", None), ("托育服务", None), ("新生儿访视率", None)]
    assert [rendition.text[table.rows[r][0].start:table.rows[r][0].end] for r in range(2, 29)] == [
        str(n) for n in range(1, 28)]
    assert all(table.rows[r][1].origin == (2, 1) for r in range(3, 15))
    assert all(table.rows[r][1].origin == (15, 1) for r in range(16, 29))
    assert lines(rendition)[:2] == ["（二）发展目标", "涟水县“十四五”养老托育服务体系发展指标"]
    assert lines(rendition)[-1] == "四、重点任务"


def test_fixture_tables_keep_offsets_true(guangzhou: Rendition) -> None:
    for name in ("jx-tuoyu-numbered.docx", "lianshui-indicators-merged.docx"):
        assert_rendition_consistent(docx.read(fixture(name)))
    assert guangzhou.tables == ()


# --- .docx: damaged, hostile and empty files ------------------------------------------------


def test_encrypted_docx_is_an_ole_file_the_doc_reader_refuses() -> None:
    data = fixture(f"{GZ}-encrypted.docx")
    with pytest.raises(EncryptedDocument, match="password"):
        read_document(data)
    with pytest.raises(EncryptedDocument):
        doc.read(data)
    with pytest.raises(CorruptDocument):
        docx.read(data)


def test_not_a_zip_and_truncated_docx_are_corrupt() -> None:
    with pytest.raises(CorruptDocument, match="zip"):
        docx.read(fixture("not-a-zip.docx"))
    whole = fixture(f"{GZ}.docx")
    for size in (30, len(whole) // 2, len(whole) - 100):
        with pytest.raises(CorruptDocument):
            docx.read(whole[:size])


def test_zip_bomb_is_refused_before_python_docx_opens_it() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as part:
            zeros = b"\0" * 2**20
            for _ in range(100):  # 100 MiB inflated, about 100 KiB deflated
                part.write(zeros)
    data = buffer.getvalue()
    assert len(data) < 2**20
    with pytest.raises(DocumentTooLarge, match="zip bomb"):
        docx.read(data)


def test_a_docx_without_text_says_what_to_do() -> None:
    with pytest.raises(EmptyDocument, match="no text"):
        docx.read(build_docx(""))
    with pytest.raises(EmptyDocument, match=r"pictures.*OCR"):
        docx.read(build_docx('<w:p><w:r><w:drawing/></w:r></w:p>'))


# --- .docx: one rule each, on documents built here ------------------------------------------


def build_docx(body: str, numbering: str = "", styles: str = "",
               edit: Callable[[python_docx.document.Document], None] | None = None) -> bytes:
    """A .docx made by python-docx whose body is ``body`` (WordprocessingML, ``w:`` prefix)."""
    document = python_docx.Document()
    root = document.element.body
    for child in list(root):
        if not child.tag.endswith("sectPr"):
            root.remove(child)
    for element in parse_xml(f'<w:body {nsdecls("w")}>{body}</w:body>'):
        root.insert(len(root) - 1, element)
    if numbering:
        part = document.part.numbering_part.element
        elements = list(parse_xml(f'<w:numbering {nsdecls("w")}>{numbering}</w:numbering>'))
        first_num = part.find(f"{{{part.nsmap['w']}}}num")
        for element in elements:
            if element.tag.endswith("abstractNum") and first_num is not None:
                first_num.addprevious(element)
            else:
                part.append(element)
    if styles:
        for element in parse_xml(f'<w:styles {nsdecls("w")}>{styles}</w:styles>'):
            document.styles.element.append(element)
    if edit is not None:
        edit(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def p(text: str, style: str | None = None, num: tuple[str, int] | None = None) -> str:
    properties = f'<w:pStyle w:val="{style}"/>' if style else ""
    if num is not None:
        properties += f'<w:numPr><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr>'
    return f"<w:p><w:pPr>{properties}</w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"


def level(ilvl: int, fmt: str, text: str, extra: str = "") -> str:
    return (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/>{extra}</w:lvl>')


def abstract(abstract_id: str, *levels: str) -> str:
    return f'<w:abstractNum w:abstractNumId="{abstract_id}">{"".join(levels)}</w:abstractNum>'


def num(num_id: str, abstract_id: str, overrides: str = "") -> str:
    return f'<w:num w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>{overrides}</w:num>'


GOVERNMENT_LIST = abstract("90", level(0, "chineseCounting", "%1、"), level(1, "chineseCounting", "（%2）"),
                           level(2, "decimal", "%3.")) + num("90", "90")


def test_lower_levels_restart_under_a_new_higher_item() -> None:
    body = "".join(p(text, num=("90", ilvl)) for text, ilvl in [
        ("总体要求", 0), ("目标", 1), ("甲", 2), ("乙", 2), ("任务", 1), ("丙", 2), ("保障", 0), ("组织", 1)])
    assert lines(docx.read(build_docx(body, GOVERNMENT_LIST))) == [
        "一、总体要求", "（一）目标", "1.甲", "2.乙", "（二）任务", "1.丙", "二、保障", "（一）组织"]


def test_start_values_restart_rules_and_overrides() -> None:
    numbering = (
        abstract("91", level(0, "decimal", "%1.").replace('w:val="1"/><w:numFmt', 'w:val="3"/><w:numFmt'))
        + abstract("92", level(0, "chineseCounting", "%1、"),
                   level(1, "decimal", "%2.", '<w:lvlRestart w:val="0"/>'))
        + num("91", "91") + num("92", "92")
        + num("93", "92") + num("94", "92", '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/>'
                                            "</w:lvlOverride>"))
    body = "".join([p("三起", num=("91", 0)), p("再一", num=("91", 0)),
                    p("甲", num=("92", 0)), p("子", num=("92", 1)),
                    p("乙", num=("92", 0)), p("丑", num=("92", 1)),
                    p("续", num=("93", 0)),  # another instance of the same list continues it
                    p("重", num=("94", 0))])  # an instance with a start override counts alone
    assert lines(docx.read(build_docx(body, numbering))) == [
        "3.三起", "4.再一", "一、甲", "1.子", "二、乙", "2.丑", "三、续", "一、重"]


def test_articles_outline_numbers_legal_numbers_and_bullets() -> None:
    numbering = (
        abstract("95", level(0, "chineseCounting", "第%1条", '<w:suff w:val="space"/>'))
        + abstract("96", level(0, "chineseCounting", "%1、"), level(1, "decimal", "%1.%2", "<w:isLgl/>"))
        + abstract("97", level(0, "bullet", "\uf06c"), level(1, "decimalEnclosedCircle", "%2"))
        + num("95", "95") + num("96", "96") + num("97", "97"))
    body = "".join([p("本办法适用于全市。", num=("95", 0)), p("本办法自印发之日起施行。", num=("95", 0)),
                    p("总则", num=("96", 0)), p("目的", num=("96", 1)), p("依据", num=("96", 1)),
                    p("要点", num=("97", 0)), p("其一", num=("97", 1)), p("不编号", num=("0", 0))])
    assert lines(docx.read(build_docx(body, numbering))) == [
        "第一条 本办法适用于全市。", "第二条 本办法自印发之日起施行。", "一、总则", "1.1目的", "1.2依据",
        "要点", "①其一", "不编号"]


def test_numbering_through_the_style_and_switched_off_by_num_id_zero() -> None:
    numbering = abstract("98", level(0, "chineseCounting", "%1、", '<w:pStyle w:val="Heading1"/>'),
                         level(1, "chineseCounting", "（%2）", '<w:pStyle w:val="Heading2"/>'))
    numbering += num("98", "98")

    def link_styles(document: python_docx.document.Document) -> None:
        for name in ("Heading 1", "Heading 2"):  # numId only: the level is the one linked to the style
            document.styles[name].element.get_or_add_pPr().append(
                parse_xml(f'<w:numPr {nsdecls("w")}><w:numId w:val="98"/></w:numPr>'))

    body = (p("总体要求", "Heading1") + p("基本原则", "Heading2") + p("主要任务", "Heading1")
            + p("不编号的标题", "Heading1", num=("0", 0)) + p("保障措施", "Heading1"))
    rendition = docx.read(build_docx(body, numbering, edit=link_styles))
    assert lines(rendition) == ["一、总体要求", "（一）基本原则", "二、主要任务", "不编号的标题",
                                "三、保障措施"]
    assert [h.level for h in rendition.headings] == [1, 2, 1, 1, 1]


def test_heading_styles_give_levels() -> None:
    styles = ('<w:style w:type="paragraph" w:styleId="wps1"><w:name w:val="标题 1"/></w:style>'
              '<w:style w:type="paragraph" w:styleId="mine"><w:name w:val="我的标题"/>'
              '<w:basedOn w:val="Heading3"/></w:style>')
    body = (p("办法", "Title") + p("第一章 总则", "wps1") + p("第一节 一般规定", "Heading2")
            + p("基于三级标题", "mine") + p("正文。") +
            '<w:p><w:pPr><w:outlineLvl w:val="1"/></w:pPr><w:r><w:t>大纲级别</w:t></w:r></w:p>')
    rendition = docx.read(build_docx(body, styles=styles))
    assert [(rendition.text[h.start:h.end], h.level) for h in rendition.headings] == [
        ("办法", 1), ("第一章 总则", 1), ("第一节 一般规定", 2), ("基于三级标题", 3), ("大纲级别", 2)]


def test_content_controls_are_read_and_headers_comments_footnotes_are_not() -> None:
    body = (p("正文开头。")
            + '<w:sdt><w:sdtPr/><w:sdtContent>' + p("控件里的段落。")
            + '<w:tbl><w:tr><w:tc><w:p><w:r><w:t>甲</w:t></w:r></w:p></w:tc>'
              '<w:tc><w:p><w:r><w:t>乙</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:sdtContent></w:sdt>'
            + '<w:p><w:r><w:t>有脚注</w:t></w:r><w:r><w:footnoteReference w:id="1"/></w:r>'
              '<w:r><w:t>的段落。</w:t></w:r></w:p>')

    def furniture(document: python_docx.document.Document) -> None:
        section = document.sections[0]
        section.header.paragraphs[0].text = "页眉：广州市人民政府办公厅"
        section.footer.paragraphs[0].text = "— 1 —"
        document.add_comment(document.paragraphs[0].runs, text="批注：请核对")

    rendition = docx.read(build_docx(body, edit=furniture))
    assert lines(rendition) == ["正文开头。", "控件里的段落。", "甲\t乙", "有脚注的段落。"]


def test_revisions_fields_and_text_boxes() -> None:
    box = ('<w:txbxContent><w:p><w:r><w:t>文本框里的话</w:t></w:r></w:p></w:txbxContent>')
    body = ('<w:p><w:r><w:t>保留</w:t></w:r><w:del w:id="1" w:author="a"><w:r><w:delText>删去</w:delText>'
            '</w:r></w:del><w:ins w:id="2" w:author="a"><w:r><w:t>插入</w:t></w:r></w:ins></w:p>'
            '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>域结果</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
            '<w:p><w:r><w:t>锚定段落</w:t></w:r><w:r><mc:AlternateContent '
            'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
            f'<mc:Choice Requires="wps"><w:drawing>{box}</w:drawing></mc:Choice>'
            f'<mc:Fallback><w:pict>{box}</w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>')
    assert lines(docx.read(build_docx(body))) == ["保留插入", "域结果", "锚定段落", "文本框里的话"]


def cell(content: str, properties: str = "") -> str:
    return f"<w:tc><w:tcPr>{properties}</w:tcPr>{content}</w:tc>"


def test_layout_table_is_paragraphs_and_nested_tables_are_cell_text() -> None:
    nested = ('<w:tbl><w:tr>' + cell(p("县民政局")) + cell(p("县财政局")) + "</w:tr></w:tbl>")
    body = ('<w:tbl><w:tr>' + cell(p("总则", "Heading1") + p("第一条 为了规范。")) + "</w:tr></w:tbl>"
            + '<w:tbl><w:tr>' + cell(p("任务")) + cell(p("单位")) + "</w:tr>"
            + "<w:tr>" + cell(p("养老") + p("托育")) + cell(nested) + "</w:tr></w:tbl>")
    rendition = docx.read(build_docx(body))
    assert lines(rendition) == ["总则", "第一条 为了规范。", "任务\t单位", "养老 托育\t县民政局 县财政局"]
    assert [(rendition.text[h.start:h.end], h.level) for h in rendition.headings] == [("总则", 1)]
    assert len(rendition.tables) == 1 and rendition.tables[0].header_rows == 1
    assert_rendition_consistent(rendition)


def test_grid_before_horizontal_and_vertical_merges() -> None:
    body = ("<w:tbl><w:tr><w:trPr><w:tblHeader/></w:trPr>"
            + cell(p("类别"), '<w:gridSpan w:val="2"/>') + cell(p("数值")) + "</w:tr>"
            + "<w:tr>" + cell(p("养老"), '<w:vMerge w:val="restart"/>') + cell(p("床位")) + cell(p("45"))
            + "</w:tr><w:tr>" + cell("<w:p/>", "<w:vMerge/>") + cell(p("护理")) + cell(p("70")) + "</w:tr>"
            + "<w:tr><w:trPr><w:gridBefore w:val=\"1\"/></w:trPr>" + cell(p("合计"))
            + cell("<w:p/>", '<w:hMerge w:val="continue"/>') + "</w:tr></w:tbl>")
    rendition = docx.read(build_docx(body))
    (table,) = rendition.tables
    assert table.header_rows == 1
    assert [[c.origin for c in row] for row in table.rows] == [
        [None, (0, 0), None], [None, None, None], [(1, 0), None, None], [None, None, (3, 1)]]
    assert lines(rendition) == ["类别\t\t数值", "养老\t床位\t45", "\t护理\t70", "\t合计\t"]
    assert_rendition_consistent(rendition)


@pytest.mark.parametrize(("title", "kept"), [
    ("广州市居家社区养老服务管理办法", True), ("", False), ("文档", False), ("Untitled", False),
    ("Microsoft Word - 关于印发办法的通知.doc", False), ("关于印发办法的通知.docx", False), ("ABC", False),
])
def test_title_property_only_when_it_names_the_document(title: str, kept: bool) -> None:
    def set_title(document: python_docx.document.Document) -> None:
        document.core_properties.title = title

    rendition = docx.read(build_docx(p("正文。"), edit=set_title))
    assert rendition.properties == ({"title": title} if kept else {})


# --- .doc and .wps --------------------------------------------------------------------------


@needs_antiword
@pytest.mark.parametrize("name", [f"{GZ}.doc", f"{GZ}.wps"])
def test_word_binary_reads_like_the_docx_through_antiword(name: str, guangzhou: Rendition,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    hide(monkeypatch, "soffice", "libreoffice")  # so that only antiword can have read it
    rendition = doc.read(fixture(name))
    assert rendition.format == "doc" and rendition.warnings == ()
    assert paragraph_lines(rendition) == paragraph_lines(guangzhou)
    assert "第五十二条 本办法自印发之日起施行，有效期5年。" in lines(rendition)


@needs_soffice
@pytest.mark.slow
def test_libreoffice_reads_the_word_binary_without_antiword(guangzhou: Rendition,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    hide(monkeypatch, "antiword")
    rendition = doc.read(fixture(f"{GZ}.wps"))
    assert rendition.format == "doc"
    assert lines(rendition) == lines(guangzhou)
    assert rendition.properties == {"title": "广州市居家社区养老服务管理办法"}


@needs_antiword
@needs_soffice
@pytest.mark.slow
def test_what_antiword_leaves_out_is_read_through_libreoffice() -> None:
    numbered = doc.read(fixture("jx-tuoyu-numbered.doc"))
    assert lines(numbered) == lines(docx.read(fixture("jx-tuoyu-numbered.docx")))
    merged = doc.read(fixture("lianshui-indicators-merged.doc"))
    expected = docx.read(fixture("lianshui-indicators-merged.docx"))
    assert merged.text == expected.text and merged.tables == expected.tables
    assert_rendition_consistent(merged)


@needs_antiword
def test_without_libreoffice_antiword_reading_says_what_it_lacks(monkeypatch: pytest.MonkeyPatch) -> None:
    hide(monkeypatch, "soffice", "libreoffice")
    numbered = doc.read(fixture("jx-tuoyu-numbered.doc"))
    assert "总体要求" in lines(numbered) and "一、总体要求" not in lines(numbered)
    assert any("numbers" in warning for warning in numbered.warnings)
    merged = doc.read(fixture("lianshui-indicators-merged.doc"))
    assert any("table" in warning for warning in merged.warnings)


def test_encrypted_word_binary_is_recognised_from_its_header(monkeypatch: pytest.MonkeyPatch) -> None:
    hide(monkeypatch, "antiword", "soffice", "libreoffice")  # no program needed to tell
    with pytest.raises(EncryptedDocument, match="password"):
        doc.read(fixture(f"{GZ}-encrypted.doc"))


@needs_antiword
def test_antiword_says_so_too_when_a_word_binary_is_encrypted() -> None:
    result = subprocess.run(["antiword", "-x", "db", str(FIXTURES / f"{GZ}-encrypted.doc")],
                            capture_output=True, timeout=30)
    assert b"Encrypted" in result.stderr and result.returncode != 0


def test_without_antiword_or_libreoffice_the_message_says_what_to_install(
        monkeypatch: pytest.MonkeyPatch) -> None:
    hide(monkeypatch, "antiword", "soffice", "libreoffice")
    with pytest.raises(UnsupportedFormat, match="apt-get install antiword"):
        doc.read(fixture(f"{GZ}.doc"))


def test_what_is_not_a_word_binary_is_refused_before_any_program_runs(
        monkeypatch: pytest.MonkeyPatch) -> None:
    hide(monkeypatch, "antiword", "soffice", "libreoffice")  # none of these may be needed
    with pytest.raises(CorruptDocument, match="OLE2"):
        doc.read(fixture(f"{GZ}.docx"))
    stream = "WordDocument".encode("utf-16-le")
    renamed = fixture(f"{GZ}.doc").replace(stream, "WordDocumenX".encode("utf-16-le"))
    with pytest.raises(CorruptDocument, match="no Word document"):
        doc.read(renamed)


# --- Dispatch by content ---------------------------------------------------------------------


@needs_antiword
def test_read_path_dispatches_word_files_by_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hide(monkeypatch, "soffice", "libreoffice")
    assert read_path(FIXTURES / f"{GZ}.docx").format == "docx"
    assert read_path(FIXTURES / f"{GZ}.doc").format == "doc"
    assert read_path(FIXTURES / f"{GZ}.wps").format == "doc"
    misnamed = tmp_path / "通知.doc"  # a .docx published under a .doc name
    misnamed.write_bytes(fixture(f"{GZ}.docx"))
    assert read_path(misnamed).format == "docx"
    with pytest.raises(EncryptedDocument):
        read_path(FIXTURES / f"{GZ}-encrypted.docx")


# --- Never anything but a CorpusError -------------------------------------------------------


def mutate(name: str, edits: list[tuple[int, int]], cut: int | None) -> bytes:
    """A fixture with some bytes overwritten and perhaps cut short."""
    mutable = bytearray(fixture(name))
    for position, value in edits:
        mutable[position % len(mutable)] = value
    return bytes(mutable[:cut] if cut else mutable)


edits = st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=40)
cuts = st.none() | st.integers(min_value=1, max_value=60_000)


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=4096))
def test_word_readers_raise_only_corpus_errors_on_random_bytes(data: bytes) -> None:
    for reader in (docx.read, doc.read):
        with contextlib.suppress(CorpusError):
            reader(data)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([f"{GZ}.docx", "lianshui-indicators-merged.docx", "jx-tuoyu-numbered.docx"]),
       edits, cuts)
def test_docx_reader_raises_only_corpus_errors(name: str, edits: list[tuple[int, int]],
                                               cut: int | None) -> None:
    with contextlib.suppress(CorpusError):
        docx.read(mutate(name, edits, cut))


def mutate_part(name: str, part: str, edits: list[tuple[int, int]]) -> bytes:
    """A .docx fixture whose ``part`` has some bytes overwritten, zipped again: byte edits to the
    zip itself mostly break its checksums, so this reaches the XML walk."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(fixture(name))) as source, \
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == part and content:
                mutable = bytearray(content)
                for position, value in edits:
                    mutable[position % len(mutable)] = value
                content = bytes(mutable)
            target.writestr(info.filename, content)
    return buffer.getvalue()


xml_bytes = st.sampled_from(list(b'<>/"=0123456789-abcdefghilmnoprstuvwxyz: \x00\xff'))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["lianshui-indicators-merged.docx", "jx-tuoyu-numbered.docx"]),
       st.sampled_from(["word/document.xml", "word/numbering.xml", "word/styles.xml", "docProps/core.xml",
                        "[Content_Types].xml", "word/_rels/document.xml.rels"]),
       st.lists(st.tuples(st.integers(min_value=0), xml_bytes), min_size=1, max_size=12))
def test_docx_reader_raises_only_corpus_errors_on_damaged_xml(name: str, part: str,
                                                               edits: list[tuple[int, int]]) -> None:
    with contextlib.suppress(CorpusError):
        docx.read(mutate_part(name, part, edits))


@needs_antiword
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from([f"{GZ}.doc", "lianshui-indicators-merged.doc"]), edits, cuts)
def test_doc_reader_raises_only_corpus_errors(monkeypatch: pytest.MonkeyPatch, name: str,
                                              edits: list[tuple[int, int]], cut: int | None) -> None:
    hide(monkeypatch, "soffice", "libreoffice")  # antiword's side; LibreOffice's is below
    with contextlib.suppress(CorpusError):
        doc.read(mutate(name, edits, cut))


@needs_soffice
@pytest.mark.slow
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits, cuts)
def test_doc_reader_through_libreoffice_raises_only_corpus_errors(
        monkeypatch: pytest.MonkeyPatch, edits: list[tuple[int, int]], cut: int | None) -> None:
    hide(monkeypatch, "antiword")
    with contextlib.suppress(CorpusError):
        doc.read(mutate(f"{GZ}.doc", edits, cut))
