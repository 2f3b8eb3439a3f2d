"""Import a folder of publishers' list files: find them by content, load each as a snapshot.

:func:`scan_folder` walks a folder (recursively) and recognises each file by
its bytes, not its name: UN XML by its ``CONSOLIDATED_LIST`` root, OFAC classic
CSV by its column shape (12 columns and a numeric ent_num for the primary file,
6 for addresses, 5 with ``aka``/``fka``/``nka`` for aliases, 2 for comments),
OFAC Enhanced XML (bare or zipped) by ``sanctionsData``, the CSL by its header,
the BIS DPL by its tab-separated header, OFSI by its ``Group ID``/``Name 6``
header row, EU FSF XML by its namespace, FollowTheMoney by a JSON line with
``schema`` and ``properties``, and the EU Official-Journal and China lists CSVs
by their headers. Names are used only where content cannot tell: whether an
OFAC classic file is the SDN list or the non-SDN one (``cons`` in its name).
Files that are none of these are listed and skipped.

OFAC classic files belong together when they sit in the same folder. Two
candidate file sets for the same list (an old SDN trio beside a new one, the
non-SDN list as CSV and as Enhanced XML) resolve to the newest by the date
written in its path (``2024-05-03``, ``2025-01``), then by the richer format;
the others are reported as superseded. The CSL is loaded without the sources
whose own lists are loaded too (see :mod:`exportguard.lists.catalogue`).

:func:`import_folder` loads each chosen set through :meth:`SnapshotStore.load`:
hashed, validated and swapped in atomically per list, so a broken file leaves
that list's previous snapshot in place and the others still load. A set whose
files hash the same as the active snapshot is reported unchanged, not parsed.
"""

from __future__ import annotations

import gzip
import importlib
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exportguard.lists.catalogue import CSL_LIST_ID, csl_exclusions
from exportguard.lists.errors import ListFormatError, SnapshotError
from exportguard.lists.model import SnapshotMeta
from exportguard.lists.registry import get_format
from exportguard.lists.snapshots import SnapshotStore, sha256_files

HEAD_BYTES = 64 * 1024
_DATE_IN_PATH = re.compile(
    r"(?<!\d)((?:19|20)\d{2})(?:[-_.]?(0[1-9]|1[0-2])(?:[-_.]?(\d{2}))?)?(?!\d)")
# When two sets give the same list and the same date, the richer format wins.
_FORMAT_RANK = {"ofac-enhanced": 0, "ofac": 1}
_SKIP_NAMES = frozenset({"readme", "readme.md", "readme.txt", "format.md", "license", "notice"})

Progress = Callable[[int, int | None], None]


@dataclass(slots=True)
class Candidate:
    """One list's files found in the folder."""

    list_id: str
    format: str
    files: list[Path]
    date: str  # the date written in the path ("" if none)
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class ImportPlan:
    root: Path
    candidates: list[Candidate]  # chosen, one per list id
    superseded: list[tuple[Candidate, Candidate]]  # (left out, chosen instead)
    unknown: list[tuple[Path, str]]  # files that are no list format, with the reason


@dataclass(slots=True)
class ImportResult:
    list_id: str
    format: str
    status: str  # loaded | unchanged | failed
    message: str
    files: list[str]
    meta: SnapshotMeta | None = None

    def to_dict(self) -> dict[str, Any]:
        m = self.meta
        return {"list_id": self.list_id, "format": self.format, "status": self.status,
                "message": self.message, "files": self.files,
                "version": m.version if m else None,
                "publication_date": m.publication_date if m else None,
                "entity_count": m.entity_count if m else None,
                "sha256": m.sha256 if m else None,
                "licence": m.licence if m else None}


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _path_date(path: Path, root: Path) -> str:
    """The most precise date written in the file's path below ``root`` (ISO prefix)."""
    best = ""
    for m in _DATE_IN_PATH.finditer(_rel(path, root)):
        y, mo, d = m.groups()
        text = y + (f"-{mo}" if mo else "") + (f"-{d}" if mo and d else "")
        if len(text) > len(best) or (len(text) == len(best) and text > best):
            best = text
    return best


def _read_head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(HEAD_BYTES)


def _sniff_ofac_csv(text: str) -> str | None:
    """Role of an OFAC classic CSV (primary/add/alt/comments) by its first row's shape."""
    import csv
    import io

    line = next((ln for ln in text.splitlines() if ln.strip("\x1a \t")), "")
    try:
        row = next(csv.reader(io.StringIO(line)))
    except (csv.Error, StopIteration):
        return None
    if not row or not row[0].strip().isdigit():
        return None
    n = len(row)
    if n == 12:
        return "primary"
    if n == 6 and row[1].strip().isdigit():
        return "add"
    if n == 5 and row[1].strip().isdigit() and row[2].strip().strip('"').lower() in (
            "aka", "fka", "nka"):
        return "alt"
    if n == 2:
        return "comments"
    return None


