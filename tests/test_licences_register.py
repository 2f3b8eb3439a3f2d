"""The licence register: CRUD and revoke, LICENSED only when fully covered, atomic drawdown."""

from __future__ import annotations

import threading

import pytest

from exportguard.service import licences, records
from exportguard.service.auth import Actor, ForbiddenError
from exportguard.service.errors import ConflictError, InputError, NotFoundError
from exportguard.service.schemas import ScreeningRecord
from records_support import dual_use, fake_screener, licence

ALICE = Actor("alice", "reviewer")


def _screen(db_url: str, data: dict[str, object]) -> ScreeningRecord:
    return records.screen_and_record(data, db_url=db_url, screener=fake_screener())


def _register_status(rec: ScreeningRecord) -> str | None:
    for f in rec.findings:
        if f.rule == "licence_coverage":
            return str(f.evidence.get("status"))
    return None


def test_crud_and_revoke(db_url: str) -> None:
    with pytest.raises(ForbiddenError):
        licences.add_licence(licence(), actor=Actor("sam", "screener"), db_url=db_url)
    out = licences.add_licence(licence(), actor=ALICE, db_url=db_url)
    assert out.number == "LIC-1" and out.quantity_remaining == 100 and out.status == "active"
    with pytest.raises(ConflictError, match="already exists"):
        licences.add_licence(licence(), actor=ALICE, db_url=db_url)
    with pytest.raises(InputError, match="valid_until"):
        licences.add_licence(licence("LIC-X", valid_until="2025-01-01"), actor=ALICE,
                             db_url=db_url)
    upd = licences.update_licence("LIC-1", {"quantity_limit": 50, "destinations": ["fr"]},
                                  actor=ALICE, db_url=db_url)
    assert upd.quantity_limit == 50 and upd.destinations == ["FR"] and upd.holder == out.holder
    assert [x.number for x in licences.list_licences(db_url=db_url)] == ["LIC-1"]
    rev = licences.revoke_licence("LIC-1", "end user sanctioned", actor=ALICE, db_url=db_url)
    assert rev.status == "revoked" and rev.revoked_by == "alice"
    with pytest.raises(ConflictError, match="revoked"):
        licences.update_licence("LIC-1", {"holder": "x"}, actor=ALICE, db_url=db_url)
    with pytest.raises(NotFoundError):
        licences.get_licence("nope", db_url=db_url)
    assert licences.list_licences(status="active", db_url=db_url) == []
    assert records.verify_audit(db_url).ok


def test_licensed_only_when_covered_and_drawn_down(db_url: str) -> None:
    licences.add_licence(licence(quantity_limit=12, value_limit=1200), actor=ALICE,
                         db_url=db_url)
    rec = _screen(db_url, dual_use(quantity=5, value=500))
    assert rec.decision == "LICENSED", rec.findings
    assert [(d.licence, d.quantity, d.value) for d in rec.drawdowns] == [("LIC-1", 5.0, 500.0)]
    assert licences.get_licence("LIC-1", db_url=db_url).quantity_remaining == 7
    # Not enough left: LICENSE_REQUIRED, with the reason; nothing drawn.
    over = _screen(db_url, dual_use(quantity=8, value=100))
    assert over.decision == "LICENSE_REQUIRED" and over.drawdowns == []
    assert _register_status(over) == "quantity_exceeded"
    over_value = _screen(db_url, dual_use(quantity=1, value=800))
    assert _register_status(over_value) == "value_exceeded"
    assert licences.get_licence("LIC-1", db_url=db_url).quantity_used == 5


def test_validity_is_checked_on_the_shipment_date(db_url: str) -> None:
    licences.add_licence(licence(valid_from="2030-01-01", valid_until="2030-12-31"),
                         actor=ALICE, db_url=db_url)
    assert _screen(db_url, dual_use(date="2030-02-01")).decision == "LICENSED"
    early = _screen(db_url, dual_use(date="2029-12-31"))
    assert _register_status(early) == "not_valid_on_shipment_date"
    assert "2029-12-31" in next(f.message for f in early.findings
                                if f.rule == "licence_coverage")


@pytest.mark.parametrize(("changes", "status"), [
    ({"end_user": "Someone Else GmbH"}, "end_user_not_covered"),
    ({"date": "2028-06-01"}, "not_valid_on_shipment_date"),
    ({"exporter": {"name": "Other Exporter AG", "country": "DE"}}, "holder_not_exporter"),
])
def test_register_refusals(db_url: str, changes: dict[str, str], status: str) -> None:
    licences.add_licence(licence(), actor=ALICE, db_url=db_url)
    rec = _screen(db_url, dual_use(**changes))
    assert rec.decision == "LICENSE_REQUIRED" and _register_status(rec) == status
    assert rec.drawdowns == []


def test_names_on_a_licence_are_compared_as_names(db_url: str) -> None:
    # the same company, spelt with another legal-form spelling, case and word order
    licences.add_licence(licence(), actor=ALICE, db_url=db_url)
    rec = _screen(db_url, dual_use(end_user="LYON TEXTILES S.A.R.L.",
                                   exporter={"name": "NORDWIND MASCHINENBAU G.m.b.H.",
                                             "country": "DE"}))
    assert rec.decision == "LICENSED", [f.message for f in rec.findings]


def test_revoked_unknown_and_uncovered_licences(db_url: str) -> None:
    licences.add_licence(licence(), actor=ALICE, db_url=db_url)
    licences.add_licence(licence("LIC-2", control_codes=["5A002"]), actor=ALICE, db_url=db_url)
    assert _screen(db_url, dual_use(licence="LIC-2")).decision == "LICENSE_REQUIRED"
    unknown = _screen(db_url, dual_use(licence="LIC-404"))
    assert unknown.decision == "HOLD" and _register_status(unknown) == "not_found"
    licences.revoke_licence("LIC-1", "withdrawn", actor=ALICE, db_url=db_url)
    revoked = _screen(db_url, dual_use())
    assert revoked.decision == "LICENSE_REQUIRED" and _register_status(revoked) == "revoked"


def test_concurrent_shipments_never_overdraw(db_url: str) -> None:
    licences.add_licence(licence(quantity_limit=10, value_limit=None), actor=ALICE,
                         db_url=db_url)
    scr = fake_screener()
    results: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(12)

    def worker(i: int) -> None:
        try:
            barrier.wait()
            for j in range(3):
                rec = records.screen_and_record(dual_use(quantity=1, value=1, id=f"S-{i}-{j}"),
                                                db_url=db_url, screener=scr)
                results.append(rec.decision.value)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert results.count("LICENSED") == 10 and results.count("LICENSE_REQUIRED") == 26
    lic = licences.get_licence("LIC-1", db_url=db_url)
    assert lic.quantity_used == 10 and lic.quantity_remaining == 0
    assert records.verify_audit(db_url).ok


def test_rescreen_does_not_draw_again(db_url: str) -> None:
    from datetime import date

    licences.add_licence(licence(quantity_limit=5), actor=ALICE, db_url=db_url)
    rec = _screen(db_url, dual_use(quantity=5))
    assert rec.decision == "LICENSED"
    report = records.rescreen_since(date(2020, 1, 1), db_url=db_url, screener=fake_screener())
    assert report.changed == [] and report.screened == 1
    assert licences.get_licence("LIC-1", db_url=db_url).quantity_used == 5
