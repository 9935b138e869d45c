"""Heading recognition, labels and the article style of regulations (第一章/第一节/第一条)."""

from __future__ import annotations

import pytest

from corpus import parse_file, parse_text
from corpus.headings import Marker, chinese_to_int, int_to_chinese, match_attachment, match_heading
from tests.conftest import DATA


@pytest.mark.parametrize(("numeral", "value"), [("一", 1), ("十", 10), ("十一", 11), ("二十", 20),
                                                ("二十三", 23), ("九十九", 99), ("一百零五", 105),
                                                ("12", 12)])
def test_chinese_numerals(numeral: str, value: int) -> None:
    assert chinese_to_int(numeral) == value
    if not numeral.isdigit() and value < 100:
        assert int_to_chinese(value) == numeral


@pytest.mark.parametrize(("line", "marker", "number"), [
    ("一、实施背景", Marker.CN, 1),
    ("（十一）鼓励盘活利用存量闲置资源", Marker.CN_PAREN, 11),
    ("(三)强化", Marker.CN_PAREN, 3),
    ("3.新建小区配建服务设施。", Marker.NUM, 3),
    ("1．养老", Marker.NUM, 1),
    ("2、托育", Marker.NUM, 2),
    ("（1）养老", Marker.NUM_PAREN, 1),
    ("一是健全养老服务兜底保障机制。", Marker.CN_SHI, 1),
    ("第一章　总则", Marker.CHAPTER, 1),
    ("第二节 运营管理", Marker.SECTION, 2),
    ("第十一条 新建小区", Marker.ARTICLE, 11),
])
def test_heading_styles(line: str, marker: Marker, number: int) -> None:
    found = match_heading(line)
    assert found is not None
    assert (found.marker, found.number) == (marker, number)


@pytest.mark.parametrize("line", ["4.5个托位", "2020-2022年我市出生人口", "83. 5", "一老一小",
                                  "第一条件是", "“十四五”期间", "注：1.每个县"])
def test_not_headings(line: str) -> None:
    assert match_heading(line) is None


def test_attachment_markers() -> None:
    assert match_attachment("附件1") is not None and match_attachment("附件1").number == 1  # type: ignore[union-attr]
    assert match_attachment("附件：重点任务清单").title == "重点任务清单"  # type: ignore[union-attr]
    assert match_attachment("附件：1.宿城区养老方面主要指标分解表") is None  # the notice's list
    assert match_attachment("附件说明材料很多") is None


def test_article_style_regulation() -> None:
    document = parse_file(DATA / "article-style.txt")
    assert document.meta.title == "某某市养老服务条例"
    labels = [p.label for p in document.provisions]
    # An article's items (项) are part of its text: regulations are cited by the article.
    assert labels == ["第一条", "第二条", "第三条", "第四条", "第五条", "第六条"]
    assert document.provisions[3].text.endswith(
        "（一）编制养老服务设施专项规划；\n（二）保障养老服务设施用地。")
    assert [h.label for h in document.headings] == ["第一章", "第二章", "第三章"]
    assert [h.label for h in document.headings[1].children] == ["第二章第一节", "第二章第二节"]
    article = document.provisions[2]
    assert article.path == ("第二章　服务设施", "第一节　规划建设",
                            "第三条　新建住宅小区应当按照每百户不少于20平方米的标准配套建设养老服务用房。")
    assert "每百户不少于20平方米" in article.text
    assert document.provisions[4].departments == ("市民政局", "市住建局")


def test_restarting_numbers_are_cited_with_their_parents() -> None:
    text = "一、总则\n（一）甲项。内容。\n（二）乙项。内容。\n二、分则\n（一）丙项。内容。\n1.子项。内容。\n"
    labels = [p.label for p in parse_text(text).provisions]
    assert labels == ["一（一）", "一（二）", "二（一）", "二（一）1"]


def test_running_numbers_are_cited_alone() -> None:
    text = "一、总则\n（一）甲项。内容。\n（二）乙项。内容。\n二、分则\n（三）丙项。内容。\n"
    assert [p.label for p in parse_text(text).provisions] == ["（一）", "（二）", "（三）"]


