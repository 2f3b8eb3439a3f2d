"""The store on SQLite and PostgreSQL: screenings, idempotency, migrations, rescreening."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from exportguard.service import records
from exportguard.service.auth import Actor
from exportguard.service.errors import InputError, NotFoundError
from exportguard.store.db import get_database, upgrade_to_head
from exportguard.store.models import AuditEntry, Case, FindingRecord, ListSnapshotRecord, Screening
from records_support import SANCTIONED, clear, fake_screener, held, sanctioned_table
from screening_support import match


def test_screening_is_stored_with_findings_lists_and_audit(db_url: str) -> None:
    rec = records.screen_and_record(held(), db_url=db_url, screener=fake_screener(
        sanctioned_table()))
    assert rec.decision == "HOLD" and rec.effective_decision == "HOLD"
    assert rec.case is not None and rec.case.status == "open"
    assert rec.party_matches and rec.party_matches[0].entity_id == "ofac_sdn:1234"
    got = records.get_screening(rec.id, db_url=db_url)
    assert got.shipment["id"] == "T-1"
    assert got.findings == rec.findings and got.policy == rec.policy and got.lists == rec.lists
    db = get_database(db_url)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(FindingRecord)
                        .where(FindingRecord.screening_id == rec.id)) == len(rec.findings)
        assert s.scalar(select(func.count()).select_from(ListSnapshotRecord)) == 1
        assert s.scalar(select(func.count()).select_from(Case)) == 1
        actions = list(s.scalars(select(AuditEntry.action)))
    assert actions == ["screening.recorded"]
    ok = records.screen_and_record(clear(), db_url=db_url, screener=fake_screener())
    assert ok.decision == "CLEAR" and ok.case is None
    with db.session() as s:  # the same list version is recorded once
        assert s.scalar(select(func.count()).select_from(ListSnapshotRecord)) == 1
    assert records.verify_audit(db_url).ok
    listed = records.list_screenings(db_url=db_url)
    assert {x.id for x in listed} == {rec.id, ok.id}
    assert [x.id for x in records.list_screenings(decision="HOLD", db_url=db_url)] == [rec.id]


def test_invalid_shipment_and_unknown_screening(db_url: str) -> None:
    with pytest.raises(InputError, match=r"items\[0\]\.hs_code"):
        records.screen_and_record(clear(item={"hs_code": "12"}), db_url=db_url,
                                  screener=fake_screener())
    with pytest.raises(NotFoundError):
        records.get_screening("nope", db_url=db_url)


def test_idempotency_key_replays_and_refuses_a_different_body(db_url: str) -> None:
    scr = fake_screener()
    a = records.screen_and_record(clear(), idempotency_key="k-1", db_url=db_url, screener=scr)
    b = records.screen_and_record(clear(), idempotency_key="k-1", db_url=db_url, screener=scr)
    assert a.id == b.id and not a.replayed and b.replayed
    other = Actor("someone-else", "screener")  # keys are per user
    c = records.screen_and_record(clear(), idempotency_key="k-1", db_url=db_url, screener=scr,
                                  actor=other)
    assert c.id != a.id
    with pytest.raises(InputError, match="different shipment"):
        records.screen_and_record(clear(id="T-2"), idempotency_key="k-1", db_url=db_url,
                                  screener=scr)
    with get_database(db_url).session() as s:
        assert s.scalar(select(func.count()).select_from(Screening)) == 2


def test_concurrent_retries_with_one_key_make_one_record(db_url: str) -> None:
    scr = fake_screener()
    get_database(db_url)
    results: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        try:
            barrier.wait()
            rec = records.screen_and_record(clear(), idempotency_key="same", db_url=db_url,
                                            screener=scr)
            results.append(rec.id)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(set(results)) == 1 and len(results) == 8
    with get_database(db_url).session() as s:
        assert s.scalar(select(func.count()).select_from(Screening)) == 1


def test_migrations_are_idempotent_and_at_head(db_url: str) -> None:
    get_database(db_url)
    upgrade_to_head(db_url)  # a second run is a no-op
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    import exportguard.store

    cfg = Config()
    cfg.set_main_option("script_location",
                        str(Path(exportguard.store.__file__).parent / "migrations"))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    with get_database(db_url).session() as s:
        assert s.scalar(text("SELECT version_num FROM alembic_version")) == head


def test_rescreen_reports_changed_decisions(db_url: str) -> None:
    before = fake_screener()
    a = records.screen_and_record(held(id="A"), db_url=db_url, screener=before)
    b = records.screen_and_record(clear(id="B"), db_url=db_url, screener=before)
    assert a.decision == b.decision == "CLEAR"  # the party is not listed yet
    # The list update: the party is now listed.
    after = fake_screener({SANCTIONED: [match("ofac_sdn", "BLACK SEA TOOLS", 0.95,
                                              entity_id="ofac_sdn:1234")]})
    dry = records.rescreen_since(date(2020, 1, 1), db_url=db_url, screener=after, dry_run=True)
    assert [(c.screening_id, c.before, c.after, c.new_screening_id) for c in dry.changed] == [
        (a.id, "CLEAR", "HOLD", None)]
    report = records.rescreen_since(date(2020, 1, 1), db_url=db_url, screener=after)
    assert report.screened == 2
    assert [(c.shipment_id, c.before, c.after) for c in report.changed] == [("A", "CLEAR", "HOLD")]
    new = records.get_screening(report.changed[0].new_screening_id or "", db_url=db_url)
    assert new.rescreen_of == a.id and new.source == "rescreen" and new.case is not None
    # Nothing changed since: the second run reports nothing, compares with the last rescreen.
    again = records.rescreen_since(date(2020, 1, 1), db_url=db_url, screener=after)
    assert again.changed == [] and again.screened == 2
    assert records.rescreen_since(date(2999, 1, 1), db_url=db_url, screener=after).screened == 0
    assert records.verify_audit(db_url).ok
