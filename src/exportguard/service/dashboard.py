"""Aggregates over the store for the web UI: the dashboard figures and the review queue.

- :func:`dashboard` counts screenings per day and decision, holding findings
  per rule, and list hits per list over the last ``days`` days.
- :func:`review_queue` lists open cases oldest first with the rules that
  held them, the lists that matched and the countries involved, filtered by
  rule, list and country.

Both only read what the engine and the review service recorded: no rule is
evaluated here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from exportguard.store.db import get_database
from exportguard.store.models import Case, FindingRecord, Screening
from exportguard.store.review import needs_action, release_expired

DECISIONS = ("DENY", "HOLD", "LICENSE_REQUIRED", "LICENSED", "CLEAR")
HOLDING = ("hold", "deny")


def _day(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return str(value)[:10]


def dashboard(days: int = 30, today: date | None = None,
              db_url: str | None = None) -> dict[str, Any]:
    """``{"days": [...], "per_day": {day: {decision: n}}, "holds_by_rule", "hits_by_list",
    "totals"}`` over the last ``days`` days (today included).

    ``holds_by_rule`` counts screenings with a holding finding of each rule;
    ``hits_by_list`` counts screenings with a party match on each list.
    """
    days = max(1, min(int(days), 366))
    today = today or datetime.now(UTC).date()
    start_day = today - timedelta(days=days - 1)
    start = datetime.combine(start_day, datetime.min.time(), tzinfo=UTC)
    day_list = [(start_day + timedelta(days=i)).isoformat() for i in range(days)]
    per_day: dict[str, dict[str, int]] = {d: dict.fromkeys(DECISIONS, 0) for d in day_list}
    with get_database(db_url).session() as s:
        day_col = func.date(Screening.created_at)
        rows = s.execute(select(day_col, Screening.decision, func.count())
                         .where(Screening.created_at >= start)
                         .group_by(day_col, Screening.decision)).all()
        for day, decision, n in rows:
            key = _day(day)
            if key in per_day and decision in per_day[key]:
                per_day[key][decision] += int(n)
        holds = s.execute(
            select(FindingRecord.rule, func.count(func.distinct(FindingRecord.screening_id)))
            .join(Screening, Screening.id == FindingRecord.screening_id)
            .where(Screening.created_at >= start)
            .where(FindingRecord.severity == "hold")
            .group_by(FindingRecord.rule)).all()
        hits: Counter[str] = Counter()
        for sid, evidence in s.execute(
                select(FindingRecord.screening_id, FindingRecord.evidence)
                .join(Screening, Screening.id == FindingRecord.screening_id)
                .where(Screening.created_at >= start)
                .where(FindingRecord.rule == "sanctions_match")):
            del sid
            lists = {str(m.get("list")) for m in (evidence or {}).get("matches", [])
                     if isinstance(m, dict) and m.get("list")}
            hits.update(lists)
        open_cases = int(s.scalar(select(func.count()).select_from(Case)
                                  .where(needs_action())) or 0)
        oldest = s.scalar(select(func.min(Case.opened_at)).where(needs_action()))
    totals = Counter[str]()
    for counts in per_day.values():
        totals.update(counts)
    total = sum(totals.values())
    return {
        "days": day_list,
        "per_day": per_day,
        "holds_by_rule": sorted(((str(r), int(n)) for r, n in holds), key=lambda x: (-x[1], x[0])),
        "hits_by_list": sorted(hits.items(), key=lambda x: (-x[1], x[0])),
        "totals": {"screenings": total, **{d: totals.get(d, 0) for d in DECISIONS}},
        "open_cases": open_cases,
        "oldest_open": oldest,
    }


def _countries(shipment: dict[str, Any]) -> list[str]:
    route = shipment.get("route") or {}
    found = [route.get("destination"), route.get("final_destination"),
             *(route.get("transit") or []),
             *[str(p.get("country", ""))[:2] for p in shipment.get("parties") or []]]
    return sorted({c for c in found if isinstance(c, str) and c})


def review_queue(rule: str | None = None, list_id: str | None = None,
                 country: str | None = None, limit: int = 200,
                 db_url: str | None = None) -> dict[str, Any]:
    """Open cases, oldest first, with what held them; and the filter values available.

    ``{"cases": [...], "rules": [...], "lists": [...], "countries": [...], "total": n}``.
    """
    with get_database(db_url).session() as s:
        rows = s.execute(select(Case, Screening).join(Screening, Screening.id == Case.screening_id)
                         .where(needs_action())
                         .order_by(Case.opened_at, Case.id)).all()
        ids = [scr.id for _c, scr in rows]
        held_by: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for chunk in range(0, len(ids), 500):
            for sid, r, msg in s.execute(
                    select(FindingRecord.screening_id, FindingRecord.rule, FindingRecord.message)
                    .where(FindingRecord.screening_id.in_(ids[chunk:chunk + 500]))
                    .where(FindingRecord.severity.in_(HOLDING))
                    .order_by(FindingRecord.seq)):
                held_by[sid].append((r, msg))
        items: list[dict[str, Any]] = []
        for case, scr in rows:
            findings = held_by.get(scr.id, [])
            matches = (scr.result or {}).get("party_matches") or []
            items.append({
                "id": case.id, "screening_id": scr.id, "shipment_id": scr.shipment_ref,
                "opened_at": case.opened_at, "created_by": scr.created_by,
                "decision": scr.decision,
                "release_expired": release_expired(case),
                "rules": sorted({r for r, _m in findings}),
                "first_reason": findings[0][1] if findings else "",
                "lists": sorted({str(m.get("list")) for m in matches if m.get("list")}),
                "countries": _countries(scr.input or {}),
            })
    facets = {
        "rules": sorted({r for x in items for r in x["rules"]}),
        "lists": sorted({x2 for x in items for x2 in x["lists"]}),
        "countries": sorted({c for x in items for c in x["countries"]}),
    }
    country_u = (country or "").strip().upper() or None
    chosen = [x for x in items
              if (not rule or rule in x["rules"]) and (not list_id or list_id in x["lists"])
              and (not country_u or country_u in x["countries"])]
    return {"cases": chosen[:limit], "total": len(chosen), "open": len(items), **facets}
