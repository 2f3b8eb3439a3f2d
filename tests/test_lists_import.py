"""`exportguard lists import DIR`: files found by content, one snapshot per list, nothing lost."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from exportguard.cli.app import app
from exportguard.lists.importer import scan_folder, sniff_file

runner = CliRunner()


def _import(folder: Path, *extra: str) -> tuple[int, dict]:
    result = runner.invoke(app, ["lists", "import", str(folder), "--json", *extra])
    return result.exit_code, (json.loads(result.stdout) if result.stdout.strip() else {})


def test_shared_folder_imports_every_list(isolated_home: Path, shared_data: Path) -> None:
    code, out = _import(shared_data / "lists")
    assert code == 0, out
    loaded = {r["list_id"]: r for r in out["lists"]}
    assert {"un_sc", "ofac_sdn", "ofac_cons", "us_csl", "bis_dpl", "uk_ofsi"} <= set(loaded)
    assert all(r["status"] == "loaded" and r["sha256"] and r["licence"]
               for r in loaded.values())
    assert loaded["ofac_sdn"]["files"] == ["ofac/sdn_2024-05-03.csv", "ofac/add_2026.csv",
                                           "ofac/alt_2026.csv"]
    assert loaded["un_sc"]["publication_date"] == "2026-02-27"
    # the older SDN trio and the CSV copy of the non-SDN list are named, not loaded
    assert {s["list_id"] for s in out["superseded"]} == {"ofac_sdn", "ofac_cons"}
    assert any(u["file"] == "eu/FORMAT.md" for u in out["skipped_files"])
    # again: nothing changed, nothing parsed
    code, again = _import(shared_data / "lists")
    assert code == 0 and {r["status"] for r in again["lists"]} == {"unchanged"}
    status = json.loads(runner.invoke(app, ["lists", "status", "--json"]).stdout)
    row = next(r for r in status if r["id"] == "uk_ofsi")
    assert row["licence"] == "Open Government Licence v3.0"
    assert row["source"].endswith("ofsi_conlist_2025-04-14.xlsx") and row["age_days"] > 0
    # the CSL leaves out what its publishers' own files carry
    assert row and next(r for r in status if r["id"] == "us_csl")["entity_count"] < 5000


def test_format_found_by_content_not_name(tmp_path: Path, shared_data: Path) -> None:
    lists = shared_data / "lists"
    folder = tmp_path / "downloads"
    folder.mkdir()
    shutil.copy(lists / "un/un_consolidated_2026-02-27.xml", folder / "file1.bin")
    shutil.copy(lists / "bis/bis_denied_persons_dpl.txt", folder / "file2.csv")
    shutil.copy(lists / "us_csl/csl_consolidated_2022-04.csv.gz", folder / "file3")
    shutil.copy(lists / "uk_ofsi/ofsi_conlist_2025-04-14.xlsx", folder / "file4.xlsx")
    shutil.copy(lists / "ofac/non_sdn_2025/CONS_ENHANCED_2025-01-14.ZIP", folder / "x.zip")
    (folder / "notes.txt").write_text("quarterly review: nothing to add\n", encoding="utf-8")
    assert sniff_file(folder / "file1.bin") == ("un", None)
    plan = scan_folder(folder)
    assert {c.format for c in plan.candidates} == {"un", "bis-dpl", "csl", "uk-ofsi",
                                                    "ofac-enhanced"}
    assert [p.name for p, _ in plan.unknown] == ["notes.txt"]


def test_ofac_roles_by_shape(tmp_path: Path, shared_data: Path) -> None:
    src = shared_data / "lists/ofac/sdn_2021-07"
    folder = tmp_path / "ofac"
    folder.mkdir()
    for name in ("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"):
        shutil.copy(src / name, folder / name)
    assert [sniff_file(folder / n) for n in ("sdn.csv", "add.csv", "alt.csv")] == [
        ("ofac", "primary"), ("ofac", "add"), ("ofac", "alt")]
    [c] = scan_folder(tmp_path).candidates
    assert c.list_id == "ofac_sdn" and [p.name for p in c.files] == [
        "sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"]
    # an address file alone is not a list: reported, not loaded
    lone = tmp_path / "lone"
    lone.mkdir()
    shutil.copy(src / "add.csv", lone / "add.csv")
    plan = scan_folder(lone)
    assert not plan.candidates and "no primary file" in plan.unknown[0][1]


def test_broken_file_keeps_previous_snapshot(isolated_home: Path, tmp_path: Path,
                                             shared_data: Path) -> None:
    folder = tmp_path / "lists"
    folder.mkdir()
    un = shared_data / "lists/un/un_consolidated_2026-02-27.xml"
    shutil.copy(un, folder / "consolidated.xml")
    shutil.copy(shared_data / "lists/bis/bis_denied_persons_dpl.txt", folder / "dpl.txt")
    code, first = _import(folder)
    assert code == 0
    before = {r["list_id"]: r["version"] for r in first["lists"]}
    # a download cut short: the UN file loses its second half
    data = un.read_bytes()
    (folder / "consolidated.xml").write_bytes(data[: len(data) // 2])
    result = runner.invoke(app, ["lists", "import", str(folder)])
    assert result.exit_code == 1
    assert "failed" in result.stdout and "keeping snapshot" in result.stdout
    status = json.loads(runner.invoke(app, ["lists", "status", "--json"]).stdout)
    assert {r["id"]: r["version"] for r in status} == before


def test_folder_errors_exit_2(isolated_home: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["lists", "import", str(tmp_path / "missing")])
    assert result.exit_code == 2 and "folder not found" in result.stderr
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "a.txt").write_text("hello", encoding="utf-8")
    result = runner.invoke(app, ["lists", "import", str(tmp_path / "empty")])
    assert result.exit_code == 2 and "no list file found" in result.stderr


def test_empty_home_says_how_to_get_lists(isolated_home: Path) -> None:
    result = runner.invoke(app, ["lists", "status"])
    assert result.exit_code == 0
    assert "lists update" in result.stdout and "lists import DIR" in result.stdout


def test_empty_home_fails_closed_in_every_command(isolated_home: Path, tmp_path: Path) -> None:
    """With no list loaded: screen holds and says how to get lists; match refuses to answer."""
    root = Path(__file__).resolve().parents[1]
    result = runner.invoke(app, ["screen", str(root / "examples/clear_uncontrolled.json"),
                                 "--allow-stale-lists", "--json"])
    assert result.exit_code == 0, result.output
    decision = json.loads(result.stdout)
    assert decision["decision"] == "HOLD"
    [finding] = [f for f in decision["findings"] if f["rule"] == "list_availability"]
    assert "lists update" in finding["message"] and "lists import DIR" in finding["message"]
    result = runner.invoke(app, ["match", "Rosoboronexport", "--json"])
    assert result.exit_code == 1 and not result.stdout.strip()
    assert "lists import DIR" in result.stderr


def test_import_in_a_terminal_shows_progress(isolated_home: Path, tmp_path: Path,
                                            shared_data: Path) -> None:
    """`lists import` in a real pseudo-terminal: a progress bar, then one line per list."""
    import os
    import pty
    import select
    import subprocess
    import sys
    import time

    folder = tmp_path / "lists"
    folder.mkdir()
    shutil.copy(shared_data / "lists/un/un_consolidated_2026-02-27.xml", folder / "un.xml")
    shutil.copy(shared_data / "lists/bis/bis_denied_persons_dpl.txt", folder / "dpl.txt")
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "120", "TERM": "xterm"}
    proc = subprocess.Popen([sys.executable, "-m", "exportguard", "lists", "import", str(folder)],
                            stdin=follower, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    out = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 1.0)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        elif proc.poll() is not None:
            break
    os.close(leader)
    assert proc.wait(timeout=30) == 0, out.decode(errors="replace")
    text = out.decode(errors="replace")
    assert "importing lists" in text and "2/2 lists" in text
    assert "loaded un_sc" in text.replace("  ", " ") or ("loaded" in text and "un_sc" in text)
    assert "Traceback" not in text
