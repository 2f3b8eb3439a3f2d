"""The API's request bodies: the service's input models, each field as the server enforces it.

The service models (:mod:`exportguard.service.schemas`) strip text before they
check its length and take pydantic's lax scalars (``"5"`` for a number, ``0``
for a date), so their JSON schema promised other things than the server did:
``"   "`` passed ``minLength: 3`` and was refused; ``"0"`` failed ``format:
date`` and was taken. Here the same models are subclassed with the text types
of :mod:`exportguard.contracts.jsoninput` (length as sent, then stripped; a
``pattern`` for "not blank") and JSON scalars, so the OpenAPI document is what
the server does. The rules and validators of the service models still apply
(these are subclasses: the service takes them as its own).

To move into :mod:`exportguard.service.schemas` (then the CLI and the web UI
get the same exactness and this module goes away).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from exportguard.contracts.jsoninput import (
    JSON_NUMBER,
    REQUIRED_TEXT,
    SPACE,
    TEXT,
    IsoDate,
    at_least,
    strip_within,
)
from exportguard.contracts.shipment import Currency, Name, Ref, Text200
from exportguard.service.schemas import (
    ConfirmIn,
    FalsePositiveIn,
    LicenceIn,
    LicenceUpdate,
    ReleaseIn,
    RevokeIn,
)

Reason = Annotated[str, Field(min_length=3, max_length=4000, pattern=at_least(3),
                              description="why: mandatory, in plain words"),
                   strip_within(4000)]
EntityId = Annotated[str, Field(min_length=1, max_length=300, pattern=REQUIRED_TEXT,
                                description="the list entry, as in party_matches"),
                     strip_within(300)]
PartyRef = Annotated[str, Field(min_length=1, max_length=500, pattern=REQUIRED_TEXT,
                                description="'party[i]' or the party name as screened"),
                     strip_within(500)]
Code = Annotated[str, Field(min_length=1, max_length=50, pattern=REQUIRED_TEXT), strip_within(50)]
Text500 = Annotated[str, Field(max_length=500, pattern=TEXT), strip_within(500)]
Limit = Annotated[float, Field(gt=0, allow_inf_nan=False, lt=1e15), JSON_NUMBER]


def _two_letters(value: Any) -> Any:
    if isinstance(value, str):
        code = value.strip()
        if not (len(code) == 2 and code.isascii() and code.isalpha()):
            raise ValueError(f"{value!r} is not two letters (ISO 3166 alpha-2)")
        return code.upper()
    return value


Destination = Annotated[str, BeforeValidator(_two_letters), Field(json_schema_extra={
    "pattern": rf"^[{SPACE}]*[A-Za-z]{{2}}[{SPACE}]*$"})]

# RFC 3339 (what JSON Schema's "date-time" is), or a date alone (see ReleaseIn.expires_at)
_DATE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
                        r"([Zz]|[+-][0-9]{2}:[0-9]{2})")


def _date_time(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value  # a date alone was turned into the next midnight by ReleaseIn
    if isinstance(value, str) and _DATE_TIME.fullmatch(value):
        return value
    raise ValueError("must be a date-time such as 2027-01-31T17:00:00Z, or a date (YYYY-MM-DD)")


def _date_time_or_date(schema: dict[str, Any]) -> None:
    schema.pop("type", None)
    schema.pop("format", None)
    schema["anyOf"] = [{"type": "string", "format": "date-time"},
                       {"type": "string", "format": "date"}]


ExpiresAt = Annotated[datetime, BeforeValidator(_date_time),
                      Field(json_schema_extra=_date_time_or_date)]


class ReleaseBody(ReleaseIn):
    reason: Reason
    expires_at: ExpiresAt | None = Field(  # type: ignore[assignment]
        None, description="the release lapses then (RFC 3339); a date alone means the "
                          "release holds through that day and lapses at the next midnight UTC")


class ConfirmBody(ConfirmIn):
    reason: Reason


class FalsePositiveBody(FalsePositiveIn):
    reason: Reason
    entity_id: EntityId
    party: PartyRef


class RevokeBody(RevokeIn):
    reason: Reason


class LicenceBody(LicenceIn):
    number: Ref
    holder: Name
    authority: Text200 | None = None
    control_codes: list[Code] = Field(default_factory=list, max_length=500,
                                      description="control-list codes or prefixes; empty: any")
    hs_codes: list[Code] = Field(default_factory=list, max_length=500,
                                 description="HS codes or prefixes; empty: any")
    destinations: list[Destination] = Field(default_factory=list, max_length=300,
                                            description="ISO alpha-2; empty: any")
    end_user: Text500 | None = Field(
        None, description="the end user's name as on the certificate; empty: any")
    quantity_limit: Limit | None = None
    value_limit: Limit | None = None
    currency: Currency | None = None
    valid_from: IsoDate
    valid_until: IsoDate
    euc_reference: Text200 | None = Field(None, description="end-user certificate reference")


class LicencePatch(LicenceUpdate):
    """The fields to change; absent fields stay. The holder and the validity dates can be
    changed but not removed, so the schema does not offer ``null`` for them."""

    holder: Name = Field(None, description="absent: unchanged")  # type: ignore[assignment]
    authority: Text200 | None = None
    control_codes: list[Code] | None = Field(None, max_length=500)
    hs_codes: list[Code] | None = Field(None, max_length=500)
    destinations: list[Destination] | None = Field(None, max_length=300)
    end_user: Text500 | None = None
    quantity_limit: Limit | None = None
    value_limit: Limit | None = None
    currency: Currency | None = None
    valid_from: IsoDate = Field(None, description="absent: unchanged")  # type: ignore[assignment]
    valid_until: IsoDate = Field(None, description="absent: unchanged")  # type: ignore[assignment]
    euc_reference: Text200 | None = None
