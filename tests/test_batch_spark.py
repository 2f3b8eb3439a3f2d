"""The Spark engine on local[2] gives exactly the local engine's decisions for the same file."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from exportguard.service.batch import run_batch, synth_trades

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("pyspark") is None,
                       reason="pyspark is not installed (pip install 'exportguard[spark]')"),
]

COMPARED = ["row_number", "record_id", "date", "exporter", "importer", "origin_country",
            "hub_country", "destination_country", "hs_code", "value", "decision", "rules",
            "findings", "party_matches", "chpl_tier", "item_classes", "error"]


def _rows(path: Path) -> list[dict[str, object]]:
    return pq.read_table(path, columns=COMPARED).sort_by("row_number").to_pylist()


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_spark_equals_local(tmp_path: Path, suffix: str) -> None:
    trades = tmp_path / f"trades{suffix}"
    synth_trades(1500, trades, seed=21, planted_share=0.08)
    local_out = tmp_path / "local.parquet"
    spark_out = tmp_path / "spark.parquet"
    local = run_batch(trades, local_out, workers=0, chunk_rows=400, allow_stale_lists=True)
    summary = run_batch(trades, spark_out, engine="spark", spark_master="local[2]",
                        allow_stale_lists=True, spark_conf={"spark.driver.memory": "1g"})
    assert summary["rows"] == 1500 and summary["engine"] == "spark"
    assert spark_out.is_dir() and not list(tmp_path.glob(".spark.parquet.*"))
    assert (spark_out / "_exportguard_batch.json").exists()  # policy, lists, as_of
    local_rows = _rows(local_out)
    spark_rows = _rows(spark_out)
    assert [r["row_number"] for r in spark_rows] == list(range(1500))
    assert spark_rows == local_rows
    # the stale-list warnings are kept once per job by both engines, never dropped
    assert summary["job_findings"] == local["job_findings"] and local["job_findings"]
    assert any(r["decision"] == "DENY" for r in spark_rows)


def test_numeric_hs_codes_are_read_as_digits(tmp_path: Path) -> None:
    """A Parquet HS column of numbers (a float 930200.0, a 10-digit 9302000000) keeps its
    digits in Spark as in the local engine: pistols to Russia are denied."""
    import pyarrow as pa

    src = tmp_path / "numeric_hs.parquet"
    pq.write_table(pa.table({
        "exporter": ["Acme GmbH"] * 3, "exporter_country": ["DE"] * 3,
        "importer": ["Good Buyer Ltd"] * 3, "destination": ["RU", "RU", "FR"],
        "hs_code": pa.array([930200.0, 9302000000.0, 940360.0], pa.float64()),
        "description": ["pistols", "pistols", "wooden furniture"], "value": [1.0, 1.0, 1.0]}),
        src)
    local_out, spark_out = tmp_path / "local.parquet", tmp_path / "spark.parquet"
    run_batch(src, local_out, workers=0, allow_stale_lists=True)
    run_batch(src, spark_out, engine="spark", spark_master="local[1]", allow_stale_lists=True,
              spark_conf={"spark.driver.memory": "1g"})
    for out in (local_out, spark_out):
        rows = pq.read_table(out, columns=["row_number", "hs_code", "decision"]) \
            .sort_by("row_number").to_pylist()
        assert [(r["hs_code"], r["decision"]) for r in rows] == [
            ("930200", "DENY"), ("9302000000", "DENY"), ("940360", "CLEAR")], out
