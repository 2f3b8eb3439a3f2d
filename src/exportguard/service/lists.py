"""List services the faces call: status, load a file, import a folder, update from the
publishers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from exportguard.lists.errors import ListFormatError, SnapshotError
from exportguard.lists.model import SnapshotMeta
from exportguard.lists.snapshots import SnapshotStore, default_store
from exportguard.service.errors import InputError

Progress = Callable[[int, int | None], None]


def policy_max_age_days(policy: str | Path | None = None) -> int:
    """The age after which the policy holds on a list (``list_freshness.max_age_days``)."""
    from exportguard.service.screening import load_policy_by_name_or_path

    return load_policy_by_name_or_path(policy).policy.rules.list_freshness.max_age_days


def _age_days(meta: SnapshotMeta, today: date) -> int | None:
    raw = meta.publication_date or meta.loaded_at
    if not raw:
        return None
    text = raw[:10]
    for fmt, n in (("%Y-%m-%d", 10), ("%Y-%m", 7), ("%Y", 4)):
        try:
            d = datetime.strptime(text[:n], fmt).date()
        except ValueError:
            continue
        return (today - d).days
    return None


def _forget_caches() -> None:
    """Let the screening service see new snapshots at once (it also keys its cache by version)."""
    try:
        from exportguard.service.screening import reset_list_state
    except Exception:  # the screening service may not be importable in a minimal setup
        return
    reset_list_state()


def list_status(max_age_days: int | None = None,
                store: SnapshotStore | None = None) -> list[dict[str, Any]]:
    """One dict per active list: id, title, dates, age, counts, hash, source and stale flag.

    A list is stale when older than ``max_age_days``, by default the age after which
    the default policy holds (so "stale" here means what screening does with it).
    """
    if max_age_days is None:
        max_age_days = policy_max_age_days()
    store = store or default_store()
    today = datetime.now(UTC).date()
    problems = {p.list_id: p.message for p in store.health()}
    out: list[dict[str, Any]] = []
    for m in sorted(store.active(), key=lambda m: m.list_id):
        age = _age_days(m, today)
        out.append({
            "id": m.list_id,
            "title": m.title,
            "format": m.format,
            "version": m.version,
            "publication_date": m.publication_date,
            "age_days": age,
            "age_basis": "publication" if m.publication_date else "loaded",
            "loaded_at": m.loaded_at,
            "entity_count": m.entity_count,
            "skipped_count": m.skipped_count,
            "orphan_count": m.orphan_count,
            "skipped_reasons": m.skipped_reasons,
            "orphan_reasons": m.orphan_reasons,
            "warnings": m.warnings,
            "sha256": m.sha256,
            "source": m.source,
            "source_files": short_source(m.source or ""),
            "licence": m.licence or _format_licence(m.format),
            "stale": bool(max_age_days is not None and age is not None and age > max_age_days),
            "problem": problems.get(m.list_id),
        })
    for lid, msg in problems.items():
        if not any(d["id"] == lid for d in out):
            out.append({"id": lid, "title": None, "format": None, "version": None,
                        "publication_date": None, "age_days": None, "age_basis": None,
                        "loaded_at": None,
                        "entity_count": 0, "skipped_count": 0, "orphan_count": 0,
                        "skipped_reasons": {}, "orphan_reasons": {}, "warnings": [],
                        "sha256": None, "source": None, "licence": None, "stale": True,
                        "problem": msg})
    return out


def load_list(format: str, paths: Sequence[str | Path], list_id: str | None = None,
              force: bool = False, store: SnapshotStore | None = None) -> SnapshotMeta:
    """Load official files as a new snapshot; :class:`InputError` if broken or refused."""
    store = store or default_store()
    try:
        meta = store.load(format, [Path(p) for p in paths], list_id, force=force)
    except (ListFormatError, SnapshotError) as exc:
        raise InputError(str(exc)) from None
    _forget_caches()
    return meta


def short_source(source: str) -> str:
    """A snapshot's source as file names (not full paths) or URLs, for display."""
    parts = [p.strip() for p in source.split(",") if p.strip()]
    return ", ".join(p if "://" in p else Path(p).name for p in parts)


def _format_licence(fmt: str) -> str:
    """The licence of a format's publisher (for snapshots written before it was stored)."""
    from exportguard.lists.registry import FORMATS

    spec = FORMATS.get(fmt)
    return spec.licence if spec else ""


def import_lists(folder: str | Path, force: bool = False, store: SnapshotStore | None = None,
                 progress: Progress | None = None) -> dict[str, Any]:
    """Load every publisher file found in ``folder``; :class:`InputError` if the folder is
    unusable or holds no list at all. One result per list (loaded/unchanged/failed), plus
    the files skipped and the sets superseded by newer ones."""
    from exportguard.lists.importer import import_folder, plan_to_dict, scan_folder

    store = store or default_store()
    try:
        plan = scan_folder(folder)
    except ListFormatError as exc:
        raise InputError(str(exc)) from None
    if not plan.candidates:
        raise InputError(f"no list file found in {folder} ({len(plan.unknown)} file(s) "
                         "looked at); it should hold the publishers' files, e.g. the UN "
                         "consolidated.xml, OFAC sdn.csv/add.csv/alt.csv, the CSL CSV")
    _, results = import_folder(folder, store, force=force, progress=progress, plan=plan)
    if any(r.status == "loaded" for r in results):
        _forget_caches()
    return {**plan_to_dict(plan), "lists": [r.to_dict() for r in results]}


def update_lists(list_ids: Sequence[str] | None = None, token: str | None = None,
                 force: bool = False, store: SnapshotStore | None = None,
                 progress: Progress | None = None) -> list[dict[str, Any]]:
    """Download and load the official files; one result dict per list, never raises for network."""
    from exportguard.lists.update import update_lists as _update

    try:
        results = _update(list_ids, store=store, token=token, force=force, progress=progress)
    except ListFormatError as exc:
        raise InputError(str(exc)) from None
    if any(r.status == "updated" for r in results):
        _forget_caches()
    return [r.to_dict() for r in results]


def remove_list(list_id: str, store: SnapshotStore | None = None) -> bool:
    """Remove a loaded list (screening then goes without it)."""
    store = store or default_store()
    try:
        removed = store.remove(list_id)
    except SnapshotError as exc:
        raise InputError(str(exc)) from None
    _forget_caches()
    return removed


def list_history(list_id: str, store: SnapshotStore | None = None) -> list[dict[str, Any]]:
    store = store or default_store()
    try:
        return [m.to_dict() for m in store.history(list_id)]
    except SnapshotError as exc:
        raise InputError(str(exc)) from None
