"""Rule ``unknown_hs``: an HS code whose first six digits are not an HS 2022 subheading."""

from __future__ import annotations

from exportguard.contracts.decision import Finding
from exportguard.engine.facts import Facts
from exportguard.engine.rules._common import finding
from exportguard.items import hs

RULE = "unknown_hs"


def unknown_hs(f: Facts) -> list[Finding]:
    cfg = f.policy.rules.unknown_hs
    if not cfg.enabled:
        return []
    out: list[Finding] = []
    for cls in f.items:
        if cls.hs_known:
            continue
        near = hs.describe(cls.hs6[:4]) if len(cls.hs6) >= 4 else None
        hint = f" (heading {cls.hs6[:4]}: {near})" if near else ""
        out.append(finding(
            RULE, cfg.severity, cls.subject,
            f"HS code {cls.hs_code!r}: {cls.hs6} is not an HS 2022 subheading{hint}; the item "
            f"cannot be classified.",
            hs_code=cls.hs_code, hs6=cls.hs6,
        ))
    return out
