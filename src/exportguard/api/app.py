"""``create_app(settings)``: the FastAPI application, every route under ``/api/v1``.

``/`` belongs to the web UI (``exportguard.web``), which answers a small JSON
pointing at ``/docs`` and ``/openapi.json`` to clients that do not ask for HTML.
The store is migrated when the app is created, so the first request does not
pay for it.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from exportguard import __version__
from exportguard.settings import Settings, get_settings

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None, *, screener: Any = None) -> FastAPI:
    """The app over the store at ``settings.db_url``.

    ``screener`` replaces the screening engine call (tests pass a deterministic one).
    """
    from exportguard.api import errors
    from exportguard.api.routers import audit, cases, licences, lists, match, screen, screenings
    from exportguard.store.db import get_database

    settings = settings or get_settings()
    app = FastAPI(
        title="exportguard",
        version=__version__,
        description=(
            "Export-control screening: parties, items, routes and policy, with decisions, "
            "reasons and evidence. Every endpoint needs `Authorization: Bearer <token>` "
            "(`exportguard tokens create`); roles are screener < reviewer < admin."
        ),
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.screener = screener
    errors.install(app)
    for module in (screen, match, screenings, cases, licences, lists, audit):
        app.include_router(module.router, prefix=API_PREFIX)

    from exportguard.web.app import install as install_web

    install_web(app)  # the web UI at / (GET / still answers JSON to non-browsers)

    get_database(settings.db_url)  # migrate now, not on the first request
    return app
