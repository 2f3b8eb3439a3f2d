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

The entries cover the records too. The entry of a screening holds the hash of
the stored screening (its columns and findings), and of the review case it
opened; the entry of a review action holds the hash of the action and of its
case as the action left it. Each is ``{"sha256": sha256 of the canonical JSON
of the record, "fields": {field: short digest}}`` (:func:`record_digest`),
computed from the values as stored; the field names say what was hashed, and
the short digests tell which field changed. :func:`verify` recomputes them from
the stored rows: a screening changed from HOLD to CLEAR behind the app's back,
a case marked released, a review action's reason rewritten, a record with no
entry or an entry whose record is gone, are all reported (entries written
before record hashes are checked on the decision and digests they hold).

The chain alone cannot tell that its last entries were removed: :func:`head`
gives the last entry's ``seq`` and hash to keep elsewhere, and
``verify(head="SEQ:HASH")`` fails when the log no longer holds that entry.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, select, text
from sqlalchemy.orm import Session

from exportguard.store.models import AuditEntry, Case, FindingRecord, ReviewAction, Screening

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


# ---------------------------------------------------------------------------
# record hashes (written into the entries; recomputed by verify)

SCREENING_FIELDS = ("id", "created_at", "created_by", "source", "shipment_ref", "shipment_date",
                    "input", "input_sha256", "decision", "result", "policy_id",
                    "policy_version", "policy_sha256", "lists", "engine_version", "screened_at",
                    "idempotency_key", "rescreen_of", "findings")
REVIEW_ACTION_FIELDS = ("id", "case_id", "action", "actor", "at", "reason", "details")
CASE_FIELDS = ("id", "screening_id", "status", "opened_at", "closed_at", "outcome",
               "closed_by", "reason", "expires_at")
FINDING_FIELDS = ("seq", "rule", "severity", "subject", "evidence", "message")
FIELD_DIGEST_CHARS = 16  # per-field digests only say which field changed; the sha256 decides


def _sha(data: str) -> str:
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _plain(value: Any) -> Any:
    """A stored value as JSON data, the same whether it comes from the object just written
    or from the row read back (times as UTC ISO 8601 with microseconds)."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _get(source: Any, name: str) -> Any:
    return source.get(name) if isinstance(source, Mapping) else getattr(source, name, None)


def record_values(source: Any, names: Iterable[str],
                  findings: Iterable[Any] | None = None) -> dict[str, Any]:
    """The named fields of a record (an ORM object or a row mapping) as JSON data;
    ``findings`` (of a screening) sorted by ``seq``."""
    out: dict[str, Any] = {}
    for name in names:
        if name == "findings":
            rows = sorted(findings or [], key=lambda f: int(_get(f, "seq")))
            out[name] = [{k: _plain(_get(f, k)) for k in FINDING_FIELDS} for f in rows]
        else:
            out[name] = _plain(_get(source, name))
    return out


def record_sha256(values: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of a record's values."""
    return _sha(canonical_json(dict(values)))


def record_digest(values: Mapping[str, Any]) -> dict[str, Any]:
    """``{"sha256": sha256 of the canonical JSON of the record, "fields": {name: digest}}``."""
    return {"sha256": record_sha256(values),
            "fields": {k: _sha(canonical_json(v))[:FIELD_DIGEST_CHARS]
                       for k, v in values.items()}}


def screening_digest(rec: Any, findings: Iterable[Any]) -> dict[str, Any]:
    return record_digest(record_values(rec, SCREENING_FIELDS, findings))


def review_action_digest(rec: Any) -> dict[str, Any]:
    return record_digest(record_values(rec, REVIEW_ACTION_FIELDS))


def case_digest(case: Any) -> dict[str, Any]:
    return record_digest(record_values(case, CASE_FIELDS))


# ---------------------------------------------------------------------------
# verify: the chain, the exported head, the records


@dataclass(frozen=True)
class Head:
    """The last entry: its ``seq`` and hash (``0`` and ``None`` for an empty log)."""

    seq: int
    hash: str | None
    at: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "hash": self.hash, "at": self.at}


def head(session: Session) -> Head:
    last = session.execute(select(AuditEntry.seq, AuditEntry.hash, AuditEntry.at)
                           .order_by(AuditEntry.seq.desc()).limit(1)).first()
    return Head(seq=int(last[0]), hash=last[1], at=last[2]) if last else Head(0, None, None)


