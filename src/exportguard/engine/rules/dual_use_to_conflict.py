"""Rule ``dual_use_to_conflict``: a listed dual-use item bound for a party of the conflict."""

from __future__ import annotations

from exportguard.contracts.decision import Finding
from exportguard.engine.facts import Facts, describe_hits, item_evidence
from exportguard.engine.rules._common import finding

RULE = "dual_use_to_conflict"


def dual_use_to_conflict(f: Facts) -> list[Finding]:
    cfg = f.policy.rules.dual_use_to_conflict
    if not cfg.enabled or not any(cls.dual_use for cls in f.items):
        return []
    hits = f.hits(cfg.groups)
    if not hits:
        return []
    return [
        finding(RULE, cfg.severity, cls.subject,
                f"Dual-use item {cls.control.normalized if cls.control else ''} bound for "
                f"{f.group_titles(hits)}: {describe_hits(hits)}.",
                **item_evidence(cls), places=[h.to_dict() for h in hits])
        for cls in f.items if cls.dual_use
    ]
