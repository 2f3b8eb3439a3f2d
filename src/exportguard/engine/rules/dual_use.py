"""Rule ``dual_use``: a listed dual-use item (control code ``0A001``–``9E999``) needs a licence."""

from __future__ import annotations

from exportguard.contracts.decision import Finding
from exportguard.engine.facts import Facts, item_evidence
from exportguard.engine.rules._common import finding

RULE = "dual_use"


def dual_use(f: Facts) -> list[Finding]:
    cfg = f.policy.rules.dual_use
    if not cfg.enabled:
        return []
    out: list[Finding] = []
    for cls in f.items:
        if not cls.dual_use or cls.control is None:
            continue
        c = cls.control
        out.append(finding(
            RULE, cfg.severity, cls.subject,
            f"Listed dual-use item {c.normalized} (category {c.category}: {c.category_name}; "
            f"group {c.group}: {c.group_name}): export needs a licence, with end-user and "
            f"end-use certificates.",
            **item_evidence(cls), entry=c.entry, category=c.category,
            category_name=c.category_name, group=c.group, group_name=c.group_name,
        ))
    return out
