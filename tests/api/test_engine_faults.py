"""The service on a seekdb that is down at start, killed while serving, and gone during a job."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app, published_for
from api.settings import Settings
from corpus import CorpusFolder
from corpus.gazetteer import default_gazetteer
from index.analysis import Analyzer
from index.seekdb import engine
from index.seekdb.store import SeekdbIndex
from index.seekdb.sync import sync
from qa.search import Searcher
from qa.service import PolicyService
from tests.index.fakes import HashEncoder
from tests.index.test_seekdb import start_or_skip

pytestmark = pytest.mark.slow
ADMIN = {"X-API-Key": "admin-secret"}


def eventually(check: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.1)


def kill(data: Path) -> None:
    os.kill(json.loads((data / engine.STATE).read_text())["pid"], signal.SIGKILL)
    engine.stop(data)  # reaps it


def test_the_service_waits_for_its_engine_answers_503_while_it_is_gone_and_loses_no_write(
        tmp_path: Path) -> None:
    data = tmp_path / "engine"
    url = start_or_skip(data)
    try:
        corpus = CorpusFolder.working(tmp_path / "corpus")
        analyzer = Analyzer(tmp_path / "cache" / "jieba")
        sync(url, corpus.path, HashEncoder(), analyzer, tmp_path / "cache")
        engine.stop(data)
        settings = Settings(backend="seekdb", engine_url=str(url), corpus=corpus.path,
                            cache=tmp_path / "cache", work=tmp_path / "work", admin_key="admin-secret",
                            watch_seconds=0.2)

        def load(settings: Settings, previous: PolicyService | None) -> PolicyService:
            encoder = previous.index.encoder if previous else HashEncoder()
            return PolicyService(Searcher(SeekdbIndex(url, encoder, analyzer), default_gazetteer()))

        app = create_app(settings, load=load, published=published_for(settings))
        with TestClient(app, raise_server_exceptions=False) as client:
            # Down at start: /readyz says so, naming the engine's address (never its password).
            eventually(lambda: client.get("/readyz").status_code == 503 and
                       url.address in client.get("/readyz").json()["detail"])
            assert url.password not in client.get("/readyz").text
            engine.start(data)
            eventually(lambda: client.get("/readyz").status_code == 200)  # up: the service loads by itself
            question = {"query": "托育服务用房每百户配建标准", "jurisdiction": "如皋市"}
            assert client.post("/v1/search", json=question).json()["hits"][0]["document"]["jurisdiction"] \
                == "如皋市"
            info = client.get("/v1/info").json()
            assert info["backend"] == "seekdb" and info["counts"]["documents"] == 5

            # Killed while serving: a problem document saying to retry, not a 500 or a hang.
            kill(data)
            refused = client.post("/v1/search", json={"query": "护理型床位占比"})
            assert refused.status_code == 503 and refused.headers["Retry-After"]
            assert refused.json()["type"] == "/problems/engine-unavailable"
            assert url.password not in refused.text

            # A write while the engine is gone fails, and leaves the corpus folder as it was.
            files = sorted(p.name for p in (corpus.path / "documents").iterdir())
            text = "阜阳市托育服务实施方案\n\n一、每千人口托位数达到4.5个。\n".encode()
            job = client.post("/v1/documents", files={"file": ("fuyang.txt", text)},
                              data={"jurisdiction": "阜阳市"}, headers=ADMIN).headers["Location"]
            eventually(lambda: client.get(job, headers=ADMIN).json()["status"] in ("failed", "succeeded"))
            failed = client.get(job, headers=ADMIN).json()
            assert failed["status"] == "failed" and url.address in failed["error"]
            assert sorted(p.name for p in (corpus.path / "documents").iterdir()) == files

            # Back: searches recover by themselves, and the engine never saw the failed upload.
            engine.start(data)
            eventually(lambda: client.post("/v1/search", json=question).status_code == 200)
            assert client.get("/v1/info").json()["counts"]["documents"] == 5
    finally:
        engine.stop(data)
