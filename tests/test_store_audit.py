"""The audit log: hash chain, tamper detection, append-only triggers, concurrent appends;
the records it covers (screenings, review actions, cases) and its exported head."""

from __future__ import annotations

import hashlib
import json
import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from exportguard.service import records, review
from exportguard.service.auth import Actor
from exportguard.service.schemas import ConfirmIn, ReleaseIn, ScreeningRecord
from exportguard.store import audit
from exportguard.store.db import get_database
from exportguard.store.models import Screening
from records_support import clear, fake_screener, held, sanctioned_table


def cli(*args: str) -> tuple[int, str, str]:
    from exportguard.cli.app import app

    r = CliRunner().invoke(app, list(args))
    return r.exit_code, r.stdout, r.stderr


def _fill(db_url: str, n: int) -> None:
    with get_database(db_url).session(write=True) as s:
        for i in range(n):
            audit.append(s, actor="alice", action="test.event", object_type="thing",
                         object_id=str(i), payload={"i": i, "note": "ünïcode ✓"})


def _drop_triggers(db_url: str) -> None:
    """What an attacker with write access to the database could do first."""
    db = get_database(db_url)
    with db.engine.begin() as conn:
        if db.dialect == "sqlite":
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_update_delete ON audit_log"))


def test_chain_verifies_and_names_the_first_changed_entry(db_url: str) -> None:
    assert records.verify_audit(db_url).model_dump() == {
        "ok": True, "entries": 0, "head_hash": None, "first_broken": None}
    _fill(db_url, 5)
    good = records.verify_audit(db_url)
    assert good.ok and good.entries == 5 and good.head_hash
    _drop_triggers(db_url)
    with get_database(db_url).engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET payload = :p WHERE seq = 3"), {"p": '{"i":99}'})
    bad = records.verify_audit(db_url)
    assert not bad.ok and bad.first_broken is not None
    assert bad.first_broken.seq == 3 and "changed" in (bad.first_broken.reason or "")


def test_a_removed_entry_is_named(db_url: str) -> None:
    _fill(db_url, 4)
    _drop_triggers(db_url)
    with get_database(db_url).engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    bad = records.verify_audit(db_url)
    assert not bad.ok and bad.first_broken and bad.first_broken.seq == 3
    assert "missing" in (bad.first_broken.reason or "")


