"""Review of held screenings: list cases, release, confirm, mark false positives.

Only a reviewer (or an admin) acts on a case, always with a reason; who, when
and why go to the review actions and the audit log in the same transaction.

- release: the screening becomes ``CLEAR`` or ``LICENSED``, optionally until
  ``expires_at`` (after which it counts as held again). A ``LICENSED`` release
  needs licences on file that cover every item needing one, and draws them
  down; a shipment with an item that needs a licence is never released as
  ``CLEAR`` (fail closed: a reviewer clears parties, not licence duties).
- confirm: the screening becomes ``DENY``.
- false positive: "this party is not that list entry"; remembered for the same
  party name and list entry, shown on later screenings as "previously cleared
  by X on D", and void once the entry's content changes. It does not close the
  case, and may be made on a closed case too.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from exportguard.contracts.decision import Decision, Severity, subject_index
from exportguard.service import licences as licence_service
from exportguard.service.auth import Actor, cli_actor
from exportguard.service.errors import ConflictError, InputError, NotFoundError
from exportguard.service.records import case_out, entity_sha256, to_shipment
from exportguard.service.schemas import (
    CaseOut,
    ConfirmIn,
    FalsePositiveIn,
    FalsePositiveOut,
    ReleaseIn,
)
from exportguard.store import licences as licence_repo
from exportguard.store import review as repo
from exportguard.store.db import get_database
from exportguard.store.models import Case, Screening

STATUSES = ("open", "released", "denied")


def _reason(reason: str) -> str:
    value = (reason or "").strip()
    if len(value) < 3:
        raise InputError("reason: a reason is required (at least 3 characters)")
    return value


def list_cases(status: str | None = "open", limit: int = 50, offset: int = 0,
               db_url: str | None = None) -> list[CaseOut]:
    if status is not None and status not in STATUSES:
        raise InputError(f"status must be one of {', '.join(STATUSES)}")
    with get_database(db_url).session() as s:
        return [case_out(s, c, with_actions=False)
                for c in repo.list_cases(s, status=status, limit=limit, offset=offset)]


def get_case(case_id: int, db_url: str | None = None) -> CaseOut:
    with get_database(db_url).session() as s:
        case = repo.get_case(s, case_id)
        if case is None:
            raise NotFoundError(f"no case {case_id}")
        return case_out(s, case)


def _items_needing_licence(decision: Decision) -> list[str]:
    """Items the screening found to need a licence that no accepted licence covers."""
    return sorted({f.subject for f in decision.findings
                   if f.severity is Severity.LICENSE_REQUIRED
                   and subject_index(f.subject) is not None})


def _open_case(s: Session, case_id: int) -> Case:
    case = repo.get_case(s, case_id, lock=True)
    if case is None:
        raise NotFoundError(f"no case {case_id}")
    if not repo.is_actionable(case):
        raise ConflictError(f"case {case_id} is already {case.status} (by {case.closed_by}); "
                            "a closed case cannot be acted on again")
    return case


def release(case_id: int, body: ReleaseIn, actor: Actor | None = None,
            db_url: str | None = None) -> CaseOut:
    actor = actor or cli_actor()
    actor.require("reviewer", "releasing a hold")
    reason = _reason(body.reason)
    expires = body.expires_at
    if expires is not None:
        expires = expires if expires.tzinfo else expires.replace(tzinfo=UTC)
        if expires <= datetime.now(UTC):
            raise InputError("expires_at: must be in the future")
    with get_database(db_url).session(write=True) as s:
        case = _open_case(s, case_id)
        scr = s.get(Screening, case.screening_id)
        assert scr is not None
        drawn: list[dict[str, object]] = []
        decision = Decision.model_validate(scr.result)
        unlicensed = _items_needing_licence(decision)
        if body.outcome == "CLEAR" and unlicensed:
            raise InputError(
                f"outcome: {', '.join(unlicensed)} need(s) a licence, so this hold cannot be "
                "released as CLEAR: release it as LICENSED once a licence on file covers "
                "them (cite it in the shipment), or confirm the hold")
        # a LICENSED release that expired drew its licences already: a new one draws nothing
        redraw = not (case.status == "released" and case.outcome == "LICENSED")
        if body.outcome == "LICENSED" and redraw:
            shipment = to_shipment(scr.input)
            _decision, draws = licence_service.apply_register(
                s, decision, shipment, screening_date=scr.created_at.date(), force=True)
            if unlicensed or not draws:
                what = (f"{', '.join(unlicensed)} need(s) a licence the shipment does not "
                        "cite or the register does not hold" if unlicensed else
                        "no cited licence on file covers an item of this shipment")
                raise InputError(f"outcome: cannot release as LICENSED: {what}; release as "
                                 "CLEAR if nothing needs a licence")
            for d in draws:
                if not licence_repo.draw_down(s, d.licence, quantity=d.quantity, value=d.value,
                                              screening_id=scr.id, shipment_ref=scr.shipment_ref,
                                              actor=actor.name):
                    raise ConflictError(f"licence {d.licence.number!r} has not enough left")
                drawn.append({"licence": d.licence.number, "quantity": str(d.quantity),
                              "value": str(d.value)})
        repo.close_case(s, case, status="released", outcome=body.outcome, actor=actor.name,
                        reason=reason, expires_at=expires)
        repo.record_action(s, case, action="release", actor=actor.name, reason=reason,
                           details={"outcome": body.outcome,
                                    "expires_at": expires.isoformat() if expires else None,
                                    "drawdowns": drawn})
        return case_out(s, case, screening=scr)


def confirm(case_id: int, body: ConfirmIn, actor: Actor | None = None,
            db_url: str | None = None) -> CaseOut:
    actor = actor or cli_actor()
    actor.require("reviewer", "confirming a hold")
    reason = _reason(body.reason)
    with get_database(db_url).session(write=True) as s:
        case = _open_case(s, case_id)
        repo.close_case(s, case, status="denied", outcome="DENY", actor=actor.name,
                        reason=reason)
        repo.record_action(s, case, action="confirm", actor=actor.name, reason=reason,
                           details={"outcome": "DENY"})
        return case_out(s, case)


def mark_false_positive(case_id: int, body: FalsePositiveIn, actor: Actor | None = None,
                        db_url: str | None = None) -> FalsePositiveOut:
    actor = actor or cli_actor()
    actor.require("reviewer", "marking a false positive")
    reason = _reason(body.reason)
    with get_database(db_url).session() as s:
        case = repo.get_case(s, case_id)
        if case is None:
            raise NotFoundError(f"no case {case_id}")
        scr = s.get(Screening, case.screening_id)
        assert scr is not None
        matches = [m for m in scr.result.get("party_matches", [])
                   if m.get("entity_id") == body.entity_id
                   and body.party in (m.get("party"), m.get("party_name"))]
    if not matches:
        raise InputError(f"entity_id/party: screening {scr.id} has no match of party "
                         f"{body.party!r} against {body.entity_id!r} (see its party_matches)")
    match = matches[0]
    digest = entity_sha256(body.entity_id)
    with get_database(db_url).session(write=True) as s:
        case = repo.get_case(s, case_id, lock=True)
        assert case is not None
        fp = repo.add_false_positive(
            s, case=case, party_name=match["party_name"], entity_id=body.entity_id,
            list_id=str(match.get("list", "")), entity_sha256=digest, reason=reason,
            actor=actor.name)
        repo.record_action(s, case, action="false_positive", actor=actor.name, reason=reason,
                           details={"party": match.get("party"),
                                    "party_name": match["party_name"],
                                    "entity_id": body.entity_id, "entity_sha256": digest})
        return FalsePositiveOut.model_validate(fp)
