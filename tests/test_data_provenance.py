"""The project carries no file taken from elsewhere: no list file, no copied reference table."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Tables this project wrote itself may live in the package's data folders.
OWN_DATA = {"src/exportguard/data/reference/chpl_2024-02.csv"}


def _tracked() -> list[str]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    return [p for p in out.stdout.decode().split("\0") if p]


def test_no_list_or_reference_files_in_the_package() -> None:
    data = [p for p in _tracked()
            if p.startswith(("src/exportguard/data/lists/", "src/exportguard/data/reference/"))]
    assert set(data) <= OWN_DATA, sorted(set(data) - OWN_DATA)


def test_no_tracked_file_is_a_copy_of_a_shared_file(shared_data: Path) -> None:
    """Byte for byte: no tracked file equals any file of ../shared/data (the CHPL table,
    facts written for this project, is in both on purpose)."""
    shared = {hashlib.sha256(p.read_bytes()).hexdigest(): p
              for p in shared_data.rglob("*") if p.is_file() and p.stat().st_size > 200}
    copies = []
    for rel in _tracked():
        if rel in OWN_DATA:
            continue
        path = ROOT / rel
        if path.is_file() and path.stat().st_size > 200:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            if digest in shared:
                copies.append(f"{rel} == {shared[digest].relative_to(shared_data)}")
    assert not copies, copies