def _plugin_sniff(module: str, head: bytes, name: str) -> bool:
    try:
        mod = importlib.import_module(f"exportguard.lists.formats.{module}")
    except ImportError:
        return False
    sniff = getattr(mod, "sniff", None)
    if sniff is None:
        return False
    try:
        return bool(sniff(head, name))
    except Exception:
        return False


def _sniff_text(head: bytes, name: str) -> tuple[str, str | None] | None:
    """(format, OFAC role or None) for text content, else None."""
    sample = head.lstrip(b"\xef\xbb\xbf").lstrip()
    low = sample[:4096].lower()
    if sample.startswith(b"<") or b"<?xml" in low[:100]:
        if b"<consolidated_list" in low:
            return "un", None
        if b"sanctionsdata" in low:
            return "ofac-enhanced", None
        if b"fpi/fsd/export" in low:
            return "eu-fsf", None
        return None
    first_line = sample.split(b"\n", 1)[0]
    if b"\t" in first_line and b"street_address" in first_line.lower():
        return "bis-dpl", None
    header = first_line.lower()
    if b"source" in header and b"entity_number" in header and b"alt_names" in header:
        return "csl", None
    if sample.startswith(b"{"):
        try:
            obj = json.loads(first_line)
        except ValueError:
            obj = None
        if isinstance(obj, dict) and "schema" in obj and "properties" in obj:
            return "ftm", None
    if _plugin_sniff("eu_oj", head, name):
        return "eu-oj", None
    if _plugin_sniff("cn_lists", head, name):
        return "cn-lists", None
    text = sample.decode("utf-8", errors="replace")
    role = _sniff_ofac_csv(text)
    if role is not None:
        return "ofac", role
    return None


def _sniff_zip(path: Path) -> tuple[str, str | None] | None:
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            if any(n.startswith("xl/") for n in names):
                return _sniff_xlsx(path)
            xmls = [n for n in names if n.lower().endswith(".xml")]
            if len(xmls) == 1:
                with zf.open(xmls[0]) as fh:
                    head = fh.read(HEAD_BYTES)
                found = _sniff_text(head, xmls[0])
                if found and found[0] == "ofac-enhanced":
                    return found
    except (zipfile.BadZipFile, OSError, RuntimeError):
        return None
    return None


def _sniff_xlsx(path: Path) -> tuple[str, str | None] | None:
    try:
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            ws = wb.worksheets[0]
            for i, row in enumerate(ws.iter_rows(values_only=True)):
                cells = {str(c).strip() for c in row if c is not None}
                if "Group ID" in cells and "Name 6" in cells:
                    return "uk-ofsi", None
                if i > 5:
                    break
        finally:
            wb.close()
    except Exception:
        return None
    return None


def sniff_file(path: Path) -> tuple[str, str | None] | None:
    """(format, OFAC role or None) of one file by its content; None if no list format."""
    head = _read_head(path)
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(path)
    if head.startswith(b"\x1f\x8b"):
        try:
            with gzip.open(path, "rb") as fh:
                head = fh.read(HEAD_BYTES)
        except (OSError, EOFError):
            return None
    if b"\x00" in head[:4096]:
        return None
    return _sniff_text(head, path.name)


def _ofac_sets(found: list[tuple[Path, str]], root: Path,
               unknown: list[tuple[Path, str]]) -> list[Candidate]:
    """Group OFAC classic files by folder into SDN and non-SDN sets."""
    by_dir: dict[Path, list[tuple[Path, str]]] = {}
    for path, role in found:
        by_dir.setdefault(path.parent, []).append((path, role))
    out: list[Candidate] = []
    for folder, files in sorted(by_dir.items()):
        for kind in ("sdn", "cons"):
            mine = [(p, r) for p, r in files if ("cons" in p.name.lower()) == (kind == "cons")]
            if not mine:
                continue
            roles: dict[str, list[Path]] = {}
            for p, r in mine:
                roles.setdefault(r, []).append(p)
            primaries = roles.get("primary", [])
            if len(primaries) != 1:
                why = ("no primary file (sdn.csv / cons_prim.csv) in the same folder"
                       if not primaries else
                       f"{len(primaries)} primary files in one folder; load them with "
                       "`lists load ofac` one set at a time")
                unknown.extend((p, f"OFAC CSV not imported: {why}") for p, _ in mine)
                continue
            extra_dupes = [r for r, ps in roles.items() if len(ps) > 1]
            if extra_dupes:
                unknown.extend((p, f"OFAC CSV not imported: two {extra_dupes[0]} files in "
                                f"{_rel(folder, root) or '.'}") for p, _ in mine)
                continue
            ordered = [roles[r][0] for r in ("primary", "add", "alt", "comments") if r in roles]
            primary = ordered[0]
            out.append(Candidate("ofac_cons" if kind == "cons" else "ofac_sdn", "ofac",
                                 ordered, _path_date(primary, root)))
    return out


