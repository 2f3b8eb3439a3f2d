"""Dashboard: decisions over time, holds by rule, top hit lists, open cases and list health."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from exportguard.service.dashboard import DECISIONS, dashboard
from exportguard.service.lists import list_status
from exportguard.settings import get_settings
from exportguard.web import charts
from exportguard.web.auth import WebSession, db_url, require_session
from exportguard.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/dashboard", response_model=None)
def dashboard_page(request: Request, days: int = 30,
                   session: WebSession = Depends(require_session)) -> Response:
    days = days if days in (7, 30, 90) else 30
    data = dashboard(days=days, db_url=db_url(request))
    try:
        lists = list_status()
    except Exception as exc:  # list store broken: say so, screening fails closed anyway
        lists = [{"id": "*", "stale": True, "problem": str(exc)}]
    stale = [x for x in lists if x.get("stale") or x.get("problem")]
    return render(request, "dashboard.html", {
        "data": data, "days": days, "decisions": DECISIONS, "stale": stale,
        "no_lists": not any(x.get("id") != "*" for x in lists),
        "lists_total": len(lists),
        "allow_stale": get_settings().allow_stale_lists and not any(
            x.get("problem") for x in stale),
        "chart_days": charts.stacked_days(data["days"], data["per_day"], DECISIONS,
                                          f"Decisions per day, last {days} days", "c-days"),
        "chart_rules": charts.bars(data["holds_by_rule"], "Holds by rule", "c-rules",
                                   colour="#e69100", empty="No holds in this period."),
        "chart_lists": charts.bars(data["hits_by_list"], "List hits by list", "c-lists",
                                   colour="#6a3fb5", empty="No list hits in this period."),
    }, page="dashboard")
