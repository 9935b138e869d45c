"""Two `policy-qa serve` processes on one seekdb: stateless API replicas sharing one corpus."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from corpus import DEFAULT_FOLDER
from index.seekdb import engine
from tests.api.conftest import JIANGSU, free_port
from tests.index.test_seekdb import start_or_skip

pytestmark = pytest.mark.slow
ADMIN = "admin-key-for-replicas"


def serve(root: Path, name: str, url: str) -> tuple[subprocess.Popen[bytes], str]:
    corpus = root / name / "corpus"
    (corpus / "documents").mkdir(parents=True)
    (corpus / "catalog.toml").write_text(JIANGSU, encoding="utf-8")
    shutil.copy(DEFAULT_FOLDER / "documents" / "jiangsu-2021-yanglao-tuoyu.txt", corpus / "documents")
    port = free_port()
    env = {**os.environ, "POLICY_QA_BACKEND": "seekdb", "POLICY_QA_ENGINE_URL": url,
           "POLICY_QA_ADMIN_KEY": ADMIN, "POLICY_QA_API_KEY": "", "POLICY_QA_WATCH_SECONDS": "0.5",
           "POLICY_QA_WORK": str(root / name / "work")}
    script = Path(sys.executable).parent / "policy-qa"
    process = subprocess.Popen([str(script), "serve", "--port", str(port), "--corpus", str(corpus),
                                "--cache", str(root / name / "cache")],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return process, base
        except httpx.TransportError:
            assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
        time.sleep(0.1)
    process.kill()
    raise AssertionError(f"replica {name} did not become ready")


@pytest.fixture(scope="module")
def replicas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    root = tmp_path_factory.mktemp("replicas")
    url = start_or_skip(root / "engine")
    processes = []
    try:
        first, a = serve(root, "a", str(url))  # finds the engine empty and indexes its corpus
        processes.append(first)
        second, b = serve(root, "b", str(url))  # finds the corpus there and serves it
        processes.append(second)
        yield a, b
    finally:
        for process in processes:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        engine.stop(root / "engine")


def test_a_document_uploaded_through_one_replica_is_found_through_the_other(
        replicas: tuple[str, str]) -> None:
    a, b = replicas
    info_a, info_b = httpx.get(f"{a}/v1/info").json(), httpx.get(f"{b}/v1/info").json()
    assert info_a["backend"] == info_b["backend"] == "seekdb"
    assert info_a["version"] == info_b["version"] and info_a["counts"] == info_b["counts"]
    text = ("阜阳市托育服务实施方案\n\n一、每个乡镇建设一所示范性普惠托育机构，到2025年每千人口托位数"
            "达到4.5个。\n").encode()
    upload = httpx.post(f"{a}/v1/documents", files={"file": ("fuyang-2024.txt", text, "text/plain")},
                        data={"jurisdiction": "阜阳市"}, headers={"X-API-Key": ADMIN}, timeout=30)
    assert upload.status_code == 202, upload.text
    job = upload.headers["Location"]
    deadline = time.monotonic() + 120
    while (status := httpx.get(f"{a}{job}", headers={"X-API-Key": ADMIN}).json())["status"] not in (
            "succeeded", "failed"):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert status["status"] == "succeeded", status
    committed = time.monotonic()
    question = {"query": "每千人口托位数", "jurisdiction": "阜阳市", "top_k": 1}
    while True:  # replica b switches when it sees the engine's new generation (polled every 0.5 s)
        response = httpx.post(f"{b}/v1/search", json=question, timeout=30)
        assert response.status_code == 200, response.text
        hits = response.json()["hits"]
        if hits and hits[0]["document"]["jurisdiction"] == "阜阳市":
            break
        assert time.monotonic() - committed < 10, "replica b did not see the upload within 10 s"
        time.sleep(0.2)
    assert "4.5个" in hits[0]["text"]
    # b may answer from the engine's rows a moment before it switches to the new generation
    # (it polls every 0.5 s); it switches all the same.
    while httpx.get(f"{b}/v1/info").json()["version"] != httpx.get(f"{a}/v1/info").json()["version"]:
        assert time.monotonic() - committed < 10, "replica b did not switch to the new generation"
        time.sleep(0.2)