def scan_folder(folder: Path | str) -> ImportPlan:
    """Recognise every publisher file below ``folder`` and choose one set per list."""
    root = Path(folder)
    if not root.exists():
        raise ListFormatError("folder not found", str(root))
    if not root.is_dir():
        raise ListFormatError("not a folder (use `lists load FORMAT FILE` for one file)",
                              str(root))
    unknown: list[tuple[Path, str]] = []
    ofac_found: list[tuple[Path, str]] = []
    candidates: list[Candidate] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        if path.name.lower() in _SKIP_NAMES:
            unknown.append((path, "documentation, not a list"))
            continue
        try:
            found = sniff_file(path)
        except OSError as exc:
            unknown.append((path, f"cannot read: {exc.strerror or exc}"))
            continue
        if found is None:
            unknown.append((path, "not a list format exportguard reads"))
            continue
        fmt, role = found
        if fmt == "ofac":
            ofac_found.append((path, role or "primary"))
            continue
        spec = get_format(fmt)
        candidates.append(Candidate(spec.default_list_id, fmt, [path], _path_date(path, root)))
    candidates += _ofac_sets(ofac_found, root, unknown)

    chosen: dict[str, Candidate] = {}
    superseded: list[tuple[Candidate, Candidate]] = []
    for c in sorted(candidates, key=lambda c: (c.date, -_FORMAT_RANK.get(c.format, 5)),
                    reverse=True):
        if c.list_id in chosen:
            superseded.append((c, chosen[c.list_id]))
        else:
            chosen[c.list_id] = c
    if CSL_LIST_ID in chosen:
        chosen[CSL_LIST_ID].options["exclude_sources"] = csl_exclusions(chosen)
    return ImportPlan(root, sorted(chosen.values(), key=lambda c: c.list_id), superseded,
                      unknown)


def import_folder(folder: Path | str, store: SnapshotStore, *, force: bool = False,
                  progress: Progress | None = None,
                  plan: ImportPlan | None = None) -> tuple[ImportPlan, list[ImportResult]]:
    """Load every list found in ``folder``; one result per list, never raises for one list."""
    plan = plan or scan_folder(folder)
    active = {m.list_id: m for m in store.active()}
    # the CSL also leaves out what is already loaded from its own publisher
    for c in plan.candidates:
        if c.list_id == CSL_LIST_ID:
            c.options["exclude_sources"] = csl_exclusions(
                {x.list_id for x in plan.candidates} | set(active))
    results: list[ImportResult] = []
    total = len(plan.candidates)
    if progress:
        progress(0, total)
    for i, c in enumerate(plan.candidates, 1):
        files = [_rel(p, plan.root) for p in c.files]
        try:
            sha = sha256_files(c.files)
            current = active.get(c.list_id)
            if current is not None and current.sha256 == sha and not force:
                results.append(ImportResult(c.list_id, c.format, "unchanged",
                                            f"unchanged since {current.version}", files,
                                            current))
            else:
                meta = store.load(c.format, c.files, c.list_id, force=force,
                                  source=", ".join(str(p.resolve()) for p in c.files),
                                  **c.options)
                results.append(ImportResult(c.list_id, c.format, "loaded",
                                            _summary(meta), files, meta))
        except (ListFormatError, SnapshotError) as exc:
            keep = active.get(c.list_id)
            results.append(ImportResult(
                c.list_id, c.format, "failed",
                f"{exc}; " + (f"keeping snapshot {keep.version}" if keep
                              else "no snapshot of this list yet"), files))
        if progress:
            progress(i, total)
    return plan, results


def _summary(meta: SnapshotMeta) -> str:
    parts = [f"{meta.entity_count:,} entities", f"dated {meta.publication_date or 'unknown'}"]
    if meta.skipped_count:
        parts.append(f"{meta.skipped_count:,} skipped")
    if meta.orphan_count:
        parts.append(f"{meta.orphan_count:,} orphan rows")
    return ", ".join(parts) + f", sha256 {meta.sha256[:12]}"


def plan_to_dict(plan: ImportPlan) -> dict[str, Any]:
    return {
        "folder": str(plan.root),
        "superseded": [{"list_id": a.list_id, "files": [_rel(p, plan.root) for p in a.files],
                        "instead": [_rel(p, plan.root) for p in b.files]}
                       for a, b in plan.superseded],
        "skipped_files": [{"file": _rel(p, plan.root), "reason": r} for p, r in plan.unknown],
    }

