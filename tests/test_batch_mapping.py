"""Column mapping and record parsing for the batch: defaults, YAML, flags, clear errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from exportguard.batch.mapping import (
    ColumnMapping,
    load_mapping,
    mapping_from_flags,
    normalise_column,
    resolve_mapping,
)
from exportguard.batch.records import (
    InvalidRecord,
    TradeRecord,
    parse_hs,
    parse_number,
    records_from_batch,
    to_shipment,
)
from exportguard.service.errors import InputError


def test_common_customs_names_are_recognised() -> None:
    cols = ["Declaration No", "Shipper Name", "Consignee", "Country of Origin",
            "Country of Dispatch", "Destination Country", "TNVED", "Goods Description",
            "Qty", "Invoice Value", "Currency", "Declaration Date"]
    r = resolve_mapping(ColumnMapping(), cols)
    assert r.columns["exporter"] == "Shipper Name"
    assert r.columns["importer"] == "Consignee"
    assert r.columns["origin_country"] == "Country of Origin"
    assert r.columns["dispatch_country"] == "Country of Dispatch"
    assert r.columns["destination_country"] == "Destination Country"
    assert r.columns["hs_code"] == "TNVED"
    assert r.columns["value"] == "Invoice Value"
    assert r.columns["record_id"] == "Declaration No"
    assert r.columns["date"] == "Declaration Date"


def test_missing_required_columns_are_all_listed_with_the_file_columns() -> None:
    with pytest.raises(InputError) as exc:
        resolve_mapping(ColumnMapping(), ["foo", "bar", "Consignee"])
    msg = str(exc.value)
    for field in ("exporter", "hs_code", "destination_country"):
        assert field in msg
    assert "importer" not in msg.split("columns in the file")[0]  # found
    assert "'foo', 'bar', 'Consignee'" in msg
    assert "--column FIELD=COLUMN" in msg


def test_explicit_column_that_the_file_lacks_is_an_error() -> None:
    m = mapping_from_flags(["exporter=Seller Name"])
    with pytest.raises(InputError, match="exporter: mapped to column 'Seller Name'"):
        resolve_mapping(m, ["exporter", "importer", "hs", "destination"])


def test_defaults_stand_in_for_missing_columns() -> None:
    m = mapping_from_flags(["importer=Buyer"], ["destination_country=RU"])
    r = resolve_mapping(m, ["Exporter", "Buyer", "HS Code"])
    assert r.columns["importer"] == "Buyer"
    assert r.columns["destination_country"] is None
    assert r.defaults == {"destination_country": "RU"}
    assert "constant" in r.source_of("destination_country")


def test_unknown_field_and_bad_flags() -> None:
    with pytest.raises(InputError, match="unknown field"):
        mapping_from_flags(["consignee_name=X"])
    with pytest.raises(InputError, match="FIELD=VALUE"):
        mapping_from_flags(["exporter"])


def test_yaml_mapping(tmp_path: Path) -> None:
    p = tmp_path / "m.yml"
    p.write_text("columns:\n  exporter: Shipper\n  hs_code: Code\n"
                 "defaults:\n  currency: USD\ndate_format: '%d.%m.%Y'\n", encoding="utf-8")
    m = load_mapping(p)
    assert m.columns == {"exporter": "Shipper", "hs_code": "Code"}
    assert m.defaults == {"currency": "USD"} and m.date_format == "%d.%m.%Y"
    flat = tmp_path / "flat.yml"
    flat.write_text("exporter: Shipper\n", encoding="utf-8")
    assert load_mapping(flat).columns == {"exporter": "Shipper"}
    bad = tmp_path / "bad.yml"
    bad.write_text("columns: [1, 2\n", encoding="utf-8")
    with pytest.raises(InputError, match="not valid YAML"):
        load_mapping(bad)
    merged = m.merged(mapping_from_flags(["exporter=Seller"]))
    assert merged.columns["exporter"] == "Seller" and merged.columns["hs_code"] == "Code"


def test_normalise_column() -> None:
    assert normalise_column(" Country of  Origin ") == "country_of_origin"
    assert normalise_column("HS-Code") == "hs_code"


def test_value_parsers() -> None:
    assert parse_hs("8542.31.00") == "85423100"
    assert parse_hs("10121") == "010121"  # a spreadsheet dropped the leading zero
    assert parse_hs("abc") is None
    assert parse_number("1,234.50") == 1234.5
    assert parse_number("1.234,50") == 1234.5
    assert parse_number("12,5") == 12.5
    assert parse_number("") is None and parse_number(7) == 7.0


def _rec(**kw: object) -> TradeRecord:
    base: dict[str, object] = dict(
        row_number=0, record_id="r1", date=None, exporter="Acme GmbH", exporter_country="DE",
        importer="Buyer LLC", importer_country=None, origin_country="US",
        dispatch_country="AE", destination_country="RU", hs_code="85423100",
        description="processors", quantity=None, unit=None, value=None, currency="usd",
        control_code=None, problems=[])
    base.update(kw)
    return TradeRecord(**base)  # type: ignore[arg-type]


def test_record_to_shipment_route_via_hub() -> None:
    s = to_shipment(_rec())
    assert s.route.origin == "US" and s.route.transit == ["AE"]
    assert s.route.destination == "RU"
    assert s.parties[0].role.value == "consignee" and s.parties[0].country == "RU"
    assert s.items[0].quantity == 1.0 and s.items[0].value == 0.0


def test_invalid_record_names_every_problem() -> None:
    with pytest.raises(InvalidRecord) as exc:
        to_shipment(_rec(exporter=None, hs_code=None, destination_country=None,
                         importer_country=None))
    msg = str(exc.value)
    assert "exporter: missing" in msg and "hs_code: missing" in msg
    assert "destination_country: missing" in msg


def test_records_from_batch_parses_names_and_defaults() -> None:
    import pyarrow as pa

    t = pa.table({"exporter": ["A Co"], "importer": ["B Co"], "hs_code": ["8542.31"],
                  "destination_country": ["Russia"], "date": ["31.12.2024"],
                  "value": ["1 000,5"]})
    [rec] = records_from_batch(t, 10, {"currency": "EUR"}, "%d.%m.%Y")
    assert rec.row_number == 10 and rec.record_id == "row-10"
    assert rec.destination_country == "RU" and rec.hs_code == "854231"
    assert rec.date == date(2024, 12, 31) and rec.value == 1000.5 and rec.currency == "EUR"
