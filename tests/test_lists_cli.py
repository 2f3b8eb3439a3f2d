"""`exportguard lists ...`: status, load, update; errors exit 2 without a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exportguard.cli.lists_cmd import app

runner = CliRunner()


@pytest.fixture()
def home(isolated_home: Path, fixtures_dir: Path) -> Path:
    """An isolated home holding only the small EU sample."""
    result = runner.invoke(app, ["load", "eu-fsf", str(fixtures_dir / "eu_fsf_sample.xml")])
    assert result.exit_code == 0, result.output
    return isolated_home


def test_status_json(home: Path) -> None:
    result = runner.invoke(app, ["status", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["id"] for r in rows] == ["eu_fsf"]
    row = rows[0]
    assert row["entity_count"] == 6 and row["licence"].startswith("© European Union")
    assert row["publication_date"] == "2025-03-14" and row["stale"] is True
    assert row["skipped_count"] == 1 and row["problem"] is None


def test_status_table(home: Path) -> None:
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 0
    assert "eu_fsf" in result.stdout and "eu_fsf_sample.xml" in result.stdout


def test_load_then_status(home: Path, fixtures_dir: Path) -> None:
    result = runner.invoke(app, ["load", "ftm", str(fixtures_dir / "ftm_sample.jsonl"),
                                 "--list-id", "opensanctions"])
    assert result.exit_code == 0, result.output
    assert "loaded opensanctions" in result.stdout
    rows = json.loads(runner.invoke(app, ["status", "--json"]).stdout)
    assert {r["id"] for r in rows} == {"eu_fsf", "opensanctions"}


@pytest.mark.parametrize("args", [
    ["load", "un", "/nonexistent/consolidated.xml"],
    ["load", "nosuchformat", __file__],
    ["load", "un", __file__],
])
def test_load_errors_exit_2(home: Path, args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "error:" in result.stderr
    assert "Traceback" not in result.output


def test_update_offline(home: Path) -> None:
    result = runner.invoke(app, ["update"])  # conftest sets EXPORTGUARD_OFFLINE=1
    assert result.exit_code == 0
    assert "eu_fsf" in result.stdout and "keeping snapshot of 2025-03-14" in result.stdout


def test_update_unknown_list(home: Path) -> None:
    result = runner.invoke(app, ["update", "nope"])
    assert result.exit_code == 2 and "unknown list" in result.stderr


def test_update_unreachable(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from exportguard.lists import update
    from exportguard.settings import reset_settings

    monkeypatch.setenv("EXPORTGUARD_OFFLINE", "0")
    reset_settings()

    def refuse(url: str, dest: Path, timeout: float) -> str | None:
        raise OSError("network unreachable")

    monkeypatch.setattr(update, "_download", refuse)
    results = update.update_lists(["eu_fsf"], token="abc")
    assert results[0].status == "failed"
    assert "cannot reach https://webgate.ec.europa.eu" in results[0].message
    assert "token=abc" not in results[0].message
    assert "keeping snapshot of 2025-03-14" in results[0].message
    reset_settings()


def test_update_loads_downloaded_file(home: Path, fixtures_dir: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from exportguard.lists import update
    from exportguard.settings import reset_settings

    monkeypatch.setenv("EXPORTGUARD_OFFLINE", "0")
    reset_settings()
    src = fixtures_dir / "eu_fsf_sample.xml"

    def fake(url: str, dest: Path, timeout: float) -> str | None:
        dest.write_text(src.read_text().replace("Kalashnikov Concern", "Kalashnikov Concern AO"))
        return "2025-03-15"

    monkeypatch.setattr(update, "_download", fake)
    [res] = update.update_lists(["eu_fsf"], token="abc")
    assert res.status == "updated" and res.meta is not None
    assert res.meta.source.startswith("https://webgate.ec.europa.eu")
    assert "token" not in res.meta.source
    [again] = update.update_lists(["eu_fsf"], token="abc")
    assert again.status == "unchanged"
    reset_settings()
