"""Rule ``licence_coverage``: cited licences, checked against the licence register hook.

Runs after the other rules. A licence the register knows, held by the
exporter, valid on the shipment date (the screening date when the shipment has
none) and covering an item, turns that item's ``license_required`` findings
into ``licensed``. Without a register (``licence_lookup`` is None) a
cited licence is *unverified*: an info finding, and the decision stays
LICENSE_REQUIRED. A number the register does not know holds.
"""

from __future__ import annotations

from exportguard.contracts.decision import Finding, Severity, subject_index
from exportguard.engine.context import LicenceRecord
from exportguard.engine.facts import Facts
from exportguard.engine.rules._common import finding
from exportguard.items import hs
from exportguard.items.classify import ItemClassification
from exportguard.names.normalize import name_key

RULE = "licence_coverage"


def _covers(rec: LicenceRecord, cls: ItemClassification) -> bool:
    if rec.hs_prefixes and hs.matches_prefix(cls.hs_code, list(rec.hs_prefixes)) is None:
        return False
    if rec.control_codes:
        code = (cls.control.normalized if cls.control else "").upper()
        if not any(code.startswith(c.upper().replace(" ", "")) for c in rec.control_codes):
            return False
    return True


def licence_coverage(f: Facts, findings: list[Finding]) -> list[Finding]:
    """``findings`` with covered items downgraded, plus one finding per cited licence."""
    cfg = f.policy.rules.licence_coverage
    if not cfg.enabled or not f.shipment.licenses:
        return findings
    lookup = f.ctx.licence_lookup
    today = f.shipment.date or f.ctx.now.date()
    dest = f.shipment.route.final_destination or f.shipment.route.destination
    covered: dict[int, str] = {}
    notes: list[Finding] = []
    for i, lic in enumerate(f.shipment.licenses):
        subject = f"licenses[{i}]"
        indexes = list(lic.items) or list(range(len(f.items)))
        if lookup is None:
            notes.append(finding(
                RULE, Severity.INFO, subject,
                f"Licence {lic.number!r} is cited but unverified: no licence register is "
                f"connected, so it cannot lift LICENSE_REQUIRED.",
                number=lic.number, status="unverified", items=[f"item[{k}]" for k in indexes],
            ))
            continue
        rec = lookup.get(lic.number)
        if rec is None:
            notes.append(finding(
                RULE, cfg.severity_not_found, subject,
                f"Licence {lic.number!r} is cited but the licence register does not know it.",
                number=lic.number, status="not_found",
            ))
            continue
        if (rec.valid_from and today < rec.valid_from) or (
            rec.valid_until and today > rec.valid_until
        ):
            notes.append(finding(
                RULE, Severity.WARNING, subject,
                f"Licence {lic.number!r} is not valid on the shipment date "
                f"{today.isoformat()} (valid {rec.valid_from or '…'} to "
                f"{rec.valid_until or '…'}).",
                number=lic.number, status="not_valid_on_shipment_date",
            ))
            continue
        if rec.holder and name_key(rec.holder) != name_key(f.shipment.exporter.name):
            notes.append(finding(
                RULE, Severity.WARNING, subject,
                f"Licence {lic.number!r} is held by {rec.holder!r}, not by the exporter "
                f"{f.shipment.exporter.name!r}.",
                number=lic.number, status="holder_not_exporter", holder=rec.holder,
            ))
            continue
        if rec.destinations and dest not in rec.destinations:
            notes.append(finding(
                RULE, Severity.WARNING, subject,
                f"Licence {lic.number!r} does not cover the destination {dest}.",
                number=lic.number, status="destination_not_covered",
                destinations=list(rec.destinations),
            ))
            continue
        ok = [k for k in indexes if _covers(rec, f.items[k])]
        for k in ok:
            covered.setdefault(k, lic.number)
        notes.append(finding(
            RULE, Severity.INFO, subject,
            f"Licence {lic.number!r} is verified and covers "
            f"{', '.join(f'item[{k}]' for k in ok) or 'none of the cited items'}.",
            number=lic.number, status="verified", items=[f"item[{k}]" for k in ok],
        ))
    out: list[Finding] = []
    for fd in findings:
        idx = subject_index(fd.subject)
        if fd.severity is Severity.LICENSE_REQUIRED and idx is not None and idx in covered:
            fd = fd.model_copy(update={
                "severity": Severity.LICENSED,
                "message": f"{fd.message} Covered by licence {covered[idx]!r}.",
                "evidence": {**fd.evidence, "licence": covered[idx]},
            })
        out.append(fd)
    return out + notes

