"""The licence register as a service: CRUD (no delete: revoke), the engine hook, drawdown.

Two steps make a shipment ``LICENSED``:

1. the engine's ``licence_coverage`` rule, fed by :func:`licence_lookup`
   (number, HS and control codes, destinations), lifts the
   ``license_required`` findings of the items a cited licence covers;
2. :func:`apply_register`, inside the write transaction that records the
   screening, re-reads the cited licences with a row lock and checks what the
   engine's hook does not carry: the licence is active (not revoked), valid on
   the *shipment* date, names the shipment's end user, and has the quantity
   and value left for the covered items. Items that fail go back to
   ``license_required`` with a finding that says why. When the decision is
   still ``LICENSED``, the drawdown is recorded in the same transaction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from exportguard.contracts.decision import (
    Decision,
    DecisionKind,
    Finding,
    Severity,
    subject_index,
)
from exportguard.contracts.shipment import PartyRole, Shipment
from exportguard.engine.context import LicenceRecord
from exportguard.names.normalize import name_key
from exportguard.service.auth import Actor, cli_actor
from exportguard.service.errors import ConflictError, InputError, NotFoundError
from exportguard.service.schemas import LicenceIn, LicenceOut, LicenceUpdate
from exportguard.store import licences as repo
from exportguard.store.db import get_database
from exportguard.store.models import Licence

RULE = "licence_register"


def _out(lic: Licence) -> LicenceOut:
    return LicenceOut.model_validate(repo.to_dict(lic))


def _fields(data: LicenceIn | LicenceUpdate, exclude_unset: bool) -> dict[str, Any]:
    fields = data.model_dump(exclude_unset=exclude_unset)
    for key in ("quantity_limit", "value_limit"):
        if fields.get(key) is not None:
            fields[key] = Decimal(str(fields[key]))
    return fields


def add_licence(data: LicenceIn | dict[str, Any], actor: Actor | None = None,
                db_url: str | None = None) -> LicenceOut:
    actor = actor or cli_actor()
    actor.require("reviewer", "adding a licence")
    lic_in = data if isinstance(data, LicenceIn) else _validate(LicenceIn, data)
    try:
        with get_database(db_url).session(write=True) as s:
            if repo.get(s, lic_in.number) is not None:
                raise ConflictError(f"licence {lic_in.number!r} already exists: "
                                    "change it with an update, or revoke it")
            return _out(repo.add(s, _fields(lic_in, exclude_unset=False), actor.name))
    except IntegrityError:
        raise ConflictError(f"licence {lic_in.number!r} already exists") from None


def _validate(model: type[Any], data: Any) -> Any:
    from pydantic import ValidationError

    from exportguard.contracts.shipment import format_validation_error

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(format_validation_error(exc).replace("invalid shipment",
                                                              "invalid licence")) from None


def update_licence(number: str, data: LicenceUpdate | dict[str, Any], actor: Actor | None = None,
                   db_url: str | None = None) -> LicenceOut:
    actor = actor or cli_actor()
    actor.require("reviewer", "changing a licence")
    upd = data if isinstance(data, LicenceUpdate) else _validate(LicenceUpdate, data)
    changes = _fields(upd, exclude_unset=True)
    with get_database(db_url).session(write=True) as s:
        lic = repo.get(s, number, lock=True)
        if lic is None:
            raise NotFoundError(f"no licence {number!r}")
        if lic.status != "active":
            raise ConflictError(f"licence {number!r} is revoked: it cannot be changed")
        vf = changes.get("valid_from", lic.valid_from)
        vu = changes.get("valid_until", lic.valid_until)
        if vf is None or vu is None:
            raise InputError("valid_from and valid_until cannot be removed")
        if vu < vf:
            raise InputError("valid_until is before valid_from")
        if changes.get("holder", "x") is None:
            raise InputError("holder cannot be removed")
        for key, used in (("quantity_limit", lic.quantity_used), ("value_limit", lic.value_used)):
            if changes.get(key) is not None and changes[key] < used:
                raise ConflictError(f"{key} {changes[key]} is below what is already drawn "
                                    f"({used})")
        if not changes:
            return _out(lic)
        return _out(repo.update_fields(s, lic, changes, actor.name))


def revoke_licence(number: str, reason: str, actor: Actor | None = None,
                   db_url: str | None = None) -> LicenceOut:
    actor = actor or cli_actor()
    actor.require("reviewer", "revoking a licence")
    if len((reason or "").strip()) < 3:
        raise InputError("reason: a reason is required (at least 3 characters)")
    with get_database(db_url).session(write=True) as s:
        lic = repo.get(s, number, lock=True)
        if lic is None:
            raise NotFoundError(f"no licence {number!r}")
        if lic.status == "revoked":
            raise ConflictError(f"licence {number!r} is already revoked")
        return _out(repo.revoke(s, lic, reason.strip(), actor.name))


def get_licence(number: str, db_url: str | None = None) -> LicenceOut:
    with get_database(db_url).session() as s:
        lic = repo.get(s, number)
        if lic is None:
            raise NotFoundError(f"no licence {number!r}")
        return _out(lic)


def list_licences(status: str | None = None, holder: str | None = None, limit: int = 100,
                  offset: int = 0, db_url: str | None = None) -> list[LicenceOut]:
    with get_database(db_url).session() as s:
        return [_out(x) for x in repo.list_licences(s, status=status, holder=holder,
                                                    limit=limit, offset=offset)]


# ---------------------------------------------------------------------------
# the engine hook and the register check


def licence_lookup(session: Session, numbers: list[str]) -> dict[str, LicenceRecord]:
    """The engine's view of the cited licences the register knows.

    The engine checks holder, validity on the shipment date, destination and
    items; :func:`apply_register` checks them again under the row lock (a licence
    may change in between) with revocation, end user and what is left.
    """
    return {n: LicenceRecord(
        number=lic.number, valid_from=lic.valid_from, valid_until=lic.valid_until,
        hs_prefixes=tuple(lic.hs_codes or ()), control_codes=tuple(lic.control_codes or ()),
        destinations=tuple(lic.destinations or ()), holder=lic.holder,
        note=f"status {lic.status}; valid {lic.valid_from} to {lic.valid_until}")
        for n, lic in repo.get_many(session, numbers).items()}


@dataclass
class Drawdown:
    licence: Licence
    quantity: Decimal
    value: Decimal



def _totals(shipment: Shipment, items: list[int]) -> tuple[Decimal, Decimal]:
    """Quantity and value of the shipment's items ``items``, exactly (Decimal)."""
    return (sum((Decimal(str(shipment.items[k].quantity)) for k in items), Decimal(0)),
            sum((Decimal(str(shipment.items[k].value)) for k in items), Decimal(0)))


