"""Rule ``sanctions_match``: a party matches a listed entity.

The policy's ``levels`` say how much a match weighs by list and score: by
default a UN Security Council match at 0.95 or above denies, any other match
at or above the matcher's threshold holds. A score is evidence, not a verdict:
the finding names the entry, the name that matched and the score.
"""

from __future__ import annotations

from exportguard.contracts.decision import Finding, Severity
from exportguard.engine.facts import Facts, party_label
from exportguard.engine.rules._common import finding
from exportguard.policy.schema import MatchLevel

RULE = "sanctions_match"


def level_for(levels: list[MatchLevel], list_id: str, score: float) -> MatchLevel | None:
    """The most severe level that applies to a match (first in policy order on ties)."""
    best: MatchLevel | None = None
    for level in levels:
        if level.applies(list_id, score) and (best is None or level.severity.rank >
                                              best.severity.rank):
            best = level
    return best


def sanctions_match(f: Facts) -> list[Finding]:
    cfg = f.policy.rules.sanctions_match
    if not cfg.enabled:
        return []
    out: list[Finding] = []
    for i, problem in sorted(f.match_problems.items()):
        party = f.shipment.parties[i]
        out.append(finding(
            RULE, Severity.HOLD, f"party[{i}]",
            f"{party_label(i, party)} could not be screened against the lists ({problem}): "
            f"failing closed.",
            party=party.name, role=party.role.value, problem=problem,
        ))
    for i, (party, matches) in enumerate(zip(f.shipment.parties, f.matches, strict=True)):
        rated = [(m, level_for(cfg.levels, m.list, m.score)) for m in matches]
        rated = [(m, lv) for m, lv in rated if lv is not None]
        if not rated:
            continue
        top, top_level = max(rated, key=lambda r: (r[1].severity.rank if r[1] else 0,
                                                   r[0].score))
        assert top_level is not None
        sev: Severity = top_level.severity
        label = top_level.label or "list match"
        out.append(finding(
            RULE, sev, f"party[{i}]",
            f"{party_label(i, party)} matches {top.list} entry {top.name!r} "
            f"({top.entity_id}) on the name {top.matched_name!r} with score {top.score:.2f}: "
            f"{label}.",
            party=party.name, role=party.role.value, level=label,
            min_score=top_level.min_score,
            matches=[{"entity_id": m.entity_id, "list": m.list, "name": m.name,
                      "matched_name": m.matched_name, "matched_kind": m.matched_kind,
                      "score": m.score} for m, _ in rated],
        ))
    return out
