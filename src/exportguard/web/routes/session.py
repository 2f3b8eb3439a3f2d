"""Sign in and sign out: name and password (scrypt-hashed), the same users and roles as the API.

Sign-in is throttled per account and per client address
(:func:`exportguard.service.sessions.sign_in`): a refused attempt gets the
sign-in page with the reason and the wait, HTTP 429 and ``Retry-After``.
Sign-out revokes the stored session, so a copy of the cookie stops working.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from exportguard.service.sessions import sign_in, sign_out
from exportguard.web.auth import (
    anonymous_session,
    client_address,
    db_url,
    end_session,
    load_session,
    policy,
    set_anonymous_cookie,
    start_session,
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
    fresh = anonymous_session(request)
    response = render(request, "login.html", {"next": _safe_next(next), "error": None})
    set_anonymous_cookie(request, response, fresh)
    return response


@router.post("/login", response_model=None)
async def login(request: Request) -> Response:
    previous, form = await posted(request, signed_in=False)
    name, password = text(form, "username"), form.get("password")
    target = _safe_next(text(form, "next"))
    result = await run_in_threadpool(
        sign_in, name, password if isinstance(password, str) else "", client_address(request),
        request.headers.get("user-agent"), policy(request), db_url(request))
    if result.locked:
        refused = render(request, "login.html", {
            "next": target, "username": name, "error": result.message, "locked": True},
            status_code=429)
        refused.headers["Retry-After"] = str(result.retry_after)
        return refused
    if result.actor is None:
        return render(request, "login.html", {
            "next": target, "username": name,
            "error": "Unknown user or wrong password (or no web password set for this user)."},
            status_code=401)
    if previous is not None and previous.session_id:  # signing in again replaces a session
        await run_in_threadpool(sign_out, previous.session_id, db_url(request),
                                "replaced by a new sign-in")
    redirect = RedirectResponse(target, status_code=303)
    start_session(request, redirect, result)
    return redirect


@router.post("/logout", response_model=None)
async def logout(request: Request) -> Response:
    session, _form = await posted(request)
    if session is not None and session.session_id:
        await run_in_threadpool(sign_out, session.session_id, db_url(request))
    response = RedirectResponse("/login", status_code=303)
    end_session(response)
    return response