def test_a_lost_number_is_restored_only_in_a_gap() -> None:
    text = ("一、任务\n（一）甲\n1.子项。内容。\n促进普惠发展\n1.子项。内容。\n（三）丙\n1.子项。内容。\n"
            "二、保障\n正文一段。\n短标题\n（一）子项。内容。\n")
    document = parse_text(text)
    first = document.headings[0]
    assert [(h.label, h.inferred) for h in first.children] == [
        ("一（一）", False), ("一（二）", True), ("一（三）", False)]
    # 短标题 sits in no gap: it stays text, not a heading.
    assert any(p.text == "正文一段。\n短标题" and p.label == "二" for p in document.provisions)
    assert all(h.title != "短标题" for h in document.headings[1].children)


def test_long_body_is_split_at_sentence_ends_into_labelled_parts() -> None:
    sentence = "各地要按照每百户不少于20平方米的标准配建养老服务用房并同步交付使用。"  # 35 characters
    text = "一、总则\n（一）标题。" + sentence * 40 + "\n"
    parts = parse_text(text).provisions
    assert len(parts) >= 3
    assert all(p.label == "一（一）" for p in parts)
    assert [p.part for p in parts] == list(range(1, len(parts) + 1))
    assert all(len(p.text) <= 650 for p in parts)
    assert all(p.text.endswith("。") for p in parts)
    assert "".join(p.text for p in parts) == "（一）标题。" + sentence * 40


def test_a_numbered_line_with_nothing_under_it_is_a_provision() -> None:
    text = ("一、制定依据\n（一）国务院办公厅关于促进养老托育服务健康发展的意见（国办发〔2020〕52号）\n"
            "（二）另一个文件\n")
    provisions = parse_text(text).provisions
    assert [p.label for p in provisions] == ["一（一）", "一（二）"]
    assert provisions[1].text == "（二）另一个文件"


@pytest.mark.parametrize(("numeral", "value"), [("一百", 100), ("一百零一", 101), ("一百一十", 110),
                                                ("四百六十三", 463), ("一千", 1000), ("一千零一", 1001),
                                                ("一千零一十", 1010), ("一千一百六十四", 1164),
                                                ("一千二百六十", 1260)])
def test_numerals_of_long_codes(numeral: str, value: int) -> None:
    # The 民法典 numbers its articles to 第一千二百六十条; labels are written as laws write them.
    assert chinese_to_int(numeral) == value
    assert int_to_chinese(value) == numeral


def test_articles_of_a_code_past_a_thousand() -> None:
    # From the 民法典's 侵权责任编 (lawref-2025, 民法典/侵权责任编.md): each 第一千…条 is an article,
    # not a paragraph of its chapter.
    text = ("中华人民共和国民法典\n\n侵权责任编\n\n第一章  一般规定\n\n"
            "第一千一百六十四条 本编调整因侵害民事权益产生的民事关系。\n\n"
            "第一千一百六十五条 行为人因过错侵害他人民事权益造成损害的，应当承担侵权责任。\n\n"
            "依照法律规定推定行为人有过错，其不能证明自己没有过错的，应当承担侵权责任。\n\n"
            "第二章  损害赔偿\n\n"
            "第一千一百七十九条 侵害他人造成人身损害的，应当赔偿医疗费、护理费、交通费、营养费。\n")
    labels = [p.label for p in parse_text(text, "code").provisions]
    assert labels == ["第一千一百六十四条", "第一千一百六十五条", "第一千一百七十九条"]


def test_an_inserted_article_keeps_its_own_label_and_the_numbering_runs_on() -> None:
    # From the 刑法 (lawref-2025, 刑法/刑法.md): 第十七条之一 was inserted by an amendment. Articles
    # still number on across chapters and sections, so each is cited alone.
    text = ("中华人民共和国刑法\n\n第一章 刑法的任务\n\n第一节 犯罪\n\n"
            "第十七条 已满十六周岁的人犯罪，应当负刑事责任。\n\n"
            "第十七条之一 已满七十五周岁的人故意犯罪的，可以从轻或者减轻处罚。\n\n"
            "第二节 共同犯罪\n\n"
            "第二十五条 共同犯罪是指二人以上共同故意犯罪。\n\n"
            "第二章 刑罚\n\n第一百三十三条 违反交通运输管理法规，因而发生重大事故的，处三年以下有期徒刑。\n")
    labels = [p.label for p in parse_text(text, "criminal").provisions]
    assert labels == ["第十七条", "第十七条之一", "第二十五条", "第一百三十三条"]
    assert match_heading("第十七条之一 已满七十五周岁").suffix == "之一"  # type: ignore[union-attr]
