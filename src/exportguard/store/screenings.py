"""Screenings: the input, the decision document, its findings and the list versions used.

:func:`insert` writes a screening with its findings, records the list
snapshots it used (once per list version), opens a review case for a HOLD and
appends the audit entry, all in the caller's write transaction. The entry holds
the hash of the stored screening (with its findings) and of the case it opened
(:func:`exportguard.store.audit.screening_digest`), which ``audit verify``
recomputes from the stored rows.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, event, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from exportguard.store import audit
from exportguard.store.models import (
    Case,
    FindingRecord,
    ListSnapshotRecord,
    Screening,
    utcnow,
)


def insert(session: Session, *, screening_id: str, input_doc: dict[str, Any], input_sha256: str,
           result: dict[str, Any], actor: str, source: str, idempotency_key: str | None = None,
           rescreen_of: str | None = None, shipment_date: date | None = None,
           open_case: bool | None = None) -> tuple[Screening, Case | None]:
    """Write one screening (and its case when the decision is HOLD)."""
    policy = result.get("policy") or {}
    rec = Screening(
        id=screening_id, created_by=actor, source=source,
        shipment_ref=result.get("shipment_id") or input_doc.get("id"),
        shipment_date=shipment_date, input=input_doc, input_sha256=input_sha256,
        decision=result["decision"], result=result,
        policy_id=str(policy.get("id", "")), policy_version=str(policy.get("version", "")),
        policy_sha256=str(policy.get("sha256", "")), lists=list(result.get("lists") or []),
        engine_version=str(result.get("engine_version", "")),
        screened_at=str(result.get("screened_at", "")),
        idempotency_key=idempotency_key, rescreen_of=rescreen_of,
    )
    session.add(rec)
    session.flush()  # the idempotency key's unique constraint fires here
    findings = [FindingRecord(
        screening_id=rec.id, seq=seq, rule=f["rule"], severity=str(f["severity"]),
        subject=f["subject"], evidence=f.get("evidence") or {}, message=f["message"])
        for seq, f in enumerate(result.get("findings") or [])]
    session.add_all(findings)
    _record_lists(session, rec.lists)
    case = None
    if open_case if open_case is not None else rec.decision == "HOLD":
        case = Case(screening_id=rec.id, status="open")
        session.add(case)
        session.flush()
    audit.append(session, actor=actor, action="screening.recorded", object_type="screening",
                 object_id=rec.id, payload={
                     "decision": rec.decision, "shipment": rec.shipment_ref,
                     "input_sha256": input_sha256,
                     "result_sha256": _sha(audit.canonical_json(result)),
                     "policy": policy, "source": source, "rescreen_of": rescreen_of,
                     "case": case.id if case else None,
                     # the stored record and its case, as ``audit verify`` recomputes them
                     "record": audit.screening_digest(rec, findings),
                     "case_record": audit.case_digest(case) if case else None})
    return rec, case


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_known_lists: set[tuple[str, str, str]] = set()  # (database url, list id, sha256) recorded


@event.listens_for(Session, "after_commit")
def _remember_lists(session: Session) -> None:
    _known_lists.update(session.info.pop("eg_lists_after_commit", []))


@event.listens_for(Session, "after_soft_rollback")
def _forget_lists(session: Session, _previous: Any) -> None:
    session.info.pop("eg_lists_after_commit", None)


def _record_lists(session: Session, lists: list[dict[str, Any]]) -> None:
    """Record each list version once (insert-if-absent; remembered in process)."""
    url = str(session.get_bind().engine.url)
    rows = [{"list_id": str(x.get("id")), "version": x.get("version"), "date": x.get("date"),
             "sha256": str(x.get("sha256")), "first_seen_at": utcnow()}
            for x in lists if x.get("id") and x.get("sha256")
            and (url, str(x.get("id")), str(x.get("sha256"))) not in _known_lists]
    if not rows:
        return
    session.info.setdefault("eg_lists_after_commit", []).extend(
        (url, r["list_id"], r["sha256"]) for r in rows)
    dialect = session.get_bind().dialect.name
    ins = pg_insert if dialect == "postgresql" else sqlite_insert
    table = ListSnapshotRecord.__table__
    assert isinstance(table, Table)
    for row in rows:
        session.execute(ins(table).values(**row).on_conflict_do_nothing(
            index_elements=["list_id", "sha256"]))


def get(session: Session, screening_id: str) -> Screening | None:
    return session.get(Screening, screening_id)


def by_idempotency_key(session: Session, key: str) -> Screening | None:
    return session.execute(
        select(Screening).where(Screening.idempotency_key == key)).scalar_one_or_none()


def case_for(session: Session, screening_id: str) -> Case | None:
    return session.execute(
        select(Case).where(Case.screening_id == screening_id)).scalar_one_or_none()


def list_screenings(session: Session, *, decision: str | None = None,
                    since: datetime | None = None, limit: int = 50,
                    offset: int = 0) -> list[Screening]:
    q = select(Screening).order_by(Screening.created_at.desc(), Screening.id)
    if decision:
        q = q.where(Screening.decision == decision)
    if since:
        q = q.where(Screening.created_at >= since)
    return list(session.execute(q.limit(limit).offset(offset)).scalars())


def originals_since(session: Session, since: datetime) -> list[Screening]:
    """Screenings of shipments (not rescreens) recorded at or after ``since``, oldest first."""
    q = (select(Screening).where(Screening.created_at >= since)
         .where(Screening.rescreen_of.is_(None)).order_by(Screening.created_at, Screening.id))
    return list(session.execute(q).scalars())


def latest_rescreen(session: Session, screening_id: str) -> Screening | None:
    q = (select(Screening).where(Screening.rescreen_of == screening_id)
         .order_by(Screening.created_at.desc()).limit(1))
    return session.execute(q).scalar_one_or_none()


def count(session: Session, *, idempotency_keyed: bool | None = None) -> int:
    q = select(func.count()).select_from(Screening)
    if idempotency_keyed is not None:
        q = q.where(Screening.idempotency_key.is_not(None) if idempotency_keyed
                    else Screening.idempotency_key.is_(None))
    return int(session.execute(q).scalar_one())
