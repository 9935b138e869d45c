"""Admission control: the CPU-heavy routes run a few at a time, and wait a bounded time.

A search costs tens of milliseconds of CPU; on two cores, fifty clients asking at once would
queue without limit and every answer would be late. Here the heavy routes (search, compare,
similar, chat) take one of ``concurrency`` slots; a request that would wait longer than
``max_wait`` seconds for one (judged from the queue ahead of it and the recent service time,
or found by waiting) is answered at once with 503 and ``Retry-After``, as Elasticsearch's search
thread pool rejects with 429 when its bounded queue is full. Everything else (health,
readiness, info, documents, provisions, citations, the page) never waits here, and since the
heavy routes hold at most ``concurrency`` of the server's worker threads, never waits behind
them either. A heavy request's body is read whole before it asks for a slot, so a client that
trickles its body (until the body deadline) holds a connection, never a slot. Written as ASGI
middleware because the decision must be taken before a worker thread is spent on the request.
"""

from __future__ import annotations

import asyncio
import math
import time

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem_response

HEAVY = frozenset({("POST", "/v1/search"), ("GET", "/v1/search"), ("POST", "/v1/compare"),
                   ("POST", "/v1/similar"), ("POST", "/v1/chat/completions")})


class Admission:
    def __init__(self, app: ASGIApp, concurrency: int, max_wait: float) -> None:
        self.app = app
        self.concurrency = max(1, concurrency)
        self.max_wait = max_wait
        self._slots: asyncio.Semaphore | None = None  # made on the server's event loop
        self._waiting = 0
        self._service = 0.05  # seconds per heavy request, a moving average
        self.admitted = 0
        self.shed = 0

    def expected_wait(self) -> float:
        """How long a request arriving now would wait for a slot."""
        busy = self._slots is not None and self._slots.locked()
        return (self._waiting + 1) / self.concurrency * self._service if busy else 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (scope.get("method"), scope.get("path")) not in HEAVY:
            await self.app(scope, receive, send)
            return
        try:
            receive = await _buffered(receive)
        except HTTPException as error:  # the body limit or deadline, raised while reading
            await problem_response(error.status_code, str(error.detail))(scope, receive, send)
            return
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.concurrency)
        slots = self._slots
        if self.expected_wait() > self.max_wait:
            await self._shed(scope, receive, send, self.expected_wait())
            return
        self._waiting += 1
        try:
            await asyncio.wait_for(slots.acquire(), timeout=self.max_wait)
        except TimeoutError:
            self._waiting -= 1
            await self._shed(scope, receive, send, self.expected_wait())
            return
        self._waiting -= 1
        self.admitted += 1
        started = time.monotonic()
        try:
            await self.app(scope, receive, send)
        finally:
            slots.release()
            self._service = 0.8 * self._service + 0.2 * (time.monotonic() - started)

    async def _shed(self, scope: Scope, receive: Receive, send: Send, wait: float) -> None:
        self.shed += 1
        retry = max(1, math.ceil(wait))
        response = problem_response(
            503, f"the service is busy: {self._waiting} searches are waiting; retry in {retry} s",
            "/problems/busy", headers={"Retry-After": str(retry)})
        await response(scope, receive, send)


async def _buffered(receive: Receive) -> Receive:
    """Read the request body to its end now; the returned ``receive`` replays it."""
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            break

    async def replay() -> Message:
        return messages.pop(0) if messages else await receive()

    return replay
