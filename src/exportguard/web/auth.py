"""Web sessions and CSRF: a signed session cookie and a per-session token on every POST.

The cookie holds ``{"u": user or null, "c": csrf token, "t": issued at}``,
base64 JSON signed with HMAC-SHA256. The key is ``web_secret`` in the
exportguard home (32 random bytes, created 0600 on first use), so sessions
survive a restart and every worker of one home shares it. The user's role is
read from the store on every request: disabling a user or changing a role
applies at once. Sessions last :data:`SESSION_SECONDS`.

Every POST must carry the session's CSRF token in a ``csrf_token`` form field
(the sign-in form too: an anonymous session is issued with the form).
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

from exportguard.service.auth import Actor
from exportguard.service.passwords import actor_for
from exportguard.settings import Settings

COOKIE = "eg_session"
SESSION_SECONDS = 12 * 3600
SECRET_FILE = "web_secret"


class LoginRequired(Exception):
    """No valid session: the web app redirects to ``/login``."""


class CsrfFailed(Exception):
    """A POST without the session's CSRF token: refused with 403."""


@dataclass(frozen=True)
class WebSession:
    actor: Actor | None
    csrf: str
    issued: int

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


def load_session(request: Request) -> WebSession | None:
    """The request's session (with the user's current role), or None if there is none."""
    cached = getattr(request.state, "web_session", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    raw = request.cookies.get(COOKIE)
    data = _unsign(_key(request), raw) if raw else None
    if not data or not isinstance(data.get("c"), str) or not isinstance(data.get("t"), int):
        return None
    if data["t"] + SESSION_SECONDS < time.time():
        return None
    actor = None
    if isinstance(data.get("u"), str):
        actor = actor_for(data["u"], db_url(request))
        if actor is None:
            return None
    session = WebSession(actor=actor, csrf=data["c"], issued=data["t"])
    request.state.web_session = session
    return session


def require_session(request: Request) -> WebSession:
    """A dependency: the signed-in session, or :class:`LoginRequired` (redirect to /login)."""
    session = load_session(request)
    if session is None or session.actor is None:
        raise LoginRequired()
    return session


def issue_session(request: Request, actor: Actor | None) -> WebSession:
    """A fresh session (new CSRF token) for ``actor`` (None: anonymous, for the sign-in form);
    the cookie is set by :func:`set_session_cookie`."""
    session = WebSession(actor=actor, csrf=secrets.token_urlsafe(32), issued=int(time.time()))
    request.state.web_session = session
    return session


def set_session_cookie(request: Request, response: Response, session: WebSession) -> None:
    value = _sign(_key(request), {"u": session.actor.name if session.actor else None,
                                  "c": session.csrf, "t": session.issued})
    response.set_cookie(COOKIE, value, max_age=SESSION_SECONDS, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", path="/")


def new_session(request: Request, response: Response, actor: Actor | None) -> WebSession:
    """Issue a fresh session for ``actor`` and set its cookie on ``response``."""
    session = issue_session(request, actor)
    set_session_cookie(request, response, session)
    return session


def end_session(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/")


def check_csrf(session: WebSession | None, token: Any) -> None:
    """Raise :class:`CsrfFailed` unless ``token`` is the session's CSRF token."""
    if session is None or not isinstance(token, str) or not token:
        raise CsrfFailed()
    if not hmac.compare_digest(session.csrf.encode(), token.encode()):
        raise CsrfFailed()
