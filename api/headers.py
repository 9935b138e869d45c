"""Security headers: what the browser may load on the page and who may frame it.

The staff page loads only its own scripts, styles and API (``default-src 'self'``), may be
framed only by itself and by the origins allowed to call the API (a portal that embeds it), and
the interactive docs at ``/docs`` get the inline script Swagger UI needs to start. Every response
says ``nosniff`` and sends no referrer. The chat widget is a script a portal loads from here, so
nothing below stops a portal from using it; its answers are governed by CORS.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class SecurityHeaders:
    def __init__(self, app: ASGIApp, frame_origins: list[str]) -> None:
        self.app = app
        ancestors = " ".join(["'self'", *frame_origins])
        common = (f"frame-ancestors {ancestors}; base-uri 'none'; form-action 'self'; "
                  "object-src 'none'")
        self.page = f"default-src 'self'; img-src 'self' data:; {common}"
        self.docs = (f"default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' "
                     f"'unsafe-inline'; img-src 'self' data:; {common}")
        self.frame_origins = frame_origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "no-referrer")
                if headers.get("content-type", "").startswith("text/html"):
                    policy = self.docs if path.startswith("/docs") else self.page
                    headers["Content-Security-Policy"] = policy
                    if not self.frame_origins:
                        headers["X-Frame-Options"] = "SAMEORIGIN"
            await send(message)

        await self.app(scope, receive, with_headers)
