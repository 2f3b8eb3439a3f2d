"""Lists for the benchmarks: the publishers' files in ``../shared/data/lists``, imported once.

A benchmark measures against the lists already loaded in the exportguard home
it runs with (``EXPORTGUARD_HOME``); when that home holds none, the shared
folder is imported into it first, as a user would with ``exportguard lists
import``. No benchmark reads list files from the package (there are none).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_LISTS = ROOT.parent / "shared" / "data" / "lists"


def ensure_lists() -> None:
    """Import the shared list files into the current home unless it already holds lists."""
    from exportguard.lists.importer import import_folder
    from exportguard.lists.snapshots import default_store

    store = default_store()
    if store.active():
        return
    if not SHARED_LISTS.is_dir():
        sys.exit(f"no list loaded and no shared list folder at {SHARED_LISTS}: run "
                 "`exportguard lists import DIR` first")
    print(f"importing lists from {SHARED_LISTS} ...", file=sys.stderr)
    _, results = import_folder(SHARED_LISTS, store)
    failed = [f"{r.list_id}: {r.message}" for r in results if r.status == "failed"]
    if failed:
        sys.exit("could not import the shared lists: " + "; ".join(failed))
