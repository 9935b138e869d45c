"""The HTML reader: the article body of real portal pages and of synthetic pages of other layouts.

The four ``gz-*.html`` pages are real pages saved from a portal (see ``shared/realdocs/README.md``);
the pages under ``tests/data/html/`` are synthetic, written to exercise layouts those four do not
have: a GB2312 table layout with the body in a ``<td>``, a modern ``<article>`` page, a body split
over sibling blocks, a list page and a page whose only body is hidden.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.errors import CorpusError, EmptyDocument, NoArticleBody, NotText
from corpus.readers import Rendition, read_path
from corpus.readers.html import read
from tests.conftest import DATA, REALDOCS
from tests.corpus.readers.checks import assert_rendition_consistent

PAGES = DATA / "html"
CHROME = ("扫一扫在手机打开当前页", "分享到", "网站标识码", "版权所有", "ICP备", "当前位置", "相关新闻",
          "返回顶部", "关闭窗口", "政策解读", "来源：", "相关文章", "相关解读", "打印本页", "浏览次数")


def real(name: str) -> Rendition:
    path = REALDOCS / name
    if not path.exists():
        pytest.skip(f"{path} is not beside this checkout")
    return read(path.read_bytes())


def lines(rendition: Rendition) -> list[str]:
    return rendition.text.split("\n")


# --- the four real pages --------------------------------------------------------------------------

@dataclass(frozen=True)
class Page:
    first: list[str]  # the document's own first lines
    last: str
    body: list[str]  # lines that must be there (as the start of a line)
    once: str  # a sentence of the body, which the page also holds in a hidden copy
    properties: dict[str, str]


REAL_PAGES = {
    "gz-jujia-shequ-yanglao-banfa-2022.html": Page(
        ["穗府办规〔2022〕13号", "广州市人民政府办公厅关于印发广州市居家社区养老服务管理办法的通知"],
        "广州市人民政府办公厅秘书处2022年9月13日印发",
        ["广州市居家社区养老服务管理办法", "第一章 总则", "第五十一条 在本办法施行前已设立的",
         "第五十二条 本办法自印发之日起施行，有效期5年。"],
        "《广州市居家社区养老服务管理办法》已经市政府同意",
        {"title": "广州市人民政府办公厅关于印发广州市居家社区养老服务管理办法的通知",
         "published": "2022-09-16 16:15:34", "issuer": "广州市人民政府办公厅"}),
    "gz-tekun-gongyang-tongzhi-2021.html": Page(
        ["穗府办规〔2021〕7号", "广州市人民政府办公厅关于进一步加强特困人员救助供养工作的通知"],
        "广州市人民政府办公厅2021年4月16日印发",
        ["一、认定范围", "二、认定程序", "三、供养标准", "四、供养形式", "五、生活自理能力评估",
         "六、照料服务", "七、经费保障", "八、其他事宜", "广州市人民政府办公厅", "2021年4月13日"],
        "现就进一步加强特困人员救助供养工作通知如下",
        {"number": "穗府办规〔2021〕7号", "effective": "2021年04月16日", "expires": "2023年06月01日",
         "issuer": "广州市人民政府办公厅", "published": "2021-04-19 23:04",
         "title": "广州市人民政府办公厅关于进一步加强特困人员救助供养工作的通知"}),
    "gz-linshi-jiuzhu-xize-2021.html": Page(
        ["穗府办规〔2021〕19号", "广州市人民政府办公厅关于印发广州市临时救助实施细则的通知"],
        "广州市人民政府办公厅秘书处2021年12月6日印发",
        ["广州市临时救助实施细则", "第十五条 市、区民政部门应当强化政府救助与公益慈善衔接,"],
        "本实施细则自印发之日起施行,有效期5年。",
        {"number": "穗府办规〔2021〕19号", "effective": "2021年12月06日", "expires": "2029年12月06日",
         "issuer": "广州市人民政府办公厅", "published": "2021-12-10 09:37"}),
    "gz-jiuye-jianxi-banfa-2019.html": Page(
        ["穗人社规字〔2019〕6号", "广州市人力资源和社会保障局广州市财政局关于印发广州市就业见习"],
        "公开方式：主动公开",
        ["广州市就业见习基地管理办法", "第一章 总则", "附件：广州市就业见习基地申请程序", "附表1",
         "广州市就业见习基地申请表", "第二十三条 本办法自印发之日起施行，有效期5年。"],
        "现将《广州市就业见习基地管理办法》印发给你们",
        {"number": "穗人社规字〔2019〕6号", "effective": "2019年10月16日", "expires": "2024年10月15日",
         "issuer": "广州市人力资源和社会保障局"}),
}


@pytest.mark.parametrize("name", REAL_PAGES)
def test_real_page_reads_as_its_document_alone(name: str) -> None:
    expected = REAL_PAGES[name]
    rendition = real(name)
    assert rendition.format == "html" and rendition.encoding == "utf-8"
    assert lines(rendition)[:2] == expected.first
    assert lines(rendition)[-1] == expected.last
    for line in expected.body:
        assert any(text.startswith(line) for text in lines(rendition)), line
    assert [chrome for chrome in CHROME if chrome in rendition.text] == []
    assert rendition.text.count(expected.once) == 1  # the hidden copy of the body is not read
    assert rendition.warnings == ()


@pytest.mark.parametrize("name", REAL_PAGES)
def test_real_page_properties_come_from_the_box_and_meta_tags(name: str) -> None:
    properties = real(name).properties
    for key, value in REAL_PAGES[name].properties.items():
        assert properties.get(key) == value, key
    # 「文件状态：」 is filled in by a script; the title after it is not a status.
    assert "status" not in properties


def test_document_number_split_over_inline_spans_is_one_line() -> None:
    assert lines(real("gz-jiuye-jianxi-banfa-2019.html"))[0] == "穗人社规字〔2019〕6号"
    page = "<p><span>穗人社规字〔</span>\n<span>2019</span>\n<span>〕</span>\n<span>6</span>\n<b>号</b></p>"
    assert _body_lines(page)[0] == "穗人社规字〔2019〕6号"


def test_blank_application_forms_are_tables_and_the_sidebar_is_not() -> None:
    rendition = real("gz-jiuye-jianxi-banfa-2019.html")
    assert len(rendition.tables) == 6  # the six 附表, and no related-documents sidebar table
    form = rendition.tables[0]
    first_cells = [rendition.text[row[0].start:row[0].end] for row in form.rows]
    assert first_cells[:3] == ["单位名称", "单位组织机构代码", "单位性质"]
    assert any(cell.origin is not None for row in form.rows for cell in row)  # merged cells
    assert_rendition_consistent(rendition)


# --- synthetic layouts --------------------------------------------------------------------------


def test_legacy_table_layout_in_gb2312_reads_the_body_cell() -> None:
    rendition = read((PAGES / "legacy-table.html").read_bytes())
    assert rendition.encoding == "gb18030"
    assert lines(rendition)[:2] == [
        "某府办〔2020〕12号", "某某市人民政府办公室关于做好农村饮水安全工作的通知"]
    assert lines(rendition)[-2:] == ["某某市人民政府办公室", "2020年4月28日"]
    assert [chrome for chrome in (*CHROME, "热点新闻", "建议使用", "字体") if chrome in rendition.text] == []
    assert len(rendition.tables) == 1  # the layout tables are descended into, not read as data
    assert rendition.properties == {
        "index_number": "11441200/2020-00318", "issuer": "某某市人民政府办公室", "written": "2020年04月28日",
        "title": "某某市人民政府办公室关于做好农村饮水安全工作的通知", "number": "某府办〔2020〕12号",
        "published": "2020年05月08日"}
    assert_rendition_consistent(rendition)


def test_merged_cells_point_at_their_origin_and_header_rows_are_counted() -> None:
    rendition = read((PAGES / "legacy-table.html").read_bytes())
    table = rendition.tables[0]
    cells = [[(rendition.text[c.start:c.end], c.origin) for c in row] for row in table.rows]
    assert cells == [
        [("县（区）", None), ("工程数量", None), ("", (0, 1)), ("受益人口（万人）", None)],
        [("", (0, 0)), ("集中式", None), ("分散式", None), ("", (0, 3))],
        [("甲县", None), ("12", None), ("30", None), ("8.5", None)],
        [("乙区", None), ("合并统计：25", None), ("", (3, 1)), ("6.1", None)]]
    assert table.header_rows == 2  # two rows of <th>, the first spanning both


def test_thead_rows_are_headers_and_a_plain_table_has_one() -> None:
    page = ("<p>各单位：现将有关情况通报如下，请认真对照，抓好落实。如有问题，请及时反馈，不得延误。</p>"
            "<table><thead><tr><td>项目</td><td>金额</td></tr><tr><td>（一）</td><td>（二）</td></tr></thead>"
            "<tbody><tr><td rowspan=0>甲</td><td>1</td></tr><tr><td>2</td></tr></tbody></table>"
            "<table><tr><td colspan=0>名称</td><td>数量</td></tr><tr><td>乙</td><td>3</td></tr></table>")
    rendition = read(page.encode())
    first, second = rendition.tables  # both kept beside a body of one paragraph
    assert first.header_rows == 2 and second.header_rows == 1
    assert [c.origin for c in first.rows[3]] == [(2, 0), None]  # rowspan="0" runs to the end
    assert len(second.rows[0]) == 2  # colspan="0" is 1
    assert_rendition_consistent(rendition)


def test_modern_article_layout_without_nav_aside_footer_or_hidden_copy() -> None:
    rendition = read((PAGES / "modern-article.html").read_bytes())
    assert lines(rendition)[0] == "某某区促进消费若干措施"
    assert lines(rendition)[-1] == "附件：促消费活动补助申报表.docx"
    assert [chrome for chrome in (*CHROME, "首页", "扫码关注", "这不是正文")
            if chrome in rendition.text] == []
    assert rendition.text.count("为进一步激发消费潜力") == 1
    headings = [(rendition.text[h.start:h.end], h.level) for h in rendition.headings]
    assert headings == [("某某区促进消费若干措施", 2), ("一、支持商贸企业扩大经营", 3),
                        ("二、鼓励举办促消费活动", 3)]
    assert rendition.properties == {"published": "2023-03-01", "number": "某区府〔2023〕5号",
                                    "written": "2023年02月27日", "status": "有效"}


def test_document_parts_in_sibling_blocks_are_read() -> None:
    rendition = read((PAGES / "zoom-split.html").read_bytes())
    assert lines(rendition)[:3] == ["某政发〔2019〕21号", "某某省人民政府关于加强安全生产工作的意见",
                                    "各市、县人民政府，省政府各部门、各直属机构："]
    assert lines(rendition)[-4:] == ["2019年8月5日", "（此件公开发布）", "附件：1.安全生产责任清单.docx",
                                     "2.专项整治行动方案.pdf"]
    assert "一、压实安全生产责任。各级人民政府要落实属地管理责任，" in lines(rendition)  # <br> ends a line
    assert [chrome for chrome in (*CHROME, "图解", "首页") if chrome in rendition.text] == []


def test_a_long_body_is_widened_to_its_parts_but_not_to_the_portal_header() -> None:
    paragraphs = "".join(f"<p>（{i}）各地要落实第{i}项安全生产责任，加强监督检查，确保措施落到实处。</p>"
                         for i in range(1, 31))
    page = f"""<html><body><div class="nav"><a href="/">首页</a></div><div class="article">
      <h1>某某省人民政府关于加强安全生产工作的意见</h1>
      <div class="meta">发布时间：2019-08-06　来源：省政府办公厅</div>
      <div>某政发〔2019〕21号</div><div>某某省人民政府关于加强安全生产工作的意见</div>
      <div id="zoom">{paragraphs}</div>
      <div><p>某某省人民政府</p><p>2019年8月5日</p></div>
      <div>附件：<a href="/f/1.docx">1.安全生产责任清单.docx</a></div>
      <div>【<a href="#">打印本页</a>】【<a href="#">关闭窗口</a>】</div>
    </div><div>版权所有：某某省人民政府</div></body></html>"""
    rendition = read(page.encode())
    assert lines(rendition)[:3] == ["某政发〔2019〕21号", "某某省人民政府关于加强安全生产工作的意见",
                                    "（1）各地要落实第1项安全生产责任，加强监督检查，确保措施落到实处。"]
    assert lines(rendition)[-3:] == ["某某省人民政府", "2019年8月5日", "附件：1.安全生产责任清单.docx"]
    assert rendition.text.count("某某省人民政府关于加强安全生产工作的意见") == 1
    assert rendition.warnings == ()


def test_a_mobile_copy_of_the_body_is_read_once() -> None:
    body = "".join(f"<p>第{i}条 各地要落实责任，加强监督检查，确保措施落到实处。</p>" for i in range(1, 8))
    page = (f"<html><body><div class='pc'><div><a href='/'>首页</a></div><div>{body}</div></div>"
            f"<div class='wap'><div>{body}</div></div></body></html>")
    rendition = read(page.encode())
    assert lines(rendition)[0].startswith("第1条") and len(lines(rendition)) == 7


def test_a_hidden_body_is_used_only_when_there_is_no_visible_one() -> None:
    rendition = read((PAGES / "hidden-only.html").read_bytes())
    assert lines(rendition)[0] == "某某县人民政府关于加强秸秆禁烧工作的通告"
    assert lines(rendition)[-1] == "2022年10月1日"
    assert any("hidden" in warning for warning in rendition.warnings)


def test_a_list_page_has_no_article_body() -> None:
    with pytest.raises(NoArticleBody, match="list"):
        read((PAGES / "list-page.html").read_bytes())


# --- properties ---------------------------------------------------------------------------------


PROSE = ("<div class='body'><p>为做好有关工作，经研究，现通知如下：</p>"
         "<p>一、各单位要高度重视，认真落实。</p><p>二、各单位要加强协调，明确分工，按时报送工作情况。</p></div>")


@pytest.mark.parametrize("box, expected", [
    ("<ul><li><span>文　　号：</span> 某府〔2022〕3号 </li><li><span>文件状态：</span></li></ul>"
     "<h1>某某市人民政府关于做好工作的通知</h1>", {"number": "某府〔2022〕3号"}),
    ("<div>文件状态：</div><div>某某市人民政府关于做好工作的通知</div>", {}),
    ("<p>发布日期：2022-01-05　来源：市政府办公室</p>", {"published": "2022-01-05"}),
    ("<table><tr><td><b>索 引 号：</b></td><td>000014349/2022-00012</td>"
     "<td><p>发文机关：</p></td><td>某某市人民政府</td></tr>"
     "<tr><th>成文日期</th><td>2022年01月04日</td><th>有 效 性</th><td>有效</td></tr></table>",
     {"index_number": "000014349/2022-00012", "issuer": "某某市人民政府", "written": "2022年01月04日",
      "status": "有效"}),
])
def test_metadata_box_values_in_text_siblings_and_cells(box: str, expected: dict[str, str]) -> None:
    assert read(f"<html><body>{box}{PROSE}</body></html>".encode()).properties == expected


def test_a_box_inside_the_body_is_read_as_properties_not_text() -> None:
    box = ("<table><tr><td>索引号：</td><td>123/2020-1</td><td>文号：</td><td>某政发〔2019〕21号</td></tr>"
           "<tr><td>成文日期：</td><td>2019年08月05日</td><td>有效性：</td><td></td></tr></table>")
    paragraphs = PROSE.removeprefix("<div class='body'>").removesuffix("</div>")
    rendition = read(f"<html><body><div id='zoom'>{box}{paragraphs}</div></body></html>".encode())
    assert lines(rendition)[0] == "为做好有关工作，经研究，现通知如下：" and rendition.tables == ()
    assert rendition.properties == {"index_number": "123/2020-1", "number": "某政发〔2019〕21号",
                                    "written": "2019年08月05日"}
    assert any("metadata box" in warning for warning in rendition.warnings)


def test_meta_tags_fill_what_the_box_does_not_say() -> None:
    head = ('<head><meta name="ArticleTitle" content="某某通知"><meta name="PubDate" content="2022-01-05">'
            '<meta name="ContentSource" content="本网"></head>')
    properties = read(f"<html>{head}<body>{PROSE}</body></html>".encode()).properties
    assert properties == {"title": "某某通知", "published": "2022-01-05"}  # 本网 is the site, not an issuer


# --- decoding and errors ------------------------------------------------------------------------


def _body_lines(page: str) -> list[str]:
    return lines(read(f"<html><body>{page}{PROSE}</body></html>".encode()))


def test_declared_charset_is_used_before_gb18030() -> None:
    prose = ("<p>為做好有關工作，經研究，現通知如下：</p>"
             "<p>一、各單位要高度重視，認真落實。</p><p>二、按時報送。</p>")
    rendition = read(f"<html><head><meta charset='big5'></head><body>{prose}</body></html>".encode("big5"))
    assert rendition.encoding == "big5"
    assert lines(rendition)[0] == "為做好有關工作，經研究，現通知如下："


def test_bom_wins_over_the_declared_charset() -> None:
    page = f"<html><head><meta charset='gbk'></head><body>{PROSE}</body></html>"
    assert "现通知如下" in read(b"\xef\xbb\xbf" + page.encode()).text


@pytest.mark.parametrize("data, error", [
    (b"", EmptyDocument), (b"  \n ", EmptyDocument),
    (b"<html><head><title>x</title></head><body> </body></html>", EmptyDocument),
    (b"<p>" + bytes(range(0x80, 0x100)) * 20, NotText),
])
def test_empty_or_undecodable_pages_are_clear_errors(data: bytes, error: type[CorpusError]) -> None:
    with pytest.raises(error):
        read(data)


def test_read_path_dispatches_html_to_this_reader(tmp_path: Path) -> None:
    path = tmp_path / "page.htm"
    path.write_bytes((PAGES / "zoom-split.html").read_bytes())
    rendition = read_path(path)
    assert rendition.format == "html"
    assert rendition.text == read(path.read_bytes()).text


# --- never a crash ------------------------------------------------------------------------------

_PIECES = st.sampled_from([
    "<p>", "</p>", "<div>", "</div>", "<table>", "</table>", "<tr>", "<td>", "<th>", "<td rowspan=3>",
    "<td colspan=0>", "<td rowspan=99999 colspan=999>", "</td>", "<thead>", "<br>", "<a href=x>", "</a>",
    "<span style='display:none'>", "<h2>", "</h2>", "<li>", "<pre>", "<font>", "<script>x", "<!--",
    "。", "，", "、", "文号：", "文　　号：", "穗府办规〔2022〕13号", "第一条", "分享到", "2022年9月6日",
    "<meta charset=gbk>", "\n", "\u3000", "\x00", "&nbsp;", "&#x3000;"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_PIECES, st.text(max_size=12)), max_size=80))
def test_generated_html_reads_or_fails_with_a_corpus_error(pieces: list[str]) -> None:
    try:
        rendition = read("".join(pieces).encode("utf-8", errors="surrogatepass"))
    except CorpusError:
        return
    assert rendition.format == "html" and "\r" not in rendition.text
    assert_rendition_consistent(rendition)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=3000))
def test_random_bytes_read_or_fail_with_a_corpus_error(data: bytes) -> None:
    with suppress(CorpusError):
        read(data)


@settings(max_examples=40, deadline=None)
@given(st.floats(0, 1))
def test_truncated_pages_read_or_fail_with_a_corpus_error(fraction: float) -> None:
    for path in (REALDOCS / "gz-tekun-gongyang-tongzhi-2021.html", PAGES / "legacy-table.html"):
        if path.exists():
            data = path.read_bytes()
            with suppress(CorpusError):
                read(data[:int(len(data) * fraction)])
