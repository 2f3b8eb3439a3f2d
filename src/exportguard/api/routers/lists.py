"""``GET /api/v1/lists/status``: the active list snapshots, their age and health."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict

from exportguard.api.auth import screener
from exportguard.api.errors import responses
from exportguard.api.limits import ApiRoute
from exportguard.service.auth import Actor

router = APIRouter(tags=["lists"], route_class=ApiRoute, responses=responses(401, 413, 422))


class ListStatus(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    title: str | None = None
    version: str | None = None
    publication_date: str | None = None
    age_days: int | None = None
    entity_count: int = 0
    sha256: str | None = None
    source: str | None = None
    licence: str | None = None
    stale: bool = False
    problem: str | None = None


@router.get("/lists/status", response_model=list[ListStatus])
def list_status(actor: Actor = Depends(screener)) -> Any:
    """One row per loaded list. With none loaded, one row ``id: "*"`` whose ``problem``
    says how to get lists (``exportguard lists update`` / ``lists import DIR``)."""
    from exportguard.service.lists import list_status as status

    return status()
