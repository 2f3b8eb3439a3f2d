"""A list entry's details: names, aliases, countries, programs, remarks and source."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from exportguard.service.entities import get_entity
from exportguard.service.errors import InputError, NotFoundError
from exportguard.web.auth import WebSession, require_session
from exportguard.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/entities/{entity_id:path}", response_model=None)
def entity_page(request: Request, entity_id: str,
                session: WebSession = Depends(require_session)) -> Response:
    try:
        found = get_entity(entity_id)
    except (NotFoundError, InputError) as exc:
        return render(request, "error.html", {
            "status": 404, "title": "List entry not found", "message": str(exc)},
            status_code=404)
    return render(request, "entity.html", {"e": found["entity"], "snap": found["snapshot"]},
                  page="lists")
