"""Web UI sessions kept in the store, and sign-in throttling per account and per address.

A session is a row of ``web_sessions``; the browser's cookie holds only a
random 256-bit id (``secrets.token_urlsafe(32)``) and the table only its
SHA-256, so a copy of the database gives no usable session. Every request
looks the session up by that hash (one indexed query joined with the user, so
a disabled user or a changed role applies at once; no cache): a session is
valid while it is not revoked, not expired and its user is enabled. Its
``last_seen_at`` is written at most once a minute (:data:`TOUCH_SECONDS`).

Revocation is immediate, for the next request of every worker:
:func:`sign_out` (one session), :func:`revoke_user_sessions` (in the
transaction that changes a password, see
:func:`exportguard.service.passwords.set_password`) and :func:`end_sessions`
(an admin; audited as ``user.sessions_ended``).

Throttling (:func:`sign_in`) counts *checked* failures stored in
``login_attempts``, so it holds across workers and restarts:

- per account (the name as typed, whether or not the user exists): once
  :attr:`SessionPolicy.account_limit` failures have been made since the
  account's last successful sign-in (within :attr:`~SessionPolicy.account_memory_hours`),
  the account is locked for :attr:`~SessionPolicy.account_lock_minutes` after
  the last failure, doubling with each further failure up to
  :attr:`~SessionPolicy.account_lock_max_minutes`. During a lock even the right
  password is refused, and the attempt is neither checked nor stored.
- per client address: :attr:`~SessionPolicy.address_limit` failures within
  :attr:`~SessionPolicy.address_window_minutes` refuse every sign-in from that
  address until the oldest of them leaves the window. A success does not reset it.

An attempt is stored as a failure *before* the password is checked (in a
transaction that first checks the limits, serialised by SQLite's write lock or a
PostgreSQL advisory lock) and turned into a success afterwards, so parallel
attempts cannot slip past a limit.
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from exportguard.service.auth import Actor, cli_actor
from exportguard.service.errors import NotFoundError
from exportguard.service.passwords import authenticate_password
from exportguard.store import audit
from exportguard.store import users as repo
from exportguard.store.db import get_database
from exportguard.store.models import LoginAttempt, User, WebSessionRecord, utcnow

__all__ = [
    "ActiveSession",
    "SessionPolicy",
    "SignInResult",
    "end_session",
    "end_sessions",
    "hash_session_id",
    "list_sessions",
    "lookup",
    "revoke_user_sessions",
    "sign_in",
    "sign_out",
    "utcnow",
]

TOUCH_SECONDS = 60
ATTEMPTS_KEPT_DAYS = 30
_PG_LOGIN_LOCK = 7316023
_SESSION_ID = re.compile(r"[A-Za-z0-9_-]{32,64}")


@dataclass(frozen=True)
class SessionPolicy:
    """Session lifetime and sign-in throttling; each is a setting (``Settings.extra`` key)."""

    session_hours: int = 12
    account_limit: int = 5
    account_lock_minutes: int = 1
    account_lock_max_minutes: int = 60
    account_memory_hours: int = 24
    address_limit: int = 20
    address_window_minutes: int = 15

    #: ``Settings.extra`` key (environment variable ``EXPORTGUARD_`` + upper case) of each field
    KEYS: ClassVar[Mapping[str, str]] = {
        "session_hours": "session_hours",
        "account_limit": "login_account_limit",
        "account_lock_minutes": "login_account_lock_minutes",
        "account_lock_max_minutes": "login_account_lock_max_minutes",
        "account_memory_hours": "login_account_memory_hours",
        "address_limit": "login_address_limit",
        "address_window_minutes": "login_address_window_minutes",
    }

    @property
    def session_seconds(self) -> int:
        return self.session_hours * 3600

    @classmethod
    def from_settings(cls, settings: Any) -> SessionPolicy:
        """The policy with any value ``settings.extra`` sets (a positive whole number)."""
        extra = getattr(settings, "extra", None) or {}
        values: dict[str, int] = {}
        for f in fields(cls):
            key = cls.KEYS[f.name]
            raw = extra.get(key)
            if raw is None or str(raw).strip() == "":
                continue
            try:
                value = int(str(raw).strip())
            except ValueError:
                value = 0
            if value < 1:
                raise ValueError(f"setting {key} (EXPORTGUARD_{key.upper()}): {raw!r} is not "
                                 "a positive whole number")
            values[f.name] = value
        return cls(**values)


@dataclass(frozen=True)
class ActiveSession:
    id: int
    actor: Actor
    csrf: str
    created_at: datetime


@dataclass(frozen=True)
class SignInResult:
    """The outcome of :func:`sign_in`: a session, a wrong password, or a lock."""

    actor: Actor | None = None
    session_id: str | None = None  # the cookie value; only its hash is stored
    csrf: str | None = None
    locked: str | None = None  # "account" | "address"
    retry_after: int = 0  # seconds, when locked

    @property
    def message(self) -> str | None:
        if self.locked is None:
            return None
        minutes = max(1, math.ceil(self.retry_after / 60))
        wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
        what = "for this account" if self.locked == "account" else "from your network address"
        return f"Too many failed sign-ins {what}; try again in {wait}."


def hash_session_id(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def _clip(value: str | None, size: int) -> str | None:
    return value[:size] if value else None


# ---------------------------------------------------------------------------
# throttling and sign-in


def _serialise(s: Session) -> None:
    """One limit check and insert at a time (SQLite's write lock already does this)."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(select(func.pg_advisory_xact_lock(_PG_LOGIN_LOCK)))


def _refusal(s: Session, name: str, client: str, policy: SessionPolicy,
             now: datetime) -> tuple[str, int] | None:
    """("account" | "address", seconds to wait) if an attempt must be refused now."""
    window = now - timedelta(minutes=policy.address_window_minutes)
    recent = list(s.scalars(
        select(LoginAttempt.at)
        .where(LoginAttempt.client_address == client, LoginAttempt.success.is_(False),
               LoginAttempt.at > window)
        .order_by(LoginAttempt.at.desc()).limit(policy.address_limit)))
    if len(recent) >= policy.address_limit:
        until = recent[-1] + timedelta(minutes=policy.address_window_minutes)
        return "address", max(1, math.ceil((until - now).total_seconds()))

    since = now - timedelta(hours=policy.account_memory_hours)
    last_ok = s.scalar(select(func.max(LoginAttempt.at)).where(
        LoginAttempt.username == name, LoginAttempt.success.is_(True), LoginAttempt.at > since))
    if last_ok is not None:
        since = max(since, last_ok)
    doublings = max(0, math.ceil(math.log2(
        max(policy.account_lock_max_minutes / policy.account_lock_minutes, 1))))
    failures = list(s.scalars(
        select(LoginAttempt.at)
        .where(LoginAttempt.username == name, LoginAttempt.success.is_(False),
               LoginAttempt.at > since)
        .order_by(LoginAttempt.at.desc()).limit(policy.account_limit + doublings + 1)))
    if len(failures) < policy.account_limit:
        return None
    extra = min(len(failures) - policy.account_limit, doublings)
    lock = min(policy.account_lock_minutes * 2 ** extra, policy.account_lock_max_minutes)
    until = failures[0] + timedelta(minutes=lock)
    if until <= now:
        return None
    return "account", max(1, math.ceil((until - now).total_seconds()))


def sign_in(name: str, password: str, client: str | None, user_agent: str | None,
            policy: SessionPolicy, db_url: str | None = None) -> SignInResult:
    """Check the limits, then the password; on success a new session.

    ``client`` is the client's address (``request.client.host``).
    """
    name = (name or "").replace("\x00", "").strip()[:200]  # PostgreSQL text holds no NUL
    client = (client or "unknown").replace("\x00", "")[:100]
    db = get_database(db_url)
    now = utcnow()
    with db.session(write=True) as s:
        _serialise(s)
        refused = _refusal(s, name, client, policy, now)
        if refused is not None:
            return SignInResult(locked=refused[0], retry_after=refused[1])
        attempt = LoginAttempt(at=now, username=name, client_address=client, success=False)
        s.add(attempt)
        s.flush()
        attempt_id = attempt.id
        s.execute(delete(LoginAttempt).where(
            LoginAttempt.at < now - timedelta(days=ATTEMPTS_KEPT_DAYS)))
    actor = authenticate_password(name, password or "", db_url)
    if actor is None:
        return SignInResult()
    session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with db.session(write=True) as s:
        s.execute(update(LoginAttempt).where(LoginAttempt.id == attempt_id)
                  .values(success=True))
        user = repo.get_user(s, actor.name)
        if user is None or user.disabled_at is not None:  # disabled in the meantime
            return SignInResult()
        now = utcnow()
        s.add(WebSessionRecord(
            id_hash=hash_session_id(session_id), user_id=user.id, csrf=csrf, created_at=now,
            last_seen_at=now, expires_at=now + timedelta(seconds=policy.session_seconds),
            client_address=client, user_agent=_clip(user_agent, 300)))
    return SignInResult(actor=actor, session_id=session_id, csrf=csrf)


# ---------------------------------------------------------------------------
# sessions


def lookup(session_id: str, db_url: str | None = None) -> ActiveSession | None:
    """The valid session a cookie value stands for (with the user's current role), or None."""
    if not session_id or not _SESSION_ID.fullmatch(session_id):
        return None
    db = get_database(db_url)
    with db.session() as s:
        row = s.execute(
            select(WebSessionRecord.id, WebSessionRecord.csrf, WebSessionRecord.created_at,
                   WebSessionRecord.last_seen_at, WebSessionRecord.expires_at,
                   WebSessionRecord.revoked_at, User.name, User.role, User.disabled_at)
            .join(User, User.id == WebSessionRecord.user_id)
            .where(WebSessionRecord.id_hash == hash_session_id(session_id))
        ).first()
    now = utcnow()
    if (row is None or row.revoked_at is not None or row.expires_at <= now
            or row.disabled_at is not None):
        return None
    if (now - row.last_seen_at).total_seconds() >= TOUCH_SECONDS:
        with db.session(write=True) as s:
            s.execute(update(WebSessionRecord).where(WebSessionRecord.id == row.id)
                      .values(last_seen_at=now))
    return ActiveSession(id=row.id, actor=Actor(name=row.name, role=row.role), csrf=row.csrf,
                         created_at=row.created_at)


def _revoke(s: Session, reason: str, *where: Any) -> int:
    result = s.execute(update(WebSessionRecord)
                       .where(WebSessionRecord.revoked_at.is_(None), *where)
                       .values(revoked_at=utcnow(), revoked_reason=reason[:200]))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def sign_out(session_id: str, db_url: str | None = None,
             reason: str = "signed out") -> bool:
    """Revoke the session a cookie value stands for; True if it was active."""
    if not session_id or not _SESSION_ID.fullmatch(session_id):
        return False
    with get_database(db_url).session(write=True) as s:
        return _revoke(s, reason, WebSessionRecord.id_hash == hash_session_id(session_id)) > 0


def revoke_user_sessions(s: Session, user_id: int, reason: str) -> int:
    """Revoke every active session of a user, in the caller's write transaction."""
    return _revoke(s, reason, WebSessionRecord.user_id == user_id)


def end_sessions(user: str, actor: Actor | None = None, db_url: str | None = None) -> int:
    """End every session of ``user`` now (admin; audited); the number ended."""
    actor = actor or cli_actor()
    actor.require("admin", "ending sessions")
    with get_database(db_url).session(write=True) as s:
        u = repo.get_user(s, user)
        if u is None:
            raise NotFoundError(f"no user {user!r}")
        n = revoke_user_sessions(s, u.id, f"ended by {actor.name}")
        audit.append(s, actor=actor.name, action="user.sessions_ended", object_type="user",
                     object_id=u.name, payload={"sessions": n})
        return n


def end_session(session_pk: int, actor: Actor | None = None,
                db_url: str | None = None) -> tuple[str, int]:
    """End one session by its row id (admin; audited): its user, and 1 (0 if it had ended)."""
    actor = actor or cli_actor()
    actor.require("admin", "ending sessions")
    with get_database(db_url).session(write=True) as s:
        row = s.execute(select(WebSessionRecord.id, User.name)
                        .join(User, User.id == WebSessionRecord.user_id)
                        .where(WebSessionRecord.id == session_pk)).first()
        if row is None:
            raise NotFoundError(f"no session with id {session_pk}")
        n = _revoke(s, f"ended by {actor.name}", WebSessionRecord.id == session_pk)
        audit.append(s, actor=actor.name, action="user.sessions_ended", object_type="user",
                     object_id=row.name, payload={"sessions": n, "session_id": session_pk})
        return str(row.name), n


def list_sessions(user: str | None = None, include_ended: bool = False, limit: int = 1000,
                  actor: Actor | None = None, db_url: str | None = None) -> list[dict[str, Any]]:
    """Sessions, newest first (admin): active ones only unless ``include_ended``.

    Neither the id's hash nor the CSRF token is returned.
    """
    actor = actor or cli_actor()
    actor.require("admin", "listing sessions")
    now = utcnow()
    q = (select(WebSessionRecord, User.name, User.role, User.disabled_at)
         .join(User, User.id == WebSessionRecord.user_id)
         .order_by(WebSessionRecord.created_at.desc(), WebSessionRecord.id.desc()).limit(limit))
    if user is not None:
        q = q.where(User.name == user)
    if not include_ended:
        q = q.where(WebSessionRecord.revoked_at.is_(None), WebSessionRecord.expires_at > now,
                    User.disabled_at.is_(None))
    out = []
    with get_database(db_url).session() as s:
        for rec, name, role, disabled_at in s.execute(q):
            if rec.revoked_at is not None:
                state = "ended"
            elif rec.expires_at <= now:
                state = "expired"
            elif disabled_at is not None:
                state = "user disabled"
            else:
                state = "active"
            out.append({
                "id": rec.id, "user": name, "role": role, "state": state,
                "created_at": rec.created_at.isoformat(),
                "last_seen_at": rec.last_seen_at.isoformat(),
                "expires_at": rec.expires_at.isoformat(),
                "client_address": rec.client_address, "user_agent": rec.user_agent,
                "revoked_at": rec.revoked_at.isoformat() if rec.revoked_at else None,
                "revoked_reason": rec.revoked_reason,
            })
    return out
