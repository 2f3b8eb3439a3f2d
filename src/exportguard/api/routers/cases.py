"""``/api/v1/cases``: review cases opened by holds; release, confirm, mark false positives."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query

from exportguard.api.auth import reviewer, screener
from exportguard.api.bodies import ConfirmBody, FalsePositiveBody, ReleaseBody
from exportguard.api.deps import DIGITS, db_url
from exportguard.api.errors import responses
from exportguard.api.limits import ApiRoute
from exportguard.service import review
from exportguard.service.auth import Actor
from exportguard.service.schemas import CaseOut, FalsePositiveOut

router = APIRouter(tags=["review"], route_class=ApiRoute, responses=responses(401, 413, 422))
# case ids are a 32-bit integer column (PostgreSQL ``integer``): a larger id is no id
CaseId = Annotated[int, Path(ge=1, le=2**31 - 1), DIGITS]


@router.get("/cases", response_model=list[CaseOut])
def list_cases(
    status: Literal["open", "released", "denied", "all"] = "open",
    limit: Annotated[int, Query(ge=1, le=500), DIGITS] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000), DIGITS] = 0,
    actor: Actor = Depends(screener),
    url: str = Depends(db_url),
) -> list[CaseOut]:
    return review.list_cases(None if status == "all" else status, limit=limit, offset=offset,
                             db_url=url)


@router.get("/cases/{case_id}", response_model=CaseOut, responses=responses(404))
def get_case(case_id: CaseId, actor: Actor = Depends(screener),
             url: str = Depends(db_url)) -> CaseOut:
    return review.get_case(case_id, db_url=url)


@router.post("/cases/{case_id}/release", response_model=CaseOut,
             responses=responses(403, 404, 409))
def release(case_id: CaseId, body: ReleaseBody, actor: Actor = Depends(reviewer),
            url: str = Depends(db_url)) -> CaseOut:
    return review.release(case_id, body, actor=actor, db_url=url)


@router.post("/cases/{case_id}/confirm", response_model=CaseOut,
             responses=responses(403, 404, 409))
def confirm(case_id: CaseId, body: ConfirmBody, actor: Actor = Depends(reviewer),
            url: str = Depends(db_url)) -> CaseOut:
    return review.confirm(case_id, body, actor=actor, db_url=url)


@router.post("/cases/{case_id}/false-positive", response_model=FalsePositiveOut,
             status_code=201, responses=responses(403, 404))
def false_positive(case_id: CaseId, body: FalsePositiveBody, actor: Actor = Depends(reviewer),
                   url: str = Depends(db_url)) -> FalsePositiveOut:
    return review.mark_false_positive(case_id, body, actor=actor, db_url=url)
