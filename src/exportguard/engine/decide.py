"""``decide(shipment, context) -> Decision``: the engine, a pure and deterministic function.

No I/O and no clock: the caller supplies the policy, the party matcher, the list
metadata and ``now``. Findings are sorted (severity, rule, subject, message),
floats rounded, so the same inputs give the same JSON bytes.
"""

from __future__ import annotations

from typing import Any

from exportguard.contracts.decision import (
    Decision,
    DecisionKind,
    Finding,
    ListRef,
    PartyMatchOut,
)
from exportguard.contracts.shipment import Party, Shipment
from exportguard.engine.context import PartyMatcher, ScreeningContext, per_context
from exportguard.engine.facts import Facts
from exportguard.engine.rules import RULES, licence_coverage
from exportguard.names.model import Match


def _search(matcher: PartyMatcher, party: Party, threshold: float | None,
            limit: int) -> list[Match]:
    kwargs: dict[str, Any] = {"limit": limit}
    if party.type is not None:
        kwargs["type"] = party.type.value
    if threshold is not None:
        kwargs["threshold"] = threshold
    found = list(matcher.search(party.name, **kwargs))
    return sorted(found, key=lambda m: (-round(m.score, 4), m.list, m.entity_id))


def match_parties(shipment: Shipment,
                  ctx: ScreeningContext) -> tuple[list[list[Match]], dict[int, str]]:
    """Matches of every party (not the exporter) against the lists, best first.

    A party the matcher cannot search (a name without letters, a failing index)
    gets no matches and a problem, which the ``sanctions_match`` rule turns
    into a hold: a party that was not screened is never cleared.
    """
    cfg = ctx.policy.rules.sanctions_match
    if ctx.matcher is None or not cfg.enabled:
        return [[] for _ in shipment.parties], {}
    out: list[list[Match]] = []
    problems: dict[int, str] = {}
    for i, party in enumerate(shipment.parties):
        try:
            out.append(_search(ctx.matcher, party, cfg.min_score, cfg.limit))
        except Exception as exc:  # fail closed, with the reason
            out.append([])
            problems[i] = f"{type(exc).__name__}: {exc}"
    return out, problems


def _matches_out(shipment: Shipment, matches: list[list[Match]]) -> list[PartyMatchOut]:
    out: list[PartyMatchOut] = []
    for i, (party, found) in enumerate(zip(shipment.parties, matches, strict=True)):
        for m in found:
            out.append(PartyMatchOut(
                party=f"party[{i}]", party_name=party.name, role=party.role.value,
                entity_id=m.entity_id, list=m.list, name=m.name, matched_name=m.matched_name,
                matched_kind=m.matched_kind, score=round(m.score, 4), type=str(m.type),
                explanation=m.explanation(),
            ))
    return out


def run_rules(facts: Facts) -> list[Finding]:
    findings: list[Finding] = []
    for _name, rule in RULES:
        findings.extend(rule(facts))
    findings = licence_coverage(facts, findings)
    return sorted(findings, key=Finding.sort_key)


def _context_refs(ctx: ScreeningContext) -> tuple[list[ListRef], str]:
    """The list versions and the screening time a decision records (the context's)."""
    lists = sorted(
        (ListRef(id=m.list_id, date=m.publication_date, sha256=m.sha256, version=m.version)
         for m in ctx.lists),
        key=lambda r: (r.id, r.version or ""),
    )
    return lists, ctx.now.isoformat()


def decide(shipment: Shipment, ctx: ScreeningContext) -> Decision:
    """Screen ``shipment`` under ``ctx``; the same inputs give the same decision."""
    matches, problems = match_parties(shipment, ctx)
    facts = Facts(shipment=shipment, ctx=ctx, matches=matches, match_problems=problems)
    findings = run_rules(facts)
    decision = DecisionKind.strongest([f.severity.decision for f in findings])
    lists, screened_at = per_context(ctx, "decision.lists", lambda: _context_refs(ctx))
    return Decision(
        shipment_id=shipment.id,
        decision=decision,
        findings=findings,
        party_matches=_matches_out(shipment, matches),
        policy=ctx.policy_ref,
        lists=list(lists),
        screened_at=screened_at,
        engine_version=ctx.engine_version,
    )
