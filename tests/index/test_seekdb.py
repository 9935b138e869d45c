"""The engine backend against a real seekdb, started from the installed pylibseekdb package."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pymysql
import pytest

from corpus import DEFAULT_FOLDER, CorpusFolder
from corpus.gazetteer import default_gazetteer
from index.analysis import Analyzer
from index.errors import EngineError
from index.seekdb import engine
from index.seekdb.engine import EngineUrl
from index.seekdb.store import SeekdbIndex, dense_query
from index.seekdb.sync import apply, sync
from index.store import PolicyIndex
from qa.compare import compare
from qa.search import Searcher
from tests.index.fakes import HashEncoder

pytestmark = pytest.mark.slow


def start_or_skip(data: Path) -> EngineUrl:
    """A seekdb started in ``data``; the test is skipped (saying why) only when this machine has
    no seekdb binary to start, and fails on any other error."""
    try:
        return engine.start(data)
    except EngineError as error:
        if "not installed" in str(error) or "not supported" in str(error):
            pytest.skip(f"the seekdb binary cannot start here: {error}")
        raise


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, EngineUrl]]:
    data = tmp_path_factory.mktemp("engine")
    url = start_or_skip(data)
    yield data, url
    engine.stop(data)


def fresh_database(url: EngineUrl) -> EngineUrl:
    """A database of its own for one test, on the shared engine."""
    name = f"t_{secrets.token_hex(4)}"
    connection = url.connect(database=False)
    with connection, connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name}")
    return EngineUrl(url.host, url.port, url.user, url.password, name)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(DEFAULT_FOLDER, folder)
    return folder


def test_the_engine_starts_with_a_password_and_its_url_reaches_it(
        running: tuple[Path, EngineUrl]) -> None:
    data, url = running
    state = data / engine.STATE
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    assert str(EngineUrl.parse(str(url))) == str(url) and url.password and url.database == "policy_qa"
    current = engine.status(data)
    assert current is not None and current.running and current.answering
    # Root has a password: the empty one is refused, over TCP and over the local socket alike.
    with pytest.raises(pymysql.OperationalError):
        pymysql.connect(host=url.host, port=url.port, user="root", password="", connect_timeout=5)
    with pytest.raises(pymysql.OperationalError):
        pymysql.connect(unix_socket=str(data / "run" / "sql.sock"), user="root", password="")
    assert engine.start(data).port == url.port  # starting a running engine returns it


def test_a_bad_engine_url_or_an_unreachable_engine_is_one_clear_error() -> None:
    with pytest.raises(EngineError, match="mysql://"):
        EngineUrl.parse("http://example.org/db")
    url = EngineUrl.parse("mysql://root:secret@127.0.0.1:1/policy_qa")
    with pytest.raises(EngineError, match=re.escape("127.0.0.1:1")) as error:
        url.connect(timeout=2)
    assert "secret" not in str(error.value)


def test_the_engine_ranks_like_the_local_index_and_never_leaves_a_scope(
        running: tuple[Path, EngineUrl], corpus: Path, tmp_path: Path) -> None:
    url = fresh_database(running[1])
    encoder, analyzer = HashEncoder(), Analyzer(tmp_path / "cache" / "jieba")
    counts = sync(url, corpus, encoder, analyzer, tmp_path / "cache")
    assert counts["written"] == 5 and counts["removed"] == 0
    remote = SeekdbIndex(url, encoder, analyzer)
    # The engine keeps one vector per provision: compared with a local index built so.
    local = PolicyIndex.build(corpus, tmp_path / "index", encoder, analyzer, tmp_path / "cache",
                              sentences=False)
    assert remote.provision_counts == local.provision_counts
    assert remote.jurisdictions == local.jurisdictions
    gazetteer = default_gazetteer()
    engine_search, local_search = Searcher(remote, gazetteer), Searcher(local, gazetteer)
    for query, place in [("托育服务用房每百户配建标准", "如皋市"), ("护理型床位占比", "宿城区"),
                         ("育儿假有多少天", "随州市"), ("养老服务补贴", "江苏省"), ("老年助餐", None)]:
        for mode in ("bm25", "dense", "hybrid"):
            got = engine_search.search(query, place, k=20, mode=mode)
            expected = local_search.search(query, place, k=20, mode=mode)
            if mode == "dense":  # the same vectors, searched exactly inside the scope
                assert [h.provision_id for h in got.hits] == [h.provision_id for h in expected.hits]
            else:  # BM25 by the same formula: the same provisions, ties aside
                assert [h.provision_id for h in got.hits[:5]] == [h.provision_id for h in expected.hits[:5]]
            scope = set(got.jurisdiction.scope)
            inside = [h for h in got.hits if h.relation in ("exact", "ancestor")]
            assert list(got.hits[:len(inside)]) == inside
            assert all(h.document.jurisdiction in scope for h in inside)
    # The scope is applied inside the engine's vector index scan, to the partitions it names.
    scope = dict(remote.groups([("全国", "江苏省", "南通市", "如皋市")]))["scope"]
    sql, params = dense_query(np.ones(encoder.dimension, np.float32) / 8, 10, scope.parts[-1])
    plan = "\n".join(row[0] for row in remote._connections.query(f"EXPLAIN {sql}", params))
    assert "VECTOR INDEX ADAPTIVE SCAN (PRE-FILTER)" in plan or "VECTOR INDEX SCAN" in plan, plan
    # Records and citations come back whole from the engine.
    provision = next(iter(local.provisions))
    key = remote.key_of(provision.id)
    assert key is not None and remote.provisions[key] == provision
    assert remote.provisions_of(provision.document_id) == local.provisions_of(provision.document_id)
    assert remote.outline(provision.document_id) == local.outline(provision.document_id)
    assert remote.key_of("nope:一") is None
    assert remote.idf("托育") == pytest.approx(local.idf("托育"), rel=0.01)
    # Indicators are kept with each document, and a comparison fills the same cells.
    assert remote.indicators(["rugao-2023"]) == local.indicators(["rugao-2023"])
    assert sorted(i.name for i in remote.indicators()) == sorted(i.name for i in local.indicators())
    for question in ("护理型床位占比", "2023年普惠性托位占比", "托育服务用房每百户配建标准"):
        cells = [(row.jurisdiction, row.figure) for row in compare(engine_search, question)]
        assert cells == [(row.jurisdiction, row.figure) for row in compare(local_search, question)]


def test_writes_are_one_transaction_each_and_every_reader_sees_them(
        running: tuple[Path, EngineUrl], corpus: Path, tmp_path: Path) -> None:
    url = fresh_database(running[1])
    encoder, analyzer, cache = HashEncoder(), Analyzer(tmp_path / "cache" / "jieba"), tmp_path / "cache"
    sync(url, corpus, encoder, analyzer, cache)
    first = SeekdbIndex(url, encoder, analyzer)
    folder = CorpusFolder(corpus)
    extra = tmp_path / "fuyang-2024.txt"
    extra.write_text("阜阳市托育服务实施方案\n\n一、每个乡镇建设一所示范性普惠托育机构，"
                     "每千人口托位数达到4.5个。\n", encoding="utf-8")
    added = folder.add(extra, "阜阳市")
    with folder.lock():
        counts = apply(url, corpus, encoder, analyzer, cache, names=[added.file])
    assert counts["written"] == 1
    second = SeekdbIndex(url, encoder, analyzer)  # another replica, opened after the commit
    assert int(second.version or 0) > int(first.version or 0)
    assert added.document.id in second.documents and "阜阳市" in second.jurisdictions
    hits = Searcher(second, default_gazetteer()).search("每千人口托位数", "阜阳市", k=3).hits
    assert hits[0].document.id == added.document.id and hits[0].relation == "exact"
    # Removing it takes its rows, and its terms' counts, with it.
    with folder.lock():
        assert apply(url, corpus, encoder, analyzer, cache, removed=[added.document.id])["removed"] == 1
    third = SeekdbIndex(url, encoder, analyzer)
    assert added.document.id not in third.documents
    assert third.provision_counts == first.provision_counts and third.idf("阜阳市") == first.idf("阜阳市")
    # A sync with nothing changed writes nothing.
    folder.remove([added.document.id])
    assert sync(url, corpus, encoder, analyzer, cache)["written"] == 0


def test_an_engine_holding_another_encoders_vectors_is_refused(
        running: tuple[Path, EngineUrl], corpus: Path, tmp_path: Path) -> None:
    url = fresh_database(running[1])
    analyzer = Analyzer(tmp_path / "cache" / "jieba")
    sync(url, corpus, HashEncoder(), analyzer, tmp_path / "cache")

    class Other(HashEncoder):
        name = "another-model"

    with pytest.raises(EngineError, match=r"another-model|hash-bigrams"):
        SeekdbIndex(url, Other(), analyzer)
    with pytest.raises(EngineError, match="hash-bigrams"):
        sync(url, corpus, Other(), analyzer, tmp_path / "cache")


def test_a_search_while_the_engine_is_down_is_an_engine_error_and_recovers(tmp_path: Path,
                                                                          corpus: Path) -> None:
    data = tmp_path / "engine"
    url = start_or_skip(data)
    try:
        encoder, analyzer = HashEncoder(), Analyzer(tmp_path / "cache" / "jieba")
        sync(url, corpus, encoder, analyzer, tmp_path / "cache")
        searcher = Searcher(SeekdbIndex(url, encoder, analyzer), default_gazetteer())
        assert searcher.search("托育", "如皋市").hits
        state = json.loads((data / engine.STATE).read_text())
        os.kill(state["pid"], 9)  # the engine dies under the service
        engine.stop(data)
        with pytest.raises(EngineError, match=re.escape(url.address)):
            searcher.search("护理型床位占比", "如皋市")
        engine.start(data)
        assert searcher.search("护理型床位占比", "如皋市").hits  # the connection is opened again
    finally:
        engine.stop(data)
