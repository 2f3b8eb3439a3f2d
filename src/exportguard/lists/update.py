"""Download the official list files and load them through the snapshot store.

Each list is fetched from its publisher's URL(s) (``registry.FORMATS``) into a
temporary folder with a timeout, then loaded via :meth:`SnapshotStore.load`
(validated, atomic). Offline (``EXPORTGUARD_OFFLINE=1``) or unreachable
publishers give a per-list message ("cannot reach <url>: <reason>; keeping
snapshot of <date>") and never an exception: the previous snapshot stays.
"""

from __future__ import annotations

import email.utils
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from exportguard import __version__
from exportguard.lists.catalogue import CSL_LIST_ID, PUBLISHER_LISTS, csl_exclusions
from exportguard.lists.errors import ListFormatError, SnapshotError
from exportguard.lists.model import SnapshotMeta
from exportguard.lists.registry import FormatSpec, get_format
from exportguard.lists.snapshots import SnapshotStore, default_store, sha256_files
from exportguard.settings import get_settings

TIMEOUT_S = 60.0
USER_AGENT = f"exportguard/{__version__} (+list update)"
_OPTIONAL_FILES = ("sdn_comments.csv",)


@dataclass(slots=True)
class UpdateResult:
    list_id: str
    status: str  # updated | unchanged | failed | skipped
    message: str
    meta: SnapshotMeta | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"list_id": self.list_id, "status": self.status, "message": self.message,
                "version": self.meta.version if self.meta else None}


def _keeping(meta: SnapshotMeta | None) -> str:
    if meta is None:
        return "no snapshot of this list yet"
    if meta.publication_date:
        return f"keeping snapshot of {meta.publication_date}"
    return f"keeping snapshot loaded {meta.loaded_at[:10]} (publication date unknown)"


def _download(url: str, dest: Path, timeout: float) -> str | None:
    """Fetch ``url`` to ``dest``; return the Last-Modified date (ISO) if the server sent one."""
    req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(req, timeout=timeout) as resp, dest.open("wb") as fh:
        shutil.copyfileobj(resp, fh, 1 << 20)
        lm = resp.headers.get("Last-Modified")
    if lm:
        try:
            return email.utils.parsedate_to_datetime(lm).date().isoformat()
        except (TypeError, ValueError):
            return None
    return None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return f"{type(exc).__name__}: {exc}"


def _targets(store: SnapshotStore, list_ids: Sequence[str] | None) -> list[tuple[str, str,
                                                                               dict[str, Any]]]:
    """(list_id, format, options) for the lists to update: the named ones, else every
    loaded list and every list with an official download."""
    known = dict(PUBLISHER_LISTS)
    active = {m.list_id: m for m in store.active()}
    wanted = list(list_ids) if list_ids else [lid for lid, _ in PUBLISHER_LISTS] + sorted(
        set(active) - set(known))
    out: list[tuple[str, str, dict[str, Any]]] = []
    for lid in wanted:
        if lid in active:
            fmt = active[lid].format
        elif lid in known:
            fmt = known[lid]
        else:
            raise ListFormatError(
                f"unknown list {lid!r}; known lists: {', '.join(sorted(set(active) | set(known)))}")
        out.append((lid, fmt, {}))
    ids = {lid for lid, _, _ in out} | set(active)
    for lid, _, options in out:
        if lid == CSL_LIST_ID:
            options["exclude_sources"] = csl_exclusions(ids)
    return out


def update_lists(list_ids: Sequence[str] | None = None, *, store: SnapshotStore | None = None,
                 token: str | None = None, timeout: float = TIMEOUT_S,
                 force: bool = False,
                 progress: Callable[[int, int | None], None] | None = None
                 ) -> list[UpdateResult]:
    """Update the given lists (default: every loaded list and every list with an official
    download URL). ``progress(done, total)`` is called after each list."""
    store = store or default_store()
    settings = get_settings()
    active = {m.list_id: m for m in store.active()}
    results: list[UpdateResult] = []
    targets = _targets(store, list_ids)
    if progress:
        progress(0, len(targets))
    for lid, fmt, options in targets:
        results.append(_update_or_skip(store, lid, fmt, options, active.get(lid), token,
                                       timeout, force, settings.offline))
        if progress:
            progress(len(results), len(targets))
    return results


def _update_or_skip(store: SnapshotStore, lid: str, fmt: str, options: dict[str, Any],
                    current: SnapshotMeta | None, token: str | None, timeout: float,
                    force: bool, offline: bool) -> UpdateResult:
    """Update one list, or say why it is not downloaded (no URL, no token, offline)."""
    spec = get_format(fmt)
    if not spec.urls:
        return UpdateResult(lid, "skipped", f"{lid}: format {fmt} has no official download "
                            f"URL; load its files with `lists load {fmt}` or `lists import DIR`")
    if spec.needs_token and not token:
        return UpdateResult(lid, "skipped", f"{lid}: {spec.notes}; {_keeping(current)}")
    if offline:
        return UpdateResult(lid, "skipped", f"{lid}: offline (EXPORTGUARD_OFFLINE=1), not "
                            f"downloading {spec.urls[0]}; {_keeping(current)}")
    return _update_one(store, lid, spec, options, current, token, timeout, force)


def _update_one(store: SnapshotStore, lid: str, spec: FormatSpec, options: dict[str, Any],
                current: SnapshotMeta | None, token: str | None, timeout: float,
                force: bool) -> UpdateResult:
    tmp = Path(tempfile.mkdtemp(prefix=f"exportguard-{lid}-"))
    try:
        paths: list[Path] = []
        last_modified: str | None = None
        for url, name in zip(spec.urls, spec.file_names, strict=False):
            real_url = url.replace("{token}", token or "")
            dest = tmp / name
            try:
                lm = _download(real_url, dest, timeout)
            except Exception as exc:  # network errors of every kind: report, keep snapshot
                if name.lower() in _OPTIONAL_FILES:
                    continue
                shown = url if "{token}" in url else real_url
                return UpdateResult(lid, "failed",
                                    f"{lid}: cannot reach {shown}: {_reason(exc)}; "
                                    f"{_keeping(current)}")
            last_modified = last_modified or lm
            paths.append(dest)
        sha = sha256_files(paths)
        if current is not None and current.sha256 == sha and not force:
            return UpdateResult(lid, "unchanged", f"{lid}: unchanged since {current.version}",
                                current)
        today = datetime.now(UTC).date().isoformat()
        try:
            meta = store.load(spec.name, paths, lid, force=force,
                              source=", ".join(u.split("?")[0] for u in spec.urls),
                              fallback_publication_date=last_modified or today, **options)
        except (ListFormatError, SnapshotError) as exc:
            return UpdateResult(lid, "failed", f"{lid}: downloaded data refused: {exc}; "
                                f"{_keeping(current)}")
        return UpdateResult(lid, "updated", f"{lid}: loaded {meta.entity_count} entities "
                            f"({meta.version})", meta)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
