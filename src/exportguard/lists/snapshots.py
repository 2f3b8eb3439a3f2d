"""Versioned, hashed list snapshots on disk, switched atomically.

Layout under ``settings.lists_dir``::

    <list_id>/CURRENT                      name of the active version (one line)
    <list_id>/versions/<version>/meta.json SnapshotMeta + entities file hash
    <list_id>/versions/<version>/entities.marshal

No list ships with the package: every snapshot comes from a publisher's file
the user loaded (``lists load``), a folder of them (``lists import``) or a
download (``lists update``). With none, :meth:`SnapshotStore.health` reports
:data:`NO_LISTS_MESSAGE` and screening holds.

A load hashes the source files, parses them, refuses an empty result or one
that shrank below half of the active snapshot (unless ``force``), writes the
new version into a temporary directory, fsyncs, renames it into place and only
then replaces ``CURRENT`` (tmp file + ``os.replace``). Any failure leaves the
previous snapshot active; half-written ``.tmp-*`` directories are ignored and
cleaned later.

Entities are stored as ``marshal`` data of plain tuples (no code execution on
load, fast): all lists reload in well under a second.

Files are created 0600 and folders 0700 (owner only, whatever the umask).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import marshal
import os
import shutil
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from exportguard.lists.errors import ListFormatError, SnapshotError
from exportguard.lists.model import (
    Entity,
    EntityType,
    Identifier,
    ParseReport,
    SnapshotMeta,
)
from exportguard.lists.registry import get_format
from exportguard.settings import get_settings

ENTITIES_FILE = "entities.marshal"
META_FILE = "meta.json"
CURRENT_FILE = "CURRENT"
CODEC_VERSION = 1
KEEP_VERSIONS = 5
_TYPES = {t.value: t for t in EntityType}

# What every face says when no list is loaded (screening then holds).
NO_LISTS_MESSAGE = ("no list data is loaded: run `exportguard lists update` (downloads the "
                    "official lists) or `exportguard lists import DIR` (a folder of the "
                    "publishers' files)")


@dataclass(frozen=True, slots=True)
class HealthProblem:
    list_id: str
    message: str

    def __str__(self) -> str:
        return self.message if self.list_id == "*" else f"{self.list_id}: {self.message}"


# --------------------------------------------------------------------------- codec

def _pack(e: Entity) -> tuple[Any, ...]:
    return (e.id, e.list, e.source_id, e.type.value, e.name, e.aliases, e.weak_aliases,
            e.countries, e.raw_countries, e.birth_dates,
            [(i.type, i.value, i.country) for i in e.identifiers],
            e.programs, e.addresses, e.source_list, e.source_url, e.remarks, e.listed_on,
            e.flags)


def _unpack(t: tuple[Any, ...]) -> Entity:
    return Entity(t[0], t[1], t[2], _TYPES[t[3]], t[4], t[5], t[6], t[7], t[8], t[9],
                  [Identifier(a, b, c) for a, b, c in t[10]], t[11], t[12], t[13], t[14],
                  t[15], t[16], t[17])


def encode_entities(entities: Sequence[Entity]) -> bytes:
    return marshal.dumps((CODEC_VERSION, [_pack(e) for e in entities]), 4)


def decode_entities(data: bytes) -> list[Entity]:
    # The cyclic GC would run many times while ~10^5 container objects are
    # created (none of them cyclic): pause it, which makes decoding ~3x faster.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        version, rows = marshal.loads(data)
        if version != CODEC_VERSION:
            raise ValueError(f"entities file codec {version}, expected {CODEC_VERSION}")
        return [_unpack(t) for t in rows]
    finally:
        if was_enabled:
            gc.enable()


# --------------------------------------------------------------------------- helpers

def sha256_files(paths: Sequence[Path]) -> str:
    """sha256 over the files' bytes, in order (the files as published)."""
    h = hashlib.sha256()
    for p in paths:
        try:
            with Path(p).open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    h.update(chunk)
        except OSError as exc:
            raise ListFormatError(f"cannot read file: {exc.strerror or exc}", str(p)) from exc
    return h.hexdigest()


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _mkdir_private(path: Path) -> None:
    """Create ``path`` and any missing parents as 0700 (whatever the umask)."""
    missing: list[Path] = []
    p = path
    while not p.exists():
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it first
            d.mkdir(mode=0o700)
            os.chmod(d, 0o700)


