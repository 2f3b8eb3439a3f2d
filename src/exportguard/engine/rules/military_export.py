"""Rule ``military_export``: a military item to anyone else needs a licence.

"Anyone else": the shipment does not touch the groups of ``military_to_conflict``.
"""

from __future__ import annotations

from exportguard.contracts.decision import Finding
from exportguard.engine.facts import Facts, item_evidence
from exportguard.engine.rules._common import finding

RULE = "military_export"


def military_export(f: Facts) -> list[Finding]:
    cfg = f.policy.rules.military_export
    if not cfg.enabled or not any(cls.military for cls in f.items):
        return []
    conflict = f.policy.rules.military_to_conflict
    if conflict.enabled and f.hits(conflict.groups):
        return []  # military_to_conflict decides these items
    return [
        finding(RULE, cfg.severity, cls.subject,
                f"Military item ({'; '.join(cls.military_reasons)}): export needs a licence.",
                **item_evidence(cls), military=list(cls.military_reasons))
        for cls in f.items if cls.military
    ]
