"""Review queue and case page: open holds oldest first; release, confirm or mark a false positive.

Acting on a case needs the reviewer role: the forms are not shown to a
screener, and a screener's POST is refused (403) by the review service itself.
Every action needs a reason; a release may carry an expiry date.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from exportguard.api.errors import validation_message
from exportguard.service import review
from exportguard.service.auth import ForbiddenError
from exportguard.service.dashboard import review_queue
from exportguard.service.entities import explain_match
from exportguard.service.errors import ConflictError, InputError, NotFoundError
from exportguard.service.records import audit_trail, get_screening
from exportguard.service.schemas import ConfirmIn, FalsePositiveIn, ReleaseIn
from exportguard.web.auth import WebSession, db_url, require_session
from exportguard.web.forms import optional, posted, text
from exportguard.web.render import render

router = APIRouter(include_in_schema=False)

DONE = {"released": "Case released.", "confirmed": "Hold confirmed: the shipment is denied.",
        "false_positive": "False positive recorded: later screenings will show it."}


@router.get("/review", response_model=None)
def queue_page(request: Request, rule: str = "", list: str = "", country: str = "",
               session: WebSession = Depends(require_session)) -> Response:
    data = review_queue(rule=rule or None, list_id=list or None, country=country or None,
                        db_url=db_url(request))
    return render(request, "review.html", {
        "q": data, "rule": rule, "list": list, "country": country.upper()}, page="review")


def _case_context(request: Request, case_id: int) -> dict[str, Any]:
    url = db_url(request)
    case = review.get_case(case_id, db_url=url).model_dump(mode="json")
    rec = get_screening(case["screening_id"], db_url=url).model_dump(mode="json")
    for m in rec["party_matches"]:
        try:
            m["explain"] = explain_match(m["party_name"], m["matched_name"])
        except InputError:
            m["explain"] = None
    trail = audit_trail("case", str(case_id), db_url=url)
    trail += audit_trail("screening", rec["id"], db_url=url)
    trail.sort(key=lambda e: e["seq"])
    return {"case": case, "r": rec, "trail": trail}


def _case_page(request: Request, case_id: int, error: str | None = None,
               status: int = 200, done: str | None = None, form: Any = None) -> Response:
    try:
        ctx = _case_context(request, case_id)
    except NotFoundError as exc:
        return render(request, "error.html", {"status": 404, "title": "Case not found",
                                              "message": str(exc)}, status_code=404)
    return render(request, "case.html", {**ctx, "error": error, "done": DONE.get(done or ""),
                                         "form": form or {}}, status_code=status,
                  page="review")


@router.get("/review/{case_id}", response_model=None)
def case_page(request: Request, case_id: int, done: str | None = None,
              session: WebSession = Depends(require_session)) -> Response:
    return _case_page(request, case_id, done=done)


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return validation_message(list(exc.errors()))[0].removeprefix("invalid request: ")
    return str(exc)


async def _act(request: Request, case_id: int, action: str) -> Response:
    session, form = await posted(request)
    assert session is not None
    url = db_url(request)
    values = {k: text(form, k) for k in ("reason", "outcome", "expires_at", "match")}
    try:
        if action == "release":
            body: Any = ReleaseIn(reason=text(form, "reason"),
                                  outcome=text(form, "outcome") or "CLEAR",  # type: ignore[arg-type]
                                  expires_at=optional(form, "expires_at"))  # type: ignore[arg-type]
            await run_in_threadpool(review.release, case_id, body, actor=session.user,
                                    db_url=url)
            done = "released"
        elif action == "confirm":
            body = ConfirmIn(reason=text(form, "reason"))
            await run_in_threadpool(review.confirm, case_id, body, actor=session.user,
                                    db_url=url)
            done = "confirmed"
        else:
            party, _, entity_id = text(form, "match").partition("|")
            body = FalsePositiveIn(reason=text(form, "reason"), party=party,
                                   entity_id=entity_id)
            await run_in_threadpool(review.mark_false_positive, case_id, body,
                                    actor=session.user, db_url=url)
            done = "false_positive"
    except ForbiddenError as exc:
        return render(request, "error.html", {
            "status": 403, "title": "Not allowed",
            "message": f"{exc}. Ask a reviewer to act on this case."}, status_code=403)
    except NotFoundError as exc:
        return render(request, "error.html", {"status": 404, "title": "Case not found",
                                              "message": str(exc)}, status_code=404)
    except (InputError, ValidationError) as exc:
        return _case_page(request, case_id, error=_message(exc), status=422,
                          form={**values, "action": action})
    except ConflictError as exc:
        return _case_page(request, case_id, error=str(exc), status=409,
                          form={**values, "action": action})
    return RedirectResponse(f"/review/{case_id}?done={done}", status_code=303)


@router.post("/review/{case_id}/release", response_model=None)
async def release(request: Request, case_id: int) -> Response:
    return await _act(request, case_id, "release")


@router.post("/review/{case_id}/confirm", response_model=None)
async def confirm(request: Request, case_id: int) -> Response:
    return await _act(request, case_id, "confirm")


@router.post("/review/{case_id}/false-positive", response_model=None)
async def false_positive(request: Request, case_id: int) -> Response:
    return await _act(request, case_id, "false_positive")
