"""Entities for the name benchmarks: every active list in the snapshot store."""

from __future__ import annotations

from pathlib import Path

from exportguard.lists.model import Entity

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


def load_entities() -> tuple[list[Entity], str]:
    """All entities of the active snapshots, and a note naming the lists."""
    from _lists import ensure_lists
    from exportguard.lists.snapshots import default_store

    ensure_lists()
    store = default_store()
    metas = store.active()
    entities = list(store.entities())
    note = "lists: " + ", ".join(f"{m.list_id} ({m.entity_count})"
                                 for m in sorted(metas, key=lambda m: m.list_id))
    return entities, note
