"""The PDF reader (pdfplumber) and the layout rules it shares with OFD (corpus/readers/layout.py).

The fixtures in tests/data/fixtures were made from real published text by
tests/data/fixtures/make_pdf_ofd.py (its docstring says how); the real 24-page jx-rongque PDF
from /work/shared/realdocs is read once per module and marked slow (pdfplumber parses it in a
few seconds). Lines from glyphs on their own are tested in test_layout_lines.py, the table grid and
the joining of tables across pages in test_pdf_tables.py.
"""

from __future__ import annotations

import io
import itertools
import re
from pathlib import Path

import pdfplumber
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.errors import CorpusError, CorruptDocument, EncryptedDocument, ScannedDocument
from corpus.readers import layout, pdf, read_document, read_path
from corpus.readers.base import Rendition
from corpus.readers.normalise import is_page_number
from tests.corpus.readers.checks import assert_rendition_consistent

FIXTURES = Path(__file__).resolve().parents[2] / "data" / "fixtures"
REALDOCS = Path("/work/shared/realdocs")
RONGQUE = REALDOCS / "jx-rongque-shenpi-fujian1-2020.pdf"
JX_TEXT = REALDOCS / "jx-tuoyu-shishiyijian-2020.txt"
LIANSHUI = Path(__file__).resolve().parents[3] / "corpus" / "documents" / "lianshui-2022-yilao-yiyou.txt"
JX_TITLE = "江西省人民政府办公厅关于促进3岁以下婴幼儿照护服务发展的实施意见"
RONGQUE_HEADER = ["序号", "事项名称", "事项类别", "事项办理项目范围", "材料序号", "申请材料",
                  "材料提供适用情形", "材料类型"]
needs_realdocs = pytest.mark.skipif(not RONGQUE.exists(), reason="the shared real documents are not here")


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def jx_lines() -> list[str]:
    """The paragraphs of the 实施意见 as the crawl has them (lines 2–55), as make_pdf_ofd.py set them."""
    lines = JX_TEXT.read_text(encoding="utf-8").replace("\r\n", "\n").split("\n")
    chosen = [line.strip().replace("\u3000", "") for line in lines[1:55]]
    index = chosen.index("（一）坚持政府主导")
    chosen[index:index + 2] = [chosen[index] + chosen[index + 1]]
    return chosen


def cell_text(rendition: Rendition, table_index: int, row: int, column: int) -> str:
    cell = rendition.tables[table_index].rows[row][column]
    return rendition.text[cell.start:cell.end]


# --------------------------------------------------------------------------- a LibreOffice 公文


@pytest.fixture(scope="module")
def jx() -> Rendition:
    return pdf.read(fixture("jx-tuoyu-shishiyijian.pdf"))


def test_wrapped_lines_are_rejoined_into_the_source_paragraphs(jx: Rendition) -> None:
    # The PDF wraps every paragraph over several lines and pages; the rendition has the crawled
    # text's paragraphs and headings on lines of their own. Centred titles set over two lines are
    # one title: the crawl's two lines of the attachment title too.
    expected = jx_lines()
    index = expected.index("促进3岁以下婴幼儿照护服务发展")
    expected[index:index + 2] = ["促进3岁以下婴幼儿照护服务发展工作部门职责分工"]
    assert jx.text.split("\n") == expected


def test_page_numbers_are_dropped(jx: Rendition) -> None:
    assert not any(is_page_number(line) for line in jx.text.split("\n"))
    assert "—" not in jx.text


def test_page_starts_are_recorded_even_inside_a_paragraph(jx: Rendition) -> None:
    assert len(jx.pages) == 10 and jx.pages[0] == 0
    assert all(a < b for a, b in itertools.pairwise(jx.pages))
    # Page 2 starts inside the paragraph 到2020年末…, with its second sentence's end.
    assert jx.text[jx.pages[1]:].startswith("于1个规范化婴幼儿照护服务机构")
    assert jx.page_at(jx.text.index("到2020年末")) == 1
    # The attachment starts on a page of its own.
    assert jx.text[jx.pages[8]:].startswith("附件\n促进3岁以下婴幼儿照护服务发展工作部门职责分工\n")
    assert_rendition_consistent(jx)


def test_the_title_property_is_read(jx: Rendition) -> None:
    assert jx.format == "pdf"
    assert jx.properties == {"title": JX_TITLE}
    assert jx.warnings == ()


def test_read_path_dispatches_pdf_files_to_this_reader(jx: Rendition) -> None:
    assert read_path(FIXTURES / "jx-tuoyu-shishiyijian.pdf") == jx


# --------------------------------------------------------------------------- tables


@pytest.fixture(scope="module")
def lianshui() -> Rendition:
    return pdf.read(fixture("lianshui-indicators.pdf"))


