"""An API app over the real corpus with a small deterministic encoder, loaded once per session."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from corpus.catalog import DEFAULT_FOLDER
from index.analysis import Analyzer
from index.store import PolicyIndex
from qa.gazetteer import default_gazetteer
from qa.search import Searcher
from qa.service import PolicyService
from tests.index.fakes import HashEncoder


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory) -> PolicyService:
    root = tmp_path_factory.mktemp("api")
    index = PolicyIndex.build(DEFAULT_FOLDER, root / "index", HashEncoder(),
                              Analyzer(root / "cache" / "jieba"), root / "cache")
    return PolicyService(Searcher(index, default_gazetteer()))


def make_app(service: PolicyService, **settings: object) -> FastAPI:
    return create_app(Settings(**settings), load=lambda _: service)  # type: ignore[arg-type]


def wait_ready(client: TestClient) -> None:
    for _ in range(200):
        if client.get("/readyz").status_code == 200:
            return
        time.sleep(0.01)
    raise AssertionError("the app never became ready")


@pytest.fixture(scope="session")
def app(service: PolicyService) -> Iterator[FastAPI]:
    application = make_app(service)
    with TestClient(application) as client:
        wait_ready(client)
    yield application


@pytest.fixture()
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        wait_ready(test_client)
        yield test_client


def corpus_text(file: str) -> str:
    return (DEFAULT_FOLDER / Path(file)).read_text(encoding="utf-8")