def test_database_refuses_update_and_delete(db_url: str) -> None:
    _fill(db_url, 2)
    engine = get_database(db_url).engine
    for sql in ("UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(sql))
    assert records.verify_audit(db_url).ok


def test_concurrent_appends_never_fork_the_chain(db_url: str) -> None:
    get_database(db_url)
    errors: list[BaseException] = []

    def worker(k: int) -> None:
        try:
            for i in range(10):
                with get_database(db_url).session(write=True) as s:
                    audit.append(s, actor=f"w{k}", action="test.concurrent", object_type="t",
                                 object_id=f"{k}-{i}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    result = records.verify_audit(db_url)
    assert result.ok and result.entries == 80


# ---------------------------------------------------------------------------
# The audit covers the records: each stored screening, review action and case is
# checked against the hash its audit entry recorded.

ALICE = Actor("alice", "reviewer")


def _hold(db_url: str) -> ScreeningRecord:
    rec = records.screen_and_record(held(), db_url=db_url,
                                    screener=fake_screener(sanctioned_table()))
    assert rec.case is not None and rec.decision == "HOLD"
    return rec


def _clear(db_url: str) -> ScreeningRecord:
    rec = records.screen_and_record(clear(), db_url=db_url, screener=fake_screener())
    assert rec.case is None and rec.decision == "CLEAR"
    return rec


def _verify(db_url: str, head: str | None = None) -> audit.VerifyResult:
    with get_database(db_url).session() as s:
        return audit.verify(s, head=head)


def _sql(db_url: str, sql: str, **params: object) -> None:
    with get_database(db_url).engine.begin() as conn:
        conn.execute(text(sql), params)


def test_a_screening_changed_from_hold_to_clear_is_detected(db_url: str) -> None:
    rec = _hold(db_url)
    _clear(db_url)
    good = _verify(db_url)
    assert good.ok and good.problems == () and good.records["screenings"] == 2
    _sql(db_url, "UPDATE screenings SET decision = 'CLEAR' WHERE id = :id", id=rec.id)
    bad = _verify(db_url)
    assert not bad.ok and len(bad.problems) == 1
    p = bad.problems[0]
    assert (p.kind, p.object_id, p.changed) == ("screening", rec.id, ("decision",))
    assert "HOLD" in p.reason and "CLEAR" in p.reason
    # the service (and so the API) reports it too, at the screening's audit entry
    out = records.verify_audit(db_url)
    assert not out.ok and out.first_broken is not None
    assert out.first_broken.seq == p.seq and rec.id in (out.first_broken.reason or "")


def test_changes_to_the_result_findings_or_input_are_named(db_url: str) -> None:
    rec = _hold(db_url)
    with get_database(db_url).session(write=True) as s:
        scr = s.get(Screening, rec.id)
        assert scr is not None
        scr.result = {**scr.result, "decision": "CLEAR"}
        scr.input = {**scr.input, "id": "other"}
    _sql(db_url, "UPDATE findings SET severity = 'info' WHERE screening_id = :id", id=rec.id)
    (p,) = _verify(db_url).problems
    assert p.kind == "screening" and set(p.changed) == {"result", "input", "findings"}


def test_review_actions_and_cases_are_covered(db_url: str) -> None:
    released, held_open = _hold(db_url), _hold(db_url)
    review.release(released.case.id, ReleaseIn(reason="different company"),  # type: ignore[union-attr]
                   actor=ALICE, db_url=db_url)
    ok = _verify(db_url)
    assert ok.ok and ok.records == {"screenings": 2, "review_actions": 1, "cases": 2}
    _sql(db_url, "UPDATE review_actions SET reason = 'nothing to see', actor = 'bob'")
    # an open case marked released behind the app's back: the shipment would count as CLEAR
    _sql(db_url, "UPDATE cases SET status = 'released', outcome = 'CLEAR', closed_by = 'bob' "
         "WHERE id = :id", id=held_open.case.id)  # type: ignore[union-attr]
    problems = {p.kind: p for p in _verify(db_url).problems}
    assert set(problems) == {"review_action", "case"}
    assert set(problems["review_action"].changed) == {"reason", "actor"}
    assert "different company" in problems["review_action"].reason
    case = problems["case"]
    assert case.object_id == str(held_open.case.id)  # type: ignore[union-attr]
    assert {"status", "outcome", "closed_by"} <= set(case.changed)


def test_records_added_or_removed_behind_the_log_are_detected(db_url: str) -> None:
    gone = _clear(db_url)
    kept = _clear(db_url)
    with get_database(db_url).session(write=True) as s:
        src = s.get(Screening, kept.id)
        assert src is not None
        s.add(Screening(id="forged-1", input=src.input, input_sha256=src.input_sha256,
                        decision="CLEAR", result=src.result, policy_id=src.policy_id,
                        policy_version=src.policy_version, policy_sha256=src.policy_sha256,
                        lists=src.lists, engine_version=src.engine_version,
                        screened_at=src.screened_at))
    _sql(db_url, "DELETE FROM findings WHERE screening_id = :id", id=gone.id)
    _sql(db_url, "DELETE FROM licence_drawdowns WHERE screening_id = :id", id=gone.id)
    _sql(db_url, "DELETE FROM screenings WHERE id = :id", id=gone.id)
    problems = {p.object_id: p for p in _verify(db_url).problems}
    assert set(problems) == {"forged-1", gone.id}
    assert "not in the audit log" in problems["forged-1"].reason
    assert problems["forged-1"].seq is None
    assert "missing from the store" in problems[gone.id].reason


def test_entries_without_a_record_hash_are_checked_on_what_they_hold(db_url: str) -> None:
    """Entries written before record hashes (decision, input and result digests only)."""
    kept = _clear(db_url)
    with get_database(db_url).session(write=True) as s:
        src = s.get(Screening, kept.id)
        assert src is not None
        s.add(Screening(id="legacy-1", input=src.input, input_sha256=src.input_sha256,
                        decision="HOLD", result=src.result, policy_id=src.policy_id,
                        policy_version=src.policy_version, policy_sha256=src.policy_sha256,
                        lists=src.lists, engine_version=src.engine_version,
                        screened_at=src.screened_at))
        s.flush()
        audit.append(s, actor="cli:old", action="screening.recorded", object_type="screening",
                     object_id="legacy-1", payload={
                         "decision": "HOLD", "shipment": None,
                         "input_sha256": src.input_sha256,
                         "result_sha256": hashlib.sha256(
                             audit.canonical_json(src.result).encode()).hexdigest(),
                         "policy": {}, "source": "api", "rescreen_of": None, "case": None})
    assert _verify(db_url).ok
    _sql(db_url, "UPDATE screenings SET decision = 'CLEAR' WHERE id = 'legacy-1'")
    (p,) = _verify(db_url).problems
    assert (p.object_id, p.changed) == ("legacy-1", ("decision",))


def test_verify_under_concurrent_writes_reports_no_false_problems(db_url: str) -> None:
    _hold(db_url)
    stop = threading.Event()
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            while not stop.is_set():
                rec = _hold(db_url)
                review.confirm(rec.case.id, ConfirmIn(reason="same entity"),  # type: ignore[union-attr]
                               actor=ALICE, db_url=db_url)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        results = [_verify(db_url) for _ in range(8)]
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors, errors
    assert [r.problems for r in results if not r.ok] == []
    final = _verify(db_url)
    assert final.ok
    # the writers wrote while verify read
    assert results[0].records["screenings"] < final.records["screenings"]


# ---------------------------------------------------------------------------
# The head: exported now, checked later, so a removed tail is detected.


def test_head_export_detects_a_truncated_or_rewritten_tail(db_url: str) -> None:
    with get_database(db_url).session() as s:
        assert audit.head(s) == audit.Head(seq=0, hash=None, at=None)
    _fill(db_url, 7)
    with get_database(db_url).session() as s:
        h = audit.head(s)
    assert h.seq == 7 and h.hash and h.at
    assert _verify(db_url, head=f"{h.seq}:{h.hash}").ok
    assert _verify(db_url, head=h.hash).ok
    _fill(db_url, 2)  # the log grows: the exported head is still in it
    assert _verify(db_url, head=f"7:{h.hash}").ok
    wrong_seq = _verify(db_url, head=f"6:{h.hash}")
    assert not wrong_seq.ok and wrong_seq.first_broken_seq == 6
    _drop_triggers(db_url)
    _sql(db_url, "DELETE FROM audit_log WHERE seq >= 7")
    assert _verify(db_url).ok  # the chain alone cannot tell that its tail is gone
    cut = _verify(db_url, head=f"7:{h.hash}")
    assert not cut.ok and cut.head_ok is False
    assert "ends at seq 6" in (cut.reason or "")
    assert not _verify(db_url, head=h.hash).ok
    _fill(db_url, 3)  # a new tail where the old one was: seq 7 now has another hash
    rewritten = _verify(db_url, head=f"7:{h.hash}")
    assert not rewritten.ok and "rewritten" in (rewritten.reason or "")
    with pytest.raises(ValueError, match="SEQ:HASH"):
        _verify(db_url, head="7:nothex")


def test_audit_cli_head_and_verify(db_url: str) -> None:
    rec = _hold(db_url)
    code, out, _ = cli("audit", "head", "--db", db_url)
    assert code == 0 and out.split()[0] == "1:" + _verify(db_url).head_hash  # type: ignore[operator]
    code, out, _ = cli("audit", "head", "--json", "--db", db_url)
    h = json.loads(out)
    assert code == 0 and h["seq"] == 1 and len(h["hash"]) == 64
    code, out, _ = cli("audit", "verify", "--head", f"{h['seq']}:{h['hash']}", "--db", db_url)
    assert code == 0 and "audit log OK" in out and "head 1:" in out
    assert cli("audit", "verify", "--head", "x:y", "--db", db_url)[0] == 2
    _sql(db_url, "UPDATE screenings SET decision = 'CLEAR' WHERE id = :id", id=rec.id)
    code, out, _ = cli("audit", "verify", "--db", db_url)
    assert code == 1 and rec.id in out and "decision" in out
    code, out, _ = cli("audit", "verify", "--json", "--db", db_url)
    doc = json.loads(out)
    assert code == 1 and doc["problems"][0]["object_id"] == rec.id
    assert doc["problems"][0]["changed"] == ["decision"]
    _sql(db_url, "UPDATE screenings SET decision = 'HOLD' WHERE id = :id", id=rec.id)
    _drop_triggers(db_url)
    _sql(db_url, "DELETE FROM audit_log WHERE seq = 1")
    code, out, _ = cli("audit", "verify", "--head", f"1:{h['hash']}", "--db", db_url)
    assert code == 1 and "head" in out
