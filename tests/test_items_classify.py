"""classify_item: military, dual-use, CHPL, thresholds, disguise; pure."""

from __future__ import annotations

from typing import Any

import pytest

from exportguard.contracts.shipment import Item
from exportguard.items.classify import classify_item, spec_number
from exportguard.policy.loader import load_policy

POLICY = load_policy("default").policy


def item(**kw: Any) -> Item:
    base: dict[str, Any] = {"description": "thing", "hs_code": "610910", "quantity": 1, "value": 1}
    return Item.model_validate({**base, **kw})


@pytest.mark.parametrize("hs_code", ["930190", "9306.90", "3601.00", "3602.00", "3603.40",
                                     "360410", "8710.00", "8906.10"])
def test_military_by_hs(hs_code: str) -> None:
    c = classify_item(item(hs_code=hs_code), POLICY)
    assert c.military and c.military_reasons
    assert "military" in c.classes


def test_military_by_control_code_on_civilian_hs() -> None:
    c = classify_item(item(hs_code="880624", control_code="ML10.c"), POLICY)
    assert c.military
    assert c.military_reasons == ("control code ML10.c (Military List ML10)",)


def test_dual_use_and_chpl() -> None:
    c = classify_item(item(hs_code="8542.31", control_code="3A001.a.1"), POLICY)
    assert c.dual_use and not c.military
    assert c.chpl_tier == "1"
    assert c.control is not None and (c.control.category, c.control.group) == ("3", "A")
    assert c.controlled


def test_uncontrolled() -> None:
    c = classify_item(item(), POLICY)
    assert not c.controlled and c.classes == () and c.hs_known
    assert c.disguise is None


def test_unknown_hs() -> None:
    c = classify_item(item(hs_code="999998"), POLICY)
    assert not c.hs_known and c.hs6 == "999998"


def test_spec_threshold_uav_engine() -> None:
    over = item(description="Engine for UAV", hs_code="8407.90", specs={"engine_power_kw": 20})
    under = item(description="Engine for UAV", hs_code="8407.90", specs={"engine_power_kw": 16})
    car = item(description="Car engine", hs_code="8407.90", specs={"engine_power_kw": 90})
    text = item(description="drone motor", hs_code="850132", specs={"Engine_Power_KW": "18 kW"})
    assert [x.threshold_id for x in classify_item(over, POLICY).spec_exceedances] == [
        "uav_engine_power"]
    assert classify_item(under, POLICY).spec_exceedances == ()
    assert classify_item(car, POLICY).spec_exceedances == ()
    assert classify_item(text, POLICY).spec_exceedances[0].value == 18.0


def test_spec_number() -> None:
    assert spec_number(3) == 3.0
    assert spec_number("16,5 kW") == 16.5
    assert spec_number(True) is None
    assert spec_number("about twenty") is None


def test_disguise_in_classification() -> None:
    c = classify_item(item(description="Agricultural spare parts", hs_code="930690"), POLICY)
    assert c.disguise is not None and c.disguise.words == ("agricultural", "spare part")


def test_pure() -> None:
    it = item(description="Toy drone", hs_code="8542.31", control_code="3A001")
    assert classify_item(it, POLICY, 3) == classify_item(it, POLICY, 3)
