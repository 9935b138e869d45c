"""Slow and idle connections against the real server: 1,100 sockets that never finish their
request head do not deny service to a real client, and are closed when their time is up; bodies
trickled to the search route hold no search slot and are answered 408 at the body deadline."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.api.test_live_server import Server, serving_small_corpus

SLOW = 1100  # more than the 1,024 open files a service starts with by default


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    deadlines = {"POLICY_QA_HEADER_TIMEOUT_SECONDS": "3", "POLICY_QA_BODY_TIMEOUT_SECONDS": "3",
                 "POLICY_QA_SEARCH_CONCURRENCY": "1"}
    with serving_small_corpus(tmp_path_factory, "conn", deadlines, open_files=1024) as site:
        yield site


@pytest.mark.slow
def test_a_thousand_slow_connections_leave_a_real_client_served(guarded: Server) -> None:
    sockets: list[socket.socket] = []
    try:
        for _ in range(SLOW):
            connection = socket.create_connection(("127.0.0.1", guarded.port), timeout=5)
            connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
            sockets.append(connection)
        started = time.monotonic()
        with httpx.Client(base_url=guarded.base, timeout=10) as client:
            assert client.get("/healthz").status_code == 200
            assert client.post("/v1/search", json={"query": "托育服务设施建设标准"}).status_code == 200
        assert time.monotonic() - started < 5
        # Past the head deadline, the server has closed the slow sockets.
        time.sleep(4.5)
        closed = 0
        for connection in sockets:
            connection.settimeout(0.5)
            try:
                closed += connection.recv(1) == b""
            except ConnectionResetError:
                closed += 1
            except TimeoutError:
                pass  # still open
        assert closed >= SLOW * 0.95
    finally:
        for connection in sockets:
            connection.close()


def test_trickled_bodies_hold_no_search_slot_and_get_408(guarded: Server) -> None:
    sockets: list[socket.socket] = []
    try:
        for _ in range(4):  # more than the one search slot this server has
            connection = socket.create_connection(("127.0.0.1", guarded.port), timeout=10)
            connection.sendall(b"POST /v1/search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                               b"Content-Length: 40\r\n\r\n{\"query\": ")  # and the rest never
            sockets.append(connection)
        time.sleep(0.5)
        with httpx.Client(base_url=guarded.base, timeout=10) as client:
            started = time.monotonic()
            response = client.post("/v1/search", json={"query": "托育服务设施建设标准"})
            assert response.status_code == 200, response.text
            assert time.monotonic() - started < 2  # not behind the trickled bodies
        for connection in sockets:
            reply = connection.recv(4096).decode("utf-8", "replace")
            assert reply.startswith("HTTP/1.1 408"), reply[:200]
            assert "application/problem+json" in reply
    finally:
        for connection in sockets:
            connection.close()