def _problem(lic: Licence, shipment: Shipment, on: date, items: list[int],
             already: tuple[Decimal, Decimal]) -> tuple[str, str] | None:
    """(status, sentence) when the register refuses ``lic`` for these items, else None."""
    n = lic.number
    if lic.status != "active":
        return "revoked", f"Licence {n!r} was revoked ({lic.revoked_reason or 'no reason given'})."
    if not lic.valid_from <= on <= lic.valid_until:
        return "not_valid_on_shipment_date", (
            f"Licence {n!r} is not valid on the shipment date {on.isoformat()} "
            f"(valid {lic.valid_from.isoformat()} to {lic.valid_until.isoformat()}).")
    dest = shipment.route.final_destination or shipment.route.destination
    if lic.destinations and dest not in lic.destinations:
        return "destination_not_covered", (
            f"Licence {n!r} does not cover the destination {dest}.")
    if lic.holder and name_key(lic.holder) != name_key(shipment.exporter.name):
        return "holder_not_exporter", (
            f"Licence {n!r} is held by {lic.holder!r}; the exporter is "
            f"{shipment.exporter.name!r}.")
    if lic.end_user:
        end_users = [p.name for p in shipment.parties if p.role is PartyRole.END_USER]
        if not any(name_key(u) == name_key(lic.end_user) for u in end_users):
            named = ", ".join(repr(u) for u in end_users) or "no end user"
            return "end_user_not_covered", (
                f"Licence {n!r} is for the end user {lic.end_user!r}; the shipment names {named}.")
    if lic.currency:
        other = {shipment.items[k].currency for k in items} - {None, lic.currency}
        if other:
            return "currency_mismatch", (
                f"Licence {n!r} limits value in {lic.currency}; covered items are valued in "
                f"{', '.join(sorted(c for c in other if c))}.")
    qty, val = _totals(shipment, items)
    if lic.quantity_limit is not None:
        left = lic.quantity_limit - lic.quantity_used + already[0]
        if qty > left:
            return "quantity_exceeded", (
                f"Licence {n!r} has {_num(left)} left of {_num(lic.quantity_limit)}; the covered "
                f"items need {_num(qty)}.")
    if lic.value_limit is not None:
        left = lic.value_limit - lic.value_used + already[1]
        if val > left:
            return "value_exceeded", (
                f"Licence {n!r} has a value of {_num(left)} left of {_num(lic.value_limit)}; "
                f"the covered items are worth {_num(val)}.")
    return None


