"""A trade record (one row of a customs extract) and its translation into a :class:`Shipment`.

Both batch engines (local and Spark) read the input columns as they are and
hand Arrow batches to :func:`records_from_batch`; every value is parsed here,
in Python, so the two engines parse a file identically. Parsing:

- countries: ISO alpha-2/alpha-3 codes or names (``Russia``, ``Korea, North``),
  through :func:`exportguard.countries.resolve_country`; unknown text is kept
  and makes the record invalid only where a country is required;
- HS codes: digits with optional dots/spaces; an odd number of digits (5, 7, 9)
  is a leading zero lost by a spreadsheet and is restored;
- numbers: ``1234.5``, ``1,234.50``, ``1 234,50``; dates: ISO, or the mapping's
  ``date_format``.

A record becomes a one-item shipment: the exporter, the importer as consignee,
and a route *origin → dispatch country (when it differs: a hub) →
destination*, so the engine sees goods of one country shipped on from a hub as
transit through that hub. A record that cannot become a valid shipment is not
screened: it is reported as ``invalid_record`` and held (fail closed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import pyarrow as pa
from pydantic import ValidationError

from exportguard.batch.mapping import FIELD_NAMES
from exportguard.contracts.shipment import (
    Exporter,
    Party,
    PartyRole,
    Route,
    Shipment,
    format_validation_error,
)


@dataclass(slots=True)
class TradeRecord:
    """One input row, parsed. ``row_number`` is its 0-based position in the file."""

    row_number: int
    record_id: str
    date: date | None
    exporter: str | None
    exporter_country: str | None
    importer: str | None
    importer_country: str | None
    origin_country: str | None
    dispatch_country: str | None
    destination_country: str | None
    hs_code: str | None
    description: str | None
    quantity: float | None
    unit: str | None
    value: float | None
    currency: str | None
    control_code: str | None
    problems: list[str]


# ---------------------------------------------------------------------------
# value parsers (memoised: trade data repeats values heavily)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


@lru_cache(maxsize=65536)
def parse_country(text: str) -> str | None:
    """Alpha-2 code for a code or a name; ``None`` if unknown."""
    from exportguard.countries import resolve_country

    return resolve_country(text)


_HS_SEP = re.compile(r"[\s.\-/]")
_FLOAT_HS = re.compile(r"\d+\.0")  # not "9302.00", which is the written form of 930200


@lru_cache(maxsize=262144)
def parse_hs(text: str) -> str | None:
    """The digits of an HS code (a lost leading zero restored), or ``None``."""
    text = text.strip()
    if _FLOAT_HS.fullmatch(text):  # a number column rendered as a float: "930200.0"
        text = text[:-2]
    digits = _HS_SEP.sub("", text)
    if not digits.isdigit() or not digits.isascii():
        return None
    if len(digits) % 2 == 1 and len(digits) < 10:
        digits = "0" + digits
    return digits


_NUM_CLEAN = re.compile(r"[\s'_\u00a0]")


def parse_number(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        f = float(value)
        return f if f == f and f not in (float("inf"), float("-inf")) else None
    return _parse_number_text(str(value))


@lru_cache(maxsize=65536)
def _parse_number_text(text: str) -> float | None:
    t = _NUM_CLEAN.sub("", text.strip())
    if not t:
        return None
    if "," in t and "." in t:
        # the last separator is the decimal one: 1,234.50 or 1.234,50
        t = t.replace(",", "") if t.rfind(".") > t.rfind(",") else t.replace(".", "").replace(
            ",", ".")
    elif "," in t:
        head, _, tail = t.rpartition(",")
        t = t.replace(",", "") if len(tail) == 3 and head else t.replace(",", ".")
    try:
        f = float(t)
    except ValueError:
        return None
    return f if f == f and f not in (float("inf"), float("-inf")) else None


@lru_cache(maxsize=8192)
def parse_date(text: str, fmt: str | None = None) -> date | None:
    t = text.strip()
    if not t:
        return None
    if fmt:
        try:
            return datetime.strptime(t, fmt).date()
        except ValueError:
            return None
    try:
        return date.fromisoformat(t[:10])
    except ValueError:
        pass
    for f in ("%d.%m.%Y", "%d/%m/%Y", "%Y%m%d", "%Y/%m/%d"):
        try:
            return datetime.strptime(t, f).date()
        except ValueError:
            continue
    return None


# ---------------------------------------------------------------------------
# batch → records


def records_from_batch(batch: pa.RecordBatch | pa.Table, first_row: int,
                       defaults: dict[str, str] | None = None,
                       date_format: str | None = None,
                       row_numbers: list[int] | None = None) -> list[TradeRecord]:
    """Parse an Arrow batch whose columns are named after the canonical fields.

    Missing columns are read as absent (or as ``defaults``). ``first_row`` is
    the 0-based file position of the batch's first row, unless ``row_numbers``
    gives each row's position.
    """
    defaults = defaults or {}
    n = batch.num_rows
    names = set(batch.schema.names)
    cols: dict[str, list[Any]] = {}
    for name in FIELD_NAMES:
        if name in names:
            cols[name] = batch.column(name).to_pylist()
        else:
            cols[name] = [None] * n
    out: list[TradeRecord] = []
    for i in range(n):
        row = {name: cols[name][i] for name in FIELD_NAMES}
        for key, value in defaults.items():
            if row.get(key) is None or (isinstance(row[key], str) and not row[key].strip()):
                row[key] = value
        number = row_numbers[i] if row_numbers is not None else first_row + i
        out.append(_record(row, number, date_format))
    return out


def _country_field(row: dict[str, Any], key: str, problems: list[str]) -> str | None:
    raw = _text(row.get(key))
    if raw is None:
        return None
    code = parse_country(raw)
    if code is None:
        problems.append(f"{key}: {raw!r} is not a country we know")
    return code


def _record(row: dict[str, Any], row_number: int, date_format: str | None) -> TradeRecord:
    problems: list[str] = []
    raw_date = row.get("date")
    when: date | None = None
    if isinstance(raw_date, datetime):
        when = raw_date.date()
    elif isinstance(raw_date, date):
        when = raw_date
    elif raw_date is not None and str(raw_date).strip():
        when = parse_date(str(raw_date), date_format)
        if when is None:
            problems.append(f"date: {raw_date!r} is not a date"
                            + (f" in the format {date_format!r}" if date_format else ""))
    raw_hs = _text(row.get("hs_code"))
    hs = parse_hs(raw_hs) if raw_hs else None
    if raw_hs and hs is None:
        problems.append(f"hs_code: {raw_hs!r} is not an HS code")
    rid = _text(row.get("record_id")) or f"row-{row_number}"
    currency = _text(row.get("currency"))
    return TradeRecord(
        row_number=row_number,
        record_id=rid,
        date=when,
        exporter=_text(row.get("exporter")),
        exporter_country=_country_field(row, "exporter_country", problems),
        importer=_text(row.get("importer")),
        importer_country=_country_field(row, "importer_country", problems),
        origin_country=_country_field(row, "origin_country", problems),
        dispatch_country=_country_field(row, "dispatch_country", problems),
        destination_country=_country_field(row, "destination_country", problems),
        hs_code=hs,
        description=_text(row.get("description")),
        quantity=parse_number(row.get("quantity")),
        unit=_text(row.get("unit")),
        value=parse_number(row.get("value")),
        currency=currency.upper() if currency else None,
        control_code=_text(row.get("control_code")),
        problems=problems,
    )


# ---------------------------------------------------------------------------
# record → shipment


class InvalidRecord(ValueError):
    """The record cannot be screened; the message says why (fields named)."""


NO_DESCRIPTION = "(no description declared)"


def route_of(rec: TradeRecord) -> tuple[str | None, str | None, str | None]:
    """(origin, hub, destination) of a record: hub is the dispatch country when it is
    neither the origin nor the destination."""
    origin = rec.origin_country or rec.dispatch_country or rec.exporter_country
    dest = rec.destination_country or rec.importer_country
    hub = rec.dispatch_country
    if hub is None or hub in (origin, dest):
        hub = None
    return origin, hub, dest


# Parties and routes repeat heavily: each distinct one is validated once per
# process and the frozen (immutable) model instance is shared by the shipments.


@lru_cache(maxsize=200_000)
def _exporter(name: str, country: str) -> Exporter:
    return Exporter.model_validate({"name": name, "country": country})


@lru_cache(maxsize=200_000)
def _consignee(name: str, country: str) -> Party:
    return Party.model_validate({"role": PartyRole.CONSIGNEE.value, "name": name,
                                 "country": country})


@lru_cache(maxsize=20_000)
def _route(origin: str, hub: str | None, dest: str) -> Route:
    return Route.model_validate({"origin": origin, "transit": [hub] if hub else [],
                                 "destination": dest})


def to_shipment(rec: TradeRecord) -> Shipment:
    """The one-item shipment the engine screens for this record.

    Raises :class:`InvalidRecord` naming every field that is missing or wrong.
    """
    problems = list(rec.problems)
    exporter_country = rec.exporter_country or rec.dispatch_country or rec.origin_country
    origin, hub, dest = route_of(rec)
    consignee_country = rec.importer_country or dest
    if not rec.exporter:
        problems.append("exporter: missing")
    if not exporter_country:
        problems.append("exporter_country: missing (and no dispatch or origin country)")
    if not rec.importer:
        problems.append("importer: missing")
    if not dest:
        problems.append("destination_country: missing (and no importer country)")
    if not rec.hs_code:
        problems.append("hs_code: missing")
    elif not 6 <= len(rec.hs_code) <= 10:
        problems.append(f"hs_code: {rec.hs_code!r} has {len(rec.hs_code)} digits (6 to 10)")
    if rec.value is not None and rec.value < 0:
        problems.append(f"value: {rec.value} is negative")
    if problems:
        raise InvalidRecord("; ".join(problems))
    assert exporter_country and origin and dest and consignee_country and rec.hs_code
    quantity = rec.quantity if rec.quantity is not None and rec.quantity > 0 else 1.0
    item: dict[str, Any] = {
        "description": rec.description or NO_DESCRIPTION,
        "hs_code": rec.hs_code,
        "quantity": quantity,
        "value": rec.value if rec.value is not None else 0.0,
    }
    if rec.control_code:
        item["control_code"] = rec.control_code
    if rec.unit:
        item["unit"] = rec.unit
    if rec.currency and len(rec.currency) == 3 and rec.currency.isalpha():
        item["currency"] = rec.currency
    try:
        exporter = _exporter(rec.exporter, exporter_country)
        consignee = _consignee(rec.importer, consignee_country)
        route = _route(origin, hub, dest)
    except ValidationError as exc:
        raise InvalidRecord(format_validation_error(exc).removeprefix("invalid shipment: ")
                            ) from None
    data: dict[str, Any] = {
        "id": rec.record_id,
        "date": rec.date,
        "exporter": exporter,
        "parties": [consignee],
        "route": route,
        "items": [item],
    }
    try:
        return Shipment.model_validate(data)
    except ValidationError as exc:
        raise InvalidRecord(format_validation_error(exc).removeprefix("invalid shipment: ")
                            ) from None
