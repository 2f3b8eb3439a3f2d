"""Shared test fixtures: the shared official data folder and an isolated exportguard home.

No list ships with the package. Once per test session the publishers' files in
``../shared/data/lists`` are imported into the session's own home (as a user
would with ``exportguard lists import``); tests that need an empty home use
``isolated_home``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Every test run gets its own home so no test touches a user's data; the lists
# are imported into it once per run (see pytest_sessionstart).
_SESSION_HOME = Path(os.environ.setdefault(
    "EXPORTGUARD_HOME", str(Path(os.environ.get("TMPDIR", "/tmp")) / f"eg-test-home-{os.getpid()}")
))
os.environ.setdefault("EXPORTGUARD_OFFLINE", "1")


SHARED_MISSING = (f"shared data folder not found at {SHARED_DATA}: the tests read the "
                  "publishers' list files there; clone with ../shared beside the project")


def pytest_sessionstart(session: pytest.Session) -> None:
    """Import the shared list files into the session home (once; a no-op when unchanged)."""
    if not SHARED_DATA.is_dir():
        raise pytest.UsageError(SHARED_MISSING)
    from exportguard.lists.importer import import_folder
    from exportguard.lists.snapshots import default_store
    from exportguard.settings import reset_settings

    reset_settings()
    _, results = import_folder(SHARED_DATA / "lists", default_store())
    failed = [f"{r.list_id}: {r.message}" for r in results if r.status == "failed"]
    if failed:
        raise pytest.UsageError("could not import the shared lists: " + "; ".join(failed))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(SHARED_MISSING)
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
