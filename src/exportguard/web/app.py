"""Mount the web UI on the API's FastAPI app: pages at ``/``, static files at ``/static``.

:func:`install` is called by :func:`exportguard.api.app.create_app`. Pages are
left out of the OpenAPI document. A request without a session is redirected
to ``/login``; a POST without the session's CSRF token gets a 403 page.
``GET /`` answers browsers (``Accept: text/html``) with the UI and anything
else with the small JSON that points at the API.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from exportguard import __version__
from exportguard.web.auth import CsrfFailed, LoginRequired, load_session
from exportguard.web.render import render

STATIC = Path(__file__).parent / "static"


def _root_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/", response_model=None)
    def root(request: Request) -> Response:
        if "text/html" not in request.headers.get("accept", ""):
            return JSONResponse({"name": "exportguard", "version": __version__,
                                 "api": "/api/v1", "docs": "/docs", "openapi": "/openapi.json",
                                 "ui": "/dashboard"})
        session = load_session(request)
        target = "/dashboard" if session and session.actor else "/login"
        return RedirectResponse(target, status_code=303)

    return router


def install(app: FastAPI) -> None:
    """Add the web UI's routes, static files and error pages to ``app``."""
    from exportguard.web.routes import (
        admin,
        dashboard,
        entities,
        licences,
        lists,
        names,
        review,
        screen,
        session,
    )

    app.include_router(_root_router())
    for module in (session, dashboard, screen, names, entities, review, licences, lists, admin):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    async def login_required(request: Request, _exc: Exception) -> Response:
        if request.method == "GET":
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        return RedirectResponse("/login", status_code=303)

    async def csrf_failed(request: Request, _exc: Exception) -> Response:
        return error_page(request, 403, "Form expired or forged",
                          "This form was not sent from an open exportguard page of your session "
                          "(missing or wrong CSRF token). Reload the page and try again.")

    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(CsrfFailed, csrf_failed)


def error_page(request: Request, status: int, title: str, message: str,
               **extra: Any) -> Response:
    return render(request, "error.html", {"status": status, "title": title,
                                          "message": message, **extra}, status_code=status)