def seed_rows() -> list[list[str]]:
    lines = LIANSHUI.read_text(encoding="utf-8").split("\n")
    start, end = lines.index("涟水县“十四五”养老托育服务体系发展指标"), lines.index("四、重点任务")
    cells = [line[1:] for line in lines[start:end] if line.startswith("\t")]
    data = cells[cells.index("2025年") + 2:]
    return [data[i:i + 10] for i in range(0, len(data), 10)]


def test_a_table_over_two_pages_is_one_table_with_its_header_once(lianshui: Rendition) -> None:
    assert len(lianshui.tables) == 1
    table = lianshui.tables[0]
    assert (len(table.rows), len(table.rows[0]), table.header_rows) == (29, 10, 2)
    assert lianshui.text.count("序号\t指标名称") == 1
    assert_rendition_consistent(lianshui)


def test_header_cells_and_their_merges(lianshui: Rendition) -> None:
    table = lianshui.tables[0]
    assert [cell_text(lianshui, 0, 0, c) for c in range(10)] == [
        "序号", "指标名称", "", "单位", "2021年现状值", "目标值", "", "", "", "指标性质"]
    assert [cell.origin for cell in table.rows[0]] == [None, None, (0, 1), None, None, None, (0, 5), (0, 5),
                                                     (0, 5), None]
    assert [cell_text(lianshui, 0, 1, c) for c in range(5, 9)] == ["2022年", "2023年", "2024年", "2025年"]
    assert [cell.origin for cell in table.rows[1]] == [(0, 0), (0, 1), (0, 1), (0, 3), (0, 4),
                                                     None, None, None, None, (0, 9)]


def test_every_data_cell_matches_the_seed_table(lianshui: Rendition) -> None:
    table = lianshui.tables[0]
    for number, values in enumerate(seed_rows(), start=1):
        row = table.rows[number + 1]
        for column, value in enumerate(values):
            if column == 1 and number not in (1, 14):
                # 养老服务 covers items 1–13 and 托育服务 items 14–27.
                assert row[column].origin == ((2, 1) if number < 14 else (15, 1)), (number, column)
            else:
                assert row[column].origin is None
                assert cell_text(lianshui, 0, number + 1, column) == value, (number, column)


def test_a_merged_cell_continues_over_the_page_break(lianshui: Rendition) -> None:
    table = lianshui.tables[0]
    # Page 3 starts with item 13, whose empty 养老服务 continuation is covered by the cell on page 2.
    starts = [row[0].start for row in table.rows]
    row = starts.index(lianshui.pages[2])
    assert cell_text(lianshui, 0, row, 0) == "13"
    assert table.rows[row][1].origin == (2, 1)
    assert cell_text(lianshui, 0, 2, 1) == "养老服务"


def test_text_keeps_its_place_around_the_table(lianshui: Rendition) -> None:
    table = lianshui.tables[0]
    caption = lianshui.text.index("涟水县“十四五”养老托育服务体系发展指标")
    assert caption < table.start
    assert lianshui.text[table.end:] == "\n四、重点任务\n（一）织牢社会保障兜底网络"
    assert lianshui.text.startswith("三、总体要求\n（一）发展原则\n坚持共建共享，提升服务品质。")


def test_a_column_drawn_off_the_rows_follows_the_logical_rows() -> None:
    # 材料类型 has rules of its own: its labels for materials 2 and 3 are printed above those
    # rows, and over materials 8–10 its 容缺材料 spans two rows, starting 5 pt low.
    rendition = pdf.read(fixture("misaligned-column.pdf"))
    assert rendition.text.split("\n") == [
        "洪水影响评价审批申请材料",
        "序号\t申请材料\t材料提供适用情形\t材料类型",
        "1\t水工程建设规划同意书申请表\t在江河湖泊上新建水工程\t主审材料",
        "2\t水工程的(预)可行性研究报告\t\t容缺材料",
        "3\t与第三者利害关系的相关说明\t\t容缺材料",
        "8\t占用河道管理范围内土地情况\t建设跨河、临河工程设施\t主审材料",
        "9\t说明建设项目对河势变化的影响\t\t容缺材料",
        "10\t防洪评价报告\t\t",
        "注：材料类型以审批部门要求为准。"]
    table = rendition.tables[0]
    assert [row[2].origin for row in table.rows] == [None, None, (1, 2), (1, 2), None, (4, 2), (4, 2)]
    assert [row[3].origin for row in table.rows] == [None] * 6 + [(5, 3)]
    assert all(cell.origin is None for row in table.rows for cell in row[:2])
    assert_rendition_consistent(rendition)


# --------------------------------------------------------------------------- the real jx-rongque PDF


@pytest.fixture(scope="module")
def rongque() -> Rendition:
    return pdf.read(RONGQUE.read_bytes())


