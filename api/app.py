"""The FastAPI application: built by a factory, the index loaded once, reached by dependency.

The index loads in a background thread started by the lifespan hook, so the process answers
``/healthz`` at once and ``/readyz`` says 503 until the index is loaded and the encoder warmed.
A watcher thread then looks for a newly published index version every few seconds and switches
to it between requests (:mod:`qa.live`); corpus changes sent over HTTP run as background jobs
(:mod:`qa.jobs`) when an admin key is set. Tests pass their own ``load`` to serve a small index.
"""

from __future__ import annotations

import hmac
import importlib.util
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.security import APIKeyHeader
from fastapi.staticfiles import StaticFiles

from api import problems
from api.admission import Admission
from api.headers import SecurityHeaders
from api.limits import BodyLimit
from api.problems import Problem
from api.settings import Settings
from api.strict import StrictRequests
from index.errors import EngineError
from index.seekdb import engine
from index.seekdb.engine import EngineUrl
from index.seekdb.store import Connections, generation
from index.versions import IndexRoot
from qa.jobs import JobQueue
from qa.live import LiveService
from qa.service import PolicyService

API_KEY_HEADER = "X-API-Key"
UPLOAD_PATHS = ("/v1/documents",)
# Loads the service of the published index version; given the live one, to reuse its encoder.
Loader = Callable[[Settings, PolicyService | None], PolicyService]


def load_service(settings: Settings, previous: PolicyService | None = None) -> PolicyService:
    """Load the published index version (or the engine's corpus) and warm the encoder, jieba
    and FAISS."""
    if settings.backend == "seekdb":
        service = PolicyService.open_engine(engine_url(settings), settings.cache, settings.encoder, previous)
    else:
        service = PolicyService.open(settings.index, settings.cache, settings.encoder, previous)
    service.search("托育服务用房每百户配建标准")
    return service


def engine_url(settings: Settings) -> EngineUrl:
    """The engine the settings name, or the one ``policy-qa serve`` started in engine_data.

    Raises:
        EngineError: no URL and no engine started there.
    """
    if settings.engine_url is not None:
        return EngineUrl.parse(settings.engine_url.get_secret_value())
    started = engine.status(settings.engine_data)
    if started is None:
        raise EngineError("POLICY_QA_BACKEND=seekdb needs POLICY_QA_ENGINE_URL, or an engine started "
                          f"with policy-qa engine start --data {settings.engine_data}")
    return started.url


def published_for(settings: Settings) -> Callable[[], str | None]:
    """What names the corpus being served: the index root's published version, or the engine's
    corpus generation (every replica on one engine switches when another one writes)."""
    if settings.backend != "seekdb":
        return IndexRoot(settings.index).current_id
    connections: list[Connections] = []

    def current() -> str | None:
        if not connections:
            connections.append(Connections(engine_url(settings)))
        return generation(connections[0])

    return current


class _State:
    """What the loader and watcher threads share with the request handlers."""

    def __init__(self, live: LiveService) -> None:
        self.live = live
        self.jobs: JobQueue | None = None
        self.ready = threading.Event()
        self.stop = threading.Event()

    @property
    def service(self) -> PolicyService | None:
        return self.live.current

    @property
    def error(self) -> str | None:
        return self.live.error


