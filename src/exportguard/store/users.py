"""Users, roles and API tokens.

A token is ``eg_`` + 43 URL-safe characters (32 random bytes); only its
SHA-256 is stored, so a database leak does not leak usable tokens. The token
is shown once, when it is created.

Roles are ordered: ``screener`` < ``reviewer`` < ``admin``; a role may do what
every lower role may.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from exportguard.store import audit
from exportguard.store.models import ApiToken, User, utcnow

ROLES = ("screener", "reviewer", "admin")
TOKEN_PREFIX = "eg_"


def role_rank(role: str) -> int:
    return ROLES.index(role)


def has_role(role: str, needed: str) -> bool:
    return role_rank(role) >= role_rank(needed)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def get_user(session: Session, name: str) -> User | None:
    return session.execute(select(User).where(User.name == name)).scalar_one_or_none()


def list_users(session: Session) -> list[User]:
    return list(session.execute(select(User).order_by(User.name)).scalars())


def add_user(session: Session, name: str, role: str, actor: str) -> User:
    user = User(name=name, role=role)
    session.add(user)
    session.flush()
    audit.append(session, actor=actor, action="user.created", object_type="user",
                 object_id=name, payload={"role": role})
    return user


def create_token(session: Session, user: User, actor: str, label: str | None = None,
                 expires_at: datetime | None = None) -> tuple[str, ApiToken]:
    token = new_token()
    rec = ApiToken(user_id=user.id, token_hash=hash_token(token), prefix=token[:10],
                   label=label, expires_at=expires_at)
    session.add(rec)
    session.flush()
    audit.append(session, actor=actor, action="token.created", object_type="token",
                 object_id=str(rec.id),
                 payload={"user": user.name, "prefix": rec.prefix, "label": label,
                          "expires_at": expires_at.isoformat() if expires_at else None})
    return token, rec


def revoke_token(session: Session, token_id: int, actor: str) -> ApiToken | None:
    rec = session.get(ApiToken, token_id)
    if rec is None:
        return None
    if rec.revoked_at is None:
        rec.revoked_at = utcnow()
        audit.append(session, actor=actor, action="token.revoked", object_type="token",
                     object_id=str(rec.id), payload={"prefix": rec.prefix})
    return rec


def user_for_token(session: Session, token: str) -> User | None:
    """The active user a valid, unrevoked, unexpired token belongs to."""
    row = session.execute(
        select(User, ApiToken).join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == hash_token(token))
    ).first()
    if row is None:
        return None
    user, tok = row
    now = utcnow()
    if tok.revoked_at is not None or user.disabled_at is not None:
        return None
    if tok.expires_at is not None and tok.expires_at <= now:
        return None
    return user
