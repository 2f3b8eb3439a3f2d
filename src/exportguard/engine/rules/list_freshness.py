"""Rule ``list_freshness``: a list older than the policy's maximum age holds (fail closed).

The age is counted from the list's publication date (its load date when the
publisher gives none) to the screening time the caller supplied. With
``allow_stale_lists`` the finding is a warning and does not hold.
"""

from __future__ import annotations

from datetime import date

from exportguard.contracts.decision import Finding, Severity
from exportguard.engine.context import per_context
from exportguard.engine.facts import Facts
from exportguard.engine.rules._common import finding

RULE = "list_freshness"


def _parse(text: str | None) -> date | None:
    """An ISO date; a partial ``YYYY-MM`` or ``YYYY`` counts from its first day (older)."""
    if not text:
        return None
    text = text.strip()
    for candidate in (text[:10], f"{text[:7]}-01", f"{text[:4]}-01-01"):
        try:
            return date.fromisoformat(candidate)
        except ValueError:
            continue
    return None


def list_freshness(f: Facts) -> list[Finding]:
    # the lists' ages depend on the context alone: the same findings for every shipment
    return list(per_context(f.ctx, RULE, lambda: _list_freshness(f)))


def _list_freshness(f: Facts) -> list[Finding]:
    cfg = f.policy.rules.list_freshness
    if not cfg.enabled:
        return []
    today = f.ctx.now.date()
    severity = Severity.WARNING if f.ctx.allow_stale_lists else cfg.severity
    note = (" Allowed by allow_stale_lists: a warning only." if f.ctx.allow_stale_lists
            else " Update the lists, or screen with --allow-stale-lists to accept them.")
    out: list[Finding] = []
    for meta in sorted(f.ctx.lists, key=lambda m: m.list_id):
        published = _parse(meta.publication_date)
        basis = "published"
        if published is None:
            published = _parse(meta.loaded_at)
            basis = "loaded"
        if published is None:
            out.append(finding(
                RULE, severity, f"lists.{meta.list_id}",
                f"List {meta.list_id} has no usable date: its age is unknown." + note,
                list=meta.list_id, version=meta.version, max_age_days=cfg.max_age_days,
            ))
            continue
        age = (today - published).days
        if age > cfg.max_age_days:
            out.append(finding(
                RULE, severity, f"lists.{meta.list_id}",
                f"List {meta.list_id} ({basis} {published.isoformat()}) is {age} days old; "
                f"the policy allows {cfg.max_age_days}." + note,
                list=meta.list_id, version=meta.version, date=published.isoformat(),
                age_days=age, max_age_days=cfg.max_age_days,
                allowed=f.ctx.allow_stale_lists,
            ))
    return out
