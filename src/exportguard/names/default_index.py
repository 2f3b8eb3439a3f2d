"""The default name index: all active list snapshots, cached on disk by snapshot hash.

``get_default_index()`` returns the in-process index when the active snapshots
have not changed, else loads ``{cache_dir}/names/index-{key}.pkl``, else builds
it from ``default_store().entities()`` and writes that file. The key hashes
every active snapshot's list id, version and sha256, so loading or updating a
list rebuilds the index on the next call; it also hashes the code that prepares
names (normalisation, legal forms, titles, ...) and the version of rigour, whose
tables of legal forms and titles it uses, so an upgrade that changes how names
are prepared never reuses an index built the old way.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from exportguard.names.index import FORMAT_VERSION, NameIndex
from exportguard.settings import get_settings

log = logging.getLogger(__name__)

_lock = threading.Lock()
_current: tuple[str, NameIndex] | None = None


# What a prepared name depends on: the modules that prepare it and the packages whose
# data they use (rigour: legal forms and titles).
_PREPARATION_MODULES = ("text.py", "normalize.py", "legal_forms.py", "stopwords.py",
                        "phonetic.py", "abjad.py", "index.py")
_PREPARATION_PACKAGES = ("rigour", "anyascii")


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


@lru_cache(maxsize=1)
def preparation_fingerprint() -> str:
    """Hash of the name-preparation code and the versions of its data packages."""
    h = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in _PREPARATION_MODULES:
        path = here / name
        h.update(name.encode() + (path.read_bytes() if path.exists() else b"-"))
    for name in _PREPARATION_PACKAGES:
        h.update(f"|{name}={_package_version(name)}".encode())
    return h.hexdigest()[:16]


def snapshot_key(store: object | None = None) -> tuple[str, list[dict[str, str]]]:
    """Hash of the active snapshots (and the index format) plus their short description."""
    from exportguard.lists.snapshots import default_store

    store = store or default_store()
    metas = sorted(store.active(), key=lambda m: m.list_id)  # type: ignore[attr-defined]
    desc = [{"list_id": m.list_id, "version": m.version, "sha256": m.sha256} for m in metas]
    h = hashlib.sha256(f"v{FORMAT_VERSION}:{preparation_fingerprint()}".encode())
    for d in desc:
        h.update(f"|{d['list_id']}:{d['version']}:{d['sha256']}".encode())
    return h.hexdigest()[:24], desc


def cache_path(key: str) -> Path:
    return get_settings().cache_dir / "names" / f"index-{key}.pkl"


def get_default_index(store: object | None = None, rebuild: bool = False) -> NameIndex:
    """The index over all active snapshots; rebuilt when the snapshots change."""
    global _current
    from exportguard.lists.snapshots import default_store

    store = store or default_store()
    key, desc = snapshot_key(store)
    with _lock:
        if _current is not None and _current[0] == key and not rebuild:
            return _current[1]
        path = cache_path(key)
        index: NameIndex | None = None
        if path.exists() and not rebuild:
            try:
                index = NameIndex.load(path)
            except Exception as exc:  # a damaged or old cache is rebuilt, never fatal
                log.warning("name index cache %s unreadable (%s): rebuilding", path, exc)
        if index is None:
            index = NameIndex.build(store.entities(),  # type: ignore[attr-defined]
                                    meta={"key": key, "snapshots": desc})
            try:
                index.save(path)
                for old in path.parent.glob("index-*.pkl"):
                    if old != path:
                        old.unlink(missing_ok=True)
            except OSError as exc:
                log.warning("could not write name index cache %s: %s", path, exc)
        _current = (key, index)
        return index


def reset_default_index() -> None:
    """Forget the in-process index (tests)."""
    global _current
    with _lock:
        _current = None
