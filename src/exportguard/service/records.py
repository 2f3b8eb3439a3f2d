"""Screen and record: the service the HTTP API, the CLI and Python share for stored screenings.

- :func:`screen_and_record` validates a shipment, screens it (the engine, with
  the licence register as its licence hook), remembers false positives, checks
  and draws down licences, and stores the screening, its findings, list
  versions, review case and audit entry in one transaction. An idempotency key
  makes a retried request return the first record instead of a second one.
- :func:`get_screening`, :func:`list_screenings`: read records back.
- :func:`rescreen_since`: screen stored shipments again (after a list update)
  and report every decision that changed.
- :func:`verify_audit`: recompute the audit log's hash chain.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from exportguard.contracts.decision import Decision, DecisionKind, Finding, Severity
from exportguard.contracts.shipment import Shipment
from exportguard.service import licences as licence_service
from exportguard.service.auth import Actor, cli_actor
from exportguard.service.errors import ConflictError, InputError, NotFoundError
from exportguard.service.schemas import (
    AuditVerifyOut,
    CaseOut,
    DrawdownOut,
    PreviouslyCleared,
    RescreenChange,
    RescreenReport,
    ReviewActionOut,
    ScreeningDetail,
    ScreeningRecord,
    ScreeningSummary,
)
from exportguard.store import audit
from exportguard.store import licences as licence_repo
from exportguard.store import review as review_repo
from exportguard.store import screenings as repo
from exportguard.store.audit import canonical_json
from exportguard.store.db import get_database
from exportguard.store.models import Case, Licence, LicenceDrawdown, Screening, utcnow

log = logging.getLogger(__name__)

MAX_IDEMPOTENCY_KEY = 200

Screener = Callable[..., Decision]


def _default_screener(shipment: Shipment, policy: str | Path | None,
                      licence_lookup: Mapping[str, Any]) -> Decision:
    from exportguard.service.screening import screen_shipment

    return screen_shipment(shipment, policy, licence_lookup=licence_lookup)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def to_shipment(data: Mapping[str, Any] | Shipment) -> Shipment:
    if isinstance(data, Shipment):
        return data
    from exportguard.contracts.shipment import parse_shipment

    try:
        return parse_shipment(dict(data) if isinstance(data, Mapping) else data)
    except ValueError as exc:
        raise InputError(str(exc)) from None


# ---------------------------------------------------------------------------
# list entries and remembered false positives


_entity_lock = threading.Lock()
_entity_hashes: dict[tuple[str, str], dict[str, str]] = {}


def entity_sha256(entity_id: str) -> str | None:
    """Hash of a list entry's current content (None if the entry is no longer listed)."""
    from exportguard.lists.snapshots import default_store

    store = default_store()
    list_id = entity_id.split(":", 1)[0]
    meta = next((m for m in store.active() if m.list_id == list_id), None)
    if meta is None:
        return None
    key = (list_id, meta.sha256)
    with _entity_lock:
        table = _entity_hashes.get(key)
    if table is None:
        table = {e.id: _sha256(canonical_json(e.to_dict())) for e in store.entities([list_id])}
        with _entity_lock:
            _entity_hashes[key] = table
    return table.get(entity_id)


def _previously_cleared(session: Session, decision: Decision,
                        entity_hash: Callable[[str], str | None]) -> list[PreviouslyCleared]:
    pairs = [(m.party_name, m.entity_id) for m in decision.party_matches]
    marks = review_repo.false_positives_for(session, pairs)
    out: list[PreviouslyCleared] = []
    for m in decision.party_matches:
        fp = marks.get((m.party_name, m.entity_id))
        if fp is None:
            continue
        current = entity_hash(m.entity_id)
        valid = fp.entity_sha256 is not None and current == fp.entity_sha256
        day = fp.created_at.date().isoformat()
        note = (f"previously cleared by {fp.created_by} on {day}: {fp.reason}" if valid else
                f"previously cleared by {fp.created_by} on {day}, but the list entry "
                f"{m.entity_id} has changed since, so that clearance no longer applies")
        out.append(PreviouslyCleared(
            party=m.party, party_name=m.party_name, entity_id=m.entity_id, list=m.list,
            status="valid" if valid else "void", cleared_by=fp.created_by,
            cleared_at=fp.created_at, reason=fp.reason, case_id=fp.case_id, note=note))
    return out


