"""Metadata in the forms documents write it: 文号 variants, joint issuers, national bodies, the dates
a document takes effect and expires, and the jurisdiction read from issuer, title or 文号."""

from __future__ import annotations

import datetime as dt

import pytest

from corpus import parse_rendition, parse_text
from corpus.metadata import is_national_body, split_issuers
from corpus.readers import Rendition


def meta(text: str, **properties: str):  # type: ignore[no-untyped-def]
    return parse_rendition(Rendition(text, "html" if properties else "text", properties=properties)).meta


BODY = "一、总体要求\n（一）指导思想。坚持以人民为中心，加快发展养老托育服务。\n"


@pytest.mark.parametrize(("written", "expected"), [
    ("穗府办规〔2022〕13号", "穗府办规〔2022〕13号"),
    ("苏政办发[2021]75号", "苏政办发〔2021〕75号"),
    ("赣府厅发（2020）6号", "赣府厅发〔2020〕6号"),
    ("鄂政发［2019］ 8 号", "鄂政发〔2019〕8号"),
    ("广州市人民政府令第179号", "广州市人民政府令第179号"),
])
def test_document_numbers_in_their_forms(written: str, expected: str) -> None:
    text = f"{written}\n广州市人民政府关于养老服务的通知\n各区人民政府：\n{BODY}"
    assert meta(text).number == expected


def test_a_number_split_over_two_lines_and_one_cited_in_the_body() -> None:
    split = f"穗人社规字〔\n2019〕6号\n广州市人力资源和社会保障局关于养老的通知\n各区：\n{BODY}"
    assert meta(split).number == "穗人社规字〔2019〕6号"
    cited = ("广州市人民政府关于养老服务的通知\n各区人民政府：\n"
             "根据《国务院办公厅关于推进养老服务发展的意见》（国办发〔2019〕5号），现通知如下。\n" + BODY)
    assert meta(cited).number is None  # a number cited in the text is not the document's


def test_joint_issuers_from_the_signature_and_from_the_title() -> None:
    signed = ("穗人社规字〔2019〕6号\n关于印发广州市就业见习基地管理办法的通知\n各区人力资源和社会保障局：\n"
              "现将《广州市就业见习基地管理办法》印发给你们，请认真贯彻执行。\n"
              "广州市人力资源和社会保障局　　　　广州市财政局\n2019年10月9日\n广州市就业见习基地管理办法\n"
              "第一条 为加强管理，制定本办法。\n")
    document = meta(signed)
    assert document.issuers == ("广州市人力资源和社会保障局", "广州市财政局")
    assert document.title == "广州市就业见习基地管理办法"
    assert split_issuers("广州市民政局广州市财政局广州市卫生健康委员会") == [
        "广州市民政局", "广州市财政局", "广州市卫生健康委员会"]


@pytest.mark.parametrize("name", ["国务院办公厅", "民政部", "国家卫生健康委员会", "中国人民银行",
                                  "全国人民代表大会常务委员会", "人力资源社会保障部", "国家医疗保障局"])
def test_national_bodies(name: str) -> None:
    assert is_national_body(name)


@pytest.mark.parametrize("name", ["省民政厅", "广州市民政局", "江苏省人民政府办公厅", "市政府办公室"])
def test_local_bodies_are_not_national(name: str) -> None:
    assert not is_national_body(name)


def test_a_national_notice_is_level_national_and_applies_everywhere() -> None:
    text = ("国办发〔2020〕52号\n国务院办公厅关于促进养老托育服务健康发展的意见\n"
            "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：\n" + BODY)
    document = meta(text)
    assert (document.jurisdiction, document.level, document.parents) == ("全国", "national", ())
    assert document.issuers == ("国务院办公厅",)


