"""Local batch engine: planted cases found, parallel = serial, resume after kill, atomic output."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from exportguard.batch.local import SimulatedCrash
from exportguard.batch.synth import score_planted
from exportguard.service.batch import build_mapping, run_batch, synth_trades
from exportguard.service.errors import ConflictError

N = 3000
CHUNK = 500
COMPARED = ["row_number", "record_id", "decision", "rules", "findings", "party_matches",
            "chpl_tier", "item_classes", "hub_country", "error"]


@pytest.fixture(scope="module")
def trades(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("batch") / "trades.csv"
    synth_trades(N, path, seed=11, planted_share=0.06)
    return path


@pytest.fixture(scope="module")
def baseline(trades: Path) -> Path:
    out = trades.with_name("baseline.parquet")
    run_batch(trades, out, workers=0, chunk_rows=CHUNK, allow_stale_lists=True)
    return out


def rows(path: Path) -> list[dict[str, Any]]:
    t = pq.read_table(path, columns=COMPARED).sort_by("row_number")
    return t.to_pylist()


def test_planted_cases_are_found(trades: Path, baseline: Path) -> None:
    score = score_planted(baseline, trades.with_name("trades.truth.csv"))
    assert score["planted"] > 100 and score["absent_from_result"] == 0
    deny = score["recall_by_expected"]["DENY"]
    hold = score["recall_by_expected"]["HOLD"]
    assert deny["recall"] == 1.0, score["missed"]
    assert hold["recall"] >= 0.99, score["missed"]
    for kind in ("un_listed_consignee", "listed_consignee", "military_to_conflict",
                 "chpl_via_hub", "chpl_to_hub", "disguised_description", "military_export",
                 "dual_use_export", "dual_use_to_conflict", "unknown_hs_code",
                 "unrecognised_control_code"):
        assert score["recall_by_kind"][kind]["planted"] > 0, kind
    # clean trade stays clear (a made-up name may rarely look like a listed one)
    assert score["clean_not_clear"] <= 0.01 * score["clean_records"], score


def test_output_has_one_row_per_record_in_order(baseline: Path) -> None:
    t = pq.read_table(baseline)
    assert t.num_rows == N
    assert t.column("row_number").to_pylist() == list(range(N))
    assert len(set(t.column("record_id").to_pylist())) == N
    md = json.loads(t.schema.metadata[b"exportguard.batch"])
    assert md["rows"] == N and md["policy"]["id"] == "default"
    assert set(md["decisions"]) <= {"DENY", "HOLD", "LICENSE_REQUIRED", "LICENSED", "CLEAR"}


def test_same_decisions_as_single_screening(trades: Path, baseline: Path) -> None:
    """A record screened alone through the service gives the batch's decision."""
    from exportguard.batch.records import records_from_batch, to_shipment
    from exportguard.batch.source import TradeSource
    from exportguard.service.screening import screen_shipment

    src = TradeSource(trades, build_mapping())
    _, chunk = next(src.chunks(200))
    src.close()
    out = {r["row_number"]: r for r in rows(baseline)[:200]}
    for rec in records_from_batch(chunk, 0):
        d = screen_shipment(to_shipment(rec), allow_stale_lists=True)
        assert d.decision.value == out[rec.row_number]["decision"], rec


def test_worker_processes_give_identical_output(trades: Path, baseline: Path,
                                                tmp_path: Path) -> None:
    out = tmp_path / "parallel.parquet"
    summary = run_batch(trades, out, workers=2, chunk_rows=CHUNK, allow_stale_lists=True)
    assert summary["workers"] == 2 and summary["rows"] == N
    assert rows(out) == rows(baseline)


def test_resume_after_simulated_crash(trades: Path, baseline: Path, tmp_path: Path) -> None:
    out = tmp_path / "resumed.parquet"
    with pytest.raises(SimulatedCrash):
        run_batch(trades, out, workers=0, chunk_rows=CHUNK, allow_stale_lists=True,
                  stop_after_chunks=2)
    assert not out.exists()  # nothing half-written at the target
    state = json.loads((tmp_path / "resumed.parquet.work" / "job.json").read_text())
    assert state["committed"] == 2 and state["rows_done"] == 2 * CHUNK
    summary = run_batch(trades, out, workers=0, chunk_rows=CHUNK, allow_stale_lists=True)
    assert summary["resumed"] and summary["resumed_from_row"] == 2 * CHUNK
    assert rows(out) == rows(baseline)  # no record twice, none dropped
    assert not (tmp_path / "resumed.parquet.work").exists()
    md = json.loads(pq.read_schema(out).metadata[b"exportguard.batch"])
    assert md["runs"] == 2 and md["as_of"] == state["as_of"]  # same screening time


def test_resume_after_sigkill(trades: Path, baseline: Path, tmp_path: Path) -> None:
    """A real kill -9 mid-job, then a rerun: the result equals an uninterrupted run."""
    out = tmp_path / "killed.parquet"
    job = tmp_path / "killed.parquet.work" / "job.json"
    code = ("from pathlib import Path\nfrom exportguard.service.batch import run_batch\n"
            "if __name__ == '__main__':\n"
            f"    run_batch(Path({str(trades)!r}), Path({str(out)!r}), workers=0, chunk_rows=100,"
            " allow_stale_lists=True)\n")
    script = tmp_path / "job.py"
    script.write_text(code, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script)], env=dict(os.environ))
    killed_at = None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            committed = json.loads(job.read_text())["committed"]
        except (OSError, ValueError, KeyError):
            committed = 0
        if committed >= 3:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            killed_at = committed
            break
        time.sleep(0.02)
    assert killed_at is not None, "the job finished or stalled before it could be killed"
    assert not out.exists()
    summary = run_batch(trades, out, workers=0, chunk_rows=100, allow_stale_lists=True)
    assert summary["resumed"] and summary["resumed_from_row"] >= killed_at * 100
    assert rows(out) == rows(baseline)


