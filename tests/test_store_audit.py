"""The audit log: hash chain, tamper detection, append-only triggers, concurrent appends."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from exportguard.service import records
from exportguard.store import audit
from exportguard.store.db import get_database


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
