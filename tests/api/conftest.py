"""An API app over the real corpus with a small deterministic encoder, loaded once per session."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from corpus import DEFAULT_FOLDER
from corpus.gazetteer import default_gazetteer
from index.analysis import Analyzer
from index.store import PolicyIndex
from qa.search import Searcher
from qa.service import PolicyService
from tests.cli.test_search_commands import JIANGSU
from tests.index.fakes import HashEncoder


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory) -> PolicyService:
    root = tmp_path_factory.mktemp("api")
    index = PolicyIndex.build(DEFAULT_FOLDER, root / "index", HashEncoder(),
                              Analyzer(root / "cache" / "jieba"), root / "cache")
    return PolicyService(Searcher(index, default_gazetteer()))


def make_app(service: PolicyService, **settings: object) -> FastAPI:
    return create_app(Settings(**settings), load=lambda _settings, _previous: service)  # type: ignore[arg-type]


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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[int]]]:
    root = tmp_path_factory.mktemp("server")
    (root / "corpus" / "documents").mkdir(parents=True)
    (root / "corpus" / "catalog.toml").write_text(JIANGSU, encoding="utf-8")
    shutil.copy(DEFAULT_FOLDER / "documents" / "jiangsu-2021-yanglao-tuoyu.txt",
                root / "corpus" / "documents")
    port = free_port()
    script = Path(sys.executable).parent / "policy-qa"
    # No index yet: serve must build it first, then answer /readyz 503 until it has loaded it.
    process = subprocess.Popen(
        [str(script), "serve", "--port", str(port), "--corpus", str(root / "corpus"),
         "--index", str(root / "index"), "--cache", str(root / "cache")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, "POLICY_QA_API_KEY": ""})
    base = f"http://127.0.0.1:{port}"
    statuses: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                status = httpx.get(f"{base}/readyz", timeout=2).status_code
            except httpx.TransportError:
                assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
                time.sleep(0.05)
                continue
            statuses.append(status)
            if status == 200:
                break
            time.sleep(0.02)
        yield base, statuses
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
