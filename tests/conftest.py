"""Shared test fixtures: the shared official data folder and an isolated exportguard home."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Every test run gets its own home so no test touches a user's data; the
# embedded-list cache is shared by the whole run (built once).
_SESSION_HOME = Path(os.environ.setdefault(
    "EXPORTGUARD_HOME", str(Path(os.environ.get("TMPDIR", "/tmp")) / f"eg-test-home-{os.getpid()}")
))
os.environ.setdefault("EXPORTGUARD_OFFLINE", "1")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"shared data folder not found at {SHARED_DATA}: "
                    "clone with ../shared beside it")
    return SHARED_DATA


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture()
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty exportguard home for tests that write snapshots."""
    from exportguard.settings import reset_settings

    monkeypatch.setenv("EXPORTGUARD_HOME", str(tmp_path / "home"))
    reset_settings()
    yield tmp_path / "home"
    reset_settings()


# Store and API fixtures (a throwaway PostgreSQL server, the ``db_url`` matrix).
pytest_plugins = ["db_fixtures"]