def create_app(settings: Settings | None = None, load: Loader = load_service,
               published: Callable[[], str | None] | None = None) -> FastAPI:
    """The app. ``published`` gives the id of the index version to serve; by default the index
    root's published version when ``load`` is the default loader (a test's own loader serves
    what it loads, and nothing is switched)."""
    settings = settings or Settings()
    if published is None:
        published = published_for(settings) if load is load_service else (lambda: None)
    live = LiveService(lambda previous: load(settings, previous), published)
    state = _State(live)
    if settings.admin_key is not None:
        state.jobs = JobQueue(settings.corpus, settings.index, settings.cache, live, settings.work,
                              engine_url(settings) if settings.backend == "seekdb" else None)

    def run_loader() -> None:
        live.start()
        state.ready.set()
        if state.jobs is not None:
            state.jobs.start()
        live.watch(settings.watch_seconds, state.stop)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        threading.Thread(target=run_loader, name="index-loader", daemon=True).start()
        yield
        state.stop.set()
        if state.jobs is not None:
            state.jobs.stop()

    from api import admin, chat
    from api.routes import build_router, describe

    app = FastAPI(title="policy-qa", version="1", lifespan=lifespan, description=describe(),
                  docs_url=None, redoc_url=None)
    app.state.policy = state
    app.state.settings = settings
    problems.install(app)
    # Outermost last. Admission and the strict checks sit inside the body limit (they read
    # bounded bodies only), and admission reads a body whole before it takes a slot.
    app.add_middleware(Admission, concurrency=settings.search_concurrency,
                       max_wait=settings.search_wait_seconds)
    app.add_middleware(StrictRequests)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes, upload_limit=settings.max_upload_bytes,
                       upload_paths=UPLOAD_PATHS, timeout=settings.body_timeout_seconds)
    app.add_middleware(SecurityHeaders, frame_origins=settings.cors_origins)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins,
                           allow_methods=["GET", "POST", "DELETE"],
                           allow_headers=["Content-Type", API_KEY_HEADER])
    # The key dependency (and the security scheme it declares in /openapi.json) only when a key
    # is set: an open service must not advertise authentication it does not check.
    guard = [Depends(require_api_key)] if settings.api_key else []
    app.include_router(build_router(), dependencies=guard)
    app.include_router(chat.build_router(), dependencies=guard)
    app.include_router(admin.build_router(), dependencies=[Depends(require_admin_key)])

    static = Path(__file__).parent / "static"
    app.mount("/static", StaticFiles(directory=static), name="static")
    # The interactive docs work offline (a government intranet): Swagger UI from the installed
    # fastapi-offline package, not from a CDN.
    assets = Path(importlib.util.find_spec("fastapi_offline").origin or "").parent / "static"  # type: ignore[union-attr]
    app.mount("/docs-assets", StaticFiles(directory=assets), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="policy-qa API",
                                   swagger_js_url="/docs-assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs-assets/swagger-ui.css",
                                   swagger_favicon_url="/docs-assets/favicon.png")

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        """The staff search page."""
        return FileResponse(static / "index.html")

    # Health and readiness run on the event loop itself: no worker thread, no queue to wait in.
    @app.get("/healthz", tags=["service"])
    async def healthz() -> dict[str, str]:
        """The process is alive (open, no API key)."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["service"], responses={503: {"description": "Still loading"}})
    async def readyz() -> dict[str, str]:
        """200 once the index is loaded and the encoder warmed, 503 before (open, no API key)."""
        if state.service is None:
            raise Problem(503, state.error or "the index is still loading", "/problems/not-ready")
        return {"status": "ready"}

    return app


_key_header = APIKeyHeader(name=API_KEY_HEADER, auto_error=False,
                           description="Required when the server sets POLICY_QA_API_KEY (to search) or "
                                       "POLICY_QA_ADMIN_KEY (to change the corpus).")


def _same(given: str, expected: str) -> bool:
    """Keys compared in constant time, so response times say nothing about a key's prefix."""
    return hmac.compare_digest(given.encode(), expected.encode())


def require_api_key(request: Request, key: str | None = Depends(_key_header)) -> None:
    """Searches need the read key (or the admin key) when the server sets one."""
    settings: Settings = request.app.state.settings
    if settings.api_key is None:
        return
    accepted = [settings.api_key] + ([settings.admin_key] if settings.admin_key else [])
    if key is None or not any(_same(key, secret.get_secret_value()) for secret in accepted):
        raise Problem(401, f"a valid {API_KEY_HEADER} header is required", "/problems/api-key")


def require_admin_key(request: Request, key: str | None = Depends(_key_header)) -> None:
    """Changing the corpus needs the admin key: the read key is 403, no key or a wrong one 401."""
    settings: Settings = request.app.state.settings
    if settings.admin_key is None:
        raise Problem(403, "changing the corpus over HTTP is disabled: start the service with "
                           "POLICY_QA_ADMIN_KEY set, and send that key in the X-API-Key header",
                      "/problems/writes-disabled")
    if key is not None and _same(key, settings.admin_key.get_secret_value()):
        return
    if key is not None and settings.api_key is not None and _same(key, settings.api_key.get_secret_value()):
        raise Problem(403, "this key may search but not change the corpus: use the admin key",
                      "/problems/admin-key")
    raise Problem(401, f"changing the corpus needs the admin key in the {API_KEY_HEADER} header",
                  "/problems/admin-key")


def get_service(request: Request) -> PolicyService:
    """The live service, taken once per request: a switch-over during the request does not
    change the version it answers from."""
    state: _State = request.app.state.policy
    service = state.service
    if service is None:
        raise Problem(503, state.error or "the index is still loading; retry shortly", "/problems/not-ready")
    return service


def get_jobs(request: Request) -> JobQueue:
    state: _State = request.app.state.policy
    if state.jobs is None:  # unreachable: the admin dependency refuses first
        raise Problem(403, "changing the corpus over HTTP is disabled", "/problems/writes-disabled")
    return state.jobs