@pytest.mark.slow
@needs_realdocs
def test_real_pdf_is_one_table_with_its_header_once(rongque: Rendition) -> None:
    assert rongque.text.startswith("附件1\n江西省投资项目“容缺审批+承诺制”办理模式事项清单\n序号\t")
    assert len(rongque.tables) == 1
    table = rongque.tables[0]
    assert table.header_rows == 1
    assert [cell_text(rongque, 0, 0, c) for c in range(8)] == RONGQUE_HEADER
    assert rongque.text.count("序号\t事项名称") == 1
    assert_rendition_consistent(rongque)


@pytest.mark.slow
@needs_realdocs
def test_real_pdf_cells_read_in_drawing_order(rongque: Rendition) -> None:
    # Its digits and punctuation come from a font whose boxes sit ~6 pt below the line: read by
    # position they scramble; read in drawing order they do not.
    assert cell_text(rongque, 0, 1, 3) == ("《政府核准的投资项目目录(江西省)》(按最新版本执行,"
                                           "当前执行版本为2017年本,见赣府发〔2017〕7号文)中的项目需办理")
    page = pdfplumber.open(RONGQUE).pages[0]
    assert (page.find_tables()[0].extract()[1][3] or "").replace("\n", "") != cell_text(rongque, 0, 1, 3)


@pytest.mark.slow
@needs_realdocs
def test_real_pdf_rows_of_one_item_point_at_its_merged_cells(rongque: Rendition) -> None:
    table = rongque.tables[0]
    row = next(r for r in range(len(table.rows)) if cell_text(rongque, 0, r, 1) == "企业投资项目核准")
    group = [r for r in range(row + 1, len(table.rows)) if table.rows[r][1].origin == (row, 1)]
    assert group == [row + 1, row + 2, row + 3, row + 4]
    assert all(table.rows[r][c].origin == (row, c) for r in group for c in range(4))
    assert [cell_text(rongque, 0, r, 5) for r in [row, *group]] == [
        "项目申请报告", "建设项目用地预审与选址意见书", "项目社会稳定风险评估报告及审核意见",
        "移民安置规划审核",
        "中外投资各方的企业注册证明材料及经审计的最新企业财务报表(包括资产负债表、利润表和现金流量表)。投资意向书,"
        "增资、并购项目的公司董事会决议。以国有资产出资的,需提供有关部门出具的确认文件。并购项目申请报告还应包括"
        "并购方情况、并购安排、融资方案和被并购方情况、被并购后经营方式、范围和股权结构、所得收入的使用安排等"]
    assert cell_text(rongque, 0, row + 1, 7) == ("主审材料(可用容缺审批初审意见或同意开展相关前期工作的"
                                                 "函件替代)")


@pytest.mark.slow
@needs_realdocs
def test_real_pdf_item_repeated_after_a_page_break_is_one_merged_cell(rongque: Rendition) -> None:
    # Page 15 repeats item 23 (洪水影响评价审批) with its whole 事项办理项目范围, which page 14 cut short.
    table = rongque.tables[0]
    starts = [row[0].start for row in table.rows]
    top = starts.index(rongque.pages[14])
    origin = table.rows[top][1].origin
    assert origin is not None and cell_text(rongque, 0, *origin) == "洪水影响评价审批"
    assert cell_text(rongque, 0, origin[0], 3).endswith(
        "5. 在跨行政区域的边界河道修建排水、阻水、引水、蓄水等水工程以及河道整治工程")
    assert cell_text(rongque, 0, top, 4) == "15"
    # Page 2 starts a new item: nothing continues.
    assert [cell.origin for cell in table.rows[starts.index(rongque.pages[1])]] == [None] * 8


@pytest.mark.slow
@needs_realdocs
def test_real_pdf_column_drawn_off_the_rows_keeps_one_row_per_material(rongque: Rendition) -> None:
    # Page 14 draws 材料类型 half a row off the rows of 材料序号 and 申请材料 for item 23's first
    # materials; each still reads once, with the type printed beside it.
    table = rongque.tables[0]
    row = next(r for r in range(len(table.rows)) if cell_text(rongque, 0, r, 1) == "洪水影响评价审批")
    assert rongque.page_at(table.rows[row][0].start) == 14
    assert [cell_text(rongque, 0, r, 4) for r in range(row, row + 5)] == ["1", "2", "3", "4", "5"]
    assert [cell_text(rongque, 0, r, 5) for r in range(row, row + 4)] == [
        "水工程建设规划同意书申请表", "水工程的(预)可行性研究报告(项目申请报告、备案材料)",
        "与第三者利害关系的相关说明", "水工程建设规划同意书论证报告"]
    assert [cell_text(rongque, 0, r, 7) for r in range(row, row + 4)] == [
        "主审材料", "容缺材料", "容缺材料", "主审材料"]
    assert [table.rows[r][6].origin for r in range(row, row + 4)] == [None, (row, 6), (row, 6), (row, 6)]
    # One row per material of the whole list (257), between the header and the closing note.
    materials = [r for r, cells in enumerate(table.rows)
                 if cells[4].origin is None and cell_text(rongque, 0, r, 4).isdigit()]
    assert len(materials) == 257
    assert materials == list(range(1, len(table.rows) - 1))


