"""Rule ``chpl_routing``: CHPL goods to a party of the conflict, or to a hub without a safe
final destination.

A CHPL item is flagged when the destination, the final destination or any
party is in a conflict group (``severity_conflict``), or when the shipment
touches a hub (destination, transit or a party) without a declared final
destination outside the hubs and the conflict groups (``severity_hub``).
"""

from __future__ import annotations

from exportguard.contracts.decision import Finding
from exportguard.engine.facts import Facts, country_hits, describe_hits, item_evidence
from exportguard.engine.rules._common import finding

RULE = "chpl_routing"


def chpl_routing(f: Facts) -> list[Finding]:
    cfg = f.policy.rules.chpl_routing
    chpl_items = [c for c in f.items if c.chpl_tier]
    if not cfg.enabled or not chpl_items:
        return []
    conflict = f.hits(cfg.conflict_groups)
    route = f.shipment.route
    out: list[Finding] = []
    if conflict:
        for cls in chpl_items:
            out.append(finding(
                RULE, cfg.severity_conflict, cls.subject,
                f"CHPL tier {cls.chpl_tier} item bound for {f.group_titles(conflict)}: "
                f"{describe_hits(conflict)}.",
                **item_evidence(cls), chpl_tier=cls.chpl_tier,
                places=[h.to_dict() for h in conflict],
            ))
        return out
    hubs = f.hits(cfg.hub_groups, transit=True)
    if not hubs:
        return []
    final = route.final_destination
    if final is None:
        why = "no final destination is declared"
    else:
        bad = country_hits(f.policy, "route.final_destination", final,
                           [*cfg.hub_groups, *cfg.conflict_groups])
        if not bad:
            return []  # declared final destination outside hubs and conflict
        why = f"the declared final destination {final} is itself a hub"
    for cls in chpl_items:
        out.append(finding(
            RULE, cfg.severity_hub, cls.subject,
            f"CHPL tier {cls.chpl_tier} item routed through {f.group_titles(hubs)} "
            f"({describe_hits(hubs)}) and {why}.",
            **item_evidence(cls), chpl_tier=cls.chpl_tier, final_destination=final,
            places=[h.to_dict() for h in hubs],
        ))
    return out
