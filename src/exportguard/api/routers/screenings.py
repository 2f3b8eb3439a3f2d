"""``GET /api/v1/screenings``: stored screenings (never deleted)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query

from exportguard.api.auth import screener
from exportguard.api.deps import db_url
from exportguard.service import records
from exportguard.service.auth import Actor
from exportguard.service.schemas import ScreeningDetail, ScreeningSummary

router = APIRouter(tags=["screening"])


@router.get("/screenings", response_model=list[ScreeningSummary])
def list_screenings(
    decision: Literal["DENY", "HOLD", "LICENSE_REQUIRED", "LICENSED", "CLEAR"] | None = None,
    since: date | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    actor: Actor = Depends(screener),
    url: str = Depends(db_url),
) -> list[ScreeningSummary]:
    return records.list_screenings(decision=decision, since=since, limit=limit, offset=offset,
                                   db_url=url)


@router.get("/screenings/{screening_id}", response_model=ScreeningDetail)
def get_screening(screening_id: Annotated[str, Path(max_length=100)],
                  actor: Actor = Depends(screener),
                  url: str = Depends(db_url)) -> ScreeningDetail:
    return records.get_screening(screening_id, db_url=url)
