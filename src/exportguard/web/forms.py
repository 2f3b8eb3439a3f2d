"""Form helpers shared by the pages: read a POST, check its CSRF token, parse simple fields."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import Request

from exportguard.service.errors import InputError
from exportguard.web.auth import WebSession, check_csrf, require_session


async def posted(request: Request, signed_in: bool = True) -> tuple[WebSession | None, Any]:
    """The session and the form of a POST whose CSRF token is valid (else CsrfFailed)."""
    from exportguard.web.auth import load_session

    session = require_session(request) if signed_in else load_session(request)
    form = await request.form()
    check_csrf(session, form.get("csrf_token"))
    return session, form


def text(form: Any, key: str) -> str:
    value = form.get(key)
    return value.strip() if isinstance(value, str) else ""


def optional(form: Any, key: str) -> str | None:
    return text(form, key) or None


def codes(form: Any, key: str, upper: bool = False) -> list[str]:
    """A comma- or space-separated list of codes."""
    raw = text(form, key).replace(";", ",").replace(" ", ",")
    out = [x.strip() for x in raw.split(",") if x.strip()]
    return [x.upper() for x in out] if upper else out


def number(form: Any, key: str, label: str) -> float | None:
    raw = text(form, key).replace(",", "").replace("_", "")
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise InputError(f"{label}: {raw!r} is not a number") from None


def day(form: Any, key: str, label: str) -> date | None:
    raw = text(form, key)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InputError(f"{label}: {raw!r} is not a date (YYYY-MM-DD)") from None
