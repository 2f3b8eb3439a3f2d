"""Licences: the register with remaining quantity and value, expiry warnings, and registration.

Registering a licence needs the reviewer role (the form is hidden from
screeners and the licence service refuses them).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from exportguard.service.auth import ForbiddenError
from exportguard.service.errors import ConflictError, InputError
from exportguard.service.licences import add_licence, list_licences
from exportguard.web.auth import WebSession, db_url, require_session
from exportguard.web.forms import codes, number, optional, posted, text
from exportguard.web.render import render

router = APIRouter(include_in_schema=False)

EXPIRY_WARNING_DAYS = 30
FIELDS = ("number", "holder", "authority", "control_codes", "hs_codes", "destinations",
          "end_user", "quantity_limit", "value_limit", "currency", "valid_from",
          "valid_until", "euc_reference")


def _rows(request: Request) -> list[dict[str, Any]]:
    today = datetime.now(UTC).date()
    out = []
    for lic in list_licences(limit=500, db_url=db_url(request)):
        d = lic.model_dump(mode="json")
        left = (lic.valid_until - today).days
        d["days_left"] = left
        if lic.status == "revoked":
            d["state"], d["state_label"] = "revoked", "Revoked"
        elif lic.valid_from > today:
            d["state"], d["state_label"] = "future", f"Valid from {lic.valid_from.isoformat()}"
        elif left < 0:
            d["state"], d["state_label"] = "expired", f"Expired {-left} days ago"
        elif left <= EXPIRY_WARNING_DAYS:
            d["state"], d["state_label"] = "expiring", f"Expires in {left} days"
        else:
            d["state"], d["state_label"] = "active", "Active"
        for kind in ("quantity", "value"):
            limit = d[f"{kind}_limit"]
            d[f"{kind}_pct"] = (round(100 * d[f"{kind}_used"] / limit) if limit else None)
        out.append(d)
    return out


def _page(request: Request, form: dict[str, str] | None = None, error: str | None = None,
          status: int = 200, done: str | None = None) -> Response:
    rows = _rows(request)
    return render(request, "licences.html", {
        "rows": rows, "form": form or {}, "error": error, "done": done,
        "warn_days": EXPIRY_WARNING_DAYS,
        "expiring": [r for r in rows if r["state"] in ("expiring", "expired")]},
        status_code=status, page="licences")


@router.get("/licences", response_model=None)
def licences_page(request: Request, done: str | None = None,
                  session: WebSession = Depends(require_session)) -> Response:
    return _page(request, done=f"Licence {done} registered." if done else None)


@router.post("/licences", response_model=None)
async def licences_add(request: Request) -> Response:
    session, form = await posted(request)
    assert session is not None
    values = {k: text(form, k) for k in FIELDS}
    try:
        data: dict[str, Any] = {
            "number": text(form, "number"), "holder": text(form, "holder"),
            "authority": optional(form, "authority"),
            "control_codes": codes(form, "control_codes", upper=True),
            "hs_codes": codes(form, "hs_codes"),
            "destinations": codes(form, "destinations", upper=True),
            "end_user": optional(form, "end_user"),
            "quantity_limit": number(form, "quantity_limit", "quantity limit"),
            "value_limit": number(form, "value_limit", "value limit"),
            "currency": optional(form, "currency"),
            "valid_from": optional(form, "valid_from"),
            "valid_until": optional(form, "valid_until"),
            "euc_reference": optional(form, "euc_reference"),
        }
        lic = await run_in_threadpool(add_licence, data, actor=session.user,
                                      db_url=db_url(request))
    except ForbiddenError as exc:
        return render(request, "error.html", {"status": 403, "title": "Not allowed",
                                              "message": str(exc)}, status_code=403)
    except (InputError, ConflictError) as exc:
        return _page(request, values, str(exc), status=422)
    return RedirectResponse(f"/licences?done={lic.number}", status_code=303)
