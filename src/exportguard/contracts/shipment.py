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

import re
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    ValidationError,
    field_validator,
    model_validator,
)

from exportguard.contracts.jsoninput import (
    JSON_INT,
    JSON_NUMBER,
    REQUIRED_TEXT,
    SPACE,
    TEXT,
    IsoDate,
    strip_within,
)
from exportguard.countries import alpha2_codes

# ---------------------------------------------------------------------------
# country codes


def iso_alpha2_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes (pycountry, via :mod:`exportguard.countries`) plus XK."""
    return alpha2_codes()


_SUBDIVISION = re.compile(r"^([A-Z]{2})-([A-Z0-9]{1,3})$")


def _country(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("must be an ISO 3166 alpha-2 country code (a string such as 'DE')")
    code = value.strip()
    if len(code) != 2 or not code.isascii() or code.upper() not in iso_alpha2_codes():
        raise ValueError(f"{value!r} is not an ISO 3166 alpha-2 country code")
    return code.upper()


def _party_country(value: Any) -> Any:
    """Alpha-2 (``UA``) or an ISO 3166-2 subdivision (``UA-43`` for Crimea)."""
    if not isinstance(value, str):
        raise ValueError("must be an ISO 3166 alpha-2 country code (a string such as 'DE')")
    code = value.strip()
    m = _SUBDIVISION.match(code.upper()) if code.isascii() else None
    if m:
        if m.group(1) not in iso_alpha2_codes():
            raise ValueError(f"{value!r}: {m.group(1)!r} is not an ISO 3166 alpha-2 country code")
        return code.upper()
    return _country(value)


def _alpha2_alternation() -> str:
    """The ISO codes as a case-insensitive regular expression, one group per first letter
    (``[Aa][DdEe...]|[Bb][Aa...]|...``): JSON Schema has no case-insensitive flag."""
    by_first: dict[str, list[str]] = {}
    for code in sorted(iso_alpha2_codes()):
        by_first.setdefault(code[0], []).append(code[1])
    return "|".join(f"[{a}{a.lower()}][{''.join(bs)}{''.join(bs).lower()}]"
                    for a, bs in sorted(by_first.items()))


# The OpenAPI schema states what the validators above accept: surrounding spaces
# are ignored and case does not matter ("de" is DE).
COUNTRY_PATTERN = rf"^[{SPACE}]*(?:{_alpha2_alternation()})[{SPACE}]*$"
PARTY_COUNTRY_PATTERN = (rf"^[{SPACE}]*(?:{_alpha2_alternation()})(?:-[A-Za-z0-9]{{1,3}})?"
                         rf"[{SPACE}]*$")

CountryCode = Annotated[str, BeforeValidator(_country), Field(json_schema_extra={
    "pattern": COUNTRY_PATTERN, "description": "ISO 3166 alpha-2 (any case)"})]
PartyCountry = Annotated[str, BeforeValidator(_party_country), Field(json_schema_extra={
    "pattern": PARTY_COUNTRY_PATTERN,
    "description": "ISO 3166 alpha-2, or an ISO 3166-2 subdivision such as UA-43"})]

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


HS_CODE_PATTERN = rf"^[{SPACE}.\-]*(?:[0-9][{SPACE}.\-]*){{6,14}}$"
HsCode = Annotated[str, BeforeValidator(_hs_code), Field(json_schema_extra={
    "pattern": HS_CODE_PATTERN, "description": "6 to 14 digits; dots, dashes and spaces ignored"})]


def _currency(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    code = value.strip()
    if not re.fullmatch(r"[A-Za-z]{3}", code):
        raise ValueError(f"{value!r} is not a 3-letter currency code such as EUR")
    return code.upper()


Currency = Annotated[str, BeforeValidator(_currency), Field(json_schema_extra={
    "pattern": rf"^[{SPACE}]*[A-Za-z]{{3}}[{SPACE}]*$"})]

# Text: at most N characters as sent (surrounding whitespace removed after the check);
# no U+0000 in any; the required kinds must not be blank (a character that is not space).
NonEmpty = Annotated[str, Field(min_length=1, max_length=1000, pattern=REQUIRED_TEXT),
                     strip_within(1000)]
Name = Annotated[str, Field(min_length=1, max_length=500, pattern=REQUIRED_TEXT), strip_within(500)]
Ref = Annotated[str, Field(min_length=1, max_length=200, pattern=REQUIRED_TEXT), strip_within(200)]
SpecName = Annotated[str, Field(min_length=1, max_length=100, pattern=REQUIRED_TEXT),
                     strip_within(100)]
Text2000 = Annotated[str, Field(max_length=2000, pattern=TEXT), strip_within(2000)]
Text200 = Annotated[str, Field(max_length=200, pattern=TEXT), strip_within(200)]
Text100 = Annotated[str, Field(max_length=100, pattern=TEXT), strip_within(100)]
Text50 = Annotated[str, Field(max_length=50, pattern=TEXT), strip_within(50)]

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
    address: Text2000 | None = None
    type: PartyType | None = None
    incorporated: Text200 | None = None

    @property
    def country_code(self) -> str:
        return self.country[:2]


class Route(_Model):
    origin: CountryCode
    transit: list[CountryCode] = Field(default_factory=list, max_length=50)
    destination: CountryCode
    final_destination: CountryCode | None = None


SpecValue = float | int | Annotated[str, Field(pattern=TEXT)] | bool


def _specs_schema(schema: dict[str, Any]) -> None:
    """State the key rule as ``propertyNames`` (pydantic writes ``patternProperties``,
    which would leave a blank key unconstrained in the schema)."""
    pattern_properties = schema.pop("patternProperties", None)
    if pattern_properties:
        schema["additionalProperties"] = next(iter(pattern_properties.values()))
        schema.setdefault("propertyNames", {})["pattern"] = next(iter(pattern_properties))


class Item(_Model):
    description: NonEmpty
    hs_code: HsCode
    control_code: Text100 | None = None
    quantity: Annotated[float, Field(gt=0, allow_inf_nan=False), JSON_NUMBER]
    unit: Text50 | None = None
    value: Annotated[float, Field(ge=0, allow_inf_nan=False), JSON_NUMBER]
    currency: Currency | None = None
    specs: dict[SpecName, SpecValue] = Field(default_factory=dict, max_length=100,
                                             json_schema_extra=_specs_schema)

    @field_validator("control_code")
    @classmethod
    def _blank_control_code(cls, v: str | None) -> str | None:
        return v or None


class LicenceRef(_Model):
    """A licence the exporter cites: its number and, optionally, which items it covers.

    ``items`` are zero-based item indexes; empty means "all items".
    """

    number: Ref
    authority: Text200 | None = None
    items: list[Annotated[int, Field(ge=0), JSON_INT]] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"number": data}
        return data


class _OrNumber:
    """In the JSON schema, a cited licence is its object or just its number (a string)."""

    @classmethod
    def __get_pydantic_json_schema__(cls, core: Any, handler: GetJsonSchemaHandler) -> Any:
        return {"anyOf": [handler(core), {"type": "string", "minLength": 1, "maxLength": 200,
                                          "pattern": REQUIRED_TEXT}]}


class Shipment(_Model):
    id: Ref
    date: IsoDate | None = None
    exporter: Exporter
    parties: list[Party] = Field(min_length=1, max_length=100)
    route: Route
    items: list[Item] = Field(min_length=1, max_length=1000)
    end_use: Text2000 | None = None
    licenses: list[Annotated[LicenceRef, _OrNumber]] = Field(default_factory=list,
                                                             max_length=100)
    # Declarations the exporter makes in the contract, e.g. ``no_re_export_russia``
    # (the EU "no re-export to Russia" clause, Reg. 833/2014 Art. 12g).
    declarations: list[Ref] = Field(
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
