"""Rule ``missing_end_use``: a controlled item with no declared end use."""

from __future__ import annotations

from exportguard.contracts.decision import Finding
from exportguard.engine.facts import Facts
from exportguard.engine.rules._common import finding

RULE = "missing_end_use"


def missing_end_use(f: Facts) -> list[Finding]:
    cfg = f.policy.rules.missing_end_use
    if not cfg.enabled:
        return []
    end_use = (f.shipment.end_use or "").strip()
    if len(end_use) >= cfg.min_length:
        return []
    controlled = [c for c in f.items if c.controlled]
    if not controlled:
        return []
    subjects = [c.subject for c in controlled]
    return [finding(
        RULE, cfg.severity, "shipment",
        f"No end use is declared for controlled goods ({', '.join(subjects)}): an end-use "
        f"statement is required.",
        items=subjects, classes={c.subject: list(c.classes) for c in controlled},
    )]
