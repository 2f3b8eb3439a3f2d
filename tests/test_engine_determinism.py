"""The engine is a pure function: same shipment, policy, lists and clock → same JSON bytes."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime

from exportguard.contracts.shipment import parse_shipment
from exportguard.engine.decide import decide
from screening_support import FakeMatcher, context, match, meta, screen, shipment


def _busy() -> dict:
    data = shipment(
        parties=[
            {"role": "consignee", "name": "Almaty Industrial Supply LLP", "country": "KZ"},
            {"role": "freight_forwarder", "name": "Volga Cargo", "country": "KZ"},
            {"role": "end_user", "name": "Volga Cargo", "country": "RU",
             "address": "Sevastopol"},
        ],
        route={"origin": "DE", "transit": ["TR", "GE"], "destination": "KZ"},
        end_use=None,
    )
    data["items"] = [
        {"description": "Agricultural spare parts", "hs_code": "930690", "quantity": 1,
         "value": 1},
        {"description": "Chips", "hs_code": "854231", "control_code": "3A001.a", "quantity": 1,
         "value": 1},
        {"description": "UAV engine", "hs_code": "840790", "quantity": 1, "value": 1,
         "specs": {"engine_power_kw": 30}},
        {"description": "Widgets", "hs_code": "999998", "quantity": 1, "value": 1},
    ]
    return data


def _ctx():
    matcher = FakeMatcher({"Volga Cargo": [match("un_sc", "VOLGA CARGO", 0.9),
                                           match("ofac_sdn", "VOLGA KARGO", 0.88)]})
    return context(matcher=matcher, lists=[meta("un_sc", "2025-01-01"), meta("ofac_sdn")])


def test_same_inputs_same_bytes() -> None:
    a = screen(_busy(), _ctx()).to_json()
    b = screen(_busy(), _ctx()).to_json()
    assert a == b
    assert json.loads(a)["decision"] == "DENY"


def test_order_of_input_dict_keys_and_lists_does_not_matter() -> None:
    data = _busy()
    shuffled = dict(reversed(list(data.items())))
    ctx = _ctx()
    lists = list(ctx.lists)
    random.Random(1).shuffle(lists)
    from exportguard.engine.context import ScreeningContext

    ctx2 = ScreeningContext(**{**ctx.__dict__, "lists": lists})
    assert screen(shuffled, ctx2).to_json() == screen(data, _ctx()).to_json()


def test_screened_at_is_the_callers_clock() -> None:
    when = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    d = decide(parse_shipment(shipment()), context(now=when))
    assert d.screened_at == "2030-01-02T03:04:05+00:00"


def test_output_contract_keys() -> None:
    out = json.loads(screen(_busy(), _ctx()).to_json())
    assert {"decision", "findings", "party_matches", "policy", "lists", "screened_at",
            "engine_version"} <= set(out)
    assert set(out["policy"]) == {"id", "version", "sha256"}
    assert {"id", "date", "sha256"} <= set(out["lists"][0])
    for f in out["findings"]:
        assert set(f) == {"rule", "severity", "subject", "evidence", "message", "messages"}
        assert f["messages"]["en"] == f["message"] and set(f["messages"]) == {"en", "zh"}
