"""Sign in and sign out: name and password (scrypt-hashed), the same users and roles as the API."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from exportguard.service.passwords import authenticate_password
from exportguard.web.auth import (
    db_url,
    end_session,
    issue_session,
    load_session,
    new_session,
    set_session_cookie,
)
from exportguard.web.forms import posted, text
from exportguard.web.render import render

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only a local path (no scheme, no host, no ``//``) may be the target after sign-in."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/dashboard"
    return target


@router.get("/login", response_model=None)
def login_form(request: Request, next: str | None = None) -> Response:
    session = load_session(request)
    if session is not None and session.actor is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    fresh = issue_session(request, None)
    response = render(request, "login.html", {"next": _safe_next(next), "error": None})
    set_session_cookie(request, response, fresh)
    return response


@router.post("/login", response_model=None)
async def login(request: Request) -> Response:
    _session, form = await posted(request, signed_in=False)
    name, password = text(form, "username"), form.get("password")
    target = _safe_next(text(form, "next"))
    actor = await run_in_threadpool(authenticate_password, name,
                                    password if isinstance(password, str) else "",
                                    db_url(request))
    if actor is None:
        return render(request, "login.html", {
            "next": target, "username": name,
            "error": "Unknown user or wrong password (or no web password set for this user)."},
            status_code=401)
    redirect = RedirectResponse(target, status_code=303)
    new_session(request, redirect, actor)
    return redirect


@router.post("/logout", response_model=None)
async def logout(request: Request) -> Response:
    await posted(request)
    response = RedirectResponse("/login", status_code=303)
    end_session(response)
    return response
