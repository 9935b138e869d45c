"""A hard limit on request bodies, chunked ones included, answered as a problem document.

A Content-Length over the limit is refused before reading; a chunked body is counted as it
arrives and refused as soon as it passes the limit, so no client can make the server buffer an
unbounded body. (FastAPI's own ``max_body_size`` answers a declared length in plain text,
outside the app's exception handlers; this keeps every error RFC 9457.)
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem_response


class BodyLimit:
    """``limit`` for every body, except uploads (POST to one of ``upload_paths``): ``upload_limit``."""

    def __init__(self, app: ASGIApp, limit: int, upload_limit: int = 0,
                 upload_paths: tuple[str, ...] = ()) -> None:
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit
        self.upload_paths = upload_paths

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

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # FastAPI re-raises an HTTPException met while reading the body, so the
                    # app's handler turns it into a problem document.
                    raise HTTPException(413, detail)
            return message

        await self.app(scope, counting_receive, send)
