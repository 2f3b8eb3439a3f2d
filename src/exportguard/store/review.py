"""Review cases, the actions reviewers take on them, and remembered false positives.

A case closes once: released (outcome ``CLEAR`` or ``LICENSED``, optionally
until an expiry date) or confirmed (``DENY``). Every action's audit entry holds
the hash of the stored action and of the case as the action left it (close the
case first, then :func:`record_action`), which ``audit verify`` recomputes.
Closing locks the case row (``SELECT ... FOR UPDATE`` on PostgreSQL; the write
lock on SQLite) so two reviewers cannot both close it. A false-positive mark
does not close the case.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from exportguard.names.normalize import name_key
from exportguard.store import audit
from exportguard.store.models import Case, FalsePositive, ReviewAction, utcnow


def get_case(session: Session, case_id: int, lock: bool = False) -> Case | None:
    q = select(Case).where(Case.id == case_id)
    if lock:
        q = q.with_for_update()
    return session.execute(q).scalar_one_or_none()


def needs_action() -> ColumnElement[bool]:
    """SQL condition: the case is open, or released with an expiry that has passed (the
    shipment counts as held again, so a reviewer must act on it again)."""
    return or_(Case.status == "open",
               and_(Case.status == "released", Case.expires_at.is_not(None),
                    Case.expires_at <= utcnow()))


def release_expired(case: Case, now: datetime | None = None) -> bool:
    """Released with an expiry that has passed: the shipment counts as held again."""
    return (case.status == "released" and case.expires_at is not None
            and case.expires_at <= (now or utcnow()))


def is_actionable(case: Case, now: datetime | None = None) -> bool:
    """The Python side of :func:`needs_action`."""
    return case.status == "open" or release_expired(case, now)


def list_cases(session: Session, *, status: str | None = None, limit: int = 50,
               offset: int = 0) -> list[Case]:
    """Cases, newest first; ``status="open"`` also gives expired releases (held again)."""
    q = select(Case).order_by(Case.opened_at.desc(), Case.id.desc())
    if status == "open":
        q = q.where(needs_action())
    elif status:
        q = q.where(Case.status == status)
    return list(session.execute(q.limit(limit).offset(offset)).scalars())


def actions(session: Session, case_id: int) -> list[ReviewAction]:
    q = select(ReviewAction).where(ReviewAction.case_id == case_id).order_by(ReviewAction.id)
    return list(session.execute(q).scalars())


def record_action(session: Session, case: Case, *, action: str, actor: str, reason: str,
                  details: dict[str, Any] | None = None) -> ReviewAction:
    rec = ReviewAction(case_id=case.id, action=action, actor=actor, reason=reason,
                       details=details or {})
    session.add(rec)
    session.flush()
    audit.append(session, actor=actor, action=f"case.{action}", object_type="case",
                 object_id=str(case.id),
                 payload={"screening": case.screening_id, "reason": reason, **(details or {}),
                          # the stored action and the case as it leaves it, for audit verify
                          "review_action": rec.id, "record": audit.review_action_digest(rec),
                          "case_record": audit.case_digest(case)})
    return rec


def close_case(session: Session, case: Case, *, status: str, outcome: str, actor: str,
               reason: str, expires_at: datetime | None = None) -> Case:
    case.status = status
    case.outcome = outcome
    case.closed_at = utcnow()
    case.closed_by = actor
    case.reason = reason
    case.expires_at = expires_at
    session.flush()
    return case


def add_false_positive(session: Session, *, case: Case | None, party_name: str, entity_id: str,
                       list_id: str, entity_sha256: str | None, reason: str,
                       actor: str) -> FalsePositive:
    fp = FalsePositive(party_key=name_key(party_name), party_name=party_name,
                       entity_id=entity_id, list_id=list_id, entity_sha256=entity_sha256,
                       reason=reason, created_by=actor, case_id=case.id if case else None)
    session.add(fp)
    session.flush()
    return fp


def false_positives_for(session: Session,
                        pairs: list[tuple[str, str]]) -> dict[tuple[str, str], FalsePositive]:
    """The latest mark for each ``(party name, entity id)`` pair that has one."""
    if not pairs:
        return {}
    keys = {(name_key(name), entity_id): (name, entity_id) for name, entity_id in pairs}
    q = (select(FalsePositive)
         .where(FalsePositive.entity_id.in_({e for _, e in keys}))
         .where(FalsePositive.party_key.in_({k for k, _ in keys}))
         .order_by(FalsePositive.created_at, FalsePositive.id))
    out: dict[tuple[str, str], FalsePositive] = {}
    for fp in session.execute(q).scalars():
        original = keys.get((fp.party_key, fp.entity_id))
        if original is not None:
            out[original] = fp  # later marks win
    return out
