"""Errors as RFC 9457 problem documents (``application/problem+json``), never tracebacks."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from index.errors import EngineError
from qa.citations import CitationNotFound
from qa.errors import BadQuery, UnknownJurisdiction
from qa.service import NotFound

MEDIA_TYPE = "application/problem+json"
TITLES = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found",
          405: "Method not allowed", 408: "Request timeout", 409: "Conflict", 413: "Request body too large",
          415: "Unsupported media type", 422: "Unprocessable request", 500: "Internal server error",
          503: "Not ready"}
log = logging.getLogger("policy_qa.api")


class Problem(Exception):
    """Raise anywhere in a route to answer with a problem document."""

    def __init__(self, status: int, detail: str, type_: str = "about:blank",
                 errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.type = type_
        self.errors = errors


# An absolute file system path: the server's layout is nobody else's business.
_PATH = re.compile(r"(?<![\w.:/])/(?!v1/|problems/)(?:[^\s/`'\"]+/)+(?P<name>[^\s/`'\"]*)")


def public(detail: str) -> str:
    """A message fit for a client: absolute server paths reduced to their last part."""
    return _PATH.sub(lambda m: m.group("name") or "…", detail)


def problem_response(status: int, detail: str, type_: str = "about:blank",
                     errors: list[dict[str, Any]] | None = None,
                     headers: Mapping[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"type": type_, "title": TITLES.get(status, "Error"), "status": status,
                            "detail": public(detail)}
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def install(app: FastAPI) -> None:
    """Turn every error the app can raise into a problem document."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, error: Problem) -> JSONResponse:
        return problem_response(error.status, error.detail, error.type, error.errors)

    @app.exception_handler(UnknownJurisdiction)
    async def _unknown_place(request: Request, error: UnknownJurisdiction) -> JSONResponse:
        return problem_response(404, str(error), "/problems/unknown-jurisdiction")

    @app.exception_handler(BadQuery)
    async def _bad_query(request: Request, error: BadQuery) -> JSONResponse:
        return problem_response(422, str(error), "/problems/bad-query")

    @app.exception_handler(CitationNotFound)
    async def _citation(request: Request, error: CitationNotFound) -> JSONResponse:
        return problem_response(404, str(error), f"/problems/citation-{error.part}-not-found")

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, error: NotFound) -> JSONResponse:
        return problem_response(404, str(error), "/problems/not-found")

    @app.exception_handler(EngineError)
    async def _engine(request: Request, error: EngineError) -> JSONResponse:
        # The engine went away (restarting, a node failing over): retry shortly; the connection
        # is opened again on the next request.
        log.warning("engine error on %s %s: %s", request.method, request.url.path, error)
        return problem_response(503, "the search engine is not answering; retry shortly",
                                "/problems/engine-unavailable", headers={"Retry-After": "2"})

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", ())), "msg": _message(e), "type": e.get("type")}
                  for e in error.errors()]
        detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors)
        return problem_response(422, detail or "the request is not valid", "/problems/validation",
                                errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        return problem_response(error.status_code, str(error.detail), headers=error.headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(500, "the server failed to answer; the error has been logged")


def _message(error: Mapping[str, Any]) -> str:
    """Pydantic's message, in words for the one that would otherwise show a regular expression."""
    if error.get("type") == "string_pattern_mismatch":
        return "must contain visible text and no control characters (such as NUL)"
    return str(error.get("msg", ""))