def _num(d: Decimal) -> str:
    return f"{d.normalize():f}"


def apply_register(session: Session, decision: Decision, shipment: Shipment, *,
                   screening_date: date,
                   already_drawn: dict[str, tuple[Decimal, Decimal]] | None = None,
                   force: bool = False) -> tuple[Decision, list[Drawdown]]:
    """Check the licences the engine accepted against the full register (row-locked).

    Returns the decision (items the register refuses go back to
    ``license_required``) and the drawdowns to record when it is ``LICENSED``.
    ``already_drawn`` adds back what this shipment drew before (rescreening).
    ``force`` (a reviewer's LICENSED release of a hold) returns the drawdowns
    whatever the decision, and raises :class:`ConflictError` if the register
    refuses a licence.
    """
    by_licence: dict[str, list[int]] = defaultdict(list)
    for f in decision.findings:
        k = subject_index(f.subject)
        number = f.evidence.get("licence")
        if (f.severity is Severity.LICENSED and k is not None and isinstance(number, str)
                and k not in by_licence[number]):
            by_licence[number].append(k)
    if not by_licence:
        return decision, []
    locked = repo.get_many(session, sorted(by_licence), lock=True)
    on = shipment.date or screening_date
    refused: dict[str, tuple[str, str]] = {}
    draws: list[Drawdown] = []
    for number, items in sorted(by_licence.items()):
        lic = locked.get(number)
        if lic is None:
            refused[number] = ("not_found", f"Licence {number!r} is no longer in the register.")
            continue
        zero = (Decimal(0), Decimal(0))
        problem = _problem(lic, shipment, on, items, (already_drawn or {}).get(number, zero))
        if problem:
            refused[number] = problem
            continue
        draws.append(Drawdown(lic, *_totals(shipment, items)))
    if refused and force:
        raise ConflictError("cannot release as LICENSED: " + " ".join(
            sentence for _status, sentence in refused.values()))
    if refused:
        findings: list[Finding] = []
        for f in decision.findings:
            number = f.evidence.get("licence")
            if f.severity is Severity.LICENSED and number in refused:
                evidence = {k: v for k, v in f.evidence.items() if k != "licence"}
                f = f.model_copy(update={
                    "severity": Severity.LICENSE_REQUIRED, "evidence": evidence,
                    "message": f.message.removesuffix(f" Covered by licence {number!r}.")})
            elif f.rule == "licence_coverage" and f.evidence.get("number") in refused:
                status, sentence = refused[f.evidence["number"]]
                f = f.model_copy(update={
                    "severity": Severity.WARNING, "message": sentence,
                    "evidence": {**f.evidence, "status": status, "register": RULE}})
            findings.append(f)
        findings.sort(key=Finding.sort_key)
        kind = DecisionKind.strongest([f.severity.decision for f in findings])
        decision = decision.model_copy(update={"findings": findings, "decision": kind})
        draws = [d for d in draws if d.licence.number not in refused]
    return decision, draws if force or decision.decision is DecisionKind.LICENSED else []
