"""``GET /api/v1/audit/verify``: recompute the audit log's hash chain."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from exportguard.api.auth import reviewer
from exportguard.api.deps import db_url
from exportguard.api.errors import responses
from exportguard.api.limits import ApiRoute
from exportguard.service import records
from exportguard.service.auth import Actor
from exportguard.service.schemas import AuditVerifyOut

router = APIRouter(tags=["audit"], route_class=ApiRoute, responses=responses(401, 413, 422))


@router.get("/audit/verify", response_model=AuditVerifyOut, responses=responses(403))
def verify(actor: Actor = Depends(reviewer), url: str = Depends(db_url)) -> AuditVerifyOut:
    return records.verify_audit(db_url=url)
