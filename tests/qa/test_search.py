"""Hybrid search on the real corpus with a small deterministic encoder: jurisdiction scope,
relations, coverage, verbatim hits and bad queries."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from corpus import DEFAULT_FOLDER
from index.analysis import Analyzer
from index.store import PolicyIndex
from qa.errors import BadQuery
from qa.results import RetrieverScore
from qa.search import DENSE_QUERY_CHARS, MAX_QUERY_CHARS, Candidate, Searcher, _agreement


def _file(name: str) -> str:
    return (DEFAULT_FOLDER / name).read_text(encoding="utf-8")


def test_the_named_place_ranks_first_with_its_ancestors(searcher: Searcher) -> None:
    result = searcher.search("宿城区已建成小区托育设施每百户标准", k=10)
    assert result.jurisdiction.detected == ("宿城区",)
    assert result.jurisdiction.scope == ("宿城区", "宿迁市", "江苏省", "全国")
    assert result.jurisdiction.covered
    relations = [hit.relation for hit in result.hits]
    assert relations[0] == "exact"
    # In-scope hits (exact, ancestor) come before any other jurisdiction's.
    first_other = next((i for i, r in enumerate(relations) if r == "other"), len(relations))
    assert all(r in ("exact", "ancestor") for r in relations[:first_other])
    assert {hit.document.jurisdiction for hit in result.hits[:first_other]} <= {"宿城区", "江苏省"}


def test_an_explicit_jurisdiction_scopes_the_search(searcher: Searcher) -> None:
    result = searcher.search("托育服务用房每百户配建标准", jurisdiction="如皋", k=5)
    assert result.jurisdiction.requested == "如皋"
    assert result.jurisdiction.scope == ("如皋市", "南通市", "江苏省", "全国")
    assert result.hits[0].document.jurisdiction == "如皋市"
    assert result.hits[0].relation == "exact"


def test_a_province_sees_its_cities_as_descendants(searcher: Searcher) -> None:
    result = searcher.search("托育服务用房每百户配建标准", jurisdiction="江苏省", k=20)
    relations = {hit.document.jurisdiction: hit.relation for hit in result.hits}
    assert relations.get("江苏省") == "exact"
    assert relations.get("如皋市") in (None, "descendant")
    assert relations.get("随州市") in (None, "other")


def test_an_uncovered_place_is_never_presented_as_covered(searcher: Searcher) -> None:
    result = searcher.search("北京市托育服务用房每百户配建标准")
    assert result.jurisdiction.detected == ("北京市",)
    assert not result.jurisdiction.covered
    assert result.hits and all(hit.relation == "other" for hit in result.hits)


def test_hits_are_verbatim_and_cite_their_source(searcher: Searcher) -> None:
    result = searcher.search("新建小区托育服务用房每百户配建标准是多少", k=5)
    for hit in result.hits:
        assert hit.text[hit.answer_start:hit.answer_end] == hit.answer
        assert hit.citation.startswith(f"《{hit.document.title}》")
        assert hit.citation.endswith(hit.label)
        if hit.kind == "clause":
            assert _file(hit.document.rendition)[hit.start:hit.end] == hit.text
        data = hit.to_json()
        assert data["source"] == {"file": hit.document.file, "rendition": hit.document.rendition,
                                  "start": hit.start, "end": hit.end, "page": None}
        assert set(data["scores"]) == {"bm25", "dense"}
    assert result.to_json()["jurisdiction"]["covered"] is True


def test_modes_report_only_their_retriever(searcher: Searcher) -> None:
    bm25 = searcher.search("护理型床位占比", k=3, mode="bm25")
    assert all(hit.scores["dense"] is None and hit.scores["bm25"] for hit in bm25.hits)
    dense = searcher.search("护理型床位占比", k=3, mode="dense")
    assert all(hit.scores["bm25"] is None and hit.scores["dense"] for hit in dense.hits)


def test_near_identical_provisions_are_shown_once(searcher: Searcher) -> None:
    result = searcher.search("严防一老一小领域非法集资", k=10)
    texts = ["".join(hit.text.split()) for hit in result.hits]
    assert len(texts) == len(set(texts))


@pytest.mark.parametrize("query", ["", "   ", "\x00\x00", "\ud800"])
def test_empty_queries_are_rejected(searcher: Searcher, query: str) -> None:
    with pytest.raises(BadQuery, match="empty"):
        searcher.search(query)


def test_odd_queries_give_a_result_or_a_clear_error(searcher: Searcher) -> None:
    assert searcher.search("？？！！。。").hits == ()
    assert searcher.search("🙂🙂").hits == () or searcher.search("🙂🙂").hits
    assert searcher.search("托育\x00服务\ud800标准").hits  # NUL and lone surrogates are dropped
    assert searcher.search("𠀀𪚥托育").hits
    with pytest.raises(BadQuery, match="limit is 500"):
        searcher.search("托" * (MAX_QUERY_CHARS + 1))
    assert searcher.search("托" * MAX_QUERY_CHARS).query
    with pytest.raises(BadQuery, match="unknown jurisdiction"):
        searcher.search("托育", jurisdiction="火星市")
    for k in (0, -1, 51):
        with pytest.raises(BadQuery, match="k must be"):
            searcher.search("托育", k=k)


def test_the_dense_encoder_reads_the_asking_sentences_of_a_long_message(searcher: Searcher) -> None:
    question = "请问新建小区托育服务用房每百户配建标准是多少？"
    assert searcher.dense_text(question) == question  # short: all of it
    story = ("我平时上班比较忙，早出晚归，周末也经常加班，家里的事情大多是家人在操心。"
             "亲戚朋友的说法都不太一样，有的说要先去窗口问，有的说网上就能查到。"
             "打电话问过一次，当时排队的人很多，没来得及问清楚就挂了。"
             "再次感谢，辛苦了，祝工作顺利，身体健康，万事如意。")
    for message in (f"您好。{story}{question}", f"您好。{question}{story}", f"{story}{story}{question}"):
        read = searcher.dense_text(message)
        assert question in read and len(read) <= DENSE_QUERY_CHARS < len(message)
        assert read in message or all(part in message for part in read.split("。") if part)
    # One long sentence with nothing to choose from: its start.
    assert searcher.dense_text("养老" * 300) == "养老" * 64
    # The cost stays bounded: the vector is of at most the limit, and a repeat comes from the cache.
    long = f"您好。{story}{question}"
    assert searcher.query_vector(long) is searcher.query_vector(long)


def test_the_dense_encoder_reads_an_english_question_with_its_chinese_terms(searcher: Searcher) -> None:
    question = "How many nursery places per 1,000 people does Suizhou aim for?"
    read = searcher.dense_text(question)
    assert read.startswith(question) and "随州市" in read and "托育机构" in read
    assert searcher.dense_text("托育服务用房每百户配建标准是多少") == "托育服务用房每百户配建标准是多少"
    assert searcher.dense_text("Hello there") == "Hello there"  # nothing to add


@pytest.mark.parametrize("place", ["如皋市", "宿城区", "江苏省", "随州市", "北京市"])
def test_a_scoped_search_stays_in_its_scope_and_equals_exact_search(searcher: Searcher, place: str) -> None:
    index = searcher.index
    query = "托育服务用房每百户配建标准"
    result = searcher.search(query, jurisdiction=place, k=30, mode="dense")
    scope = set(result.jurisdiction.scope)
    in_scope = [row for row, p in enumerate(index.provisions) if index.document_of(p).jurisdiction in scope]
    # The scope's rows are a few ranges, and exactly the rows of the scope's documents.
    ranges = index.own(sorted(scope)) or ()
    assert [row for start, end in ranges for row in range(start, end)] == in_scope
    assert len(ranges) <= len(scope)
    # Hits of the scope come first and never from outside it.
    inside = [hit for hit in result.hits if hit.relation in ("exact", "ancestor")]
    assert list(result.hits[:len(inside)]) == inside
    assert all(hit.document.jurisdiction in scope for hit in inside)
    # Searched inside those ranges, the dense ranking is brute force over the scope's rows.
    vector = searcher.query_vector(query)
    ranked = [c.key for c in searcher.rank([], vector, ranges, mode="dense")]
    # A row scores as the best of its own vector and its sentences'.
    best = np.asarray(index.dense.vectors) @ vector
    for sentence, owner in zip(np.asarray(index.dense.sentences), index.dense.owners, strict=True):
        best[owner] = max(best[owner], float(sentence @ vector))
    brute = sorted(in_scope, key=lambda row: (-float(best[row]), row))[:len(ranked)]
    assert ranked == brute and len(ranked) == min(50, len(in_scope))


def test_an_index_without_vectors_answers_by_bm25_alone(tmp_path: Path) -> None:
    from index.encoders import NoEncoder
    from qa.service import PolicyService
    from qa.similar import similar

    PolicyIndex.build(DEFAULT_FOLDER, tmp_path / "index", NoEncoder(), Analyzer(tmp_path / "cache" / "jieba"),
                      tmp_path / "cache")
    service = PolicyService.open(tmp_path / "index", tmp_path / "cache")  # the encoder the manifest names
    searcher = service.searcher
    assert service.index.manifest["encoder"] == {"name": "none", "dimension": 0, "spec": "none"}
    assert service.index.dense.ann is None
    query = "托育服务用房每百户配建标准是多少"
    hybrid = searcher.search(query, jurisdiction="如皋市", k=5)
    bm25 = searcher.search(query, jurisdiction="如皋市", k=5, mode="bm25")
    assert [h.provision_id for h in hybrid.hits] == [h.provision_id for h in bm25.hits]
    assert hybrid.hits[0].provision_id == "rugao-2023:四（二）3"
    assert all(hit.scores["dense"] is None for hit in hybrid.hits)
    assert searcher.search(query, mode="dense").hits == ()
    assert similar(searcher, "新建小区按每百户不少于20平方米配建普惠性托育服务用房", k=3)


def test_bm25_speaks_in_proportion_to_how_much_dense_retrieval_agrees() -> None:
    def lexical(key: int, rank: int, dense: bool) -> Candidate:
        return Candidate(key, bm25=RetrieverScore(1.0 / rank, rank),
                         dense=RetrieverScore(0.5, rank) if dense else None)

    agreeing = [lexical(k, k, dense=k <= 4) for k in range(1, 11)]
    assert _agreement(agreeing) == pytest.approx(0.4)
    # Only BM25's first ten count; a retriever alone (no dense scores at all) keeps its weight.
    assert _agreement([*agreeing, *(lexical(k, k, dense=True) for k in range(11, 40))]) == pytest.approx(0.4)
    assert _agreement([lexical(k, k, dense=False) for k in range(1, 5)]) == 1.0
    assert _agreement([]) == 1.0


def test_bm25_alone_does_not_outvote_meaning_when_dense_retrieval_disagrees(searcher: Searcher) -> None:
    def candidates() -> list[Candidate]:
        # BM25's best (key 0) is nowhere in the dense list; dense's best (key 1) is BM25's second.
        made = [Candidate(0, bm25=RetrieverScore(10.0, 1)),
                Candidate(1, bm25=RetrieverScore(1.0, 2), dense=RetrieverScore(0.9, 1)),
                Candidate(2, bm25=RetrieverScore(0.0, 3), dense=RetrieverScore(0.5, 2))]
        return made + [Candidate(k, bm25=RetrieverScore(0.5, k + 1)) for k in range(3, 10)]

    tokens = ["托育"]
    assert searcher.index.coverage(tokens) == 1.0
    agreeing = candidates()
    searcher._fuse(agreeing, tokens)
    fixed = Searcher(searcher.index, searcher.gazetteer, replace(searcher.ranking, agreement=False))
    alone = candidates()
    fixed._fuse(alone, tokens)
    best = lambda fused: max(fused, key=lambda c: c.fused).key  # noqa: E731
    assert best(alone) == 0  # fixed weights: BM25's 0.6 carries its lone best match
    assert best(agreeing) == 1  # 2 of BM25's 10 in the dense list: BM25 speaks at a fifth


def test_an_english_question_with_a_misspelt_place_is_scoped_to_that_place(searcher: Searcher) -> None:
    result = searcher.search("What is Suicheng's 2025 target for childcare places per 1,000 residents?", k=3)
    assert result.jurisdiction.detected == ("宿城区",)
    assert result.hits[0].document.jurisdiction == "宿城区"
