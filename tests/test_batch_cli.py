"""The batch commands as a user runs them: synth-trades, batch (and a mapping error), report."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner


def _app() -> typer.Typer:
    from exportguard.cli.app import app  # the real `exportguard` command line

    return app


def test_synth_batch_report_round_trip(tmp_path: Path) -> None:
    runner = CliRunner()
    app = _app()
    trades = tmp_path / "t.csv"
    r = runner.invoke(app, ["synth-trades", "800", "--out", str(trades), "--seed", "3",
                            "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["rows"] == 800
    out = tmp_path / "r.parquet"
    r = runner.invoke(app, ["batch", str(trades), "--out", str(out), "--workers", "0",
                            "--allow-stale-lists", "--json"])
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert summary["rows"] == 800 and out.exists()
    r = runner.invoke(app, ["batch-report", str(out), "--report", str(tmp_path / "f.html")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "f_data" / "chpl_routes.csv").exists()


def test_mapping_error_exits_2_with_the_columns(tmp_path: Path) -> None:
    src = tmp_path / "x.csv"
    src.write_text("Vendor,Client,Code\nA,B,940360\n", encoding="utf-8")
    r = CliRunner().invoke(_app(), ["batch", str(src), "--out", str(tmp_path / "o.parquet"),
                                    "--allow-stale-lists"])
    assert r.exit_code == 2
    for field in ("exporter", "importer", "hs_code", "destination_country"):
        assert f"- {field}" in r.output
    assert "'Vendor', 'Client', 'Code'" in r.output
    r = CliRunner().invoke(_app(), ["batch", str(src), "--out", str(tmp_path / "o.parquet"),
                                    "-c", "exporter=Vendor", "-c", "importer=Client",
                                    "-c", "hs_code=Code", "-d", "destination_country=FR",
                                    "-d", "exporter_country=DE", "--workers", "0",
                                    "--allow-stale-lists", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["decisions"] == {"CLEAR": 1}
