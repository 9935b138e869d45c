"""Running the app under uvicorn so that slow or hostile connections cannot deny service.

Three limits uvicorn does not set by itself: the process's open-file soft limit is raised to its
hard limit at start (the default 1,024 runs out after 1,024 idle sockets); a connection that has
not sent a complete request head within ``header_timeout`` seconds is closed (slowloris: a
client that dribbles its headers holds a socket forever otherwise); and connections beyond
``max_connections`` are closed as they arrive, below what the process can hold, so that a flood
of idle sockets leaves file descriptors for real clients. The request body has its own deadline
(:class:`api.limits.BodyLimit`). Behind a public reverse proxy these limits belong to the proxy
too; the README gives nginx settings.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from api.settings import Settings

log = logging.getLogger("policy_qa.server")
_RESERVED_FILES = 256  # descriptors kept for the index, logs, uploads and the process itself


def raise_open_files() -> int:
    """Raise the soft limit on open files to the hard limit; returns the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 1 << 20
    if soft == resource.RLIM_INFINITY or soft >= hard:
        return soft if soft != resource.RLIM_INFINITY else hard
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        return hard
    except (ValueError, OSError):
        return soft


def guarded_protocol(header_timeout: float, max_connections: int) -> type[H11Protocol]:
    """uvicorn's HTTP/1.1 protocol with a deadline for request heads and a connection cap."""

    class Guarded(H11Protocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if len(self.connections) > max_connections:
                transport.close()  # over the cap: refuse at once rather than run out of descriptors
                return
            self._head_deadline: asyncio.TimerHandle | None = None
            self._arm()

        def _arm(self) -> None:
            self._head_deadline = self.loop.call_later(header_timeout, self._head_overdue)

        def _head_overdue(self) -> None:
            if self.transport.is_closing():
                return
            waiting_for_head = self.cycle is None or self.cycle.response_complete
            if waiting_for_head:
                self.transport.close()
            else:
                self._arm()  # a request is being served; its body has its own deadline

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if getattr(self, "_head_deadline", None) is not None:
                self._head_deadline.cancel()  # type: ignore[union-attr]
                self._arm()  # the next request's head is due within the deadline too

        def connection_lost(self, exc: Exception | None) -> None:
            deadline = getattr(self, "_head_deadline", None)
            if deadline is not None:
                deadline.cancel()
            super().connection_lost(exc)

    return Guarded


def run(app: Any, settings: Settings) -> None:
    """Serve ``app`` on the settings' host and port with the limits above."""
    files = raise_open_files()
    max_connections = min(settings.max_connections, max(64, files - _RESERVED_FILES))
    log.info("open files limit %d; at most %d connections", files, max_connections)
    config = uvicorn.Config(app, host=settings.host, port=settings.port, log_level="info",
                            http=guarded_protocol(settings.header_timeout_seconds, max_connections),
                            timeout_keep_alive=5)
    uvicorn.Server(config).run()
