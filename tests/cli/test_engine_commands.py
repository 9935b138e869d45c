"""`policy-qa engine start|status|stop`, and `serve` starting an engine of its own."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from corpus import DEFAULT_FOLDER
from index.seekdb import engine
from index.seekdb.engine import EngineUrl
from tests.api.conftest import JIANGSU, free_port

pytestmark = pytest.mark.slow
SCRIPT = Path(sys.executable).parent / "policy-qa"


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, timeout=600,
                          env={**os.environ, **(env or {})})


def test_engine_start_prints_its_url_last_and_status_and_stop_say_what_they_do(
        tmp_path: Path) -> None:
    data = tmp_path / "engine"
    started = cli("engine", "start", "--data", str(data))
    if started.returncode != 0 and "not installed" in started.stderr:
        pytest.skip(started.stderr)
    try:
        assert started.returncode == 0, started.stderr
        url = EngineUrl.parse(started.stdout.strip().splitlines()[-1])
        url.connect().close()  # the printed URL reaches it, with its password
        status = cli("engine", "status", "--data", str(data))
        assert status.returncode == 0 and f"answering: {url.address}" in status.stdout
        assert url.password not in status.stdout
        assert cli("engine", "stop", "--data", str(data)).stdout.strip() == "stopped"
        stopped = cli("engine", "status", "--data", str(data))
        assert stopped.returncode == 1 and "stopped" in stopped.stdout
        assert "no engine running" in cli("engine", "stop", "--data", str(data)).stdout
    finally:
        engine.stop(data)
    never = cli("engine", "status", "--data", str(tmp_path / "nothing"))
    assert never.returncode == 1 and "no engine was ever started" in never.stdout


def test_serve_with_the_seekdb_backend_starts_an_engine_indexes_into_it_and_stops_it(
        tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "documents").mkdir(parents=True)
    (corpus / "catalog.toml").write_text(JIANGSU, encoding="utf-8")
    shutil.copy(DEFAULT_FOLDER / "documents" / "jiangsu-2021-yanglao-tuoyu.txt", corpus / "documents")
    data, port = tmp_path / "engine", free_port()
    env = {name: value for name, value in os.environ.items() if name != "POLICY_QA_ENGINE_URL"}
    env.update(POLICY_QA_BACKEND="seekdb", POLICY_QA_ENGINE_DATA=str(data), POLICY_QA_API_KEY="")
    process = subprocess.Popen([str(SCRIPT), "serve", "--port", str(port), "--corpus", str(corpus),
                                "--cache", str(tmp_path / "cache")],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
            assert time.monotonic() < deadline, "serve did not become ready"
            time.sleep(0.2)
        info = httpx.get(f"{base}/v1/info").json()
        assert info["backend"] == "seekdb" and info["counts"]["documents"] == 1
        hit = httpx.post(f"{base}/v1/search", json={"query": "新建居住小区养老服务用房每百户配建标准",
                                                    "top_k": 1}, timeout=30).json()["hits"][0]
        assert hit["provision_id"] == "jiangsu-2021:（三）"
        running = engine.status(data)
        assert running is not None and running.answering
    finally:
        process.send_signal(signal.SIGINT)
        try:
            output = process.communicate(timeout=60)[0].decode()
        except subprocess.TimeoutExpired:
            process.kill()
            output = ""
        engine.stop(data)
    assert "starting a seekdb engine" in output and "indexing the corpus into the engine" in output
    after = engine.status(data)
    assert after is not None and not after.running  # serve stopped the engine it started
