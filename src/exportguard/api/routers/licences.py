"""``/api/v1/licences``: the licence register (create, read, update, revoke; never delete)."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Response

from exportguard.api.auth import reviewer, screener
from exportguard.api.bodies import LicenceBody, LicencePatch, RevokeBody
from exportguard.api.deps import DIGITS, db_url
from exportguard.api.errors import responses
from exportguard.api.limits import ApiRoute
from exportguard.contracts.jsoninput import TEXT
from exportguard.service import licences
from exportguard.service.auth import Actor
from exportguard.service.schemas import LicenceOut

router = APIRouter(tags=["licences"], route_class=ApiRoute,
                   responses=responses(401, 413, 422))
Number = Annotated[str, Path(min_length=1, max_length=200, pattern=TEXT)]


@router.get("/licences", response_model=list[LicenceOut])
def list_licences(
    status: Literal["active", "revoked"] | None = None,
    holder: Annotated[str | None, Query(max_length=500, pattern=TEXT)] = None,
    limit: Annotated[int, Query(ge=1, le=1000), DIGITS] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000), DIGITS] = 0,
    actor: Actor = Depends(screener),
    url: str = Depends(db_url),
) -> list[LicenceOut]:
    return licences.list_licences(status=status, holder=holder, limit=limit, offset=offset,
                                  db_url=url)


@router.post("/licences", response_model=LicenceOut, status_code=201,
             responses=responses(403, 409))
def add_licence(body: LicenceBody, response: Response, actor: Actor = Depends(reviewer),
                url: str = Depends(db_url)) -> LicenceOut:
    out = licences.add_licence(body, actor=actor, db_url=url)
    response.headers["Location"] = f"/api/v1/licences/{quote(out.number, safe='')}"
    return out


@router.get("/licences/{number}", response_model=LicenceOut, responses=responses(404))
def get_licence(number: Number, actor: Actor = Depends(screener),
                url: str = Depends(db_url)) -> LicenceOut:
    return licences.get_licence(number, db_url=url)


@router.patch("/licences/{number}", response_model=LicenceOut,
              responses=responses(403, 404, 409))
def update_licence(number: Number, body: LicencePatch, actor: Actor = Depends(reviewer),
                   url: str = Depends(db_url)) -> LicenceOut:
    return licences.update_licence(number, body, actor=actor, db_url=url)


@router.post("/licences/{number}/revoke", response_model=LicenceOut,
             responses=responses(403, 404, 409))
def revoke_licence(number: Number, body: RevokeBody, actor: Actor = Depends(reviewer),
                   url: str = Depends(db_url)) -> LicenceOut:
    return licences.revoke_licence(number, body.reason, actor=actor, db_url=url)