def test_output_is_replaced_atomically(trades: Path, baseline: Path, tmp_path: Path) -> None:
    out = tmp_path / "atomic.parquet"
    out.write_bytes(b"previous result")
    with pytest.raises(SimulatedCrash):
        run_batch(trades, out, workers=0, chunk_rows=CHUNK, allow_stale_lists=True,
                  stop_after_chunks=1)
    assert out.read_bytes() == b"previous result"  # untouched until the job completes
    run_batch(trades, out, workers=0, chunk_rows=CHUNK, allow_stale_lists=True)
    assert rows(out) == rows(baseline)
    assert not list(tmp_path.glob(".atomic.parquet.tmp-*"))


def test_unfinished_job_with_other_settings_is_not_mixed(trades: Path, tmp_path: Path) -> None:
    out = tmp_path / "mixed.parquet"
    with pytest.raises(SimulatedCrash):
        run_batch(trades, out, workers=0, chunk_rows=CHUNK, allow_stale_lists=True,
                  stop_after_chunks=1)
    with pytest.raises(ConflictError, match="chunk_rows"):
        run_batch(trades, out, workers=0, chunk_rows=CHUNK * 2, allow_stale_lists=True)
    with pytest.raises(ConflictError, match="policy"):
        run_batch(trades, out, workers=0, chunk_rows=CHUNK, allow_stale_lists=True,
                  policy="eu-833")
    summary = run_batch(trades, out, workers=0, chunk_rows=CHUNK * 2, allow_stale_lists=True,
                        restart=True)
    assert not summary["resumed"] and summary["rows"] == N


def test_invalid_records_are_held_not_dropped(tmp_path: Path) -> None:
    src = tmp_path / "bad.csv"
    src.write_text(
        "id,exporter,consignee,destination,hs_code,description,value\n"
        "a,Acme GmbH,Good Buyer Ltd,FR,940360,wooden furniture,100\n"
        "b,Acme GmbH,Good Buyer Ltd,Atlantis,940360,wooden furniture,100\n"
        "c,Acme GmbH,,FR,,wooden furniture,-5\n",
        encoding="utf-8")
    out = tmp_path / "bad.parquet"
    summary = run_batch(src, out, workers=0, allow_stale_lists=True,
                        mapping=build_mapping(defaults=["exporter_country=DE"]))
    t = {r["record_id"]: r for r in pq.read_table(out).to_pylist()}
    assert summary["rows"] == 3
    assert t["a"]["error"] is None
    for rid in ("b", "c"):
        assert t[rid]["decision"] == "HOLD" and t[rid]["rules"] == ["invalid_record"]
    assert "Atlantis" in t["b"]["error"]
    assert "importer: missing" in t["c"]["error"] and "hs_code: missing" in t["c"]["error"]


def test_empty_file_gives_empty_result(tmp_path: Path) -> None:
    src = tmp_path / "empty.csv"
    src.write_text("exporter,importer,destination,hs_code\n", encoding="utf-8")
    out = tmp_path / "empty.parquet"
    summary = run_batch(src, out, workers=0, allow_stale_lists=True)
    assert summary["rows"] == 0 and pq.read_table(out).num_rows == 0


@pytest.mark.parametrize("hs_type", ["double", "int64", "csv-float"])
def test_numeric_hs_codes_keep_their_digits(tmp_path: Path, hs_type: str) -> None:
    """An HS column of numbers ("930200.0" from a spreadsheet export) is not mangled:
    pistols to Russia are denied, not held as an unknown code."""
    import pyarrow as pa

    table = {"exporter": ["Acme GmbH"] * 2, "exporter_country": ["DE"] * 2,
             "importer": ["Good Buyer Ltd"] * 2, "destination": ["RU", "FR"],
             "description": ["pistols", "wooden furniture"], "value": [1.0, 1.0]}
    if hs_type == "csv-float":
        src = tmp_path / "t.csv"
        src.write_text("exporter,exporter_country,importer,destination,hs_code,description,"
                       "value\nAcme GmbH,DE,Good Buyer Ltd,RU,930200.0,pistols,1\n"
                       "Acme GmbH,DE,Good Buyer Ltd,FR,9403.60,wooden furniture,1\n",
                       encoding="utf-8")
    else:
        src = tmp_path / "t.parquet"
        codes = [930200, 940360]
        arr = pa.array([float(c) for c in codes]) if hs_type == "double" else pa.array(codes)
        pq.write_table(pa.table({**table, "hs_code": arr}), src)
    out = tmp_path / "o.parquet"
    run_batch(src, out, workers=0, allow_stale_lists=True)
    rows = pq.read_table(out).sort_by("row_number").to_pylist()
    assert [(r["hs_code"], r["decision"]) for r in rows] == [("930200", "DENY"),
                                                             ("940360", "CLEAR")]
