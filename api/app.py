"""The FastAPI application: built by a factory, the index loaded once, reached by dependency.

The index loads in a background thread started by the lifespan hook, so the process answers
``/healthz`` at once and ``/readyz`` says 503 until the index is loaded and the encoder warmed.
Tests pass their own ``load`` to serve a small index.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from fastapi.security import APIKeyHeader
from fastapi.staticfiles import StaticFiles

from api import problems
from api.limits import BodyLimit
from api.problems import Problem
from api.settings import Settings
from qa.service import PolicyService

API_KEY_HEADER = "X-API-Key"
Loader = Callable[[Settings], PolicyService]


def load_service(settings: Settings) -> PolicyService:
    """Load the index named by the settings and warm the encoder and analyzer."""
    service = PolicyService.open(settings.index, settings.cache, settings.encoder)
    service.search("托育服务用房每百户配建标准")  # warm the encoder, jieba and FAISS
    return service


class _State:
    """What the loader thread hands to the request handlers."""

    def __init__(self) -> None:
        self.service: PolicyService | None = None
        self.error: str | None = None
        self.ready = threading.Event()


def create_app(settings: Settings | None = None, load: Loader = load_service) -> FastAPI:
    settings = settings or Settings()
    state = _State()

    def run_loader() -> None:
        try:
            state.service = load(settings)
        except Exception as error:  # reported by /readyz and every request; the process lives on
            state.error = f"the index could not be loaded: {error}"
            problems.log.exception("index load failed")
        finally:
            state.ready.set()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        threading.Thread(target=run_loader, name="index-loader", daemon=True).start()
        yield

    from api import chat
    from api.routes import build_router, describe

    app = FastAPI(title="policy-qa", version="1", lifespan=lifespan, description=describe(),
                  docs_url="/docs", redoc_url=None)
    app.state.policy = state
    app.state.settings = settings
    problems.install(app)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins,
                           allow_methods=["GET", "POST"], allow_headers=["Content-Type", API_KEY_HEADER])
    # The key dependency (and the security scheme it declares in /openapi.json) only when a key
    # is set: an open service must not advertise authentication it does not check.
    guard = [Depends(require_api_key)] if settings.api_key else []
    app.include_router(build_router(), dependencies=guard)
    app.include_router(chat.build_router(), dependencies=guard)

    static = Path(__file__).parent / "static"
    app.mount("/static", StaticFiles(directory=static), name="static")

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        """The staff search page."""
        return FileResponse(static / "index.html")

    @app.get("/healthz", tags=["service"])
    def healthz() -> dict[str, str]:
        """The process is alive (open, no API key)."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["service"], responses={503: {"description": "Still loading"}})
    def readyz() -> dict[str, str]:
        """200 once the index is loaded and the encoder warmed, 503 before (open, no API key)."""
        if state.service is None:
            raise Problem(503, state.error or "the index is still loading", "/problems/not-ready")
        return {"status": "ready"}

    return app


_key_header = APIKeyHeader(name=API_KEY_HEADER, auto_error=False,
                           description="Required when the server sets POLICY_QA_API_KEY.")


def require_api_key(request: Request, key: str | None = Depends(_key_header)) -> None:
    expected = request.app.state.settings.api_key
    if expected is None:
        return
    if key is None or not secrets.compare_digest(key.encode(), expected.get_secret_value().encode()):
        raise Problem(401, f"a valid {API_KEY_HEADER} header is required", "/problems/api-key")


def get_service(request: Request) -> PolicyService:
    state: _State = request.app.state.policy
    if state.service is None:
        raise Problem(503, state.error or "the index is still loading; retry shortly", "/problems/not-ready")
    return state.service
