"""The FastAPI application: ``create_app(settings)``.

One :class:`~veille.archive.store.Store` is opened at start-up and shared by every request
(``app.state.store``). Pages are server-rendered (Jinja2, autoescaped); the JSON API
lives under ``/api/`` and is described by ``/openapi.json``.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from veille.archive.cache import FLOW_SECONDS
from veille.archive.store import Store, open_store
from veille.core.config import Settings
from veille.core.runtime import settle_heap
from veille.core.sources import source_labels
from veille.web.auth import LoginThrottle, Sessions
from veille.web.config import WebConfig
from veille.web.data import configured_sources
from veille.web.errors import BadRequest, LoginRequired, error_response, french_query_error, wants_json
from veille.web.middleware import VeilleMiddleware
from veille.web.render import Renderer, make_env
from veille.web.users import adopt_admin

log = logging.getLogger("veille.web")
REQUEST_THREADS = 12  # requests handled at once per process (more wait in the thread pool's queue)
STATIC = Path(__file__).resolve().parent / "static"


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        loc = [str(x) for x in err.get("loc", ()) if x not in ("query", "path", "body")]
        name = ".".join(loc) or "requête"
        kind = err.get("type", "")
        if "int" in kind:
            what = "nombre entier attendu"
        elif "float" in kind or "decimal" in kind:
            what = "nombre attendu"
        elif "date" in kind:
            what = "date attendue (AAAA-MM-JJ)"
        elif kind == "missing":
            what = "paramètre obligatoire manquant"
        elif "less_than" in kind or "greater_than" in kind:
            what = "valeur hors des limites permises"
        elif "literal" in kind or "enum" in kind:
            what = "valeur non reconnue"
        elif "too_long" in kind:
            what = "valeur trop longue"
        else:
            what = "valeur invalide"
        parts.append(f"« {name} » : {what}")
    return "Paramètre invalide : " + " ; ".join(parts) + "."


def create_app(settings: Settings, *, web: WebConfig | None = None, store: Store | None = None) -> FastAPI:
    """The web application over the archive of ``settings`` (or the ``store`` given, for tests)."""
    web = web or WebConfig.load(settings)
    if not web.secret_from_env:
        log.warning(
            "VEILLE_SECRET_KEY is not set: sessions use a random key and end when the server restarts"
        )
    app = FastAPI(
        title="Veille — API",
        description=(
            "API JSON de l'archive Veille (secteur de l'offshoring au Maroc) : recherche d'articles et "
            "chiffres extraits. Mêmes filtres que l'interface web."
        ),
        version=_version(),
        lifespan=_lifespan(settings, store),
        docs_url=None,  # Swagger UI needs a CDN and inline scripts: /openapi.json is enough
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    _set_state(app, settings, web, store)
    _register_errors(app)
    _register_search_errors(app)
    _include_routes(app)
    return app


def _lifespan(
    settings: Settings, store: Store | None
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Start-up and shut-down: the archive opened (unless the tests handed theirs) and the labels
    it kept, a configured admin password hash made the account ``admin`` if there is no admin
    yet; the crawls stopped at the end."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        import anyio.to_thread

        # Page handlers are plain ``def`` run in anyio's thread pool (40 threads by default).
        # Under load, 40 threads contend for the GIL and for the store's connection pool
        # (5 + 10 overflow): most of them only wait (py-spy: half the samples in the pool's
        # Condition.wait). A smaller pool queues the extra requests on the event loop instead.
        anyio.to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS
        own = store is None
        if own and settings.database_url.startswith("sqlite"):
            settings.ensure_data_dir()
        app.state.store = (
            store
            if store is not None
            else open_store(settings.database_url, timezone=settings.digest.timezone)
        )
        if own:  # the served web: a crawl's new articles show within the cache's flow window
            app.state.store.cache_flow_seconds = FLOW_SECONDS
        # sources crawled from elsewhere (the demo's site) are named by the labels the archive kept
        for name, label in app.state.store.source_labels().items():
            app.state.source_labels.setdefault(name, label)
        app.state.renderer = Renderer(make_env(app.state.source_labels, settings.digest.tz))
        adopt_admin(app.state.store, app.state.web)
        if own:  # a served process (tests pass their own store and keep the collector as it is)
            settle_heap()
        try:
            yield
        finally:
            app.state.crawls.stop_all()
            if own:
                app.state.store.close()

    return lifespan


def _set_state(app: FastAPI, settings: Settings, web: WebConfig, store: Store | None) -> None:
    """What every request shares: the settings, the sessions, the sources' names, the renderer,
    the login throttle, the crawls (and the store, when the tests hand theirs)."""
    from veille.web.crawls import Crawls

    app.state.settings = settings
    app.state.web = web
    app.state.sessions = Sessions(web.secret_key, web.session_hours, web.secure_cookies, web.public_read)
    # what readers see for each source, read once (a broken sources.toml: the names, and the
    # sources page says why)
    configured = configured_sources(settings)[0]
    app.state.source_labels = source_labels(configured)
    app.state.source_names = [s.name for s in configured]
    app.state.renderer = Renderer(make_env(app.state.source_labels, settings.digest.tz))
    app.state.throttle = LoginThrottle()
    app.state.crawls = Crawls(settings)
    if store is not None:
        app.state.store = store


def _register_errors(app: FastAPI) -> None:
    """Errors as pages or JSON (:func:`veille.web.errors.error_response`), in French; a login
    required redirects a browser to the login page."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) and exc.status_code != 404 else None
        if exc.status_code == 404 and isinstance(exc.detail, str) and exc.detail != "Not Found":
            detail = exc.detail
        if detail in ("Method Not Allowed", "Not Found", "Bad Request"):
            detail = None
        return error_response(request, exc.status_code, detail)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        return error_response(request, 400, _validation_message(exc))

    @app.exception_handler(BadRequest)
    async def bad_request(request: Request, exc: BadRequest) -> Response:
        return error_response(request, 400, str(exc))

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": "Authentification requise."}, status_code=401)
        from urllib.parse import quote

        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/connexion?suite={quote(target, safe='')}", status_code=303)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        return error_response(request, 500)


def _include_routes(app: FastAPI) -> None:
    """The pages, the API, the admin and review pages, unsubscribing, the static files, and the
    middleware around them all."""
    from veille.web import (
        admin,
        api,
        corrections,
        feeds,
        indicator_api,
        login,
        org_edits,
        pages,
        review,
        users,
        watches,
    )

    app.include_router(login.router)
    app.include_router(users.router)
    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(indicator_api.router)
    app.include_router(admin.router)
    app.include_router(review.router)
    app.include_router(corrections.router)
    app.include_router(org_edits.router)
    app.include_router(feeds.router)
    app.include_router(watches.router)
    if importlib.util.find_spec("veille.web.unsubscribe") is not None:
        from veille.web.unsubscribe import router as unsubscribe_router

        app.include_router(unsubscribe_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(VeilleMiddleware)


def _register_search_errors(app: FastAPI) -> None:
    from veille.archive.query import QueryError

    @app.exception_handler(QueryError)
    async def query_error(request: Request, exc: QueryError) -> Response:
        return error_response(request, 400, french_query_error(exc))


def _version() -> str:
    from veille import __version__

    return __version__
