"""A corpus grown with `add`: documents from other places and formats, and a national law that
applies everywhere, searched with the jurisdiction rules of the five default documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus import CorpusFolder
from corpus.gazetteer import default_gazetteer
from index.analysis import Analyzer
from index.store import PolicyIndex
from qa.chat import compose
from qa.search import Searcher
from tests.conftest import DATA, REALDOCS
from tests.index.fakes import HashEncoder

NATIONAL = DATA / "national" / "shehui-baoxian-fa-2018.md"
PORTAL = REALDOCS / "gz-jujia-shequ-yanglao-banfa-2022.html"


@pytest.fixture(scope="module")
def grown(tmp_path_factory: pytest.TempPathFactory) -> tuple[Searcher, Path]:
    root = tmp_path_factory.mktemp("grown")
    folder = CorpusFolder.working(root / "corpus")
    folder.add(NATIONAL)
    if PORTAL.is_file():
        folder.add(PORTAL)
    index = PolicyIndex.build(root / "corpus", root / "index", HashEncoder(),
                              Analyzer(root / "cache" / "jieba"), root / "cache")
    return Searcher(index, default_gazetteer()), root / "corpus"


def test_a_national_law_is_an_ancestor_of_every_place(grown: tuple[Searcher, Path]) -> None:
    searcher, _ = grown
    result = searcher.search("基本养老保险费由谁缴纳", jurisdiction="如皋市", k=10)
    assert result.jurisdiction.scope == ("如皋市", "南通市", "江苏省", "全国")
    assert result.jurisdiction.covered and result.jurisdiction.local
    national = [hit for hit in result.hits if hit.document.level == "national"]
    assert national and all(hit.relation == "ancestor" for hit in national)
    assert national[0].citation.startswith("《中华人民共和国社会保险法》第")
    # Nothing outside the place's scope ranks above what applies there.
    relations = [hit.relation for hit in result.hits]
    first_other = next((i for i, r in enumerate(relations) if r in ("other", "descendant")), len(relations))
    assert all(r in ("exact", "ancestor") for r in relations[:first_other])


def test_a_place_with_only_national_documents_is_covered_but_not_local(grown: tuple[Searcher, Path]) -> None:
    searcher, _ = grown
    result = searcher.search("基本养老保险费", jurisdiction="北京市", k=5)
    assert (result.jurisdiction.covered, result.jurisdiction.local) == (True, False)
    assert result.hits[0].relation == "ancestor" and result.hits[0].document.jurisdiction == "全国"
    reply = compose(result)
    assert reply.startswith("本库没有北京市及其所在省、市的地方政策文件，以下为国家层面的规定")


def test_asking_for_the_country_puts_local_documents_below(grown: tuple[Searcher, Path]) -> None:
    searcher, _ = grown
    result = searcher.search("养老保险", jurisdiction="全国", k=5)
    assert result.jurisdiction.scope == ("全国",)
    assert [hit.relation for hit in result.hits] == ["exact"] * 5
    country = searcher.gazetteer.resolve("全国")
    assert country is not None
    relations = {d.jurisdiction: searcher.relation(d, [country]) for d in searcher.index.documents.values()}
    assert relations["全国"] == "exact"
    assert {relation for place, relation in relations.items() if place != "全国"} == {"descendant"}


@pytest.mark.skipif(not PORTAL.is_file(), reason="shared/realdocs is not beside this checkout")
def test_a_portal_page_answers_for_its_own_city(grown: tuple[Searcher, Path]) -> None:
    searcher, corpus = grown
    result = searcher.search("街镇级综合养老服务中心每处建筑面积不少于多少", jurisdiction="广州市", k=5)
    top = result.hits[0]
    assert (top.relation, top.document.jurisdiction, top.label) == ("exact", "广州市", "第十条")
    assert "不少于1000平方米" in top.answer
    # The citation's offsets index the stored rendition, not the HTML.
    assert top.document.rendition.startswith("renditions/") and top.document.file.endswith(".html")
    rendition = (corpus / top.document.rendition).read_text(encoding="utf-8")
    assert rendition[top.start:top.end] == top.text
