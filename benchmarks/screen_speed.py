"""Benchmark: screen one shipment with five parties and ten items, in process.

Target: median at most 20 ms. Prints the figures for the engine alone
(``decide`` with a prepared context: name matching of the five parties
included) and for the service call ``screen_shipment`` (context from the
cached policy, list state and index). Run: ``.venv/bin/python benchmarks/screen_speed.py``.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, datetime
from typing import Any

from exportguard.contracts.shipment import parse_shipment
from exportguard.engine.decide import decide
from exportguard.service.screening import build_context, load_list_state, screen_shipment

SHIPMENT: dict[str, Any] = {
    "id": "BENCH-1",
    "exporter": {"name": "Nordwind Maschinenbau GmbH", "country": "DE"},
    "parties": [
        {"role": "purchaser", "name": "Almaty Industrial Supply LLP", "country": "KZ"},
        {"role": "consignee", "name": "Dubai Electronics Trading FZE", "country": "AE"},
        {"role": "intermediate_consignee", "name": "Istanbul Logistics AS", "country": "TR"},
        {"role": "freight_forwarder", "name": "Hanseatic Freight Forwarding GmbH",
         "country": "DE"},
        {"role": "end_user", "name": "Korea Mining Development Trading Corp", "country": "KP",
         "address": "Pyongyang"},
    ],
    "route": {"origin": "DE", "transit": ["TR", "GE"], "destination": "AE",
              "final_destination": "KZ"},
    "items": [
        {"description": "Microcontrollers", "hs_code": "8542.31", "quantity": 100, "value": 1},
        {"description": "Agricultural spare parts", "hs_code": "930690", "quantity": 1,
         "value": 1},
        {"description": "FPGA", "hs_code": "854239", "control_code": "3A001.a.7",
         "quantity": 1, "value": 1},
        {"description": "UAV engine", "hs_code": "840790", "quantity": 1, "value": 1,
         "specs": {"engine_power_kw": 22}},
        {"description": "Ball bearings", "hs_code": "848210", "quantity": 1, "value": 1},
        {"description": "Cotton T-shirts", "hs_code": "610910", "quantity": 1, "value": 1},
        {"description": "Kamikaze drone toy", "hs_code": "950300", "quantity": 1, "value": 1},
        {"description": "Oscilloscopes", "hs_code": "903020", "quantity": 1, "value": 1},
        {"description": "Widgets", "hs_code": "999998", "quantity": 1, "value": 1},
        {"description": "Rifles", "hs_code": "930190", "control_code": "ML1.a", "quantity": 1,
         "value": 1},
    ],
}


def _timeit(fn: Any, runs: int) -> list[float]:
    out: list[float] = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def _report(label: str, ms: list[float]) -> float:
    ms_sorted = sorted(ms)
    median = statistics.median(ms)
    p95 = ms_sorted[int(0.95 * (len(ms) - 1))]
    print(f"{label:<42} median {median:7.2f} ms   p95 {p95:7.2f} ms   "
          f"min {ms_sorted[0]:7.2f} ms   n={len(ms)}")
    return median


def main(runs: int = 200) -> int:
    from _lists import ensure_lists

    ensure_lists()
    t0 = time.perf_counter()
    state = load_list_state()
    warm = (time.perf_counter() - t0) * 1000
    print(f"list state + name index ready in {warm:.0f} ms "
          f"({len(state.metas)} lists, problems: {list(state.problems) or 'none'})")
    now = datetime(2026, 3, 10, tzinfo=UTC)
    ctx = build_context("default", allow_stale_lists=True, now=now, list_state=state)
    shipment = parse_shipment(SHIPMENT)
    decision = decide(shipment, ctx)
    print(f"decision {decision.decision.value}: {len(decision.findings)} findings, "
          f"{len(decision.party_matches)} party matches")
    for _ in range(10):
        decide(shipment, ctx)
    engine = _report("engine decide() (5 parties, 10 items)",
                     _timeit(lambda: decide(shipment, ctx), runs))
    _report("validate + decide()", _timeit(lambda: decide(parse_shipment(SHIPMENT), ctx), runs))
    service = _report("service screen_shipment()",
                      _timeit(lambda: screen_shipment(SHIPMENT, "default", True, now=now), runs))
    target = 20.0
    ok = engine <= target and service <= target
    print(f"target: median <= {target:.0f} ms -> {'OK' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
