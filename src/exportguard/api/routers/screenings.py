"""``GET /api/v1/screenings``: stored screenings (never deleted)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query

from exportguard.api.auth import screener
from exportguard.api.deps import DIGITS, db_url
from exportguard.api.errors import responses
from exportguard.api.limits import ApiRoute
from exportguard.contracts.jsoninput import TEXT, IsoDate
from exportguard.service import records
from exportguard.service.auth import Actor
from exportguard.service.schemas import ScreeningDetail, ScreeningSummary

router = APIRouter(tags=["screening"], route_class=ApiRoute,
                   responses=responses(401, 413, 422))


@router.get("/screenings", response_model=list[ScreeningSummary])
def list_screenings(
    decision: Literal["DENY", "HOLD", "LICENSE_REQUIRED", "LICENSED", "CLEAR"] | None = None,
    since: Annotated[IsoDate | None, Query(description="from this day on (YYYY-MM-DD)")] = None,
    limit: Annotated[int, Query(ge=1, le=500), DIGITS] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000), DIGITS] = 0,
    actor: Actor = Depends(screener),
    url: str = Depends(db_url),
) -> list[ScreeningSummary]:
    return records.list_screenings(decision=decision, since=since, limit=limit, offset=offset,
                                   db_url=url)


@router.get("/screenings/{screening_id}", response_model=ScreeningDetail,
            responses=responses(404))
def get_screening(screening_id: Annotated[str, Path(max_length=100, pattern=TEXT)],
                  actor: Actor = Depends(screener),
                  url: str = Depends(db_url)) -> ScreeningDetail:
    return records.get_screening(screening_id, db_url=url)
