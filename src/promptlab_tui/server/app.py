"""The FastAPI application: `create_app(url)`; uvicorn workers use `app_from_env` (PROMPTLAB_SERVER_DB)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from promptlab_tui import __version__
from promptlab_tui.server import errors
from promptlab_tui.server.database import POOL_SIZE, check_revision, default_url, make_engine

DB_ENV = "PROMPTLAB_SERVER_DB"


def create_app(url: str | None = None, *, check_schema: bool = True) -> FastAPI:
    engine = make_engine(url or os.environ.get(DB_ENV) or default_url())
    if check_schema:
        check_revision(engine)  # refuses an empty, older or newer schema with what to do
    app = FastAPI(title="promptlab team server", version=__version__,
                  description="Team budgets, members and usage for promptlab clients. Every error is JSON: "
                              '{"error": {"code", "message", "detail"}}.', lifespan=_lifespan)
    app.state.engine = engine
    errors.install(app)
    from promptlab_tui.server.routers import (alerts, budgets, groups, members, proxy, reservations, runs, stats,
                                              tokens)

    for module in (members, tokens, groups, budgets, runs, reservations, stats, alerts, proxy):
        app.include_router(module.router)

    _describe_raw_bodies(app)

    @app.get("/healthz", tags=["health"])
    def health() -> dict:
        return {"status": "ok", "version": __version__}

    return app


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    import anyio.to_thread

    anyio.to_thread.current_default_thread_limiter().total_tokens = POOL_SIZE  # worker threads = pooled connections
    yield


def _describe_raw_bodies(app: FastAPI) -> None:
    """Bodies that endpoints validate themselves (models.validate_json_body) still appear in /openapi.json."""
    from fastapi.openapi.utils import get_openapi

    from promptlab_tui.server.models import RunBatch

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for model in (RunBatch,):
                described = model.model_json_schema(ref_template="#/components/schemas/{model}")
                components.update(described.pop("$defs", {}))
                components[model.__name__] = described
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def app_from_env() -> FastAPI:
    return create_app()
