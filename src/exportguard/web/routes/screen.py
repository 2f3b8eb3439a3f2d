"""Screen: a shipment form (parties with roles, route, items) or a JSON upload; the result page.

The form is turned into the shipment contract's JSON shape and handed to
:func:`exportguard.service.records.screen_and_record`, which validates it
(errors name the field), screens and records it; the browser is then sent to
the stored screening's page (post/redirect/get).
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from exportguard.contracts.decision import subject_index
from exportguard.contracts.jsoninput import check_json
from exportguard.contracts.shipment import PartyRole, PartyType
from exportguard.countries import resolve_country
from exportguard.service.entities import explain_match
from exportguard.service.errors import InputError, NotFoundError
from exportguard.service.records import get_screening, list_screenings, screen_and_record
from exportguard.service.screening import parse_shipment_json
from exportguard.web.auth import WebSession, db_url, require_session
from exportguard.web.forms import codes, optional, posted, text
from exportguard.web.render import render

router = APIRouter(include_in_schema=False)

ROW = re.compile(r"^(party|item)-(\d{1,3})-(\w+)$")
MAX_UPLOAD = 2 * 1024 * 1024
PARTY_ROWS = 3
ITEM_ROWS = 2


def _num(raw: str) -> Any:
    raw = raw.replace(",", "").strip()
    try:
        return float(raw) if raw else raw
    except ValueError:
        return raw  # the contract's validation names the field


def _specs(raw: str) -> dict[str, Any]:
    """``"engine_power_kw=20, range_km=150"`` -> ``{"engine_power_kw": 20.0, ...}``.

    Values that are not numbers stay text; a pair without ``=`` is kept under its own
    name with an empty value, so the contract's validation can name it.
    """
    out: dict[str, Any] = {}
    for pair in raw.split(","):
        key, _sep, value = pair.partition("=")
        if key.strip():
            out[key.strip()] = _num(value)  # a float, or the text as written
    return out


def _country(value: str) -> str:
    """A country as typed ("Germany", "Россия", "de", "276") as its ISO alpha-2 code; text
    that names no country is passed on as typed, so validation says what is wrong."""
    value = value.strip()
    if not value:
        return ""
    return resolve_country(value) or value.upper()


def shipment_from_form(form: Any) -> dict[str, Any]:
    """The shipment JSON a form describes (empty rows left out; validation is the service's)."""
    rows: dict[tuple[str, int], dict[str, str]] = {}
    for key in form:
        m = ROW.match(key)
        if m:
            rows.setdefault((m.group(1), int(m.group(2))), {})[m.group(3)] = text(form, key)
    parties, items = [], []
    for (kind, _n), row in sorted(rows.items()):
        if kind == "party" and row.get("name"):
            party: dict[str, Any] = {"role": row.get("role", ""), "name": row["name"],
                                     "country": _country(row.get("country", ""))}
            if row.get("type"):
                party["type"] = row["type"]
            if row.get("address"):
                party["address"] = row["address"]
            parties.append(party)
        elif kind == "item" and (row.get("description") or row.get("hs_code")):
            item: dict[str, Any] = {"description": row.get("description", ""),
                                    "hs_code": row.get("hs_code", ""),
                                    "quantity": _num(row.get("quantity", "")),
                                    "value": _num(row.get("value", ""))}
            for opt in ("control_code", "unit", "currency"):
                if row.get(opt):
                    item[opt] = row[opt]
            if row.get("specs"):
                item["specs"] = _specs(row["specs"])
            items.append(item)
    data: dict[str, Any] = {
        "id": text(form, "id"),
        "exporter": {"name": text(form, "exporter_name"),
                     "country": _country(text(form, "exporter_country"))},
        "parties": parties,
        "route": {"origin": _country(text(form, "origin")),
                  "transit": [_country(c) for c in codes(form, "transit", upper=False)],
                  "destination": _country(text(form, "destination"))},
        "items": items,
    }
    if optional(form, "final_destination"):
        data["route"]["final_destination"] = _country(text(form, "final_destination"))
    for key in ("date", "end_use"):
        if optional(form, key):
            data[key] = text(form, key)
    licences = codes(form, "licences")
    if licences:
        data["licenses"] = licences
    return data


async def _upload(form: Any) -> dict[str, Any] | None:
    upload = form.get("shipment_file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    raw = await upload.read(MAX_UPLOAD + 1)
    if len(raw) > MAX_UPLOAD:
        raise InputError(f"{upload.filename}: larger than {MAX_UPLOAD // 1024 // 1024} MiB")
    check_json(raw, source=upload.filename)  # nesting depth, before parsing
    return parse_shipment_json(raw, upload.filename)


def _form_page(request: Request, values: dict[str, Any], error: str | None = None,
               status: int = 200) -> Response:
    parties = max(PARTY_ROWS, len(values.get("parties") or []))
    items = max(ITEM_ROWS, len(values.get("items") or []))
    recent = list_screenings(limit=8, db_url=db_url(request))
    errors = error.removeprefix("invalid shipment: ").split("; ") if error else []
    return render(request, "screen.html", {
        "v": values, "errors": errors, "party_rows": parties, "item_rows": items,
        "roles": [r.value for r in PartyRole], "types": [t.value for t in PartyType],
        "recent": recent, "policies": _policies(),
        "policy": values.get("_policy") or "default"}, status_code=status, page="screen")


def _policies() -> list[tuple[str, str]]:
    """(name, title) of each shipped policy, for the form's choice."""
    from exportguard.policy.loader import SHIPPED_POLICIES
    from exportguard.service.screening import load_policy_by_name_or_path

    return [(name, load_policy_by_name_or_path(name).policy.title) for name in SHIPPED_POLICIES]


@router.get("/screen", response_model=None)
def screen_form(request: Request, session: WebSession = Depends(require_session)) -> Response:
    return _form_page(request, {"parties": [], "items": [], "route": {}, "exporter": {}})


@router.post("/screen", response_model=None)
async def screen_post(request: Request) -> Response:
    session, form = await posted(request)
    assert session is not None
    data: dict[str, Any] = shipment_from_form(form)
    policy = text(form, "policy") or "default"
    try:
        from exportguard.policy.loader import SHIPPED_POLICIES

        if policy not in SHIPPED_POLICIES:
            raise InputError(f"policy: {policy!r} is not one of {', '.join(SHIPPED_POLICIES)}")
        uploaded = await _upload(form)
        if uploaded is not None:
            data = uploaded
        rec = await run_in_threadpool(
            screen_and_record, data, policy=policy, actor=session.user, source="web",
            db_url=db_url(request), screener=request.app.state.screener)
    except InputError as exc:
        return _form_page(request, {**shipment_from_form(form), "_policy": policy}, str(exc),
                          status=422)
    return RedirectResponse(f"/screenings/{rec.id}", status_code=303)


@router.get("/screenings/{screening_id}", response_model=None)
def screening_page(request: Request, screening_id: str,
                   session: WebSession = Depends(require_session)) -> Response:
    try:
        rec = get_screening(screening_id, db_url=db_url(request))
    except NotFoundError as exc:
        return render(request, "error.html", {"status": 404, "title": "Screening not found",
                                              "message": str(exc)}, status_code=404)
    doc = rec.model_dump(mode="json")
    parties = doc["shipment"].get("parties") or []
    for m in doc["party_matches"]:
        try:
            # highlight as the screening scored: with the party's declared type
            idx = subject_index(m.get("party", ""), "party")
            ptype = (parties[idx].get("type") if idx is not None and idx < len(parties)
                     else None) or "any"
            m["explain"] = explain_match(m["party_name"], m["matched_name"], type=ptype)
        except InputError:
            m["explain"] = None
    return render(request, "screening.html", {"r": doc, "parties": parties}, page="screen")
