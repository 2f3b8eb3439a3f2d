"""Rule ``spec_thresholds``: an item's specs exceed a control threshold of the policy.

Exceeding a threshold makes the item licensable (``severity``); towards a hub
or a party of the conflict (``risk_groups``) it is a red flag (``severity_to_risk``).
"""

from __future__ import annotations

from exportguard.contracts.decision import Finding
from exportguard.engine.facts import Facts, describe_hits, item_evidence
from exportguard.engine.rules._common import finding

RULE = "spec_thresholds"


def spec_thresholds(f: Facts) -> list[Finding]:
    cfg = f.policy.rules.spec_thresholds
    if not cfg.enabled:
        return []
    items = [c for c in f.items if c.spec_exceedances]
    if not items:
        return []
    risk = f.hits(cfg.risk_groups, transit=True)
    out: list[Finding] = []
    for cls in items:
        for x in cls.spec_exceedances:
            base = f"{x.title}: {x.spec_key} = {x.value:g} is {x.limit}"
            if risk:
                sev = cfg.severity_to_risk
                msg = f"{base}, towards {f.group_titles(risk)} ({describe_hits(risk)})."
            else:
                sev = cfg.severity
                msg = f"{base}: the item is controlled and needs a licence."
            out.append(finding(
                RULE, sev, cls.subject, msg, **item_evidence(cls), threshold=x.threshold_id,
                spec=x.spec_key, value=x.value, limit=x.limit, source=x.source or None,
                places=[h.to_dict() for h in risk] or None,
            ))
    return out
