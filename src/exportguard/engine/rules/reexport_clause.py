"""Rule ``reexport_clause``: some goods sold to non-partner countries need a contract clause.

EU Reg. 833/2014 Art. 12g: CHPL and Common Military List goods sold to a third
country that is not a partner country require a "no re-export to Russia"
clause. The shipment declares it in ``declarations``; otherwise it is held.
"""

from __future__ import annotations

from exportguard.contracts.decision import Finding, Severity
from exportguard.engine.facts import Facts, country_hits
from exportguard.engine.rules._common import finding

RULE = "reexport_clause"


def reexport_clause(f: Facts) -> list[Finding]:
    cfg = f.policy.rules.reexport_clause
    if not cfg.enabled:
        return []
    items = [c for c in f.items if set(c.classes) & set(cfg.item_classes)]
    if not items:
        return []
    route = f.shipment.route
    places = [("route.destination", route.destination)]
    if route.final_destination:
        places.append(("route.final_destination", route.final_destination))
    outside = [(w, c) for w, c in places
               if not country_hits(f.policy, w, c, cfg.partner_groups)]
    if not outside:
        return []
    declared = cfg.declaration in set(f.shipment.declarations)
    where = ", ".join(f"{w} {c}" for w, c in outside)
    subjects = [c.subject for c in items]
    if declared:
        return [finding(RULE, Severity.INFO, "shipment",
                        f"The {cfg.title} is declared for {', '.join(subjects)} ({where}).",
                        declaration=cfg.declaration, items=subjects)]
    return [finding(
        RULE, cfg.severity, "shipment",
        f"{', '.join(subjects)} go to a non-partner country ({where}) without the "
        f"{cfg.title} (declaration {cfg.declaration!r}).",
        declaration=cfg.declaration, items=subjects,
        places=[{"where": w, "code": c} for w, c in outside],
    )]
