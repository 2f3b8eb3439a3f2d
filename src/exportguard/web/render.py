"""Rendering: the Jinja2 environment, the page context every template gets, and filters."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from exportguard import __version__
from exportguard.store.users import has_role
from exportguard.web.auth import WebSession, load_session

TEMPLATES = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES))

NAV = (
    ("dashboard", "/dashboard", "Dashboard"),
    ("screen", "/screen", "Screen"),
    ("names", "/names", "Name check"),
    ("review", "/review", "Review queue"),
    ("licences", "/licences", "Licences"),
    ("lists", "/lists", "Lists"),
)

DECISION_CLASS = {"DENY": "deny", "HOLD": "hold", "LICENSE_REQUIRED": "licreq",
                  "LICENSED": "licensed", "CLEAR": "clear"}
DECISION_LABEL = {"DENY": "Deny", "HOLD": "Hold", "LICENSE_REQUIRED": "Licence required",
                  "LICENSED": "Licensed", "CLEAR": "Clear"}


SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": ("default-src 'self'; img-src 'self' data:; "
                                "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; "
                                "form-action 'self'; base-uri 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def _when(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _age(value: Any) -> str:
    if not isinstance(value, datetime):
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    secs = int((datetime.now(UTC) - value).total_seconds())
    if secs < 3600:
        return f"{max(secs // 60, 0)} min"
    if secs < 86400:
        return f"{secs // 3600} h"
    return f"{secs // 86400} d"


def _num(value: Any) -> str:
    if value is None:
        return "—"
    f = float(value)
    return f"{int(f):,}" if f.is_integer() else f"{f:,.2f}"


templates.env.filters["when"] = _when
templates.env.filters["age"] = _age
templates.env.filters["num"] = _num
templates.env.globals["decision_class"] = lambda d: DECISION_CLASS.get(str(d), "neutral")
templates.env.globals["decision_label"] = lambda d: DECISION_LABEL.get(str(d), str(d))


def render(request: Request, template: str, context: dict[str, Any] | None = None,
           status_code: int = 200, page: str | None = None) -> HTMLResponse:
    """A page with the common context: the user, their role checks, the CSRF token, the nav."""
    session: WebSession | None = load_session(request)
    user = session.actor if session else None
    ctx: dict[str, Any] = {
        "user": user,
        "is_reviewer": bool(user and has_role(user.role, "reviewer")),
        "is_admin": bool(user and has_role(user.role, "admin")),
        "csrf_token": session.csrf if session else "",
        "nav": NAV,
        "page": page,
        "version": __version__,
    }
    ctx.update(context or {})
    response = templates.TemplateResponse(request, template, ctx, status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    return response
