"""Passwords for signing in to the web UI: scrypt hashes on the same users as the API.

A user signs in with name and password and then acts with the same role as
their API tokens. Only an scrypt hash is kept (``scrypt$n$r$p$salt$hash``,
base64, 16 random bytes of salt); a user without a password cannot sign in to
the web UI. Setting a password is an admin action and is written to the audit
log (never the password or its hash); it ends every web session of the user in
the same transaction (:func:`exportguard.service.sessions.revoke_user_sessions`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Any

from exportguard.service.auth import Actor, cli_actor
from exportguard.service.errors import InputError, NotFoundError
from exportguard.store import audit
from exportguard.store import users as repo
from exportguard.store.db import get_database

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
MIN_LENGTH = 10
MAX_LENGTH = 1024

# A hash to check against when the user does not exist, so that a wrong name
# costs the same time as a wrong password.
_DUMMY: str | None = None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    """``scrypt$n$r$p$salt$hash`` for ``password``."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R,
                            p=SCRYPT_P, maxmem=64 * 1024 * 1024, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def check_password(password: str, stored: str | None) -> bool:
    """True if ``password`` matches the stored hash (constant-time compare)."""
    if not stored:
        return False
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        want = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n),
                             r=int(r), p=int(p), maxmem=64 * 1024 * 1024, dklen=len(want))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


def check_strength(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        raise InputError(f"password: at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise InputError(f"password: at most {MAX_LENGTH} characters")
    return password


def set_password(name: str, password: str, actor: Actor | None = None,
                 db_url: str | None = None) -> dict[str, Any]:
    """Set (or replace) a user's web sign-in password; admin only; audited.

    Every web session of the user ends at once (``sessions_ended`` in the result).
    """
    from exportguard.service.sessions import revoke_user_sessions

    actor = actor or cli_actor()
    actor.require("admin", "setting a password")
    check_strength(password)
    hashed = hash_password(password)
    with get_database(db_url).session(write=True) as s:
        user = repo.get_user(s, name)
        if user is None:
            raise NotFoundError(f"no user {name!r}: add it first with `exportguard users add`")
        user.password_hash = hashed
        s.flush()
        ended = revoke_user_sessions(s, user.id, "password changed")
        audit.append(s, actor=actor.name, action="user.password_set", object_type="user",
                     object_id=name, payload={"sessions_ended": ended})
        return {"name": user.name, "role": user.role, "sessions_ended": ended}


def authenticate_password(name: str, password: str, db_url: str | None = None) -> Actor | None:
    """The actor for a name and password, or None (unknown, disabled, no password, wrong)."""
    global _DUMMY
    if not name or not password or len(name) > 200 or len(password) > MAX_LENGTH:
        return None
    with get_database(db_url).session() as s:
        user = repo.get_user(s, name.strip())
        stored = user.password_hash if user is not None else None
        disabled = user is None or user.disabled_at is not None
        role = user.role if user is not None else ""
        uname = user.name if user is not None else ""
    if stored is None:
        if _DUMMY is None:
            _DUMMY = hash_password(secrets.token_urlsafe(16))
        check_password(password, _DUMMY)
        return None
    if not check_password(password, stored) or disabled:
        return None
    return Actor(name=uname, role=role)
