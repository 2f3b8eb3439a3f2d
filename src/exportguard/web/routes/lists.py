"""Lists: each list's date, age, counts and last update, with a clear warning when stale."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from exportguard.service.lists import DEFAULT_MAX_AGE_DAYS, list_status
from exportguard.web.auth import WebSession, require_session
from exportguard.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/lists", response_model=None)
def lists_page(request: Request, session: WebSession = Depends(require_session)) -> Response:
    error = None
    try:
        lists = list_status()
    except Exception as exc:
        lists, error = [], f"The list store cannot be read: {exc}"
    stale = [x for x in lists if x.get("stale")]
    broken = [x for x in lists if x.get("problem")]
    return render(request, "lists.html", {
        "lists": lists, "stale": stale, "broken": broken, "error": error,
        "max_age": DEFAULT_MAX_AGE_DAYS,
        "total_entities": sum(int(x.get("entity_count") or 0) for x in lists),
    }, page="lists")
