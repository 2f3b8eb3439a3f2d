"""Files readable by the owner only, whatever the umask: the SQLite store and list snapshots.

Each test runs under umask 000, the worst case: a file created without an
explicit mode would come out world-readable (and writable).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from exportguard.lists.snapshots import SnapshotStore
from exportguard.store import audit
from exportguard.store.db import forget_database, get_database


@pytest.fixture()
def open_umask() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_sqlite_database_and_its_wal_and_shm_are_owner_only(open_umask: None,
                                                             tmp_path: Path) -> None:
    path = tmp_path / "new" / "exportguard.db"
    url = f"sqlite:///{path}"
    try:
        db = get_database(url)
        with db.session(write=True) as s:
            audit.append(s, actor="t", action="test.event", object_type="thing", object_id="1")
        files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
        assert all(p.exists() for p in files), files
        assert {p.name: oct(_mode(p)) for p in files} == {p.name: "0o600" for p in files}
        assert _mode(path.parent) == 0o700  # the folder it created for it
    finally:
        forget_database(url)


def test_an_existing_database_keeps_working(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    url = f"sqlite:///{path}"
    try:
        with get_database(url).session(write=True) as s:
            audit.append(s, actor="t", action="test.event", object_type="thing", object_id="1")
    finally:
        forget_database(url)
    try:
        with get_database(url).session() as s:
            assert audit.verify(s).entries == 1
    finally:
        forget_database(url)


def test_snapshot_files_are_0600_and_their_folders_0700(open_umask: None, tmp_path: Path,
                                                        shared_data: Path) -> None:
    store = SnapshotStore(tmp_path / "home" / "lists", tmp_path / "home" / "cache")
    store.load("un", [shared_data / "lists/un/un_consolidated_2026-02-27.xml"])
    store.load("ofac", [shared_data / "lists/ofac/sdn_2021-07/sdn.csv"], "ofac_sdn")
    files = [p for p in store.root.rglob("*") if p.is_file()]
    dirs = [store.root, *(p for p in store.root.rglob("*") if p.is_dir())]
    assert len(files) >= 6  # CURRENT, meta.json, entities.marshal per list
    assert {str(p): oct(_mode(p)) for p in files} == {str(p): "0o600" for p in files}
    assert {str(p): oct(_mode(p)) for p in dirs} == {str(p): "0o700" for p in dirs}
    assert store.entities()  # and they still read back
