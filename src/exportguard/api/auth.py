"""Authentication and roles for the HTTP API: ``Authorization: Bearer <token>``.

No valid token: 401 (with ``WWW-Authenticate: Bearer``). A valid token whose
user lacks the role: 403. Tokens are looked up by their SHA-256.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Awaitable, Callable

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from exportguard.api.errors import ApiError
from exportguard.service.auth import Actor, authenticate
from exportguard.store.users import has_role

bearer = HTTPBearer(auto_error=False, description="an API token from `exportguard tokens create`")


# Recently verified tokens: (store URL, token SHA-256) -> (actor, monotonic expiry).
TOKEN_CACHE_SECONDS = 5.0
_verified: dict[tuple[str, str], tuple[Actor, float]] = {}
_VERIFIED_MAX = 10_000


async def current_actor(request: Request,
                        creds: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Actor:
    """The token's actor.

    The store lookup runs in the thread pool, so a slow database never stalls the event
    loop; a token verified in the last :data:`TOKEN_CACHE_SECONDS` seconds is not looked
    up again (a revocation or role change made elsewhere applies within that time).
    """
    if creds is None:
        raise ApiError(401, "unauthorized",
                       "missing API token: send 'Authorization: Bearer <token>' "
                       "(create one with `exportguard tokens create`)",
                       headers={"WWW-Authenticate": "Bearer"})
    db_url = request.app.state.settings.db_url
    key = (db_url, hashlib.sha256(creds.credentials.encode("utf-8", "replace")).hexdigest())
    now = time.monotonic()
    hit = _verified.get(key)
    if hit is not None and hit[1] > now:
        return hit[0]
    actor = await run_in_threadpool(authenticate, creds.credentials, db_url=db_url)
    if actor is None:
        _verified.pop(key, None)
        raise ApiError(401, "unauthorized", "invalid, revoked or expired API token",
                       headers={"WWW-Authenticate": "Bearer"})
    if len(_verified) >= _VERIFIED_MAX:
        _verified.clear()
    _verified[key] = (actor, now + TOKEN_CACHE_SECONDS)
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
