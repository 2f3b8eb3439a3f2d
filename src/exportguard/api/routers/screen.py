"""``POST /api/v1/screen``: screen a shipment and record it (idempotent with a key)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from exportguard.api.auth import screener
from exportguard.api.deps import db_url
from exportguard.api.errors import responses
from exportguard.api.limits import ApiRoute
from exportguard.contracts.shipment import Shipment
from exportguard.service import records
from exportguard.service.auth import Actor
from exportguard.service.schemas import ScreeningRecord

router = APIRouter(tags=["screening"], route_class=ApiRoute,
                   responses=responses(401, 413, 422))

# The shipped policies (exportguard.policy.loader.SHIPPED_POLICIES; a test keeps the two
# the same). Names only: the network never names a file.
PolicyName = Annotated[Literal["default", "eu-833"] | None, Query(
    description="a shipped policy (default: the default policy)")]
# What the service accepts as a key (printable, 1 to 200 characters) as HTTP carries it:
# Latin-1 text without control characters, no space at either end.
_KEY_CHAR = r"\x21-\x7e\xa1-\xac\xae-\xff"
IDEMPOTENCY_KEY_PATTERN = rf"^[{_KEY_CHAR}](?:[ {_KEY_CHAR}]*[{_KEY_CHAR}])?$"


@router.post("/screen", response_model=ScreeningRecord, status_code=201,
             responses={200: {"model": ScreeningRecord,
                              "description": "replayed: the Idempotency-Key was seen before"},
                        **responses(409)})
async def screen(
    shipment: Shipment,
    request: Request,
    response: Response,
    policy: PolicyName = None,
    idempotency_key: Annotated[str | None, Header(
        alias="Idempotency-Key", max_length=200, pattern=IDEMPOTENCY_KEY_PATTERN,
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