@pytest.mark.parametrize(("issuer", "place", "level", "parents"), [
    ("广州市民政局", "广州市", "prefecture", ("广东省", "全国")),  # a department is its government's place
    ("深圳市南山区人民政府", "南山区", "county", ("深圳市", "广东省", "全国")),
    ("江西省人民政府办公厅", "江西省", "province", ("全国",)),
])
def test_jurisdiction_from_the_issuer(issuer: str, place: str, level: str, parents: tuple[str, ...]) -> None:
    text = f"{issuer}关于加强养老服务的通知\n各有关单位：\n{BODY}"
    document = meta(text)
    assert (document.jurisdiction, document.level, document.parents) == (place, level, parents)


def test_jurisdiction_from_the_number_when_nothing_else_names_it() -> None:
    for number, place in (("穗府办〔2021〕3号", "广州市"), ("赣府发〔2020〕1号", "江西省")):
        text = f"{number}\n关于加强养老服务的通知\n各有关单位：\n{BODY}"
        assert meta(text).jurisdiction == place


def test_the_portal_box_fills_what_the_text_does_not_say() -> None:
    document = meta("关于加强养老服务的通知\n各有关单位：\n" + BODY, number="穗府办规〔2021〕7号",
                    issuer="广州市人民政府办公厅", effective="2021年04月16日", expires="2023年06月01日",
                    published="2021-04-19 23:04")
    assert (document.number, document.issuers, document.jurisdiction) == (
        "穗府办规〔2021〕7号", ("广州市人民政府办公厅",), "广州市")
    assert (document.effective, document.expires, document.published) == (
        dt.date(2021, 4, 16), dt.date(2023, 6, 1), dt.date(2021, 4, 19))


def test_effective_and_expiry_from_the_documents_own_sentences() -> None:
    base = ("广州市民政局关于养老服务的通知\n各区民政局：\n一、评定\n（一）星级评定。评定结果有效期三年。\n"
            "二、其他\n（一）施行。本通知{0}\n广州市民政局\n2021年3月2日\n")
    dated = meta(base.format("自2021年5月1日起施行，有效期5年。"))
    assert (dated.written, dated.effective, dated.expires) == (
        dt.date(2021, 3, 2), dt.date(2021, 5, 1), dt.date(2026, 4, 30))
    on_issue = meta(base.format("自印发之日起实施，有效期至2025年12月31日。"))
    assert (on_issue.effective, on_issue.expires) == (dt.date(2021, 3, 2), dt.date(2025, 12, 31))
    silent = meta(base.format("由民政局负责解释。"))
    assert (silent.effective, silent.expires) == (None, None)  # 评定结果有效期三年 is not the notice's


def test_a_date_in_chinese_numerals_and_a_printing_date() -> None:
    text = ("关于加强养老服务的通知\n各有关单位：\n" + BODY + "宿迁市人民政府\n二〇二一年四月十三日\n"
            "抄送：市委办公室。\n宿迁市人民政府办公室　　2021年4月16日印发\n")
    document = parse_text(text).meta
    assert (document.written, document.published) == (dt.date(2021, 4, 13), dt.date(2021, 4, 16))
    assert document.issuers == ("宿迁市人民政府",)


def test_a_law_with_its_adoption_record() -> None:
    text = ("中华人民共和国社会保险法\n2010年10月28日第十一届全国人民代表大会常务委员会第十七次会议通过\n"
            "第一章 总则\n第一条 为了规范社会保险关系，制定本法。\n第二条 本法自2011年7月1日起施行。\n")
    document = parse_text(text).meta
    assert (document.title, document.issuers, document.level) == (
        "中华人民共和国社会保险法", ("全国人民代表大会常务委员会",), "national")
    assert (document.written, document.effective) == (dt.date(2010, 10, 28), dt.date(2011, 7, 1))
    regulation = parse_text("不动产登记暂行条例\n2014年11月24日中华人民共和国国务院令第656号公布\n"
                            "第一章 总则\n第一条 为整合不动产登记职责，制定本条例。\n").meta
    assert (regulation.number, regulation.issuers, regulation.jurisdiction) == (
        "国务院令第656号", ("国务院",), "全国")
