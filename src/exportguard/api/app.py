"""``create_app(settings)``: the FastAPI application, every route under ``/api/v1``.

``/`` belongs to the web UI (``exportguard.web``), which answers a small JSON
pointing at ``/docs`` and ``/openapi.json`` to clients that do not ask for HTML.
The store is migrated when the app is created, so the first request does not
pay for it.

Every request, API or web page, passes :class:`~exportguard.api.limits.BodyLimitMiddleware`
first (``settings.max_body_bytes``: a larger body is a 413 before it is read and
before authentication). ``/docs`` is Swagger UI served from this server
(the ``swagger-ui-bundle-v2`` package's files under ``/docs/assets``): the page
loads nothing from another host.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from exportguard import __version__
from exportguard.settings import Settings, get_settings

API_PREFIX = "/api/v1"
DOCS_ASSETS = "/docs/assets"


def create_app(settings: Settings | None = None, *, screener: Any = None) -> FastAPI:
    """The app over the store at ``settings.db_url``.

    ``screener`` replaces the screening engine call (tests pass a deterministic one).
    """
    from exportguard.api import errors
    from exportguard.api.limits import BodyLimitMiddleware
    from exportguard.api.routers import audit, cases, licences, lists, match, screen, screenings
    from exportguard.store.db import get_database

    settings = settings or get_settings()
    app = FastAPI(
        title="exportguard",
        version=__version__,
        description=(
            "Export-control screening: parties, items, routes and policy, with decisions, "
            "reasons and evidence. Every endpoint needs `Authorization: Bearer <token>` "
            "(`exportguard tokens create`); roles are screener < reviewer < admin. "
            f"Request bodies are limited to {settings.max_body_bytes:,} bytes (413) and "
            "JSON to 64 levels of nesting (422); every error is `{\"error\", \"message\"}`."
        ),
        openapi_url="/openapi.json",
        docs_url=None,  # served below, from local files
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.screener = screener
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    errors.install(app)
    _install_docs(app)
    for module in (screen, match, screenings, cases, licences, lists, audit):
        app.include_router(module.router, prefix=API_PREFIX)

    from exportguard.web.app import install as install_web

    install_web(app)  # the web UI at / (GET / still answers JSON to non-browsers)

    get_database(settings.db_url)  # migrate now, not on the first request
    return app


def _install_docs(app: FastAPI) -> None:
    """Swagger UI at ``/docs`` with its JavaScript, CSS and icon from this server."""
    from swagger_ui_bundle import swagger_ui_path

    app.mount(DOCS_ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json", title=f"{app.title} API",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
            # no badge from the online validator: the page talks to this server only
            swagger_ui_parameters={"validatorUrl": None})
