"""Who is acting: users, roles and API tokens, for the HTTP API and the CLI.

An :class:`Actor` is a user name and a role. The HTTP API gets it from a
bearer token; the CLI acts as ``cli:<login>`` with the admin role (whoever can
open the database file or URL can already do anything to it).

Roles are ordered ``screener`` < ``reviewer`` < ``admin``: a screener screens
and reads; a reviewer also acts on review cases and the licence register; an
admin also verifies the audit log and manages users and tokens.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from exportguard.service.errors import ConflictError, InputError, NotFoundError
from exportguard.store import users as repo
from exportguard.store.db import get_database
from exportguard.store.users import ROLES, has_role


class ForbiddenError(PermissionError):
    """The actor's role does not allow the action."""


@dataclass(frozen=True)
class Actor:
    name: str
    role: str

    def require(self, role: str, what: str) -> None:
        if not has_role(self.role, role):
            raise ForbiddenError(
                f"{what} needs the {role!r} role (or higher); {self.name!r} is a {self.role}")


def cli_actor() -> Actor:
    try:
        login = getpass.getuser()
    except Exception:
        login = "unknown"
    return Actor(name=f"cli:{login}", role="admin")


def _check_role(role: str) -> str:
    value = (role or "").strip().lower()
    if value not in ROLES:
        raise InputError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    return value


def _check_name(name: str) -> str:
    value = (name or "").strip()
    if not value or len(value) > 200 or any(c.isspace() for c in value) or ":" in value:
        raise InputError(f"invalid user name {name!r}: 1 to 200 characters, "
                         "no spaces and no ':'")
    return value


def add_user(name: str, role: str, actor: Actor | None = None,
             db_url: str | None = None) -> dict[str, Any]:
    actor = actor or cli_actor()
    actor.require("admin", "adding a user")
    name, role = _check_name(name), _check_role(role)
    db = get_database(db_url)
    try:
        with db.session(write=True) as s:
            if repo.get_user(s, name) is not None:
                raise ConflictError(f"user {name!r} already exists")
            user = repo.add_user(s, name, role, actor.name)
            return {"name": user.name, "role": user.role, "created_at": user.created_at.isoformat()}
    except IntegrityError:
        raise ConflictError(f"user {name!r} already exists") from None


def list_users(db_url: str | None = None) -> list[dict[str, Any]]:
    with get_database(db_url).session() as s:
        return [{"name": u.name, "role": u.role, "created_at": u.created_at.isoformat(),
                 "disabled": u.disabled_at is not None} for u in repo.list_users(s)]


def create_token(user: str, label: str | None = None, expires_at: datetime | None = None,
                 actor: Actor | None = None, db_url: str | None = None) -> dict[str, Any]:
    """A new token for ``user``: the only time the token itself is returned."""
    actor = actor or cli_actor()
    actor.require("admin", "creating a token")
    with get_database(db_url).session(write=True) as s:
        u = repo.get_user(s, user)
        if u is None:
            raise NotFoundError(f"no user {user!r}: add it first with `exportguard users add`")
        token, rec = repo.create_token(s, u, actor.name, label=label, expires_at=expires_at)
        return {"token": token, "id": rec.id, "user": u.name, "role": u.role,
                "prefix": rec.prefix, "label": label,
                "expires_at": expires_at.isoformat() if expires_at else None}


def list_tokens(user: str | None = None, actor: Actor | None = None,
                db_url: str | None = None) -> list[dict[str, Any]]:
    """API tokens, oldest first (admin): id, user, prefix, label, dates and state.

    Never the token or its hash (the token itself is shown once, at creation).
    """
    from sqlalchemy import select

    from exportguard.store.models import ApiToken, User, utcnow

    actor = actor or cli_actor()
    actor.require("admin", "listing tokens")
    q = (select(ApiToken, User.name, User.role, User.disabled_at)
         .join(User, User.id == ApiToken.user_id).order_by(ApiToken.id))
    if user is not None:
        q = q.where(User.name == user)
    now = utcnow()
    out = []
    with get_database(db_url).session() as s:
        for tok, name, role, disabled_at in s.execute(q):
            if tok.revoked_at is not None:
                state = "revoked"
            elif tok.expires_at is not None and tok.expires_at <= now:
                state = "expired"
            elif disabled_at is not None:
                state = "user disabled"
            else:
                state = "active"
            out.append({
                "id": tok.id, "user": name, "role": role, "prefix": tok.prefix,
                "label": tok.label, "state": state, "created_at": tok.created_at.isoformat(),
                "expires_at": tok.expires_at.isoformat() if tok.expires_at else None,
                "revoked_at": tok.revoked_at.isoformat() if tok.revoked_at else None,
            })
    return out


def revoke_token(token_id: int, actor: Actor | None = None,
                 db_url: str | None = None) -> dict[str, Any]:
    actor = actor or cli_actor()
    actor.require("admin", "revoking a token")
    with get_database(db_url).session(write=True) as s:
        rec = repo.revoke_token(s, token_id, actor.name)
        if rec is None:
            raise NotFoundError(f"no token with id {token_id}")
        return {"id": rec.id, "prefix": rec.prefix, "revoked_at": rec.revoked_at.isoformat()
                if rec.revoked_at else None}


def authenticate(token: str, db_url: str | None = None) -> Actor | None:
    """The actor a bearer token stands for, or None if it is unknown, revoked or expired."""
    if not token or len(token) > 200:
        return None
    with get_database(db_url).session() as s:
        user = repo.user_for_token(s, token)
        return Actor(name=user.name, role=user.role) if user else None
