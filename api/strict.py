"""Strict request text: what the schema cannot see is refused here with 422, as the README says.

Starlette decodes query strings leniently (invalid UTF-8 becomes U+FFFD and is searched for) and
FastAPI answers a body that is not UTF-8, or nested too deep for the parser, with a bare 400; the
standard JSON parser keeps the last of two identical keys without a word. This middleware checks
each request once, before routing: query values must be UTF-8; a JSON body must be UTF-8, free of
repeated keys and at most ``MAX_DEPTH`` deep. A good body is passed on unchanged.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem_response

MAX_DEPTH = 32


class _Invalid(ValueError):
    pass


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise _Invalid(f"the JSON body repeats the key(s) {', '.join(repeated)}")
    return dict(pairs)


def _depth(value: Any, limit: int) -> None:
    """Raise when ``value`` nests deeper than ``limit`` (iteratively: no recursion to exhaust)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            raise _Invalid(f"the JSON body is nested deeper than {limit} levels")
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


def check_json(body: bytes) -> None:
    """Raise :class:`ValueError` with a one-line reason when a JSON body is not acceptable."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _Invalid(f"the body is not UTF-8 (byte {error.start})") from None
    try:
        value = json.loads(text, object_pairs_hook=_no_repeats)
    except RecursionError:
        raise _Invalid(f"the JSON body is nested deeper than {MAX_DEPTH} levels") from None
    except json.JSONDecodeError:
        return  # not JSON at all: the route's own validation says where
    _depth(value, MAX_DEPTH)


def check_query(raw: bytes) -> None:
    for part in raw.split(b"&"):
        name, _, value = part.partition(b"=")
        for piece in (name, value):
            try:
                unquote_to_bytes(piece.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError:
                label = name.decode("ascii", "replace")
                raise _Invalid(f"the query parameter {label!r} is not UTF-8") from None


class StrictRequests:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            check_query(scope.get("query_string", b""))
        except _Invalid as error:
            await problem_response(422, str(error), "/problems/validation")(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        media = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if media != b"application/json":
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        body = b""
        try:
            while True:
                message = await receive()
                messages.append(message)
                if message["type"] != "http.request":
                    break
                body += message.get("body", b"")
                if not message.get("more_body", False):
                    break
        except HTTPException as error:  # the body limit or deadline, raised while reading
            await problem_response(error.status_code, str(error.detail))(scope, receive, send)
            return
        try:
            check_json(body)
        except _Invalid as error:
            await problem_response(422, str(error), "/problems/validation")(scope, receive, send)
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)
