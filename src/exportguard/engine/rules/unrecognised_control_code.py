"""Rule ``unrecognised_control_code``: a control-list code that is neither ML nor dual-use."""

from __future__ import annotations

from exportguard.contracts.decision import Finding
from exportguard.engine.facts import Facts, item_evidence
from exportguard.engine.rules._common import finding
from exportguard.items.control_codes import ControlKind

RULE = "unrecognised_control_code"


def unrecognised_control_code(f: Facts) -> list[Finding]:
    cfg = f.policy.rules.unrecognised_control_code
    if not cfg.enabled:
        return []
    return [
        finding(RULE, cfg.severity, cls.subject,
                f"Control code {cls.control.raw!r} is neither a Military List entry (ML1-ML22) "
                f"nor a dual-use code (0A001-9E999): a person must classify the item.",
                **item_evidence(cls))
        for cls in f.items
        if cls.control is not None and cls.control.kind is ControlKind.UNRECOGNISED
    ]
