"""Name check: one search box, results with scores and the features that explain them."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from exportguard.service.entities import explain_match
from exportguard.service.errors import InputError, ListsUnavailableError
from exportguard.service.names import TYPES, match_name
from exportguard.web.auth import WebSession, require_session
from exportguard.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/names", response_model=None)
def names_page(request: Request, q: str = "", type: str = "any", threshold: str = "",
               limit: int = 10, session: WebSession = Depends(require_session)) -> Response:
    result = None
    error = None
    status = 422
    thr: float | None = None
    limit = max(1, min(limit, 50))
    if q.strip():
        try:
            if threshold.strip():
                try:
                    thr = float(threshold)
                except ValueError:
                    raise InputError(f"threshold: {threshold!r} is not a number") from None
            result = match_name(q, type=type, limit=limit, threshold=thr, explain=True)
            for m in result["matches"]:
                m["explain"] = explain_match(q, m["matched_name"], type=type)
        except InputError as exc:
            error = str(exc)
        except ListsUnavailableError as exc:
            error, status = (f"Names cannot be checked: {exc}. Ask an administrator to load "
                             "the lists."), 503
    return render(request, "names.html", {
        "q": q, "type": type, "threshold": threshold, "limit": limit, "types": TYPES,
        "result": result, "error": error}, status_code=status if error else 200, page="names")
