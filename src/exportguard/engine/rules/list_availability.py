"""Rule ``list_availability``: no list data, or a party index that failed, holds (fail closed)."""

from __future__ import annotations

from exportguard.contracts.decision import Finding
from exportguard.engine.facts import Facts
from exportguard.engine.rules._common import finding

RULE = "list_availability"


def list_availability(f: Facts) -> list[Finding]:
    cfg = f.policy.rules.list_availability
    if not cfg.enabled:
        return []
    out = [
        finding(RULE, cfg.severity, "lists",
                f"Party screening is not reliable: {problem}. Failing closed.", problem=problem)
        for problem in sorted(set(f.ctx.list_problems))
    ]
    if not f.ctx.lists and not f.ctx.list_problems:
        out.append(finding(RULE, cfg.severity, "lists",
                           "No list data is loaded: parties cannot be screened. Failing closed.",
                           problem="no list data"))
    elif f.ctx.matcher is None and not f.ctx.list_problems:
        out.append(finding(RULE, cfg.severity, "lists",
                           "No party index is available: parties cannot be screened. "
                           "Failing closed.", problem="no party index"))
    return out
