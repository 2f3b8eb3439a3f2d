"""`exportguard screen` on the examples: decisions, JSON contract, exit codes, batch mode.

These run against the embedded official lists (the real store and name index).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from exportguard.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
MANIFEST: list[dict[str, Any]] = json.loads((EXAMPLES / "manifest.json").read_text())

runner = CliRunner()


def run(*args: str) -> Any:
    return runner.invoke(app, ["screen", *args], catch_exceptions=False)


def test_manifest_covers_every_decision_and_file() -> None:
    files = {p.name for p in EXAMPLES.glob("*.json")} - {"manifest.json"}
    assert files == {m["file"] for m in MANIFEST}
    decisions = {m["decision"] for m in MANIFEST}
    assert decisions >= {"DENY", "HOLD", "LICENSE_REQUIRED", "CLEAR"}
    rules = {r for m in MANIFEST for r in m["rules"]}
    assert rules >= {"military_to_conflict", "military_export", "dual_use",
                     "dual_use_to_conflict", "chpl_routing", "sanctions_match",
                     "forwarder_as_end_user", "missing_end_use", "disguise", "spec_thresholds",
                     "unknown_hs", "unrecognised_control_code", "reexport_clause",
                     "licence_coverage", "destination_flags", "un_embargo"}


@pytest.mark.parametrize("case", MANIFEST, ids=[m["file"] for m in MANIFEST])
def test_example_decision(case: dict[str, Any]) -> None:
    result = run(str(EXAMPLES / case["file"]), "--policy", case["policy"],
                 "--allow-stale-lists", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["decision"] == case["decision"], out["findings"]
    fired = {f["rule"] for f in out["findings"]}
    assert set(case["rules"]) <= fired
    assert out["policy"]["id"] == case["policy"]
    assert out["lists"] and all({"id", "date", "sha256"} <= set(x) for x in out["lists"])
    if out["decision"] != "CLEAR":
        assert any(f["severity"] not in ("info", "warning") for f in out["findings"])


def test_stale_lists_hold_without_the_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    from exportguard.settings import reset_settings

    monkeypatch.delenv("EXPORTGUARD_ALLOW_STALE_LISTS", raising=False)
    reset_settings()
    result = run(str(EXAMPLES / "clear_uncontrolled.json"), "--json")
    out = json.loads(result.stdout)
    assert out["decision"] == "HOLD"
    stale = [f for f in out["findings"] if f["rule"] == "list_freshness"]
    assert stale and "days old" in stale[0]["message"]
    monkeypatch.setenv("EXPORTGUARD_ALLOW_STALE_LISTS", "1")
    reset_settings()
    try:
        out = json.loads(run(str(EXAMPLES / "clear_uncontrolled.json"), "--json").stdout)
        assert out["decision"] == "CLEAR"
    finally:
        monkeypatch.delenv("EXPORTGUARD_ALLOW_STALE_LISTS")
        reset_settings()


def test_readable_report() -> None:
    result = run(str(EXAMPLES / "deny_military_to_conflict.json"), "--allow-stale-lists")
    assert result.exit_code == 0
    assert "DENY" in result.stdout and "military_to_conflict" in result.stdout


def test_invalid_input_exit_2(tmp_path: Path) -> None:
    data = json.loads((EXAMPLES / "clear_uncontrolled.json").read_text())
    data["items"].append({"description": "x", "hs_code": "12AB", "quantity": 1, "value": 1})
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    result = run(str(bad), "--json")
    assert result.exit_code == 2
    assert "items[2].hs_code" in result.stderr
    assert result.stdout == ""
    broken = tmp_path / "broken.json"
    broken.write_text("{\"id\": ")
    result = run(str(broken))
    assert result.exit_code == 2 and "invalid JSON" in result.stderr
    result = run(str(tmp_path / "missing.json"))
    assert result.exit_code == 2 and "not found" in result.stderr


def test_bad_policy_exit_2(tmp_path: Path) -> None:
    p = tmp_path / "p.yml"
    p.write_text("id: x\nversion: 1\nrules:\n  dual_use: {severity: maybe}\n")
    result = run(str(EXAMPLES / "clear_uncontrolled.json"), "--policy", str(p))
    assert result.exit_code == 2
    assert "line 4" in result.stderr and "rules.dual_use.severity" in result.stderr


def test_batch_jsonl(tmp_path: Path) -> None:
    lines = [
        (EXAMPLES / "clear_uncontrolled.json").read_text().replace("\n", ""),
        "{not json",
        json.dumps({"id": "bad", "items": []}),
        (EXAMPLES / "deny_military_to_conflict.json").read_text().replace("\n", ""),
        "[" * 50_000 + "]" * 50_000,  # nested too deep: an error line, not a crash
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n")
    dst = tmp_path / "out.jsonl"
    result = run("--input", str(src), "--output", str(dst), "--allow-stale-lists")
    assert result.exit_code == 0, result.output
    records = [json.loads(x) for x in dst.read_text().splitlines()]
    assert [r["line"] for r in records] == [1, 2, 3, 4, 5]
    assert records[0]["decision"] == "CLEAR"
    assert "line 2" in records[1]["error"]
    assert records[2]["id"] == "bad" and "exporter" in records[2]["error"]
    assert records[3]["decision"] == "DENY"
    assert records[4]["error"].startswith("line 5: JSON nested deeper than 64")


def test_subprocess_contract(tmp_path: Path) -> None:
    """The installed command: JSON on stdout, exit 0; exit 2 and stderr for bad input."""
    cmd = [sys.executable, "-m", "exportguard.cli.app", "screen"]
    ok = subprocess.run([*cmd, str(EXAMPLES / "hold_chpl_to_conflict.json"),
                         "--allow-stale-lists", "--json"], capture_output=True, text=True,
                        timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["decision"] == "HOLD"
    bad = tmp_path / "bad.json"
    bad.write_text("[]")
    res = subprocess.run([*cmd, str(bad), "--json"], capture_output=True, text=True, timeout=120)
    assert res.returncode == 2 and "JSON object" in res.stderr and res.stdout == ""


def test_service_is_deterministic_with_a_fixed_clock() -> None:
    from datetime import UTC, datetime

    from exportguard.service.screening import read_shipment_file, screen_shipment

    data = read_shipment_file(EXAMPLES / "hold_other_list_match.json")
    now = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    a = screen_shipment(data, "default", True, now=now).to_json()
    b = screen_shipment(data, "default", True, now=now).to_json()
    assert a == b
    assert json.loads(a)["party_matches"]
