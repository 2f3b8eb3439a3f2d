"""Pydantic models of the records the store keeps, shared by the HTTP API, the CLI and Python.

A stored screening is the engine's :class:`~exportguard.contracts.Decision`
plus its record (id, who, when, the review case, licence drawdowns); the
OpenAPI document is generated from these models and from the contracts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from exportguard.contracts.decision import Decision

Reason = Annotated[str, Field(min_length=3, max_length=4000,
                              description="why: mandatory, in plain words")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# ---------------------------------------------------------------------------
# review


class ReviewActionOut(_Out):
    action: str
    actor: str
    at: datetime
    reason: str
    details: dict[str, Any] = Field(default_factory=dict)


class CaseOut(_Out):
    id: int
    screening_id: str
    status: Literal["open", "released", "denied"]
    opened_at: datetime
    closed_at: datetime | None = None
    outcome: str | None = Field(None, description="CLEAR, LICENSED or DENY once closed")
    closed_by: str | None = None
    reason: str | None = None
    expires_at: datetime | None = None
    expired: bool = Field(False, description="a release whose expiry has passed: held again")
    actions: list[ReviewActionOut] = Field(default_factory=list)
    shipment_id: str | None = None
    decision: str | None = Field(None, description="the automated decision (HOLD)")


class ReleaseIn(_In):
    reason: Reason
    outcome: Literal["CLEAR", "LICENSED"] = "CLEAR"
    expires_at: datetime | None = Field(
        None, description="the release lapses then (ISO 8601); a date alone means the "
                          "release holds through that day and lapses at the next midnight UTC")

    @field_validator("expires_at", mode="before")
    @classmethod
    def _date_ok(cls, v: Any) -> Any:
        if isinstance(v, date) and not isinstance(v, datetime):
            v = v.isoformat()
        if isinstance(v, str) and len(v) == 10:
            try:
                day = date.fromisoformat(v)
            except ValueError:
                return v  # pydantic says what is wrong with it
            return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)
        return v


class ConfirmIn(_In):
    reason: Reason


class FalsePositiveIn(_In):
    reason: Reason
    entity_id: Annotated[str, Field(min_length=1, max_length=300,
                                    description="the list entry, as in party_matches")]
    party: Annotated[str, Field(min_length=1, max_length=500,
                                description="'party[i]' or the party name as screened")]


class FalsePositiveOut(_Out):
    id: int
    party_name: str
    entity_id: str
    list_id: str
    entity_sha256: str | None
    reason: str
    created_by: str
    created_at: datetime
    case_id: int | None


# ---------------------------------------------------------------------------
# screenings


class DrawdownOut(_Out):
    licence: str
    quantity: float
    value: float


class PreviouslyCleared(BaseModel):
    party: str
    party_name: str
    entity_id: str
    list: str
    status: Literal["valid", "void"] = Field(
        description="void: the list entry changed since the mark, so it no longer applies")
    cleared_by: str
    cleared_at: datetime
    reason: str
    case_id: int | None = None
    note: str


class ScreeningRecord(Decision):
    """A stored screening: the decision document plus its record."""

    id: str
    created_at: datetime
    created_by: str | None = None
    source: str
    rescreen_of: str | None = None
    effective_decision: str = Field(
        description="the decision after review: a released or confirmed case's outcome, "
                    "HOLD while a case is open or its release has expired")
    case: CaseOut | None = None
    drawdowns: list[DrawdownOut] = Field(default_factory=list)
    previously_cleared: list[PreviouslyCleared] = Field(default_factory=list)
    replayed: bool = Field(False, description="true when an Idempotency-Key replayed this")


class ScreeningDetail(ScreeningRecord):
    shipment: dict[str, Any] = Field(description="the shipment as screened (validated input)")


class ScreeningSummary(_Out):
    id: str
    created_at: datetime
    created_by: str | None
    source: str
    shipment_id: str | None
    decision: str
    rescreen_of: str | None = None


class RescreenChange(BaseModel):
    screening_id: str
    new_screening_id: str | None
    shipment_id: str | None
    before: str
    after: str


class RescreenReport(BaseModel):
    since: date
    screened: int
    changed: list[RescreenChange]
    errors: list[dict[str, str]] = Field(default_factory=list)
    dry_run: bool = False


# ---------------------------------------------------------------------------
# licences

Codes = list[Annotated[str, Field(min_length=1, max_length=50)]]


class LicenceBase(_In):
    holder: Annotated[str, Field(min_length=1, max_length=500)]
    authority: Annotated[str, Field(max_length=200)] | None = None
    control_codes: Codes = Field(default_factory=list, max_length=500,
                                 description="control-list codes or prefixes; empty: any")
    hs_codes: Codes = Field(default_factory=list, max_length=500,
                            description="HS codes or prefixes; empty: any")
    destinations: list[Annotated[str, Field(pattern=r"^[A-Za-z]{2}$")]] = Field(
        default_factory=list, max_length=300, description="ISO alpha-2; empty: any")
    end_user: Annotated[str, Field(max_length=500)] | None = Field(
        None, description="the end user's name as on the certificate; empty: any")
    quantity_limit: Annotated[float, Field(gt=0, allow_inf_nan=False, lt=1e15)] | None = None
    value_limit: Annotated[float, Field(gt=0, allow_inf_nan=False, lt=1e15)] | None = None
    currency: Annotated[str, Field(pattern=r"^[A-Za-z]{3}$")] | None = None
    valid_from: date
    valid_until: date
    euc_reference: Annotated[str, Field(max_length=200)] | None = Field(
        None, description="end-user certificate reference")

    @field_validator("destinations")
    @classmethod
    def _upper(cls, v: list[str]) -> list[str]:
        return [x.upper() for x in v]

    @field_validator("currency")
    @classmethod
    def _upper_currency(cls, v: str | None) -> str | None:
        return v.upper() if v else v

    @model_validator(mode="after")
    def _dates(self) -> LicenceBase:
        if self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")
        return self


class LicenceIn(LicenceBase):
    number: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^\S(.*\S)?$")]


class LicenceUpdate(_In):
    """Fields to change; absent fields stay as they are."""

    holder: Annotated[str, Field(min_length=1, max_length=500)] | None = None
    authority: Annotated[str, Field(max_length=200)] | None = None
    control_codes: Codes | None = None
    hs_codes: Codes | None = None
    destinations: list[Annotated[str, Field(pattern=r"^[A-Za-z]{2}$")]] | None = None
    end_user: Annotated[str, Field(max_length=500)] | None = None
    quantity_limit: Annotated[float, Field(gt=0, allow_inf_nan=False, lt=1e15)] | None = None
    value_limit: Annotated[float, Field(gt=0, allow_inf_nan=False, lt=1e15)] | None = None
    currency: Annotated[str, Field(pattern=r"^[A-Za-z]{3}$")] | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    euc_reference: Annotated[str, Field(max_length=200)] | None = None

    @field_validator("destinations")
    @classmethod
    def _upper(cls, v: list[str] | None) -> list[str] | None:
        return None if v is None else [x.upper() for x in v]

    @field_validator("currency")
    @classmethod
    def _upper_currency(cls, v: str | None) -> str | None:
        return v.upper() if v else v


class RevokeIn(_In):
    reason: Reason


class LicenceOut(BaseModel):
    number: str
    holder: str
    authority: str | None
    control_codes: list[str]
    hs_codes: list[str]
    destinations: list[str]
    end_user: str | None
    quantity_limit: float | None
    value_limit: float | None
    quantity_used: float
    value_used: float
    quantity_remaining: float | None
    value_remaining: float | None
    currency: str | None
    valid_from: date
    valid_until: date
    euc_reference: str | None
    status: Literal["active", "revoked"]
    revoked_at: datetime | None
    revoked_by: str | None
    revoked_reason: str | None
    created_at: datetime
    created_by: str | None
    updated_at: datetime


# ---------------------------------------------------------------------------
# audit


class AuditBroken(BaseModel):
    seq: int | None
    id: int | None
    reason: str | None


class AuditVerifyOut(BaseModel):
    ok: bool
    entries: int
    head_hash: str | None
    first_broken: AuditBroken | None = None