def _with_clearance_findings(decision: Decision, cleared: list[PreviouslyCleared]) -> Decision:
    """Info findings for remembered false positives: shown, never used to drop a match."""
    if not cleared:
        return decision
    extra = [Finding(
        rule="previously_cleared", severity=Severity.INFO, subject=c.party,
        evidence={"entity_id": c.entity_id, "list": c.list, "status": c.status,
                  "cleared_by": c.cleared_by, "cleared_at": c.cleared_at.isoformat(),
                  "case": c.case_id},
        message=f"{c.party_name!r} against {c.entity_id}: {c.note}.") for c in cleared]
    findings = sorted([*decision.findings, *extra], key=Finding.sort_key)
    return decision.model_copy(update={"findings": findings})


# ---------------------------------------------------------------------------
# building the record


def _effective(rec: Screening, case: Case | None, now: datetime) -> str:
    if case is None:
        return rec.decision
    if case.outcome is None or review_repo.is_actionable(case, now):
        return DecisionKind.HOLD.value  # awaiting review, or the release has expired
    return case.outcome


def case_out(session: Session, case: Case, with_actions: bool = True,
             screening: Screening | None = None) -> CaseOut:
    now = utcnow()
    out = CaseOut.model_validate(case)
    update: dict[str, Any] = {
        "expired": review_repo.release_expired(case, now)}
    if with_actions:
        update["actions"] = [ReviewActionOut.model_validate(a)
                             for a in review_repo.actions(session, case.id)]
    scr = screening or session.get(Screening, case.screening_id)
    if scr is not None:
        update["shipment_id"] = scr.shipment_ref
        update["decision"] = scr.decision
    return out.model_copy(update=update)


def _record(session: Session, rec: Screening, *, replayed: bool = False,
            detail: bool = False, fresh: tuple[Case | None, list[tuple[Any, str]]] | None = None,
            ) -> ScreeningRecord:
    """The record of ``rec``; ``fresh`` (its case and drawdowns, just written) saves queries."""
    if fresh is not None:
        case, draws = fresh
    else:
        case = repo.case_for(session, rec.id)
        draws = [(row[0], row[1]) for row in session.execute(
            select(LicenceDrawdown, Licence.number).join(Licence)
            .where(LicenceDrawdown.screening_id == rec.id).order_by(LicenceDrawdown.id))]
    doc = dict(rec.result)
    cleared = doc.pop("previously_cleared", [])
    fields: dict[str, Any] = {
        **doc, "id": rec.id, "created_at": rec.created_at, "created_by": rec.created_by,
        "source": rec.source, "rescreen_of": rec.rescreen_of,
        "effective_decision": _effective(rec, case, utcnow()),
        "case": (case_out(session, case, screening=rec, with_actions=fresh is None)
                 if case else None),
        "drawdowns": [DrawdownOut(licence=n, quantity=float(d.quantity), value=float(d.value))
                      for d, n in draws],
        "previously_cleared": cleared, "replayed": replayed,
    }
    if detail:
        return ScreeningDetail.model_validate({**fields, "shipment": rec.input})
    return ScreeningRecord.model_validate(fields)


# ---------------------------------------------------------------------------
# screen and record


@dataclass
class _Prepared:
    shipment: Shipment
    input_doc: dict[str, Any]
    input_sha256: str
    scoped_key: str | None


def _prepare(data: Mapping[str, Any] | Shipment, actor: Actor,
             idempotency_key: str | None) -> _Prepared:
    shipment = to_shipment(data)
    input_doc = shipment.model_dump(mode="json")
    scoped = None
    if idempotency_key is not None:
        key = idempotency_key.strip()
        if not key or len(key) > MAX_IDEMPOTENCY_KEY or not key.isprintable():
            raise InputError(f"Idempotency-Key: 1 to {MAX_IDEMPOTENCY_KEY} printable "
                             "characters (a UUID is a good choice)")
        # stored as a hash: fixed length whatever the user name and key, and the key is
        # the client's business, not the record's
        scoped = _sha256(f"{actor.name}:{key}")
    return _Prepared(shipment, input_doc, _sha256(canonical_json(input_doc)), scoped)