_HEAD = re.compile(r"(?:(\d+):)?([0-9a-fA-F]{64})")


def parse_head(value: str) -> tuple[int | None, str]:
    """``SEQ:HASH`` or ``HASH`` (as :func:`head` prints it) → ``(seq or None, hash)``."""
    m = _HEAD.fullmatch((value or "").strip())
    if not m:
        raise ValueError(f"head {value!r}: expected SEQ:HASH or HASH (64 hex digits), as "
                         "`exportguard audit head` prints it")
    return (int(m.group(1)) if m.group(1) is not None else None), m.group(2).lower()


@dataclass(frozen=True)
class RecordProblem:
    """A stored record that does not match its audit entry (or has none, or is gone)."""

    kind: str  # screening | review_action | case
    object_id: str
    reason: str
    changed: tuple[str, ...] = ()
    seq: int | None = None  # the audit entry's seq (None: the record has no entry)
    entry_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "object_id": self.object_id, "seq": self.seq,
                "entry_id": self.entry_id, "changed": list(self.changed), "reason": self.reason}


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    head_hash: str | None
    first_broken_seq: int | None = None
    first_broken_id: int | None = None
    reason: str | None = None
    head_seq: int | None = None
    chain_ok: bool = True
    head_ok: bool | None = None  # None: no exported head given
    head_reason: str | None = None
    problems: tuple[RecordProblem, ...] = ()
    records: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": self.ok, "entries": self.entries,
                               "head_hash": self.head_hash, "head_seq": self.head_seq,
                               "chain_ok": self.chain_ok, "records": dict(self.records),
                               "problems": [p.to_dict() for p in self.problems]}
        if self.head_ok is not None:
            out["exported_head"] = {"ok": self.head_ok, "reason": self.head_reason}
        if not self.ok:
            out["first_broken"] = {"seq": self.first_broken_seq, "id": self.first_broken_id,
                                   "reason": self.reason}
        return out


@dataclass
class _Entry:
    """What verify keeps of an entry about a record (the full payload only when needed)."""

    seq: int
    id: int
    action: str
    actor: str
    record: str | None  # sha256 of the record it covers (None: written before record hashes)
    names: tuple[str, ...] = ()  # the fields that hash covers
    case: str | None = None  # sha256 of the case state it left (None: none recorded)
    case_names: tuple[str, ...] = ()
    case_id: str | None = None
    review_action: int | None = None
    legacy: dict[str, Any] | None = None  # what an entry without record hashes holds


_NAMES: dict[tuple[str, ...], tuple[str, ...]] = {}  # one copy of each field-name tuple


def _names(digest: Any) -> tuple[str, ...]:
    fields = digest.get("fields") if isinstance(digest, dict) else None
    names = tuple(str(k) for k in fields) if isinstance(fields, dict) else ()
    return _NAMES.setdefault(names, names)


def _entry_of(e: AuditEntry) -> tuple[str, str, _Entry] | None:
    """``(object type, object id, entry)`` for entries about screenings and cases."""
    if not ((e.object_type == "screening" and e.action == "screening.recorded")
            or (e.object_type == "case" and e.action.startswith("case."))):
        return None
    try:
        payload = json.loads(e.payload)
    except ValueError:
        payload = {}
    if not isinstance(payload, dict):
        payload = {}
    rec, case = payload.get("record"), payload.get("case_record")
    out = _Entry(seq=e.seq, id=e.id, action=e.action, actor=e.actor,
                 record=rec.get("sha256") if isinstance(rec, dict) else None, names=_names(rec),
                 case=case.get("sha256") if isinstance(case, dict) else None,
                 case_names=_names(case))
    if e.object_type == "screening":
        out.case_id = str(payload["case"]) if payload.get("case") is not None else None
        if out.record is None:
            out.legacy = {k: payload.get(k) for k in ("decision", "input_sha256",
                                                      "result_sha256")}
    else:
        out.case_id = e.object_id
        ra = payload.get("review_action")
        out.review_action = int(ra) if isinstance(ra, int) else None
        if out.record is None:
            out.legacy = payload
    return e.object_type, e.object_id, out


