"""The licence register and its drawdowns.

A drawdown is one conditional UPDATE::

    UPDATE licences SET quantity_used = quantity_used + :q, value_used = value_used + :v
     WHERE id = :id AND status = 'active'
       AND (quantity_limit IS NULL OR quantity_used + :q <= quantity_limit)
       AND (value_limit IS NULL OR value_used + :v <= value_limit)

so the check and the write are one atomic step on both databases: two
concurrent shipments can never overdraw a licence. On PostgreSQL the licence
row is also locked first (``SELECT ... FOR UPDATE``) so the coverage the
caller checked is the coverage it draws against; on SQLite the write session's
``BEGIN IMMEDIATE`` does the same.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, and_, or_, select, update
from sqlalchemy.orm import Session

from exportguard.store import audit
from exportguard.store.models import Licence, LicenceDrawdown, utcnow

EDITABLE = ("holder", "authority", "control_codes", "hs_codes", "destinations", "end_user",
            "quantity_limit", "value_limit", "currency", "valid_from", "valid_until",
            "euc_reference")


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def get(session: Session, number: str, lock: bool = False) -> Licence | None:
    q = select(Licence).where(Licence.number == number)
    if lock:
        q = q.with_for_update()
    return session.execute(q).scalar_one_or_none()


def get_many(session: Session, numbers: list[str], lock: bool = False) -> dict[str, Licence]:
    if not numbers:
        return {}
    q = select(Licence).where(Licence.number.in_(set(numbers))).order_by(Licence.id)
    if lock:
        q = q.with_for_update()
    return {lic.number: lic for lic in session.execute(q).scalars()}


def list_licences(session: Session, *, status: str | None = None, holder: str | None = None,
                  limit: int = 100, offset: int = 0) -> list[Licence]:
    q = select(Licence).order_by(Licence.number)
    if status:
        q = q.where(Licence.status == status)
    if holder:
        q = q.where(Licence.holder == holder)
    return list(session.execute(q.limit(limit).offset(offset)).scalars())


def add(session: Session, fields: dict[str, Any], actor: str) -> Licence:
    lic = Licence(**fields, created_by=actor)
    session.add(lic)
    session.flush()  # unique number fires here
    audit.append(session, actor=actor, action="licence.created", object_type="licence",
                 object_id=lic.number, payload={k: _jsonable(v) for k, v in fields.items()})
    return lic


def update_fields(session: Session, lic: Licence, changes: dict[str, Any], actor: str) -> Licence:
    before = {k: _jsonable(getattr(lic, k)) for k in changes}
    for key, value in changes.items():
        setattr(lic, key, value)
    lic.updated_at = utcnow()
    session.flush()
    audit.append(session, actor=actor, action="licence.updated", object_type="licence",
                 object_id=lic.number,
                 payload={"before": before, "after": {k: _jsonable(v) for k, v in changes.items()}})
    return lic


def revoke(session: Session, lic: Licence, reason: str, actor: str) -> Licence:
    lic.status = "revoked"
    lic.revoked_at = utcnow()
    lic.revoked_by = actor
    lic.revoked_reason = reason
    lic.updated_at = lic.revoked_at
    session.flush()
    audit.append(session, actor=actor, action="licence.revoked", object_type="licence",
                 object_id=lic.number, payload={"reason": reason})
    return lic


def draw_down(session: Session, lic: Licence, *, quantity: Decimal, value: Decimal,
              screening_id: str | None, shipment_ref: str | None, actor: str) -> bool:
    """Draw ``quantity`` and ``value`` from ``lic`` if it has that much left; atomic."""
    t = Licence.__table__
    assert isinstance(t, Table)
    stmt = (
        update(t)
        .where(t.c.id == lic.id, t.c.status == "active")
        .where(or_(t.c.quantity_limit.is_(None),
                   and_(t.c.quantity_used + quantity <= t.c.quantity_limit)))
        .where(or_(t.c.value_limit.is_(None), t.c.value_used + value <= t.c.value_limit))
        .values(quantity_used=t.c.quantity_used + quantity, value_used=t.c.value_used + value)
    )
    result = session.execute(stmt)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.add(LicenceDrawdown(licence_id=lic.id, screening_id=screening_id,
                                shipment_ref=shipment_ref, quantity=quantity, value=value))
    session.flush()
    session.refresh(lic)
    audit.append(session, actor=actor, action="licence.drawdown", object_type="licence",
                 object_id=lic.number,
                 payload={"screening": screening_id, "shipment": shipment_ref,
                          "quantity": str(quantity), "value": str(value),
                          "quantity_used": str(lic.quantity_used),
                          "value_used": str(lic.value_used)})
    return True


def drawdowns(session: Session, lic: Licence) -> list[LicenceDrawdown]:
    q = (select(LicenceDrawdown).where(LicenceDrawdown.licence_id == lic.id)
         .order_by(LicenceDrawdown.id))
    return list(session.execute(q).scalars())


def to_dict(lic: Licence) -> dict[str, Any]:
    def num(v: Decimal | None) -> float | None:
        return None if v is None else float(v)

    return {
        "number": lic.number, "holder": lic.holder, "authority": lic.authority,
        "control_codes": list(lic.control_codes or []), "hs_codes": list(lic.hs_codes or []),
        "destinations": list(lic.destinations or []), "end_user": lic.end_user,
        "quantity_limit": num(lic.quantity_limit), "value_limit": num(lic.value_limit),
        "quantity_used": num(lic.quantity_used) or 0.0, "value_used": num(lic.value_used) or 0.0,
        "quantity_remaining": (None if lic.quantity_limit is None
                               else float(lic.quantity_limit - lic.quantity_used)),
        "value_remaining": (None if lic.value_limit is None
                            else float(lic.value_limit - lic.value_used)),
        "currency": lic.currency, "valid_from": lic.valid_from.isoformat(),
        "valid_until": lic.valid_until.isoformat(), "euc_reference": lic.euc_reference,
        "status": lic.status,
        "revoked_at": lic.revoked_at.isoformat() if lic.revoked_at else None,
        "revoked_by": lic.revoked_by, "revoked_reason": lic.revoked_reason,
        "created_at": lic.created_at.isoformat(), "created_by": lic.created_by,
        "updated_at": lic.updated_at.isoformat(),
    }
