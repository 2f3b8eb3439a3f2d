"""The flow report: HTML with inline charts (no network), and the same aggregates as CSV."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from exportguard.service.batch import run_batch, synth_trades, write_report
from exportguard.service.errors import InputError

EXPECTED_CSVS = ("decisions", "rules", "chpl_tier_month", "chpl_routes", "top_exporters",
                 "top_consignees", "listed_consignees", "disguise")


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("report")
    trades = d / "trades.parquet"
    synth_trades(2000, trades, seed=5, planted_share=0.1)
    out = d / "result.parquet"
    summary = run_batch(trades, out, workers=0, allow_stale_lists=True,
                        report=d / "flows.html")
    assert summary["report"].endswith("flows.html")
    return out


def test_report_files(result: Path) -> None:
    html = (result.parent / "flows.html").read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>")
    assert len(re.findall(r"<img [^>]*src='data:image/png;base64,", html)) >= 4
    assert "http://" not in html and "https://" not in html  # opens offline
    for title in ("CHPL goods by tier and month", "CHPL goods by route",
                  "Top exporters of CHPL goods", "Top consignees of CHPL goods",
                  "Consignees matching listed entities", "Disguise findings"):
        assert title in html
    folder = result.parent / "flows_data"
    for name in EXPECTED_CSVS:
        assert (folder / f"{name}.csv").exists(), name


def test_report_aggregates_add_up(result: Path) -> None:
    folder = result.parent / "flows_data"
    with (folder / "decisions.csv").open(encoding="utf-8") as fh:
        decisions = list(csv.DictReader(fh))
    assert sum(int(r["records"]) for r in decisions) == 2000
    with (folder / "chpl_tier_month.csv").open(encoding="utf-8") as fh:
        tm = list(csv.DictReader(fh))
    with (folder / "chpl_routes.csv").open(encoding="utf-8") as fh:
        routes = list(csv.DictReader(fh))
    assert tm and routes
    assert sum(int(r["records"]) for r in tm) == sum(int(r["records"]) for r in routes)
    assert any(r["via"] for r in routes)  # goods through a hub
    with (folder / "listed_consignees.csv").open(encoding="utf-8") as fh:
        listed = list(csv.DictReader(fh))
    assert listed and all(r["entity_id"] for r in listed)
    with (folder / "disguise.csv").open(encoding="utf-8") as fh:
        assert list(csv.DictReader(fh))


def test_report_of_existing_result_and_bad_names(result: Path, tmp_path: Path) -> None:
    files = write_report(result, tmp_path / "again.html")
    assert files[0].name == "again.html" and len(files) == 1 + len(EXPECTED_CSVS)
    with pytest.raises(InputError, match="HTML"):
        write_report(result, tmp_path / "report.pdf")
