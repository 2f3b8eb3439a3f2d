"""The store's commands (as ``cli/app.py`` mounts them) and ``serve`` as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import typer
from sqlalchemy import text
from typer.testing import CliRunner

from db_fixtures import free_port
from exportguard.service import records
from exportguard.store.db import get_database
from records_support import fake_screener, held, sanctioned_table


def _app() -> typer.Typer:
    from exportguard.cli.app import app

    return app


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(_app(), list(args))
    return r.exit_code, r.stdout, r.stderr


def test_users_tokens_licences_cases_and_audit(tmp_path: Path) -> None:
    db = str(tmp_path / "eg.db")
    assert run("users", "add", "rita", "--role", "reviewer", "--db", db)[0] == 0
    code, _out, err = run("users", "add", "rita", "--db", db)
    assert code == 2 and "already exists" in err
    assert run("users", "add", "x", "--role", "boss", "--db", db)[0] == 2
    code, out, _ = run("tokens", "create", "rita", "--db", db)
    assert code == 0 and out.strip().startswith("eg_")
    assert run("tokens", "create", "nobody", "--db", db)[0] == 2
    code, out, _ = run("licences", "add", "LIC-7", "--holder", "Acme", "--control-code",
                       "3A001,5A002", "--destination", "FR", "--valid-from", "2026-01-01",
                       "--valid-until", "2026-12-31", "--quantity-limit", "10", "--json",
                       "--db", db)
    assert code == 0 and json.loads(out)["control_codes"] == ["3A001", "5A002"]
    code, out, _ = run("licences", "list", "--json", "--db", db)
    assert [x["number"] for x in json.loads(out)] == ["LIC-7"]
    assert run("licences", "revoke", "LIC-7", "--reason", "expired early", "--db", db)[0] == 0
    rec = records.screen_and_record(held(), db_url=db, screener=fake_screener(
        sanctioned_table()))
    code, out, _ = run("cases", "list", "--json", "--db", db)
    assert [c["screening_id"] for c in json.loads(out)] == [rec.id]
    assert run("cases", "release", str(rec.case.id), "--reason", "no", "--db", db)[0] == 2  # type: ignore[union-attr]
    code, out, _ = run("cases", "release", str(rec.case.id), "--reason",  # type: ignore[union-attr]
                       "other company", "--db", db)
    assert code == 0 and "released as CLEAR" in out
    code, out, _ = run("audit", "verify", "--db", db)
    assert code == 0 and "audit log OK" in out
    # Tamper with an entry: verify exits 1 and names it.
    engine = get_database(db).engine
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_log_no_update"))
        conn.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2"))
    code, out, _ = run("audit", "verify", "--json", "--db", db)
    assert code == 1 and json.loads(out)["first_broken"]["seq"] == 2


def test_rescreen_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = str(tmp_path / "eg.db")
    records.screen_and_record(held(), db_url=db, screener=fake_screener())
    monkeypatch.setattr(records, "_default_screener", lambda s, p, lookup: fake_screener(
        sanctioned_table())(s, p, lookup))
    code, out, _ = run("rescreen", "--since", "2020-01-01", "--json", "--db", db)
    assert code == 0
    report = json.loads(out)
    assert [(c["before"], c["after"]) for c in report["changed"]] == [("CLEAR", "HOLD")]
    assert run("rescreen", "--since", "yesterday", "--db", db)[0] == 2


@pytest.mark.slow
def test_serve_runs_the_api(tmp_path: Path) -> None:
    db = str(tmp_path / "eg.db")
    port = free_port()
    # the installed command line, as a user starts it
    proc = subprocess.Popen([sys.executable, "-m", "exportguard.cli.app", "serve",
                             "--port", str(port), "--db", db],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                r = httpx.get(base + "/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        assert r.json()["api"] == "/api/v1"
        assert httpx.get(base + "/api/v1/cases").status_code == 401
    finally:
        proc.terminate()
        proc.wait(10)
