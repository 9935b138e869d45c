"""A hard limit on request bodies, chunked ones included, answered as a problem document.

A Content-Length over the limit is refused before reading; a chunked body is counted as it
arrives and refused as soon as it passes the limit, so no client can make the server buffer an
unbounded body. (FastAPI's own ``max_body_size`` answers a declared length in plain text,
outside the app's exception handlers; this keeps every error RFC 9457.)
"""

from __future__ import annotations

import asyncio

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem_response


class BodyLimit:
    """``limit`` for every body, except uploads (POST to one of ``upload_paths``): ``upload_limit``;
    and a body must arrive within ``timeout`` seconds (a client trickling one byte at a time holds
    a worker otherwise), else 408."""

    def __init__(self, app: ASGIApp, limit: int, upload_limit: int = 0,
                 upload_paths: tuple[str, ...] = (), timeout: float = 30.0) -> None:
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit
        self.upload_paths = upload_paths
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = scope.get("method") == "POST" and scope.get("path") in self.upload_paths
        limit = self.upload_limit if upload else self.limit
        detail = (f"the upload is over the limit of {limit // 2**20} MiB" if upload
                  else f"the request body is over the limit of {limit} bytes")
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None and (not length.strip().isdigit() or int(length) > limit):
            await problem_response(413, detail)(scope, receive, send)
            return
        received = 0
        deadline = asyncio.get_running_loop().time() + self.timeout
        complete = False

        async def counting_receive() -> Message:
            nonlocal received, complete
            if complete:
                return await receive()  # after the body: waiting for a disconnect, no deadline
            remaining = max(0.0, deadline - asyncio.get_running_loop().time())
            try:
                message = await asyncio.wait_for(receive(), remaining)
            except TimeoutError:
                raise HTTPException(408, f"the request body did not arrive within {self.timeout:.0f} s") \
                    from None
            if message["type"] == "http.request":
                complete = not message.get("more_body", False)
                received += len(message.get("body", b""))
                if received > limit:
                    # FastAPI re-raises an HTTPException met while reading the body, so the
                    # app's handler turns it into a problem document.
                    raise HTTPException(413, detail)
            return message

        await self.app(scope, counting_receive, send)
