"""Rule ``military_to_conflict``: a military item bound for a party of the conflict.

Bound for: the destination, the final destination or any party (country, ISO 3166-2
region code, or a region named in the address) is in one of the rule's groups.
"""

from __future__ import annotations

from exportguard.contracts.decision import Finding
from exportguard.engine.facts import Facts, describe_hits, item_evidence
from exportguard.engine.rules._common import finding

RULE = "military_to_conflict"


def military_to_conflict(f: Facts) -> list[Finding]:
    cfg = f.policy.rules.military_to_conflict
    if not cfg.enabled or not any(cls.military for cls in f.items):
        return []
    hits = f.hits(cfg.groups)
    if not hits:
        return []
    out: list[Finding] = []
    for cls in f.items:
        if not cls.military:
            continue
        out.append(finding(
            RULE, cfg.severity, cls.subject,
            f"Military item ({'; '.join(cls.military_reasons)}) bound for "
            f"{f.group_titles(hits)}: {describe_hits(hits)}.",
            **item_evidence(cls), military=list(cls.military_reasons),
            places=[h.to_dict() for h in hits],
        ))
    return out
