"""Load and abuse, in process: admission control, cheap routes that never wait, strict request
text, long conversations, normalised queries, offline docs and security headers."""

from __future__ import annotations

import threading
import time
from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from qa.service import PolicyService
from tests.api.conftest import make_app, wait_ready
from tests.api.test_endpoints import SEARCH


class Slow:
    """A service whose searches take ``seconds`` (as expensive ones would)."""

    def __init__(self, service: PolicyService, seconds: float) -> None:
        self._service = service
        self._seconds = seconds

    def __getattr__(self, name: str) -> Any:
        return getattr(self._service, name)

    def search(self, *args: Any, **kwargs: Any) -> Any:
        time.sleep(self._seconds)
        return self._service.search(*args, **kwargs)


def test_heavy_requests_are_shed_with_retry_after_and_cheap_ones_never_wait(service: PolicyService) -> None:
    slow = Slow(service, 0.3)
    app = create_app(Settings(search_concurrency=1, search_wait_seconds=0.5),
                     load=lambda _settings, _previous: slow)  # type: ignore[arg-type,return-value]
    with TestClient(app) as client:
        wait_ready(client)
        statuses: list[tuple[int, str | None]] = []
        cheap: list[float] = []

        def search() -> None:
            response = client.post("/v1/search", json=SEARCH)
            statuses.append((response.status_code, response.headers.get("Retry-After")))

        threads = [threading.Thread(target=search) for _ in range(12)]
        for thread in threads:
            thread.start()
        time.sleep(0.1)
        for _ in range(10):
            started = time.monotonic()
            assert client.get("/healthz").status_code == 200
            assert client.get("/v1/info").status_code == 200
            cheap.append(time.monotonic() - started)
        for thread in threads:
            thread.join()
    codes = [code for code, _ in statuses]
    assert set(codes) <= {200, 503} and codes.count(200) >= 2 and codes.count(503) >= 5
    assert all(retry is not None and int(retry) >= 1 for code, retry in statuses if code == 503)
    assert max(cheap) < 0.25  # not behind the 0.3 s searches


def test_request_text_is_strict(client: TestClient) -> None:
    def problem(response: Any, fragment: str) -> None:
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert fragment in response.json()["detail"]

    problem(client.get("/v1/search?q=%FF%FE"), "not UTF-8")
    headers = {"Content-Type": "application/json"}
    problem(client.post("/v1/search", content=b'{"query": "\xff\xfe"}', headers=headers), "not UTF-8")
    deep = b'{"query": "x", "a": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    problem(client.post("/v1/search", content=deep, headers=headers), "nested deeper")
    problem(client.post("/v1/search", content=b'{"query": "a", "query": "b"}', headers=headers), "repeats")
    problem(client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "托育"}],
                                                      "stream": "yes"}), "stream")


def test_a_long_conversation_keeps_being_answered(client: TestClient) -> None:
    messages: list[dict[str, str]] = []
    for turn in range(30):
        messages += [{"role": "user", "content": "托育服务用房每百户配建标准是多少"},
                     {"role": "assistant", "content": f"第{turn}次回答"}]
    messages.append({"role": "user", "content": "那宿城区呢？"})
    response = client.post("/v1/chat/completions", json={"messages": messages})
    assert response.status_code == 200
    assert response.json()["policy_qa"]["jurisdiction"] == "宿城区"


def test_queries_are_normalised(client: TestClient) -> None:
    def top(query: str) -> list[str]:
        hits = client.post("/v1/search", json={"query": query, "top_k": 3}).json()["hits"]
        return [hit["provision_id"] for hit in hits]

    plain = top("托育服务用房每百户配建标准")
    assert top("托育服务\u200b用房每百户\u200d配建标准\ufeff") == plain
    for punctuation in ("……", "%%%", "？！。", "——"):
        assert top(punctuation) == []


def test_docs_work_offline_and_pages_send_security_headers(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "cdn" not in docs.text and "https://" not in docs.text
    assert "/docs-assets/swagger-ui-bundle.js" in docs.text
    assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
    assert "'unsafe-inline'" in docs.headers["Content-Security-Policy"]
    page = client.get("/")
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'self'" in policy
    assert "unsafe-inline" not in policy
    assert page.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert client.get("/v1/info").headers["X-Content-Type-Options"] == "nosniff"


def test_an_allowed_portal_may_frame_the_page(service: PolicyService) -> None:
    with TestClient(make_app(service, cors_origins=["https://portal.example.gov.cn"])) as client:
        wait_ready(client)
        page = client.get("/")
        policy = page.headers["Content-Security-Policy"]
        assert "frame-ancestors 'self' https://portal.example.gov.cn" in policy
        assert "X-Frame-Options" not in page.headers


def test_errors_name_no_server_paths(tmp_path) -> None:  # type: ignore[no-untyped-def]
    missing = tmp_path / "secret-location" / "index"
    with TestClient(create_app(Settings(index=missing))) as client:
        for _ in range(300):
            response = client.get("/readyz")
            if "no index" in response.text:
                break
            time.sleep(0.01)
        assert response.status_code == 503
        assert "secret-location" not in response.text and str(tmp_path) not in response.text
