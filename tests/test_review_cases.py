"""Review: release, confirm, expiry, remembered false positives, roles and the audit trail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from exportguard.service import records, review
from exportguard.service.auth import Actor, ForbiddenError
from exportguard.service.errors import ConflictError, InputError
from exportguard.service.schemas import ConfirmIn, FalsePositiveIn, ReleaseIn, ScreeningRecord
from exportguard.store.db import get_database
from exportguard.store.models import Case
from records_support import SANCTIONED, clear, fake_screener, held, sanctioned_table

ALICE = Actor("alice", "reviewer")
SAM = Actor("sam", "screener")
OTHER_SPELLING = "black sea  TOOLS, llc"


def _hold(db_url: str, **kw: object) -> ScreeningRecord:
    rec = records.screen_and_record(held(**kw), db_url=db_url,
                                    screener=fake_screener(sanctioned_table(OTHER_SPELLING)))
    assert rec.case is not None
    return rec


def test_release_needs_a_reviewer_and_a_reason_and_closes_once(db_url: str) -> None:
    rec = _hold(db_url)
    case_id = rec.case.id  # type: ignore[union-attr]
    assert [c.id for c in review.list_cases(db_url=db_url)] == [case_id]
    with pytest.raises(ForbiddenError, match="reviewer"):
        review.release(case_id, ReleaseIn(reason="looks fine"), actor=SAM, db_url=db_url)
    with pytest.raises(InputError, match="reason"):
        review.release(case_id, ReleaseIn.model_construct(reason="  ", outcome="CLEAR"),
                       actor=ALICE, db_url=db_url)
    out = review.release(case_id, ReleaseIn(reason="different company, checked registry"),
                         actor=ALICE, db_url=db_url)
    assert out.status == "released" and out.outcome == "CLEAR" and out.closed_by == "alice"
    assert [a.action for a in out.actions] == ["release"]
    with pytest.raises(ConflictError, match="already released"):
        review.confirm(case_id, ConfirmIn(reason="changed my mind"), actor=ALICE, db_url=db_url)
    got = records.get_screening(rec.id, db_url=db_url)
    assert got.decision == "HOLD" and got.effective_decision == "CLEAR"
    assert review.list_cases(db_url=db_url) == []
    trail = records.audit_trail(object_type="case", db_url=db_url)
    assert [(e["actor"], e["action"], e["payload"]["reason"]) for e in trail] == [
        ("alice", "case.release", "different company, checked registry")]


def test_confirm_denies(db_url: str) -> None:
    rec = _hold(db_url)
    out = review.confirm(rec.case.id, ConfirmIn(reason="same entity, same address"),  # type: ignore[union-attr]
                         actor=ALICE, db_url=db_url)
    assert out.status == "denied" and out.outcome == "DENY"
    assert records.get_screening(rec.id, db_url=db_url).effective_decision == "DENY"


def test_a_release_expires(db_url: str) -> None:
    rec = _hold(db_url)
    soon = datetime.now(UTC) + timedelta(days=30)
    with pytest.raises(InputError, match="future"):
        review.release(rec.case.id, ReleaseIn(reason="ok for now",  # type: ignore[union-attr]
                                              expires_at=datetime(2000, 1, 1, tzinfo=UTC)),
                       actor=ALICE, db_url=db_url)
    out = review.release(rec.case.id, ReleaseIn(reason="ok for now", expires_at=soon),  # type: ignore[union-attr]
                         actor=ALICE, db_url=db_url)
    assert out.expires_at is not None and not out.expired
    assert records.get_screening(rec.id, db_url=db_url).effective_decision == "CLEAR"
    with get_database(db_url).session(write=True) as s:  # time passes
        s.execute(update(Case).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    got = records.get_screening(rec.id, db_url=db_url)
    assert got.effective_decision == "HOLD" and got.case is not None and got.case.expired
    # held again: back in the queue, and a reviewer acts on it again
    assert [c.id for c in review.list_cases(db_url=db_url)] == [rec.case.id]  # type: ignore[union-attr]
    review.confirm(rec.case.id, ConfirmIn(reason="no longer acceptable"),  # type: ignore[union-attr]
                   actor=ALICE, db_url=db_url)
    assert records.get_screening(rec.id, db_url=db_url).effective_decision == "DENY"
    assert review.list_cases(db_url=db_url) == []


def test_false_positive_is_remembered_shown_and_void_when_the_entry_changes(
        db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records, "entity_sha256", lambda entity_id: "a" * 64)
    monkeypatch.setattr(review, "entity_sha256", lambda entity_id: "a" * 64)
    first = _hold(db_url)
    with pytest.raises(InputError, match="no match"):
        review.mark_false_positive(first.case.id, FalsePositiveIn(  # type: ignore[union-attr]
            reason="not them", party="party[0]", entity_id="ofac_sdn:9999"),
            actor=ALICE, db_url=db_url)
    fp = review.mark_false_positive(first.case.id, FalsePositiveIn(  # type: ignore[union-attr]
        reason="different registration number", party="party[0]", entity_id="ofac_sdn:1234"),
        actor=ALICE, db_url=db_url)
    assert fp.party_name == SANCTIONED and fp.entity_sha256 == "a" * 64
    # The same party (spelt differently) against the same entry, later: shown, not dropped.
    again = _hold(db_url, parties=[{"role": "end_user", "name": OTHER_SPELLING,
                                    "country": "FR"}])
    assert again.decision == "HOLD"  # never silently dropped
    assert again.party_matches and again.previously_cleared
    pc = again.previously_cleared[0]
    assert pc.status == "valid" and pc.cleared_by == "alice"
    assert pc.note.startswith(f"previously cleared by alice on {fp.created_at.date()}")
    assert any(f.rule == "previously_cleared" for f in again.findings)
    # The list entry changes: the mark no longer applies.
    monkeypatch.setattr(records, "entity_sha256", lambda entity_id: "b" * 64)
    changed = _hold(db_url)
    assert changed.previously_cleared[0].status == "void"
    assert "has changed" in changed.previously_cleared[0].note
    other = records.screen_and_record(clear(), db_url=db_url, screener=fake_screener())
    assert other.previously_cleared == []
    assert records.verify_audit(db_url).ok


def test_a_licensed_release_draws_the_licence_down(db_url: str) -> None:
    from exportguard.service import licences
    from records_support import dual_use, licence

    licences.add_licence(licence(quantity_limit=6), actor=ALICE, db_url=db_url)
    screener = fake_screener(sanctioned_table())
    # The consignee is listed (HOLD); the dual-use item is covered by LIC-1.
    parties = [{"role": "consignee", "name": SANCTIONED, "country": "FR"},
               {"role": "end_user", "name": "Lyon Textiles SARL", "country": "FR"}]
    first = records.screen_and_record(dual_use(quantity=4, parties=parties), db_url=db_url,
                                      screener=screener)
    second = records.screen_and_record(dual_use(quantity=4, parties=parties, id="T-2"),
                                       db_url=db_url, screener=screener)
    assert first.decision == second.decision == "HOLD" and first.drawdowns == []
    out = review.release(first.case.id, ReleaseIn(reason="consignee checked", outcome="LICENSED"),  # type: ignore[union-attr]
                         actor=ALICE, db_url=db_url)
    assert out.outcome == "LICENSED"
    got = records.get_screening(first.id, db_url=db_url)
    assert got.effective_decision == "LICENSED"
    assert [(d.licence, d.quantity) for d in got.drawdowns] == [("LIC-1", 4.0)]
    with pytest.raises(ConflictError, match="left"):  # only 2 left for 4
        review.release(second.case.id, ReleaseIn(reason="consignee checked",  # type: ignore[union-attr]
                                                 outcome="LICENSED"), actor=ALICE, db_url=db_url)
    assert review.get_case(second.case.id, db_url=db_url).status == "open"  # type: ignore[union-attr]
    assert licences.get_licence("LIC-1", db_url=db_url).quantity_used == 4


def test_a_release_with_a_date_holds_through_that_day(db_url: str) -> None:
    rec = _hold(db_url)
    today = datetime.now(UTC).date()
    out = review.release(rec.case.id, ReleaseIn.model_validate(  # type: ignore[union-attr]
        {"reason": "checked today", "expires_at": today.isoformat()}), actor=ALICE,
        db_url=db_url)
    assert out.expires_at is not None
    assert out.expires_at.date() == today + timedelta(days=1) and not out.expired


def test_a_release_never_drops_a_licence_duty(db_url: str) -> None:
    from records_support import dual_use

    screener = fake_screener(sanctioned_table())
    parties = [{"role": "consignee", "name": SANCTIONED, "country": "FR"},
               {"role": "end_user", "name": "Lyon Textiles SARL", "country": "FR"}]
    # a listed consignee (HOLD) and a dual-use item with no licence cited
    rec = records.screen_and_record(dual_use(licence=None, parties=parties), db_url=db_url,
                                    screener=screener)
    assert rec.decision == "HOLD" and rec.case is not None
    with pytest.raises(InputError, match=r"item\[0\].*licence"):
        review.release(rec.case.id, ReleaseIn(reason="consignee checked"), actor=ALICE,
                       db_url=db_url)
    with pytest.raises(InputError, match="LICENSED"):
        review.release(rec.case.id, ReleaseIn(reason="consignee checked", outcome="LICENSED"),
                       actor=ALICE, db_url=db_url)
    # a shipment with nothing licensable is not LICENSED either
    plain = _hold(db_url, id="T-PLAIN")
    with pytest.raises(InputError, match="no cited licence"):
        review.release(plain.case.id, ReleaseIn(reason="all fine", outcome="LICENSED"),  # type: ignore[union-attr]
                       actor=ALICE, db_url=db_url)
    assert review.get_case(rec.case.id, db_url=db_url).status == "open"


def test_rescreen_compares_with_the_decision_after_review(db_url: str) -> None:
    from datetime import date

    rec = _hold(db_url)
    review.release(rec.case.id, ReleaseIn(reason="different company"),  # type: ignore[union-attr]
                   actor=ALICE, db_url=db_url)
    assert records.get_screening(rec.id, db_url=db_url).effective_decision == "CLEAR"
    # the party is still on the list: the released shipment holds again, a new case opens
    report = records.rescreen_since(date(2020, 1, 1), db_url=db_url,
                                    screener=fake_screener(sanctioned_table(OTHER_SPELLING)))
    assert [(c.before, c.after) for c in report.changed] == [("CLEAR", "HOLD")]
    new = records.get_screening(report.changed[0].new_screening_id or "", db_url=db_url)
    assert new.case is not None and new.case.status == "open"
    # while that case is open, another rescreen changes nothing and opens no second case
    again = records.rescreen_since(date(2020, 1, 1), db_url=db_url,
                                   screener=fake_screener(sanctioned_table(OTHER_SPELLING)))
    assert again.changed == []
    assert len(review.list_cases(db_url=db_url)) == 1
