"""The real server: `policy-qa serve` as a subprocess, spoken to over HTTP with httpx."""

from __future__ import annotations

import httpx
import pytest


@pytest.mark.slow
def test_readyz_turns_from_503_to_200(live_server: tuple[str, list[int]]) -> None:
    base, statuses = live_server
    assert statuses and statuses[-1] == 200
    assert all(status == 503 for status in statuses[:-1])
    assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}


@pytest.mark.slow
def test_search_over_http(live_server: tuple[str, list[int]]) -> None:
    base, _ = live_server
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
        assert client.get("/v1/info").json()["encoder"]["name"].startswith("policy-e5-small-")
