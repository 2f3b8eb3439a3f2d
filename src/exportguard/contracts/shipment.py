"""The shipment contract: what a screening takes as input, validated field by field.

A shipment names the exporter, the parties with their roles, the route (ISO 3166
alpha-2 countries), the line items (HS code, optional control-list code, quantity,
value, technical specs), the declared end use and the licences cited.

Validation errors name the field path the way a user reads it
(``items[2].hs_code``, ``route.transit[0]``); see :func:`format_validation_error`.
Unknown fields are rejected (a misspelt ``final_destinaton`` must not silently
drop a declared final destination).
"""

from __future__ import annotations

import csv
import re
from datetime import date as Date
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from exportguard.data import data_path

# ---------------------------------------------------------------------------
# country codes


@lru_cache(maxsize=1)
def iso_alpha2_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes from the embedded country table, plus XK (Kosovo)."""
    codes: set[str] = {"XK"}
    with data_path("reference", "country-codes.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            code = (row.get("ISO3166-1-Alpha-2") or "").strip().upper()
            if len(code) == 2 and code.isalpha():
                codes.add(code)
    return frozenset(codes)


_SUBDIVISION = re.compile(r"^([A-Z]{2})-([A-Z0-9]{1,3})$")


def _country(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("must be an ISO 3166 alpha-2 country code (a string such as 'DE')")
    code = value.strip().upper()
    if len(code) != 2 or code not in iso_alpha2_codes():
        raise ValueError(f"{value!r} is not an ISO 3166 alpha-2 country code")
    return code


def _party_country(value: Any) -> Any:
    """Alpha-2 (``UA``) or an ISO 3166-2 subdivision (``UA-43`` for Crimea)."""
    if not isinstance(value, str):
        raise ValueError("must be an ISO 3166 alpha-2 country code (a string such as 'DE')")
    code = value.strip().upper()
    m = _SUBDIVISION.match(code)
    if m:
        if m.group(1) not in iso_alpha2_codes():
            raise ValueError(f"{value!r}: {m.group(1)!r} is not an ISO 3166 alpha-2 country code")
        return code
    return _country(code)


CountryCode = Annotated[str, BeforeValidator(_country)]
PartyCountry = Annotated[str, BeforeValidator(_party_country)]

# ---------------------------------------------------------------------------
# HS codes

_HS_SEPARATORS = re.compile(r"[\s.\-]")


def hs_digits(code: str) -> str:
    """The digits of an HS code as written (``8542.31.00`` → ``85423100``)."""
    return _HS_SEPARATORS.sub("", code)


def _hs_code(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError("must be a string (an integer loses leading zeros: write \"010121\")")
    if not isinstance(value, str):
        raise ValueError("must be a string such as '8542.31' or '854231'")
    code = value.strip()
    digits = hs_digits(code)
    if not digits.isdigit() or not digits.isascii():
        raise ValueError(f"{value!r} is not an HS code (digits, optionally with dots)")
    if len(digits) < 6:
        raise ValueError(f"{value!r} has {len(digits)} digits: an HS code needs at least 6")
    if len(digits) > 14:
        raise ValueError(f"{value!r} has {len(digits)} digits: at most 14 are accepted")
    return code


HsCode = Annotated[str, BeforeValidator(_hs_code)]

NonEmpty = Annotated[str, Field(min_length=1, max_length=1000)]


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


Name = Annotated[str, BeforeValidator(_strip), Field(min_length=1, max_length=500)]

# ---------------------------------------------------------------------------
# models


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class PartyRole(StrEnum):
    PURCHASER = "purchaser"
    CONSIGNEE = "consignee"
    INTERMEDIATE_CONSIGNEE = "intermediate_consignee"
    FREIGHT_FORWARDER = "freight_forwarder"
    END_USER = "end_user"


class PartyType(StrEnum):
    PERSON = "person"
    ORGANIZATION = "organization"
    VESSEL = "vessel"
    AIRCRAFT = "aircraft"


class Exporter(_Model):
    name: Name
    country: CountryCode


class Party(_Model):
    """A party to the shipment.

    ``country`` is alpha-2, or an ISO 3166-2 subdivision such as ``UA-43``
    (Crimea) when the party sits in a region the policy names. ``incorporated``
    is the country (or free text) of incorporation, if known.
    """

    role: PartyRole
    name: Name
    country: PartyCountry
    address: Annotated[str, Field(max_length=2000)] | None = None
    type: PartyType | None = None
    incorporated: Annotated[str, Field(max_length=200)] | None = None

    @property
    def country_code(self) -> str:
        return self.country[:2]


class Route(_Model):
    origin: CountryCode
    transit: list[CountryCode] = Field(default_factory=list, max_length=50)
    destination: CountryCode
    final_destination: CountryCode | None = None


SpecValue = float | int | str | bool


class Item(_Model):
    description: NonEmpty
    hs_code: HsCode
    control_code: Annotated[str, Field(max_length=100)] | None = None
    quantity: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    unit: Annotated[str, Field(max_length=50)] | None = None
    value: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    currency: Annotated[str, Field(pattern=r"^[A-Za-z]{3}$")] | None = None
    specs: dict[Annotated[str, Field(min_length=1, max_length=100)], SpecValue] = Field(
        default_factory=dict, max_length=100
    )

    @field_validator("control_code")
    @classmethod
    def _blank_control_code(cls, v: str | None) -> str | None:
        return v or None

    @field_validator("currency")
    @classmethod
    def _upper_currency(cls, v: str | None) -> str | None:
        return v.upper() if v else v


class LicenceRef(_Model):
    """A licence the exporter cites: its number and, optionally, which items it covers.

    ``items`` are zero-based item indexes; empty means "all items".
    """

    number: Annotated[str, Field(min_length=1, max_length=200)]
    authority: Annotated[str, Field(max_length=200)] | None = None
    items: list[Annotated[int, Field(ge=0)]] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"number": data}
        return data


class Shipment(_Model):
    id: Annotated[str, Field(min_length=1, max_length=200)]
    date: Date | None = None
    exporter: Exporter
    parties: list[Party] = Field(min_length=1, max_length=100)
    route: Route
    items: list[Item] = Field(min_length=1, max_length=1000)
    end_use: Annotated[str, Field(max_length=2000)] | None = None
    licenses: list[LicenceRef] = Field(default_factory=list, max_length=100)
    # Declarations the exporter makes in the contract, e.g. ``no_re_export_russia``
    # (the EU "no re-export to Russia" clause, Reg. 833/2014 Art. 12g).
    declarations: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list, max_length=50
    )

    @model_validator(mode="after")
    def _licence_items_exist(self) -> Shipment:
        for i, lic in enumerate(self.licenses):
            for j, idx in enumerate(lic.items):
                if idx >= len(self.items):
                    raise ValueError(
                        f"licenses[{i}].items[{j}]: item {idx} does not exist "
                        f"(the shipment has {len(self.items)} items, numbered from 0)"
                    )
        return self


# ---------------------------------------------------------------------------
# errors


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.startswith(("function-", "constrained-")) or part in {"str", "int", "float"}:
            continue  # pydantic's names for union/validator branches
        else:
            out += ("." if out else "") + part
    return out


def format_validation_error(exc: ValidationError, limit: int = 10) -> str:
    """One line per error, each naming the field path: ``items[2].hs_code: ...``."""
    lines: list[str] = []
    seen: set[str] = set()
    for err in exc.errors(include_url=False):
        path = _path(tuple(err.get("loc", ())))
        msg = str(err.get("msg", "invalid"))
        msg = msg.removeprefix("Value error, ")
        if err.get("type") == "missing":
            msg = "required field is missing"
        elif err.get("type") == "extra_forbidden":
            msg = "unknown field"
        line = f"{path}: {msg}" if path else msg
        if line not in seen:
            seen.add(line)
            lines.append(line)
    more = len(lines) - limit
    text = "; ".join(lines[:limit])
    if more > 0:
        text += f"; and {more} more"
    return f"invalid shipment: {text}"


def parse_shipment(data: Any) -> Shipment:
    """Validate ``data`` (a dict from JSON) into a :class:`Shipment`.

    Raises :class:`ValueError` (the service wraps it as an input error) with a
    message naming every bad field.
    """
    if isinstance(data, Shipment):
        return data
    if not isinstance(data, dict):
        raise ValueError(f"invalid shipment: expected a JSON object, got {type(data).__name__}")
    try:
        return Shipment.model_validate(data)
    except ValidationError as exc:
        raise ValueError(format_validation_error(exc)) from None
