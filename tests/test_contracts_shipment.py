"""Shipment validation: errors name the field path; no input ever produces a traceback."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exportguard.contracts.shipment import Shipment, parse_shipment
from exportguard.service.errors import InputError
from exportguard.service.screening import to_shipment
from screening_support import shipment


def _err(data: Any) -> str:
    with pytest.raises(ValueError) as info:
        parse_shipment(data)
    return str(info.value)


def test_valid_base() -> None:
    s = parse_shipment(shipment())
    assert isinstance(s, Shipment) and s.items[0].hs_code == "610910"


def test_field_paths_in_errors() -> None:
    data = shipment()
    data["items"] = [data["items"][0]] * 2 + [{**data["items"][0], "hs_code": "85A2"}]
    assert "items[2].hs_code" in _err(data)
    data = shipment(route={"origin": "DE", "transit": ["TR", "ZZ"], "destination": "AE"})
    msg = _err(data)
    assert "route.transit[1]" in msg and "'ZZ'" in msg
    assert "parties[0].role" in _err(shipment(parties=[{"role": "buyer", "name": "x",
                                                        "country": "FR"}]))
    assert "items[0].quantity" in _err(shipment(item={"quantity": 0}))
    assert "items[0].value" in _err(shipment(item={"value": -1}))
    assert "exporter: required field is missing" in _err(shipment(exporter=None))
    assert "route.final_destinaton: unknown field" in _err(
        shipment(route={"origin": "DE", "destination": "FR", "final_destinaton": "RU"}))


def test_hs_code_forms() -> None:
    for code in ("8542.31", "854231", "8542310000", "8542.31.00"):
        assert parse_shipment(shipment(item={"hs_code": code})).items[0].hs_code == code
    assert "at least 6" in _err(shipment(item={"hs_code": "8542"}))
    assert "leading zeros" in _err(shipment(item={"hs_code": 854231}))


def test_countries_normalised_and_subdivisions() -> None:
    s = parse_shipment(shipment(route={"origin": "de", "destination": " fr "}))
    assert (s.route.origin, s.route.destination) == ("DE", "FR")
    p = parse_shipment(shipment(parties=[{"role": "end_user", "name": "X",
                                          "country": "ua-43"}]))
    assert p.parties[0].country == "UA-43" and p.parties[0].country_code == "UA"


def test_licences() -> None:
    s = parse_shipment(shipment(licenses=["L-1", {"number": "L-2", "items": [0]}]))
    assert [x.number for x in s.licenses] == ["L-1", "L-2"]
    assert "licenses[0].items[0]" in _err(shipment(licenses=[{"number": "L", "items": [3]}]))


def test_not_an_object() -> None:
    assert "expected a JSON object" in _err([1, 2])
    with pytest.raises(InputError):
        to_shipment("nope")  # type: ignore[arg-type]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)


def _mutations() -> st.SearchStrategy[dict[str, Any]]:
    base = shipment()
    paths = [("id",), ("exporter", "country"), ("parties",), ("route", "destination"),
             ("route", "transit"), ("items",), ("end_use",), ("licenses",), ("date",)]

    def apply(path: tuple[str, ...], value: Any) -> dict[str, Any]:
        data = shipment()
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        return data

    return st.builds(apply, st.sampled_from(paths), json_values) | st.just(base)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.one_of(json_values, _mutations()))
def test_validation_never_raises_anything_but_input_error(data: Any) -> None:
    try:
        to_shipment(data)
    except InputError as exc:
        assert str(exc).startswith("invalid shipment")


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    hs_code=st.from_regex(r"\A[0-9]{6,10}\Z"),
    control_code=st.none() | st.text(max_size=15)
    | st.from_regex(r"\A(ML[0-9]{1,2}|[0-9][A-E][0-9]{3})(\.[a-z0-9])*\Z"),
    description=st.text(min_size=1, max_size=60),
    country=st.sampled_from(["RU", "UA", "KZ", "AE", "FR", "UA-43", "CN", "BR"]),
    specs=st.dictionaries(st.sampled_from(["engine_power_kw", "x"]),
                          st.integers(-5, 50) | st.text(max_size=6), max_size=2),
)
def test_engine_never_crashes_on_valid_shipments(hs_code: str, control_code: str | None,
                                                 description: str, country: str,
                                                 specs: dict[str, Any]) -> None:
    from exportguard.contracts.decision import DecisionKind
    from screening_support import screen

    item = {"description": description, "hs_code": hs_code, "control_code": control_code,
            "specs": specs}
    parties = [{"role": "end_user", "name": "Some Party", "country": country}]
    try:
        data = to_shipment(shipment(item=item, parties=parties))
    except InputError:
        return
    d = screen(data.model_dump(mode="json", exclude_none=True), _CTX)
    assert d.decision is DecisionKind.CLEAR or any(
        f.severity.value not in ("info", "warning") for f in d.findings)


def _make_ctx() -> Any:
    from screening_support import context

    return context()


_CTX = _make_ctx()
