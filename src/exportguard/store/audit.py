"""The audit log: append-only, each entry hash-chained to the one before.

``hash = sha256(canonical JSON of {seq, at, actor, action, object_type,
object_id, payload, prev_hash})``; the first entry's ``prev_hash`` is 64 zeros.
:func:`verify` recomputes the chain and names the first entry that does not fit
(changed content, a removed or reordered entry).

Appends are serialised so the chain never forks: on PostgreSQL a
transaction-scoped advisory lock (held until the caller's transaction commits),
on SQLite the write lock every write session takes (``BEGIN IMMEDIATE``).
``seq`` and ``prev_hash`` are unique besides, and triggers refuse UPDATE and
DELETE on the table.

An entry is written in the same transaction as the change it records, so a
change without its entry (or the reverse) cannot be committed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from exportguard.store.models import AuditEntry

GENESIS_HASH = "0" * 64
_PG_AUDIT_LOCK = 7316022


def canonical_json(data: Any) -> str:
    """Sorted keys, no spaces, UTF-8 as is: the same data gives the same text."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(*, seq: int, at: str, actor: str, action: str, object_type: str,
               object_id: str, payload: str, prev_hash: str) -> str:
    body = canonical_json({
        "seq": seq, "at": at, "actor": actor, "action": action, "object_type": object_type,
        "object_id": object_id, "payload": payload, "prev_hash": prev_hash,
    })
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def append(session: Session, *, actor: str, action: str, object_type: str, object_id: str,
           payload: dict[str, Any] | None = None) -> AuditEntry:
    """Append one entry in the caller's transaction (which must be a write session)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SELECT pg_advisory_xact_lock({_PG_AUDIT_LOCK})"))
    last = session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    at = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    payload_text = canonical_json(payload or {})
    entry = AuditEntry(
        seq=seq, at=at, actor=actor, action=action, object_type=object_type,
        object_id=str(object_id), payload=payload_text, prev_hash=prev,
        hash=entry_hash(seq=seq, at=at, actor=actor, action=action, object_type=object_type,
                        object_id=str(object_id), payload=payload_text, prev_hash=prev),
    )
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    head_hash: str | None
    first_broken_seq: int | None = None
    first_broken_id: int | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": self.ok, "entries": self.entries, "head_hash": self.head_hash}
        if not self.ok:
            out["first_broken"] = {"seq": self.first_broken_seq, "id": self.first_broken_id,
                                   "reason": self.reason}
        return out


def _broken(e: AuditEntry, count: int, reason: str) -> VerifyResult:
    return VerifyResult(ok=False, entries=count, head_hash=None, first_broken_seq=e.seq,
                        first_broken_id=e.id, reason=reason)


def verify(session: Session) -> VerifyResult:
    """Walk the chain in ``seq`` order and recompute every hash."""
    prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    rows = session.execute(select(AuditEntry).order_by(AuditEntry.seq).execution_options(
        yield_per=2000)).scalars()
    for e in rows:
        count += 1
        if e.seq != expected_seq:
            missing = e.seq - expected_seq
            why = (f"entry seq {e.seq} follows seq {expected_seq - 1}: {missing} missing before it"
                   if missing > 0 else f"entry seq {e.seq} is out of order")
            return _broken(e, count, why)
        if e.prev_hash != prev:
            return _broken(e, count, f"entry seq {e.seq}: prev_hash does not match the hash of "
                           "the entry before it (an entry was removed, inserted or changed)")
        recomputed = entry_hash(seq=e.seq, at=e.at, actor=e.actor, action=e.action,
                                object_type=e.object_type, object_id=e.object_id,
                                payload=e.payload, prev_hash=e.prev_hash)
        if recomputed != e.hash:
            return _broken(e, count, f"entry seq {e.seq}: content does not match its hash "
                           "(the entry was changed after it was written)")
        prev = e.hash
        expected_seq += 1
    return VerifyResult(ok=True, entries=count, head_hash=prev if count else None)


def entries(session: Session, *, object_type: str | None = None, object_id: str | None = None,
            limit: int = 100) -> list[AuditEntry]:
    q = select(AuditEntry).order_by(AuditEntry.seq)
    if object_type:
        q = q.where(AuditEntry.object_type == object_type)
    if object_id:
        q = q.where(AuditEntry.object_id == object_id)
    return list(session.execute(q.limit(limit)).scalars())


def entry_to_dict(e: AuditEntry) -> dict[str, Any]:
    return {"seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action,
            "object_type": e.object_type, "object_id": e.object_id,
            "payload": json.loads(e.payload), "prev_hash": e.prev_hash, "hash": e.hash}
