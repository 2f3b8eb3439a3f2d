"""Rule ``un_embargo``: goods bound for a destination under a UN Security Council embargo.

Bound for: the destination, the final destination or any party is in one of the
policy's ``arms_groups`` (arms embargoes: a military item is denied, a dual-use
or CHPL item held) or ``trade_groups`` (broad trade sanctions: every shipment is
held for a reviewer to check the goods against the resolutions). Embargoes on
named groups rather than states (non-state actors in Somalia, Yemen, the DRC,
...) are the UN list's designated parties: ``sanctions_match`` finds those.
"""

from __future__ import annotations

from exportguard.contracts.decision import Finding
from exportguard.engine.facts import Facts, describe_hits, item_evidence
from exportguard.engine.rules._common import finding

RULE = "un_embargo"


def un_embargo(f: Facts) -> list[Finding]:
    cfg = f.policy.rules.un_embargo
    if not cfg.enabled or not (cfg.arms_groups or cfg.trade_groups):
        return []
    out: list[Finding] = []
    arms = f.hits(cfg.arms_groups) if cfg.arms_groups else []
    if arms:
        where = f"{f.group_titles(arms)}: {describe_hits(arms)}"
        places = [h.to_dict() for h in arms]
        for cls in f.items:
            if cls.military:
                out.append(finding(
                    RULE, cfg.severity_military, cls.subject,
                    f"Military item ({'; '.join(cls.military_reasons)}) bound for {where}.",
                    **item_evidence(cls), military=list(cls.military_reasons), places=places))
            elif cls.dual_use or cls.chpl_tier:
                what = (f"dual-use {cls.control.normalized}" if cls.dual_use and cls.control
                        else f"CHPL tier {cls.chpl_tier}")
                out.append(finding(
                    RULE, cfg.severity_controlled, cls.subject,
                    f"Controlled item ({what}) bound for {where}: a reviewer checks it "
                    "against the embargo.",
                    **item_evidence(cls), places=places))
    trade = f.hits(cfg.trade_groups) if cfg.trade_groups else []
    if trade:
        out.append(finding(
            RULE, cfg.severity_trade, "route",
            f"The shipment is bound for {f.group_titles(trade)}: {describe_hits(trade)}. "
            "A reviewer checks the goods against the sanctions resolutions.",
            places=[h.to_dict() for h in trade]))
    return out