def _replay(session: Session, prep: _Prepared) -> ScreeningRecord | None:
    if prep.scoped_key is None:
        return None
    existing = repo.by_idempotency_key(session, prep.scoped_key)
    if existing is None:
        return None
    if existing.input_sha256 != prep.input_sha256:
        raise InputError("Idempotency-Key was already used with a different shipment: "
                         "use a new key for a new request")
    return _record(session, existing, replayed=True)


def screen_and_record(
    data: Mapping[str, Any] | Shipment,
    *,
    policy: str | Path | None = None,
    actor: Actor | None = None,
    source: str = "python",
    idempotency_key: str | None = None,
    db_url: str | None = None,
    screener: Screener | None = None,
) -> ScreeningRecord:
    """Screen one shipment and store it; returns the stored record.

    With ``idempotency_key``, a second call with the same key (same actor)
    returns the first record (``replayed`` true) instead of screening again; the
    same key with a different shipment is an :class:`InputError`. Concurrent
    retries are safe: the key is unique in the database.
    """
    actor = actor or cli_actor()
    actor.require("screener", "screening")
    prep = _prepare(data, actor, idempotency_key)
    db = get_database(db_url)
    numbers = [lic.number for lic in prep.shipment.licenses]
    with db.session() as s:
        replay = _replay(s, prep)
        if replay is not None:
            return replay
        lookup = licence_service.licence_lookup(s, numbers) if numbers else {}
    decision = (screener or _default_screener)(prep.shipment, policy, lookup)
    with db.session() as s:
        cleared = _previously_cleared(s, decision, entity_sha256)
    decision = _with_clearance_findings(decision, cleared)
    screening_id = str(uuid.uuid4())
    try:
        with db.session(write=True) as s:
            replay = _replay(s, prep)
            if replay is not None:
                return replay
            decision, draws = licence_service.apply_register(
                s, decision, prep.shipment, screening_date=datetime.now(UTC).date())
            result = decision.to_dict()
            result["previously_cleared"] = [c.model_dump(mode="json") for c in cleared]
            rec, case = repo.insert(
                s, screening_id=screening_id, input_doc=prep.input_doc,
                input_sha256=prep.input_sha256, result=result, actor=actor.name,
                source=source, idempotency_key=prep.scoped_key,
                shipment_date=prep.shipment.date)
            drawn: list[tuple[Any, str]] = []
            for d in draws:
                if not licence_repo.draw_down(s, d.licence, quantity=d.quantity, value=d.value,
                                              screening_id=rec.id,
                                              shipment_ref=prep.shipment.id, actor=actor.name):
                    raise ConflictError(f"licence {d.licence.number!r} changed while this "
                                        "shipment was screened: retry the request")
                drawn.append((d, d.licence.number))
            return _record(s, rec, fresh=(case, drawn))
    except IntegrityError:
        if prep.scoped_key is None:
            raise
        with db.session() as s:  # a concurrent retry with the same key won the race
            replay = _replay(s, prep)
            if replay is None:
                raise
            return replay


def get_screening(screening_id: str, db_url: str | None = None) -> ScreeningDetail:
    with get_database(db_url).session() as s:
        rec = repo.get(s, screening_id)
        if rec is None:
            raise NotFoundError(f"no screening {screening_id!r}")
        out = _record(s, rec, detail=True)
        assert isinstance(out, ScreeningDetail)
        return out


def list_screenings(decision: str | None = None, since: date | None = None, limit: int = 50,
                    offset: int = 0, db_url: str | None = None) -> list[ScreeningSummary]:
    if decision is not None and decision not in DecisionKind.__members__:
        raise InputError(f"decision must be one of {', '.join(DecisionKind.__members__)}")
    start = datetime.combine(since, time.min, tzinfo=UTC) if since else None
    with get_database(db_url).session() as s:
        return [ScreeningSummary(id=r.id, created_at=r.created_at, created_by=r.created_by,
                                 source=r.source, shipment_id=r.shipment_ref,
                                 decision=r.decision, rescreen_of=r.rescreen_of)
                for r in repo.list_screenings(s, decision=decision, since=start, limit=limit,
                                              offset=offset)]


# ---------------------------------------------------------------------------
# rescreening


