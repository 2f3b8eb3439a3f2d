"""The store's tables as typed SQLAlchemy 2 ORM classes.

Records are kept, never deleted by the application: a licence is revoked, a
case is closed, a token is revoked. The schema itself is created by the Alembic
migrations in ``store/migrations`` (which mirror these classes).

Times are stored as UTC (naive on the wire, aware in Python: :class:`UTCDateTime`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in Python, naive UTC in the database (same on SQLite and PostgreSQL)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Amount = Numeric(20, 4, asdecimal=True)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON, list[Any]: JSON, datetime: UTCDateTime,
    }


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20))  # screener | reviewer | admin
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(default=None)
    # scrypt$n$r$p$salt$hash (web UI sign-in); None: no password set (migration 0002)
    password_hash: Mapped[str | None] = mapped_column(String(300), default=None)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex
    prefix: Mapped[str] = mapped_column(String(16))  # first characters, to recognise it
    label: Mapped[str | None] = mapped_column(String(200), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class WebSessionRecord(Base):
    """A signed-in web UI session (migration 0003).

    The browser's cookie holds a random 256-bit id; only its SHA-256 is stored
    (``id_hash``), so a database leak does not leak usable sessions. A session is
    valid while ``revoked_at`` is empty, ``expires_at`` is in the future and its user
    is enabled. Sign-out, a password change and an admin's "end sessions" set
    ``revoked_at`` (with ``revoked_reason``).
    """

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the cookie
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_reason: Mapped[str | None] = mapped_column(String(200), default=None)
    client_address: Mapped[str | None] = mapped_column(String(100), default=None)
    user_agent: Mapped[str | None] = mapped_column(String(300), default=None)


class LoginAttempt(Base):
    """One checked sign-in attempt (for throttling; migration 0003).

    ``username`` is the name as typed (whether or not such a user exists).
    A row is written as a failure *before* the password is checked and turned
    into a success afterwards, so parallel attempts cannot slip past the limit.
    Attempts refused by the throttle are not written.
    """

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_username_at", "username", "at"),
        Index("ix_login_attempts_client_at", "client_address", "at"),
        Index("ix_login_attempts_at", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    username: Mapped[str] = mapped_column(String(200))
    client_address: Mapped[str] = mapped_column(String(100))
    success: Mapped[bool] = mapped_column(Boolean, default=False)


class ListSnapshotRecord(Base):
    """Metadata of a list version some screening used (the data lives in the snapshot store)."""

    __tablename__ = "list_snapshots"
    __table_args__ = (UniqueConstraint("list_id", "sha256", name="uq_list_snapshots_list_sha"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    list_id: Mapped[str] = mapped_column(String(100))
    version: Mapped[str | None] = mapped_column(String(200), default=None)
    date: Mapped[str | None] = mapped_column(String(40), default=None)
    sha256: Mapped[str] = mapped_column(String(64))
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class Screening(Base):
    """One screening: the input, the automated decision and what it was taken against."""

    __tablename__ = "screenings"
    __table_args__ = (
        Index("ix_screenings_created_at", "created_at"),
        Index("ix_screenings_shipment_ref", "shipment_ref"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(200), default=None)
    source: Mapped[str] = mapped_column(String(20), default="api")  # api | cli | python | rescreen
    shipment_ref: Mapped[str | None] = mapped_column(String(200), default=None)
    shipment_date: Mapped[date | None] = mapped_column(Date, default=None)
    input: Mapped[dict[str, Any]] = mapped_column(JSON)
    input_sha256: Mapped[str] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(String(20), index=True)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)  # the full Decision document
    policy_id: Mapped[str] = mapped_column(String(200))
    policy_version: Mapped[str] = mapped_column(String(100))
    policy_sha256: Mapped[str] = mapped_column(String(64))
    lists: Mapped[list[Any]] = mapped_column(JSON)
    engine_version: Mapped[str] = mapped_column(String(50))
    screened_at: Mapped[str] = mapped_column(String(40))
    idempotency_key: Mapped[str | None] = mapped_column(String(400), unique=True, default=None)
    rescreen_of: Mapped[str | None] = mapped_column(
        ForeignKey("screenings.id"), default=None, index=True
    )


class FindingRecord(Base):
    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    screening_id: Mapped[str] = mapped_column(ForeignKey("screenings.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    rule: Mapped[str] = mapped_column(String(200), index=True)
    severity: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(200))
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    message: Mapped[str] = mapped_column(Text)


class Case(Base):
    """A review case, opened by a HOLD; closed by a release or a confirmation."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    screening_id: Mapped[str] = mapped_column(ForeignKey("screenings.id"), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    outcome: Mapped[str | None] = mapped_column(String(20), default=None)  # CLEAR|LICENSED|DENY
    closed_by: Mapped[str | None] = mapped_column(String(200), default=None)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)


class ReviewAction(Base):
    __tablename__ = "review_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    action: Mapped[str] = mapped_column(String(30))  # release | confirm | false_positive
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class FalsePositive(Base):
    """'This party is not that list entry': remembered for the same name and entry content."""

    __tablename__ = "false_positives"
    __table_args__ = (Index("ix_false_positives_lookup", "party_key", "entity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    party_key: Mapped[str] = mapped_column(String(500))  # normalised party name
    party_name: Mapped[str] = mapped_column(String(500))
    entity_id: Mapped[str] = mapped_column(String(300))
    list_id: Mapped[str] = mapped_column(String(100))
    entity_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    reason: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), default=None)


class Licence(Base):
    __tablename__ = "licences"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(200), unique=True)
    holder: Mapped[str] = mapped_column(String(500))
    authority: Mapped[str | None] = mapped_column(String(200), default=None)
    control_codes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    hs_codes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    destinations: Mapped[list[Any]] = mapped_column(JSON, default=list)
    end_user: Mapped[str | None] = mapped_column(String(500), default=None)
    quantity_limit: Mapped[Decimal | None] = mapped_column(Amount, default=None)
    value_limit: Mapped[Decimal | None] = mapped_column(Amount, default=None)
    quantity_used: Mapped[Decimal] = mapped_column(Amount, default=Decimal(0))
    value_used: Mapped[Decimal] = mapped_column(Amount, default=Decimal(0))
    currency: Mapped[str | None] = mapped_column(String(3), default=None)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    euc_reference: Mapped[str | None] = mapped_column(String(200), default=None)
    status: Mapped[str] = mapped_column(String(20), default="active")  # active | revoked
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_by: Mapped[str | None] = mapped_column(String(200), default=None)
    revoked_reason: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(200), default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class LicenceDrawdown(Base):
    __tablename__ = "licence_drawdowns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id"), index=True)
    screening_id: Mapped[str | None] = mapped_column(ForeignKey("screenings.id"), default=None)
    shipment_ref: Mapped[str | None] = mapped_column(String(200), default=None)
    quantity: Mapped[Decimal] = mapped_column(Amount)
    value: Mapped[Decimal] = mapped_column(Amount)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """One audit-log entry, hash-chained: ``hash = sha256(canonical(entry) + prev_hash)``.

    ``seq`` and ``prev_hash`` are unique, so the chain cannot fork.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    at: Mapped[str] = mapped_column(String(40))  # ISO 8601 UTC, exactly as hashed
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    object_type: Mapped[str] = mapped_column(String(50))
    object_id: Mapped[str] = mapped_column(String(300))
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON, exactly as hashed
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)
