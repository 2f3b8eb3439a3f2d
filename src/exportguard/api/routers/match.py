"""``POST /api/v1/match``: match one name against the lists."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from exportguard.api.auth import screener
from exportguard.api.errors import responses
from exportguard.api.limits import ApiRoute
from exportguard.contracts.jsoninput import JSON_INT, JSON_NUMBER, REQUIRED_TEXT, JsonBool
from exportguard.service.auth import Actor

router = APIRouter(tags=["names"], route_class=ApiRoute, responses=responses(401, 413, 422))


class MatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # not blank (a name with no letter or digit at all is refused by the service: 422)
    name: Annotated[str, Field(min_length=1, max_length=500, pattern=REQUIRED_TEXT)]
    type: Literal["person", "organization", "vessel", "aircraft", "any"] = "any"
    limit: Annotated[int, Field(ge=1, le=100), JSON_INT] = 10
    threshold: Annotated[float, Field(ge=0, le=1), JSON_NUMBER] | None = None
    explain: JsonBool = False


class MatchOut(BaseModel):
    entity_id: str
    list_id: str = Field(alias="list")
    name: str
    matched_name: str
    matched_kind: str | None = None
    score: float
    type: str
    features: list[dict[str, Any]] | None = None
    aligned: list[list[Any]] | None = None

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class MatchResult(BaseModel):
    query: str
    matches: list[MatchOut]


@router.post("/match", response_model=MatchResult, response_model_exclude_none=True,
             responses=responses(503))
def match(body: MatchIn, actor: Actor = Depends(screener)) -> Any:
    from exportguard.service.names import match_name

    return match_name(body.name, type=body.type, limit=body.limit, threshold=body.threshold,
                      explain=body.explain)
