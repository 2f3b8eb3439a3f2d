"""Web sessions and CSRF: a server-side session per sign-in and a per-session token on every POST.

A signed-in browser's ``eg_session`` cookie holds only a random 256-bit id;
the session itself (user, CSRF token, times, address) is a row of the store
(:mod:`exportguard.service.sessions`), looked up on every request, so
sign-out, a password change and an admin's "end sessions" apply to the next
request of every worker, and the user's current role is used.

Before sign-in, the sign-in form gets an *anonymous* session: a cookie
``{"a": 1, "c": csrf token, "t": issued at}``, base64 JSON signed with
HMAC-SHA256 (nothing stored, so anonymous visitors cannot fill the table).
The key is ``web_secret`` in the exportguard home (32 random bytes, created
0600 on first use), shared by every worker of one home. The two kinds of
cookie are told apart by the ``.`` that only a signed value contains.

Every POST must carry the session's CSRF token in a ``csrf_token`` form field
(the sign-in form too).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request, Response

from exportguard.service import sessions as store_sessions
from exportguard.service.auth import Actor
from exportguard.service.sessions import SessionPolicy, SignInResult
from exportguard.settings import Settings

COOKIE = "eg_session"
SECRET_FILE = "web_secret"
ANONYMOUS_SECONDS = 12 * 3600  # how long a sign-in form stays usable


class LoginRequired(Exception):
    """No valid session: the web app redirects to ``/login``."""


class CsrfFailed(Exception):
    """A POST without the session's CSRF token: refused with 403."""


@dataclass(frozen=True)
class WebSession:
    actor: Actor | None
    csrf: str
    issued: int
    session_id: str | None = None  # the cookie of a signed-in session (None: anonymous)

    @property
    def user(self) -> Actor:
        if self.actor is None:
            raise LoginRequired()
        return self.actor


def _secret(settings: Settings) -> bytes:
    cached = settings.extra.get("web_secret")
    if cached:
        return cached.encode("utf-8")
    path = Path(settings.home) / SECRET_FILE
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32).encode("ascii")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker won the race
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as fh:
        fh.write(value)
    return value


def _key(request: Request) -> bytes:
    state = request.app.state
    key = getattr(state, "web_key", None)
    if key is None:
        key = hashlib.sha256(b"exportguard-web-session\0" + _secret(state.settings)).digest()
        state.web_key = key
    return bytes(key)


def _sign(key: bytes, payload: dict[str, Any]) -> str:
    body = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode())
    sig = hmac.new(key, body, hashlib.sha256).digest()
    return body.decode() + "." + base64.urlsafe_b64encode(sig).decode().rstrip("=")


def _unsign(key: bytes, value: str) -> dict[str, Any] | None:
    try:
        body, sig = value.split(".", 1)
        want = base64.urlsafe_b64encode(
            hmac.new(key, body.encode(), hashlib.sha256).digest()).decode().rstrip("=")
        if not hmac.compare_digest(want, sig):
            return None
        data = json.loads(base64.urlsafe_b64decode(body.encode()))
    except (ValueError, TypeError):
        return None
    return data if isinstance(data, dict) else None


def db_url(request: Request) -> str:
    return str(request.app.state.settings.db_url)


def policy(request: Request) -> SessionPolicy:
    """The server's session and throttling settings (``Settings.extra``), read once."""
    state = request.app.state
    value = getattr(state, "session_policy", None)
    if value is None:
        value = SessionPolicy.from_settings(state.settings)
        state.session_policy = value
    return value  # type: ignore[no-any-return]


def client_address(request: Request) -> str:
    """The client's address (behind a reverse proxy: as the server's proxy settings give it)."""
    return request.client.host if request.client else "unknown"


def load_session(request: Request) -> WebSession | None:
    """The request's session (with the user's current role), or None if there is none.

    A signed-in session is looked up in the store on every request (no cache).
    """
    cached = getattr(request.state, "web_session", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    if "." in raw:  # anonymous: a signed CSRF token for the sign-in form
        data = _unsign(_key(request), raw)
        if (not data or data.get("a") != 1 or not isinstance(data.get("c"), str)
                or not isinstance(data.get("t"), int)):
            return None
        if data["t"] + ANONYMOUS_SECONDS < time.time():
            return None
        session = WebSession(actor=None, csrf=data["c"], issued=data["t"])
    else:
        found = store_sessions.lookup(raw, db_url(request))
        if found is None:
            return None
        session = WebSession(actor=found.actor, csrf=found.csrf,
                             issued=int(found.created_at.timestamp()), session_id=raw)
    request.state.web_session = session
    return session


def require_session(request: Request) -> WebSession:
    """A dependency: the signed-in session, or :class:`LoginRequired` (redirect to /login)."""
    session = load_session(request)
    if session is None or session.actor is None:
        raise LoginRequired()
    return session


def anonymous_session(request: Request) -> WebSession:
    """A fresh anonymous session (new CSRF token) for the sign-in form; the cookie is set by
    :func:`set_anonymous_cookie` (render the page first, with this session's token)."""
    session = WebSession(actor=None, csrf=secrets.token_urlsafe(32), issued=int(time.time()))
    request.state.web_session = session
    return session


def set_anonymous_cookie(request: Request, response: Response, session: WebSession) -> None:
    value = _sign(_key(request), {"a": 1, "c": session.csrf, "t": session.issued})
    _set_cookie(request, response, value, ANONYMOUS_SECONDS)


def start_session(request: Request, response: Response, result: SignInResult) -> WebSession:
    """Set the cookie of the session :func:`exportguard.service.sessions.sign_in` created."""
    assert result.actor is not None and result.session_id and result.csrf
    session = WebSession(actor=result.actor, csrf=result.csrf, issued=int(time.time()),
                         session_id=result.session_id)
    request.state.web_session = session
    _set_cookie(request, response, result.session_id, policy(request).session_seconds)
    return session


def _set_cookie(request: Request, response: Response, value: str, max_age: int) -> None:
    response.set_cookie(COOKIE, value, max_age=max_age, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", path="/")


def end_session(response: Response) -> None:
    """Delete the cookie (the caller revokes the stored session)."""
    response.delete_cookie(COOKIE, path="/")


def check_csrf(session: WebSession | None, token: Any) -> None:
    """Raise :class:`CsrfFailed` unless ``token`` is the session's CSRF token."""
    if session is None or not isinstance(token, str) or not token:
        raise CsrfFailed()
    if not hmac.compare_digest(session.csrf.encode(), token.encode()):
        raise CsrfFailed()