class _Expected:
    """The entries about records, by the record they cover."""

    def __init__(self) -> None:
        self.screenings: dict[str, _Entry] = {}
        self.actions: dict[int, _Entry] = {}  # by review action id
        self.legacy_actions: dict[str, list[_Entry]] = {}  # by case id, in seq order
        self.case_state: dict[str, _Entry] = {}  # by case id: the entry that set its state

    def add(self, object_type: str, object_id: str, e: _Entry) -> None:
        if object_type == "screening":
            self.screenings.setdefault(object_id, e)
            if e.case_id is not None:
                self._state(e.case_id, e)
            return
        if e.review_action is not None:
            self.actions.setdefault(e.review_action, e)
        else:
            self.legacy_actions.setdefault(object_id, []).append(e)
        if e.case is not None or e.action in ("case.release", "case.confirm"):
            self._state(object_id, e)

    def _state(self, case_id: str, e: _Entry) -> None:
        cur = self.case_state.get(case_id)
        if cur is None or e.seq > cur.seq:
            self.case_state[case_id] = e


def _payload(session: Session, entry_id: int) -> dict[str, Any]:
    text_ = session.execute(select(AuditEntry.payload).where(AuditEntry.id == entry_id)
                            ).scalar_one_or_none()
    try:
        data = json.loads(text_ or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _short(value: Any) -> str:
    if value is None:
        return "none"
    s = value if isinstance(value, str) else canonical_json(value)
    return repr(s if len(s) <= 60 else s[:57] + "...")


def _changes(recorded: dict[str, Any] | None, values: Mapping[str, Any],
             known: Mapping[str, Any]) -> tuple[tuple[str, ...], str]:
    """The fields whose digests differ, and a text naming them (with the old value when the
    entry holds it)."""
    fields = (recorded or {}).get("fields")
    if not isinstance(fields, dict):
        return (), "its content does not match the hash its audit entry recorded"
    now = record_digest(values)["fields"]
    changed = tuple(k for k in fields if fields.get(k) != now.get(k))
    if not changed:
        return (), "its content does not match the hash its audit entry recorded"
    parts = [f"{k} {_short(known[k])} → {_short(values.get(k))}" if k in known else k
             for k in changed]
    return changed, "changed since it was recorded: " + "; ".join(parts)


class _Checker:
    """Compares the stored records with the entries collected from the chain walk."""

    PAGE = 500

    def __init__(self, session: Session, expected: _Expected, last_seq: int) -> None:
        self.s = session
        self.exp = expected
        self.last_seq = last_seq
        self.problems: list[RecordProblem] = []
        self.counts = {"screenings": 0, "review_actions": 0, "cases": 0}

    # entries written after the chain walk (the store is read while others write)
    def _later(self, object_type: str, object_id: str) -> list[_Entry]:
        rows = self.s.execute(select(AuditEntry).where(
            AuditEntry.object_type == object_type, AuditEntry.object_id == object_id,
            AuditEntry.seq > self.last_seq).order_by(AuditEntry.seq)).scalars()
        out = []
        for e in rows:
            got = _entry_of(e)
            if got is not None:
                self.exp.add(*got)
                out.append(got[2])
        return out

    def _pages(self, table: Any, key: Any) -> Iterator[list[Any]]:
        last = None
        while True:
            q = select(table).order_by(key).limit(self.PAGE)
            if last is not None:
                q = q.where(key > last)
            rows = [r._mapping for r in self.s.execute(q)]
            if not rows:
                return
            yield rows
            last = rows[-1][key.name]

    def problem(self, kind: str, object_id: Any, reason: str, changed: Sequence[str] = (),
                entry: _Entry | None = None) -> None:
        self.problems.append(RecordProblem(
            kind=kind, object_id=str(object_id), reason=reason, changed=tuple(changed),
            seq=entry.seq if entry else None, entry_id=entry.id if entry else None))

    # -- screenings
    def screenings(self) -> None:
        table = Screening.__table__
        ftable = FindingRecord.__table__
        assert isinstance(table, Table) and isinstance(ftable, Table)
        for page in self._pages(table, table.c.id):
            ids = [r["id"] for r in page]
            findings: dict[str, list[Any]] = {}
            for f in self.s.execute(select(ftable).where(ftable.c.screening_id.in_(ids))):
                findings.setdefault(f._mapping["screening_id"], []).append(f._mapping)
            for row in page:
                self.counts["screenings"] += 1
                self._screening(row, findings.get(row["id"], []))
        for sid, e in self.exp.screenings.items():
            self.problem("screening", sid, f"screening {sid} is recorded in the audit log "
                         f"(entry seq {e.seq}) but missing from the store", entry=e)

    def _screening(self, row: Mapping[str, Any], findings: list[Mapping[str, Any]]) -> None:
        sid = str(row["id"])
        e = self.exp.screenings.pop(sid, None)
        if e is None and self._later("screening", sid):
            e = self.exp.screenings.pop(sid, None)
        if e is None:
            self.problem("screening", sid, f"screening {sid} ({row['decision']}) is in the "
                         "store but not in the audit log (written behind the app's back)")
            return
        if e.record is None:
            self._legacy_screening(sid, row, e)
            return
        values = record_values(row, e.names or SCREENING_FIELDS, findings)
        if record_sha256(values) == e.record:
            return
        payload = _payload(self.s, e.id)
        recorded = payload.get("record") if isinstance(payload.get("record"), dict) else {}
        known = {"decision": payload.get("decision"), "shipment_ref": payload.get("shipment"),
                 "input_sha256": payload.get("input_sha256"), "source": payload.get("source"),
                 "rescreen_of": payload.get("rescreen_of"), "created_by": e.actor}
        changed, why = _changes(recorded, values, {k: v for k, v in known.items()
                                                   if k in values})
        self.problem("screening", sid, f"screening {sid}: {why}", changed, e)

    def _legacy_screening(self, sid: str, row: Mapping[str, Any], e: _Entry) -> None:
        old = e.legacy or {}
        now = {"decision": row["decision"], "input_sha256": row["input_sha256"],
               "result_sha256": _sha(canonical_json(row["result"]))}
        changed = tuple(k for k in now if old.get(k) is not None and old[k] != now[k])
        if changed:
            parts = [f"{k} {_short(old[k])} → {_short(now[k])}" for k in changed]
            changed = tuple("result" if k == "result_sha256" else k for k in changed)
            self.problem("screening", sid, f"screening {sid}: changed since it was recorded: "
                         + "; ".join(parts), changed, e)

    # -- review actions
    def review_actions(self) -> None:
        table = ReviewAction.__table__
        assert isinstance(table, Table)
        unmatched: dict[str, list[Mapping[str, Any]]] = {}
        for page in self._pages(table, table.c.id):
            for row in page:
                self.counts["review_actions"] += 1
                e = self.exp.actions.pop(int(row["id"]), None)
                if e is None and self._later("case", str(row["case_id"])):
                    e = self.exp.actions.pop(int(row["id"]), None)
                if e is None:
                    unmatched.setdefault(str(row["case_id"]), []).append(row)
                    continue
                self._action(row, e)
        for case_id, rows in unmatched.items():  # entries written before record hashes
            entries = self.exp.legacy_actions.pop(case_id, [])
            for row, e in zip(rows, entries, strict=False):
                self._legacy_action(row, e)
            for row in rows[len(entries):]:
                self.problem("review_action", row["id"], f"review action {row['id']} "
                             f"({row['action']} on case {case_id} by {row['actor']}) is in the "
                             "store but not in the audit log (written behind the app's back)")
            for e in entries[len(rows):]:
                self._gone_action(e, case_id)
        for e in self.exp.actions.values():
            self._gone_action(e, e.case_id)
        for case_id, entries in self.exp.legacy_actions.items():
            for e in entries:
                self._gone_action(e, case_id)

    def _gone_action(self, e: _Entry, case_id: str | None) -> None:
        what = e.review_action if e.review_action is not None else f"{e.action} of case {case_id}"
        self.problem("review_action", what, f"review action {e.action} on case {case_id} by "
                     f"{e.actor} is recorded in the audit log (entry seq {e.seq}) but missing "
                     "from the store", entry=e)

    def _action(self, row: Mapping[str, Any], e: _Entry) -> None:
        values = record_values(row, e.names or REVIEW_ACTION_FIELDS)
        if record_sha256(values) == e.record:
            return
        payload = _payload(self.s, e.id)
        recorded = payload.get("record") if isinstance(payload.get("record"), dict) else {}
        known = {"action": e.action.removeprefix("case."), "actor": e.actor,
                 "reason": payload.get("reason")}
        changed, why = _changes(recorded, values, {k: v for k, v in known.items()
                                                   if k in values})
        self.problem("review_action", row["id"], f"review action {row['id']} (case "
                     f"{row['case_id']}): {why}", changed, e)

    def _legacy_action(self, row: Mapping[str, Any], e: _Entry) -> None:
        old = dict(e.legacy or {})
        old_details = {k: v for k, v in old.items() if k not in ("screening", "reason")}
        now_details = row["details"] if isinstance(row["details"], dict) else {}
        checks = {"action": (e.action.removeprefix("case."), row["action"]),
                  "actor": (e.actor, row["actor"]), "reason": (old.get("reason"), row["reason"]),
                  "details": (old_details, {k: v for k, v in now_details.items()
                                            if k not in ("screening", "reason")})}
        changed = tuple(k for k, (a, b) in checks.items() if a != b)
        if changed:
            parts = [f"{k} {_short(checks[k][0])} → {_short(checks[k][1])}" for k in changed]
            self.problem("review_action", row["id"], f"review action {row['id']} (case "
                         f"{row['case_id']}): changed since it was recorded: "
                         + "; ".join(parts), changed, e)

    # -- cases
    def cases(self) -> None:
        table = Case.__table__
        assert isinstance(table, Table)
        for page in self._pages(table, table.c.id):
            for row in page:
                self.counts["cases"] += 1
                self._case(row)
        for case_id, e in self.exp.case_state.items():
            self.problem("case", case_id, f"case {case_id} is recorded in the audit log "
                         f"(entry seq {e.seq}) but missing from the store", entry=e)

    def _case_matches(self, row: Mapping[str, Any], e: _Entry) -> bool:
        if e.case is not None:
            values = record_values(row, e.case_names or CASE_FIELDS)
            return record_sha256(values) == e.case
        return not self._legacy_case_changes(row, e)

    def _case(self, row: Any) -> None:
        case_id = str(row["id"])
        e = self.exp.case_state.pop(case_id, None)
        if e is not None and self._case_matches(row, e):
            return
        # Changed after the chain walk? (the store is read while others write.) Fetch the
        # newer entries, then read the row again (it may be newer than the page it came in),
        # a few times over: a case changes only a few times in its life.
        table = Case.__table__
        assert isinstance(table, Table)
        for _ in range(3):
            if not (self._later("case", case_id)
                    + self._later("screening", str(row["screening_id"]))):
                break
            e = self.exp.case_state.pop(case_id, e)
            fresh = self.s.execute(select(table).where(table.c.id == row["id"])).first()
            row = fresh._mapping if fresh is not None else row
            if e is not None and self._case_matches(row, e):
                return
        if e is None:
            self.problem("case", case_id, f"case {case_id} (screening {row['screening_id']}, "
                         f"{row['status']}) is in the store but not in the audit log")
            return
        where = f"its last audit entry: {e.action}, seq {e.seq}"
        if e.case is None:
            legacy = self._legacy_case_changes(row, e)
            self.problem("case", case_id, f"case {case_id} (screening {row['screening_id']}) "
                         f"does not match {where}: " + "; ".join(
                             f"{k} {_short(a)} → {_short(b)}" for k, (a, b) in legacy.items()),
                         tuple(legacy), e)
            return
        payload = _payload(self.s, e.id)
        rec = payload.get("case_record") if isinstance(payload.get("case_record"), dict) else {}
        values = record_values(row, e.case_names or CASE_FIELDS)
        known = self._case_known(e, payload)
        changed, why = _changes(rec, values, {k: v for k, v in known.items() if k in values})
        self.problem("case", case_id, f"case {case_id} (screening {row['screening_id']}): "
                     f"{why} ({where})", changed, e)

    @staticmethod
    def _case_known(e: _Entry, payload: Mapping[str, Any]) -> dict[str, Any]:
        if e.action == "screening.recorded":
            return {"status": "open", "outcome": None, "closed_by": None, "reason": None,
                    "closed_at": None, "expires_at": None}
        if e.action == "case.release":
            return {"status": "released", "outcome": payload.get("outcome"),
                    "closed_by": e.actor, "reason": payload.get("reason")}
        if e.action == "case.confirm":
            return {"status": "denied", "outcome": "DENY", "closed_by": e.actor,
                    "reason": payload.get("reason")}
        return {}

    def _legacy_case_changes(self, row: Mapping[str, Any], e: _Entry) -> dict[str, Any]:
        known = self._case_known(e, e.legacy or {})
        return {k: (known[k], row[k]) for k in ("status", "outcome", "closed_by")
                if k in known and known[k] != row[k]}


def verify(session: Session, *, head: str | None = None, records: bool = True) -> VerifyResult:
    """Walk the chain in ``seq`` order and recompute every hash; check the exported ``head``
    (``SEQ:HASH`` or ``HASH``) is still in it; recompute every stored screening's, review
    action's and case's hash against its entry (``records``).

    Raises :class:`ValueError` for a ``head`` that is not ``SEQ:HASH`` or ``HASH``.
    """
    want = parse_head(head) if head is not None else None
    prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    broken: tuple[int, int, str] | None = None  # seq, id, reason
    at_seq: dict[int, str] = {}  # the hash at the exported head's seq
    hash_seq: int | None = None  # the seq of the exported head's hash
    last_seq = 0
    expected = _Expected()
    rows = session.execute(select(AuditEntry).order_by(AuditEntry.seq).execution_options(
        yield_per=2000)).scalars()
    for e in rows:
        count += 1
        last_seq = e.seq
        if want is not None:
            if want[0] is not None and e.seq == want[0]:
                at_seq[e.seq] = e.hash
            if e.hash == want[1]:
                hash_seq = e.seq
        if records:
            got = _entry_of(e)
            if got is not None:
                expected.add(*got)
        if broken is not None:
            continue
        if e.seq != expected_seq:
            missing = e.seq - expected_seq
            why = (f"entry seq {e.seq} follows seq {expected_seq - 1}: {missing} missing before it"
                   if missing > 0 else f"entry seq {e.seq} is out of order")
            broken = (e.seq, e.id, why)
        elif e.prev_hash != prev:
            broken = (e.seq, e.id, f"entry seq {e.seq}: prev_hash does not match the hash of "
                      "the entry before it (an entry was removed, inserted or changed)")
        elif entry_hash(seq=e.seq, at=e.at, actor=e.actor, action=e.action,
                        object_type=e.object_type, object_id=e.object_id,
                        payload=e.payload, prev_hash=e.prev_hash) != e.hash:
            broken = (e.seq, e.id, f"entry seq {e.seq}: content does not match its hash "
                      "(the entry was changed after it was written)")
        else:
            prev = e.hash
            expected_seq += 1

    head_ok: bool | None = None
    head_reason: str | None = None
    if want is not None:
        head_ok, head_reason = _check_head(want, at_seq, hash_seq, last_seq)

    checker = _Checker(session, expected, last_seq)
    if records:
        checker.screenings()
        checker.review_actions()
        checker.cases()
    problems = tuple(checker.problems)

    first: tuple[int | None, int | None, str] | None = broken
    if first is None and head_ok is False:
        first = (want[0] if want else None, None, head_reason or "")
    if first is None and problems:
        p = problems[0]
        first = (p.seq, p.entry_id, p.reason + (f" (and {len(problems) - 1} more record "
                                                "problem(s))" if len(problems) > 1 else ""))
    ok = first is None
    return VerifyResult(
        ok=ok, entries=count, head_hash=prev if (broken is None and count) else None,
        head_seq=last_seq if broken is None else None, chain_ok=broken is None,
        first_broken_seq=first[0] if first else None,
        first_broken_id=first[1] if first else None, reason=first[2] if first else None,
        head_ok=head_ok, head_reason=head_reason, problems=problems,
        records=dict(checker.counts) if records else {})


def _check_head(want: tuple[int | None, str], at_seq: Mapping[int, str], hash_seq: int | None,
                last_seq: int) -> tuple[bool, str | None]:
    seq, digest = want
    if seq is not None:
        if seq == 0:
            return (digest == GENESIS_HASH, None if digest == GENESIS_HASH else
                    "an exported head at seq 0 is the empty log: its hash is 64 zeros")
        found = at_seq.get(seq)
        if found is None:
            return False, (f"the exported head (seq {seq}, hash {digest[:16]}…) is not in the "
                           f"log, which ends at seq {last_seq}: entries were removed from its "
                           "end")
        if found != digest:
            return False, (f"the entry at seq {seq} has hash {found[:16]}…, not the exported "
                           f"head's {digest[:16]}…: the log was rewritten from there (or "
                           "the exported head is not this log's)")
        return True, None
    if hash_seq is None:
        return False, (f"the exported head {digest[:16]}… is not in the log, which ends at seq "
                       f"{last_seq}: entries were removed from its end, or the log was "
                       "rewritten")
    return True, None


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