def _drawn_by(session: Session, screening_id: str) -> dict[str, tuple[Decimal, Decimal]]:
    rows = session.execute(
        select(Licence.number, LicenceDrawdown.quantity, LicenceDrawdown.value)
        .join(Licence).where(LicenceDrawdown.screening_id == screening_id)).all()
    out: dict[str, tuple[Decimal, Decimal]] = {}
    for number, q, v in rows:
        a, b = out.get(number, (Decimal(0), Decimal(0)))
        out[number] = (a + q, b + v)
    return out


def rescreen_since(since: date, *, policy: str | Path | None = None, actor: Actor | None = None,
                   dry_run: bool = False, db_url: str | None = None,
                   screener: Screener | None = None,
                   progress: Callable[[int, int], None] | None = None) -> RescreenReport:
    """Screen again every shipment recorded since ``since``; report the decisions that changed.

    Each new screening is stored (``rescreen_of`` points at the original) unless
    ``dry_run``; licences are checked but not drawn again. "Before" is the decision
    in force for that shipment: the latest screening's (the last rescreen, or the
    original) after review, so a hold released as CLEAR that holds again is a change.
    A HOLD opens a review case unless one is already open for that shipment. A
    shipment that cannot be screened again is reported in ``errors``; the run goes on.
    """
    actor = actor or cli_actor()
    actor.require("reviewer", "rescreening")
    db = get_database(db_url)
    start = datetime.combine(since, time.min, tzinfo=UTC)
    with db.session() as s:
        originals = [(r.id, r.input, r.decision) for r in repo.originals_since(s, start)]
    changed: list[RescreenChange] = []
    errors: list[dict[str, str]] = []
    for n, (orig_id, input_doc, orig_decision) in enumerate(originals, start=1):
        try:
            shipment = to_shipment(input_doc)
            with db.session() as s:
                latest = repo.latest_rescreen(s, orig_id) or s.get(Screening, orig_id)
                latest_case = repo.case_for(s, latest.id) if latest is not None else None
                before = (_effective(latest, latest_case, utcnow()) if latest is not None
                          else orig_decision)
                in_review = latest_case is not None and latest_case.status == "open"
                numbers = [lic.number for lic in shipment.licenses]
                lookup = licence_service.licence_lookup(s, numbers) if numbers else {}
            decision = (screener or _default_screener)(shipment, policy, lookup)
            with db.session(write=not dry_run) as s:
                cleared = _previously_cleared(s, decision, entity_sha256)
                decision = _with_clearance_findings(decision, cleared)
                decision, _draws = licence_service.apply_register(
                    s, decision, shipment, screening_date=datetime.now(UTC).date(),
                    already_drawn=_drawn_by(s, orig_id))
                after = decision.decision.value
                new_id = None
                if not dry_run:
                    result = decision.to_dict()
                    result["previously_cleared"] = [c.model_dump(mode="json") for c in cleared]
                    rec, _case = repo.insert(
                        s, screening_id=str(uuid.uuid4()), input_doc=input_doc,
                        input_sha256=_sha256(canonical_json(input_doc)), result=result,
                        actor=actor.name, source="rescreen", rescreen_of=orig_id,
                        shipment_date=shipment.date,
                        open_case=after == "HOLD" and not in_review)
                    new_id = rec.id
            if after != before:
                changed.append(RescreenChange(screening_id=orig_id, new_screening_id=new_id,
                                              shipment_id=shipment.id, before=before,
                                              after=after))
        except InputError as exc:
            errors.append({"screening_id": orig_id, "error": str(exc)})
        except Exception as exc:  # one bad record must not stop a rescreen of thousands
            log.exception("rescreening %s failed", orig_id)
            errors.append({"screening_id": orig_id,
                           "error": f"could not be screened again: {type(exc).__name__}: {exc}"})
        if progress:
            progress(n, len(originals))
    return RescreenReport(since=since, screened=len(originals) - len(errors), changed=changed,
                          errors=errors, dry_run=dry_run)


# ---------------------------------------------------------------------------
# audit


def verify_audit(db_url: str | None = None) -> AuditVerifyOut:
    with get_database(db_url).session() as s:
        return AuditVerifyOut.model_validate(audit.verify(s).to_dict())


def audit_trail(object_type: str | None = None, object_id: str | None = None, limit: int = 100,
                db_url: str | None = None) -> list[dict[str, Any]]:
    with get_database(db_url).session() as s:
        return [audit.entry_to_dict(e) for e in audit.entries(
            s, object_type=object_type, object_id=object_id, limit=limit)]