def _write_file(path: Path, data: bytes) -> None:
    """Write ``path`` as 0600 (owner only, whatever the umask) and fsync it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        os.fchmod(fd, 0o600)
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:8]}")
    _write_file(tmp, text.encode("utf-8"))
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _count_reasons(records: Sequence[Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in records:
        out[r.reason] = out.get(r.reason, 0) + 1
    return out


def _meta_from_report(report: ParseReport, *, list_id: str, title: str, fmt: str, sha: str,
                      source: str, publication_date: str | None,
                      licence: str = "") -> SnapshotMeta:
    pub = publication_date or report.publication_date
    return SnapshotMeta(
        list_id=list_id, title=title, format=fmt,
        version=f"{pub or 'undated'}-{sha[:12]}",
        publication_date=pub, loaded_at=_now(), sha256=sha, source=source,
        entity_count=len(report.entities),
        skipped_count=len(report.skipped), orphan_count=len(report.orphans),
        skipped_reasons=_count_reasons(report.skipped),
        orphan_reasons=_count_reasons(report.orphans),
        warnings=list(report.warnings)[:50], licence=licence,
    )


def _write_version(versions_dir: Path, meta: SnapshotMeta, entities: Sequence[Entity]) -> Path:
    """Write a complete version directory atomically (tmp dir + rename); return it."""
    _mkdir_private(versions_dir)
    final = versions_dir / meta.version
    tmp = versions_dir / f".tmp-{meta.version}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir(mode=0o700)
    os.chmod(tmp, 0o700)
    try:
        blob = encode_entities(entities)
        _write_file(tmp / ENTITIES_FILE, blob)
        doc = {"meta": meta.to_dict(), "entities_sha256": hashlib.sha256(blob).hexdigest(),
               "codec": CODEC_VERSION}
        _write_file(tmp / META_FILE, json.dumps(doc, indent=1, ensure_ascii=False).encode())
        _fsync_dir(tmp)
        if final.exists():
            shutil.rmtree(final)
        os.rename(tmp, final)
        _fsync_dir(versions_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def _read_meta(version_dir: Path) -> tuple[SnapshotMeta, str]:
    doc = json.loads((version_dir / META_FILE).read_text(encoding="utf-8"))
    return SnapshotMeta.from_dict(doc["meta"]), str(doc["entities_sha256"])


# Process-wide cache of decoded entity files: path -> (entities sha, entities).
_ENTITY_CACHE: dict[str, tuple[str, list[Entity]]] = {}


def _read_entities(version_dir: Path, expected_sha: str) -> list[Entity]:
    key = str(version_dir)
    hit = _ENTITY_CACHE.get(key)
    if hit is not None and hit[0] == expected_sha:
        return hit[1]
    blob = (version_dir / ENTITIES_FILE).read_bytes()
    if hashlib.sha256(blob).hexdigest() != expected_sha:
        raise SnapshotError(f"entities file of {version_dir.name} does not match its hash "
                            "(corrupt or changed on disk)")
    entities = decode_entities(blob)
    _ENTITY_CACHE[key] = (expected_sha, entities)
    return entities


# --------------------------------------------------------------------------- store

@dataclass(slots=True)
class _Active:
    meta: SnapshotMeta
    dir: Path
    entities_sha: str


class SnapshotStore:
    """Loaded list snapshots under ``root``, one folder per list id."""

    def __init__(self, root: Path, cache_root: Path | None = None) -> None:
        self.root = Path(root)
        self.cache_root = Path(cache_root) if cache_root else self.root.parent / "cache"

    # ---- snapshots

    def _list_dir(self, list_id: str) -> Path:
        if not list_id or any(c in list_id for c in "/\\\0") or list_id.startswith("."):
            raise SnapshotError(f"invalid list id {list_id!r}")
        return self.root / list_id

    def _user_current(self, list_id: str) -> _Active | None:
        d = self._list_dir(list_id)
        cur = d / CURRENT_FILE
        if not cur.is_file():
            if (d / "versions").is_dir():
                raise SnapshotError(f"the pointer {CURRENT_FILE} to the version in use is "
                                    "missing; load the list again")
            return None
        version = cur.read_text(encoding="utf-8").strip()
        vdir = d / "versions" / version
        meta, esha = _read_meta(vdir)
        return _Active(meta, vdir, esha)

    def _user_list_ids(self) -> list[str]:
        """Every list folder: with a ``CURRENT`` pointer, or with versions but none (broken)."""
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir()
                      if p.is_dir() and not p.name.startswith(".")
                      and ((p / CURRENT_FILE).is_file() or (p / "versions").is_dir()))

    def load(self, format: str, paths: Sequence[Path | str], list_id: str | None = None, *,
             force: bool = False, source: str | None = None,
             publication_date: str | None = None, fallback_publication_date: str | None = None,
             licence: str | None = None, **options: Any) -> SnapshotMeta:
        """Parse ``paths`` as ``format`` and make it the active snapshot of ``list_id``.

        ``publication_date`` overrides the date the parser found;
        ``fallback_publication_date`` (e.g. an HTTP Last-Modified date) is used
        only when the file carries none. Raises :class:`ListFormatError` for a
        broken file and :class:`SnapshotError` when the result is refused; the
        previous snapshot stays active either way.
        """
        spec = get_format(format)
        list_id = list_id or spec.default_list_id
        ldir = self._list_dir(list_id)
        files = [Path(p) for p in paths]
        if not files:
            raise ListFormatError(f"no files given for format {format!r}")
        for p in files:
            if not p.is_file():
                raise ListFormatError("file not found", str(p))
        sha = sha256_files(files)
        report = spec.parse(files, list_id, **options)
        if not report.entities:
            raise SnapshotError(f"{list_id}: refusing to load {format} data with zero entities "
                                f"({len(report.skipped)} record(s) skipped)")
        previous = self._safe_active(list_id)
        if previous is not None and not force:
            prev_n = previous.entity_count
            if len(report.entities) < prev_n / 2:
                raise SnapshotError(
                    f"{list_id}: refusing to load {len(report.entities)} entities, fewer than "
                    f"half of the active snapshot's {prev_n} ({previous.version}); "
                    "use --force if the list really shrank")
        title = spec.title
        meta = _meta_from_report(report, list_id=list_id, title=title, fmt=format, sha=sha,
                                 source=source or ", ".join(str(p) for p in files),
                                 publication_date=publication_date
                                 or report.publication_date or fallback_publication_date,
                                 licence=licence or spec.licence)
        _mkdir_private(ldir)
        self._clean_tmp(ldir / "versions")
        _write_version(ldir / "versions", meta, report.entities)
        _atomic_write_text(ldir / CURRENT_FILE, meta.version + "\n")
        self._prune(ldir, keep=meta.version)
        return meta

    def _safe_active(self, list_id: str) -> SnapshotMeta | None:
        for m in self.active():
            if m.list_id == list_id:
                return m
        return None

    @staticmethod
    def _clean_tmp(versions_dir: Path, older_than_s: float = 3600.0) -> None:
        if not versions_dir.is_dir():
            return
        now = time.time()
        for p in versions_dir.glob(".tmp-*"):
            with contextlib.suppress(OSError):
                if now - p.stat().st_mtime > older_than_s:
                    shutil.rmtree(p, ignore_errors=True)

    def _prune(self, ldir: Path, keep: str) -> None:
        versions = sorted((p for p in (ldir / "versions").iterdir()
                           if p.is_dir() and not p.name.startswith(".")),
                          key=lambda p: p.stat().st_mtime, reverse=True)
        for p in versions[KEEP_VERSIONS:]:
            if p.name != keep:
                shutil.rmtree(p, ignore_errors=True)

    def remove(self, list_id: str) -> bool:
        """Remove a list's snapshots (screening then goes without it)."""
        ldir = self._list_dir(list_id)
        if not ldir.exists():
            return False
        trash = ldir.with_name(f".trash-{list_id}-{uuid.uuid4().hex[:8]}")
        os.rename(ldir, trash)
        shutil.rmtree(trash, ignore_errors=True)
        return True

    def history(self, list_id: str) -> list[SnapshotMeta]:
        """All stored versions of a list, newest load first."""
        vdir = self._list_dir(list_id) / "versions"
        out: list[SnapshotMeta] = []
        if vdir.is_dir():
            for p in vdir.iterdir():
                if p.name.startswith("."):
                    continue
                with contextlib.suppress(Exception):
                    out.append(_read_meta(p)[0])
        out.sort(key=lambda m: m.loaded_at, reverse=True)
        return out

    # ---- reading

    def _active_entries(self) -> tuple[list[_Active], list[HealthProblem]]:
        actives: dict[str, _Active] = {}
        problems: list[HealthProblem] = []
        user_ids = set(self._user_list_ids())
        for lid in sorted(user_ids):
            try:
                a = self._user_current(lid)
            except Exception as exc:
                problems.append(HealthProblem(lid, f"snapshot unreadable: {exc}"))
                a = None
            if a is not None:
                actives[lid] = a
        return list(actives.values()), problems

    def active(self) -> list[SnapshotMeta]:
        """The snapshot in use for every list."""
        return [a.meta for a in self._active_entries()[0]]

    def entities(self, list_ids: Sequence[str] | None = None) -> list[Entity]:
        """All entities of the active snapshots (or of ``list_ids``); broken lists are skipped
        here and reported by :meth:`health`."""
        wanted = set(list_ids) if list_ids is not None else None
        out: list[Entity] = []
        for a in self._active_entries()[0]:
            if wanted is not None and a.meta.list_id not in wanted:
                continue
            with contextlib.suppress(Exception):
                out.extend(_read_entities(a.dir, a.entities_sha))
        return out

    def health(self) -> list[HealthProblem]:
        """Problems that should make screening fail closed: missing, corrupt or unbuildable
        snapshots. Empty list means healthy."""
        actives, problems = self._active_entries()
        if not actives and not problems:
            problems.append(HealthProblem("*", NO_LISTS_MESSAGE))
        for a in actives:
            try:
                blob = (a.dir / ENTITIES_FILE).read_bytes()
                if hashlib.sha256(blob).hexdigest() != a.entities_sha:
                    raise SnapshotError("entities file does not match its hash "
                                        "(corrupt or changed on disk)")
                ents = _read_entities(a.dir, a.entities_sha)
            except Exception as exc:
                problems.append(HealthProblem(a.meta.list_id, f"snapshot {a.meta.version}: {exc}"))
                continue
            if len(ents) != a.meta.entity_count:
                problems.append(HealthProblem(
                    a.meta.list_id, f"snapshot {a.meta.version} has {len(ents)} entities, "
                    f"meta says {a.meta.entity_count}"))
        return problems


def default_store() -> SnapshotStore:
    """The store in the configured exportguard home."""
    s = get_settings()
    return SnapshotStore(s.lists_dir, s.cache_dir)
