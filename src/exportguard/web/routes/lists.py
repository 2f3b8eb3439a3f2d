"""Lists: each list's date, age, counts and last update, with a clear warning when stale."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from exportguard.service.lists import list_status, policy_max_age_days
from exportguard.settings import get_settings
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
    no_lists = not error and not any(x.get("id") != "*" for x in lists)
    lists = [x for x in lists if x.get("id") != "*"]
    stale = [x for x in lists if x.get("stale")]
    broken = [x for x in lists if x.get("problem")]
    return render(request, "lists.html", {
        "lists": lists, "stale": stale, "broken": broken, "error": error, "no_lists": no_lists,
        "max_age": policy_max_age_days(),
        "allow_stale": get_settings().allow_stale_lists,
        "total_entities": sum(int(x.get("entity_count") or 0) for x in lists),
    }, page="lists")
