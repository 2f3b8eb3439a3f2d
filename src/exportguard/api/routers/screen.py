"""``POST /api/v1/screen``: screen a shipment and record it (idempotent with a key)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from exportguard.api.auth import screener
from exportguard.api.deps import db_url
from exportguard.contracts.shipment import Shipment
from exportguard.service import records
from exportguard.service.auth import Actor
from exportguard.service.schemas import ScreeningRecord

router = APIRouter(tags=["screening"])

PolicyName = Annotated[str | None, Query(
    pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,99}$",
    description="a shipped policy name (default: the default policy)")]


@router.post("/screen", response_model=ScreeningRecord, status_code=201,
             responses={200: {"model": ScreeningRecord,
                              "description": "replayed: the Idempotency-Key was seen before"}})
async def screen(
    shipment: Shipment,
    request: Request,
    response: Response,
    policy: PolicyName = None,
    idempotency_key: Annotated[str | None, Header(
        alias="Idempotency-Key", max_length=200,
        description="retry-safe: the same key returns the first result")] = None,
    actor: Actor = Depends(screener),
    url: str = Depends(db_url),
) -> ScreeningRecord:
    # The service blocks (engine, database): run it in the thread pool, one hop per request.
    rec = await run_in_threadpool(
        records.screen_and_record, shipment, policy=policy, actor=actor, source="api",
        idempotency_key=idempotency_key, db_url=url, screener=request.app.state.screener)
    response.headers["Location"] = f"/api/v1/screenings/{rec.id}"
    if rec.replayed:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    return rec
