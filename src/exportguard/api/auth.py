"""Authentication and roles for the HTTP API: ``Authorization: Bearer <token>``.

No valid token: 401 (with ``WWW-Authenticate: Bearer``). A valid token whose
user lacks the role: 403. Tokens are looked up by their SHA-256.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from exportguard.api.errors import ApiError
from exportguard.service.auth import Actor, authenticate
from exportguard.store.users import has_role

bearer = HTTPBearer(auto_error=False, description="an API token from `exportguard tokens create`")


def current_actor(request: Request,
                  creds: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Actor:
    """The token's actor. A plain function, so FastAPI runs the database lookup in its
    thread pool: a slow database never stalls the event loop (and every other request)."""
    if creds is None:
        raise ApiError(401, "unauthorized",
                       "missing API token: send 'Authorization: Bearer <token>' "
                       "(create one with `exportguard tokens create`)",
                       headers={"WWW-Authenticate": "Bearer"})
    actor = authenticate(creds.credentials, db_url=request.app.state.settings.db_url)
    if actor is None:
        raise ApiError(401, "unauthorized", "invalid, revoked or expired API token",
                       headers={"WWW-Authenticate": "Bearer"})
    return actor


def require(role: str) -> Callable[..., Awaitable[Actor]]:
    """A dependency giving the actor if its role is ``role`` or higher, else 403."""

    async def dependency(actor: Actor = Depends(current_actor)) -> Actor:
        if not has_role(actor.role, role):
            raise ApiError(403, "forbidden",
                           f"this needs the {role!r} role (or higher); {actor.name!r} is a "
                           f"{actor.role}")
        return actor

    return dependency


screener = require("screener")
reviewer = require("reviewer")
admin = require("admin")
