"""Rule ``destination_flags``: where the shipment touches a watched group, as evidence only.

By default an ``info`` finding: a country flag is evidence, not a verdict.
Uncontrolled goods to clean parties stay CLEAR, hubs included.
"""

from __future__ import annotations

from exportguard.contracts.decision import Finding
from exportguard.engine.facts import Facts, describe_hits
from exportguard.engine.rules._common import finding

RULE = "destination_flags"


def destination_flags(f: Facts) -> list[Finding]:
    cfg = f.policy.rules.destination_flags
    if not cfg.enabled:
        return []
    hits = f.hits(cfg.groups, transit=True)
    if not hits:
        return []
    return [finding(RULE, cfg.severity, "route",
                    f"The shipment touches {f.group_titles(hits)}: {describe_hits(hits, 6)}.",
                    places=[h.to_dict() for h in hits])]
