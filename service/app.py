"""The FastAPI application: built by create_app(settings), heavy resources loaded in the lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from contextlib import asynccontextmanager
from importlib.metadata import distribution
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from policy_search import store
from policy_search.embedding.batching import BatchingEmbedder
from policy_search.embedding.encoder import Embedder
from service.auth import DocsAccess
from service.drafting.plan import DraftStore
from service.errors import ApiError, install_error_handlers
from service.middleware import BodyLimit, RequestContext, UrlCheck
from service.routes import citations, clauses, comparisons, documents, drafts, health, search
from service.schemas import error_responses
from service.settings import Settings, get_settings
from service.state import IndexHolder
from service.updates import Updater

STATIC = Path(__file__).parent / "static"
# Swagger UI as shipped in the fastapi-offline wheel: /docs works on a network without the internet. No ReDoc:
# its bundle always loads a logo from cdn.redoc.ly.
DOCS_ASSETS = Path(str(distribution("fastapi-offline").locate_file("fastapi_offline/static")))  # its code is not used
DOCS_ASSET_NAMES = ("swagger-ui-bundle.js", "swagger-ui.css", "favicon.png")
log = logging.getLogger("policy_search.service")
POLL_SECONDS = 2.0  # how often to look for a generation published by another process


def _load_embedder(settings: Settings) -> Embedder | None:
    """The model the published index was built with; none for a BM25-only index."""
    folder = store.IndexStore(settings.index_dir).current()
    if folder is not None and not store.read_manifest(folder).get("embedding"):
        return None
    from policy_search.embedding.loading import load_embedder

    return load_embedder(settings.model_dir, model=settings.model, threads=settings.threads, int8_queries=settings.int8_queries)


def create_app(settings: Settings | None = None, *, embedder: Embedder | None = None, load_model: bool = True) -> FastAPI:
    """The app over `settings.index_dir`; pass `embedder` to use one already loaded (tests use a fake)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        model = embedder if embedder is not None or not load_model else await asyncio.to_thread(_load_embedder, settings)
        if model is not None:
            # concurrent searches share forward passes
            model = BatchingEmbedder(model, cache_size=settings.query_cache, workers=settings.embed_workers)
        holder = IndexHolder(settings, model)
        await asyncio.to_thread(holder.reload)
        app.state.holder = holder
        app.state.updater = Updater(settings, holder)
        poller = asyncio.create_task(_watch_generations(holder))
        log.info("event=started index=%s ready=%s", settings.index_dir, holder.ready)
        try:
            yield
        finally:
            poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await poller
            app.state.updater.stop()

    app = FastAPI(
        title="policy-search",
        summary="Clause-level search over Chinese policy documents, with citations",
        version="0.1.0",
        lifespan=lifespan,
        openapi_url=None,  # the schema and /docs are added by _add_docs: local assets, behind a key
        docs_url=None,
        redoc_url=None,
        responses=error_responses(400, 414, 422),  # any route: the URL checks and request validation
    )
    app.state.settings = settings
    app.state.drafts = DraftStore()
    install_error_handlers(app)
    for router in (search.router, clauses.router, citations.router, comparisons.router, documents.router, drafts.router,
                   health.router):
        app.include_router(router)
    _add_docs(app)
    if STATIC.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC), name="static")

        @app.get("/", include_in_schema=False)
        def page():
            return FileResponse(STATIC / "index.html")

        @app.get("/favicon.ico", include_in_schema=False)
        def favicon():  # what browsers and bookmarks ask for; the page links static/favicon.svg
            return FileResponse(STATIC / "favicon.ico", media_type="image/vnd.microsoft.icon")

    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["X-API-Key", "Authorization", "Content-Type"],
        )
    body_limit = settings.max_upload_bytes * min(settings.max_upload_files, 4) + 64 * 1024
    app.add_middleware(BodyLimit, limit=body_limit)
    app.add_middleware(UrlCheck)
    app.add_middleware(RequestContext)
    return app


def _add_docs(app: FastAPI) -> None:
    """/openapi.json and Swagger UI at /docs with its assets; with keys configured, each needs a search key.

    A browser cannot add a header to a page it navigates to, so these routes challenge with HTTP Basic: the
    browser asks once, the key as password, and sends it with the assets, the schema and "Try it out" too.
    """

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_schema(_: DocsAccess):
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False)
    def swagger_ui(_: DocsAccess, request: Request):
        root = request.scope.get("root_path", "").rstrip("/")  # behind a path prefix
        return get_swagger_ui_html(
            openapi_url=f"{root}/openapi.json",
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{root}/docs/assets/swagger-ui-bundle.js",
            swagger_css_url=f"{root}/docs/assets/swagger-ui.css",
            swagger_favicon_url=f"{root}/docs/assets/favicon.png",
            swagger_ui_parameters={"validatorUrl": None},  # the default badge fetches validator.swagger.io
        )

    @app.get("/docs/assets/{name}", include_in_schema=False)
    def docs_asset(_: DocsAccess, name: str):
        if name not in DOCS_ASSET_NAMES:
            raise ApiError(404, f"no docs asset {name!r}")
        return FileResponse(DOCS_ASSETS / name)


async def _watch_generations(holder: IndexHolder) -> None:
    """Pick up generations that another process (e.g. `policy-search index`) published."""
    while True:
        await asyncio.sleep(POLL_SECONDS)
        if holder.published_generation() not in (None, holder.ready and holder.searcher.index.generation):
            await asyncio.to_thread(holder.reload)