@pytest.mark.slow
@needs_realdocs
def test_real_pdf_furniture_and_pages(rongque: Rendition) -> None:
    assert not re.search(r"—\s*\d+\s*—", rongque.text)
    assert not any(is_page_number(line) for line in rongque.text.split("\n"))
    assert len(rongque.pages) == 24 and all(a < b for a, b in itertools.pairwise(rongque.pages))
    starts = {row[0].start for row in rongque.tables[0].rows}
    assert all(offset in starts for offset in rongque.pages[1:])
    last = rongque.tables[0].rows[-1]
    note = rongque.text[last[0].start:last[0].end]
    assert note.startswith("注:本事项清单的审批事项均适用“容缺审批+承诺制”")
    assert [cell.origin for cell in last[1:]] == [(len(rongque.tables[0].rows) - 1, 0)] * 7


@pytest.mark.slow
@needs_realdocs
def test_real_pdf_placeholder_properties_are_ignored(rongque: Rendition) -> None:
    assert pdfplumber.open(RONGQUE).metadata["Title"] == "标题"
    assert rongque.properties == {}


# --------------------------------------------------------------------------- drawing order


def test_drawing_order_that_is_not_reading_order_falls_back_to_positions() -> None:
    data = fixture("jx-tuoyu-scrambled.pdf")
    stream = "".join(char["text"] for char in pdfplumber.open(io.BytesIO(data)).pages[0].chars)
    assert not stream.startswith(JX_TITLE[:4])  # the characters really are shuffled
    assert pdf.read(data).text.split("\n") == jx_lines()[:4]


def test_placeholder_and_file_name_titles_are_not_properties() -> None:
    placeholders = ("标题", "作者", "Microsoft Word - 附件1.doc", "附件1.docx", "新建 DOCX 文档", "Document1")
    for value in (*placeholders, None, b"x"):
        assert layout.meaningful_title(value) is None, value
    assert layout.meaningful_title(JX_TITLE) == JX_TITLE


# --------------------------------------------------------------------------- errors


def test_a_password_protected_pdf_is_encrypted() -> None:
    with pytest.raises(EncryptedDocument, match="password"):
        pdf.read(fixture("jx-tuoyu-encrypted.pdf"))


def test_a_pdf_with_only_an_owner_password_reads() -> None:
    assert pdf.read(fixture("jx-tuoyu-restricted.pdf")).text.split("\n") == jx_lines()[:4]


def test_a_scan_has_no_text_layer() -> None:
    with pytest.raises(ScannedDocument, match=r"^no text layer: this is a scan; OCR it first"):
        pdf.read(fixture("jx-tuoyu-scanned.pdf"))


def test_truncated_and_random_pdfs_are_corrupt() -> None:
    data = fixture("lianshui-indicators.pdf")
    for length in (10, 1000, len(data) // 2, len(data) * 9 // 10):
        with pytest.raises(CorruptDocument):
            pdf.read(data[:length])
    with pytest.raises(CorruptDocument):
        read_document(b"%PDF-1.7\n" + bytes(range(256)) * 4)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.floats(0.0, 1.0), flips=st.lists(st.tuples(st.floats(0.0, 1.0), st.integers(1, 255)),
                                                 max_size=8))
def test_damaged_variations_of_a_real_pdf_raise_only_corpus_errors(
        cut: float, flips: list[tuple[float, int]]) -> None:
    data = bytearray(fixture("lianshui-indicators.pdf"))
    for where, mask in flips:
        data[int(where * (len(data) - 1))] ^= mask
    data = data[: max(1, int(cut * len(data)))] if cut < 0.98 else data
    try:
        rendition = pdf.read(bytes(data))
    except CorpusError:
        return
    assert_rendition_consistent(rendition)


@pytest.mark.slow
@needs_realdocs
@settings(max_examples=15, deadline=None)
@given(cut=st.floats(0.0, 0.99))
def test_the_real_pdf_cut_anywhere_is_corrupt(cut: float) -> None:
    data = RONGQUE.read_bytes()
    with pytest.raises(CorruptDocument):
        pdf.read(data[: int(cut * len(data))])


@settings(max_examples=25, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_after_a_pdf_header_raise_only_corpus_errors(noise: bytes) -> None:
    with pytest.raises(CorpusError):
        pdf.read(b"%PDF-1.4\n" + noise)
