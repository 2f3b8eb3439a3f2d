"""Screening as a service: build the engine's context from the store and index, then decide.

This is the one place that does the I/O around the pure engine: it loads the
policy (shipped name or file), reads the active list snapshots and their
health, gets the in-memory name index, reads the clock and the settings. If
there is no list data or the index cannot be loaded, the context says so and
the engine holds (fail closed).

Faces (CLI, HTTP API, web UI) call :func:`screen_shipment` and
:func:`screen_file`; invalid input raises :class:`InputError` naming the field.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from exportguard.contracts.decision import Decision
from exportguard.contracts.jsoninput import check_json
from exportguard.contracts.shipment import Shipment, parse_shipment
from exportguard.engine.context import LicenceRecord, PartyMatcher, ScreeningContext
from exportguard.engine.decide import decide
from exportguard.lists.model import SnapshotMeta
from exportguard.policy.loader import LoadedPolicy, PolicyError, load_policy
from exportguard.service.errors import InputError
from exportguard.settings import get_settings

# ---------------------------------------------------------------------------
# policy


_policy_cache: dict[tuple[str, float, int], LoadedPolicy] = {}
_policy_lock = threading.Lock()


def load_policy_by_name_or_path(name_or_path: str | Path | None = None) -> LoadedPolicy:
    """A shipped policy (``default``, ``eu-833``) or a YAML file; :class:`InputError` if bad."""
    target = "default" if name_or_path is None else str(name_or_path)
    try:
        path = Path(target).expanduser()
        stat = path.stat() if path.is_file() else None
    except OSError:
        stat = None
    key = (target, stat.st_mtime if stat else 0.0, stat.st_size if stat else 0)
    with _policy_lock:
        cached = _policy_cache.get(key)
    if cached is not None:
        return cached
    try:
        loaded = load_policy(target)
    except PolicyError as exc:
        raise InputError(str(exc)) from None
    with _policy_lock:
        _policy_cache[key] = loaded
    return loaded


# ---------------------------------------------------------------------------
# lists and the name index


@dataclass(frozen=True)
class ListState:
    metas: tuple[SnapshotMeta, ...]
    problems: tuple[str, ...]
    matcher: PartyMatcher | None


_state_lock = threading.Lock()
_state_cache: tuple[tuple[tuple[str, str, str], ...], ListState] | None = None


def load_list_state() -> ListState:
    """Active snapshots, their health and the name index; never raises (fails closed).

    Health and index are cached in process per set of active snapshot versions.
    """
    global _state_cache
    try:
        from exportguard.lists.snapshots import default_store

        store = default_store()
        metas = tuple(sorted(store.active(), key=lambda m: m.list_id))
    except Exception as exc:  # the store itself is broken: hold, say why
        return ListState((), (f"list store unavailable: {exc}",), None)
    key = tuple((m.list_id, m.version, m.sha256) for m in metas)
    with _state_lock:
        if _state_cache is not None and _state_cache[0] == key:
            return _state_cache[1]
    problems: list[str] = []
    try:
        problems += [str(p) for p in store.health()]
    except Exception as exc:
        problems.append(f"list health check failed: {exc}")
    if not metas and not problems:
        from exportguard.lists.snapshots import NO_LISTS_MESSAGE

        problems.append(NO_LISTS_MESSAGE)
    matcher: PartyMatcher | None = None
    if metas:
        try:
            from exportguard.names.default_index import get_default_index

            matcher = get_default_index(store)
        except Exception as exc:
            problems.append(f"name index could not be loaded: {exc}")
    state = ListState(metas, tuple(problems), matcher)
    with _state_lock:
        _state_cache = (key, state)
    return state


def reset_list_state() -> None:
    """Forget the cached list state (tests, after ``lists load``/``update``)."""
    global _state_cache
    with _state_lock:
        _state_cache = None


# ---------------------------------------------------------------------------
# screening


def build_context(
    policy: str | Path | None = None,
    allow_stale_lists: bool | None = None,
    now: datetime | None = None,
    licence_lookup: Mapping[str, LicenceRecord] | None = None,
    list_state: ListState | None = None,
) -> ScreeningContext:
    loaded = load_policy_by_name_or_path(policy)
    state = list_state if list_state is not None else load_list_state()
    allow = get_settings().allow_stale_lists if allow_stale_lists is None else allow_stale_lists
    return ScreeningContext(
        policy=loaded.policy,
        policy_ref=loaded.ref,
        now=now or datetime.now(UTC).replace(microsecond=0),
        matcher=state.matcher,
        lists=state.metas,
        list_problems=state.problems,
        allow_stale_lists=allow,
        licence_lookup=licence_lookup,
    )


def to_shipment(data: Mapping[str, Any] | Shipment) -> Shipment:
    """Validate input into a :class:`Shipment`; :class:`InputError` names the bad fields."""
    if isinstance(data, Shipment):
        return data
    try:
        return parse_shipment(data)
    except ValueError as exc:
        raise InputError(str(exc)) from None


def screen_shipment(
    data: Mapping[str, Any] | Shipment,
    policy: str | Path | None = None,
    allow_stale_lists: bool | None = None,
    *,
    now: datetime | None = None,
    licence_lookup: Mapping[str, LicenceRecord] | None = None,
    context: ScreeningContext | None = None,
) -> Decision:
    """Screen one shipment (a dict from JSON, or a :class:`Shipment`)."""
    shipment = to_shipment(data)
    ctx = context or build_context(policy, allow_stale_lists, now, licence_lookup)
    return decide(shipment, ctx)


def parse_shipment_json(raw: bytes, source: str) -> dict[str, Any]:
    """One shipment from JSON bytes (a file, an upload); :class:`InputError` names
    ``source`` and says what is wrong (encoding, the line and column of bad JSON)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{source}: not UTF-8 text ({exc.reason})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{source}: invalid JSON at line {exc.lineno}, column {exc.colno}: "
                         f"{exc.msg}") from None
    if not isinstance(data, dict):
        raise InputError(f"{source}: a shipment must be a JSON object, got "
                         f"{type(data).__name__}")
    return data


def read_shipment_file(path: str | Path) -> dict[str, Any]:
    """Read one shipment JSON file; :class:`InputError` for bad JSON, a file larger than
    ``EXPORTGUARD_MAX_BODY_BYTES`` or JSON nested too deep (checked before parsing)."""
    from exportguard.settings import get_settings

    p = Path(path)
    limit = get_settings().max_body_bytes
    with p.open("rb") as fh:
        raw = fh.read(limit + 1)  # never more than the limit in memory
    check_json(raw, source=str(p), max_bytes=limit)
    return parse_shipment_json(raw, str(p))


@dataclass
class BatchSummary:
    total: int = 0
    screened: int = 0
    errors: int = 0
    decisions: dict[str, int] | None = None


def _lines(fh: TextIO) -> Iterator[tuple[int, str]]:
    for n, line in enumerate(fh, start=1):
        if line.strip():
            yield n, line


def screen_file(
    input_jsonl: str | Path,
    output_jsonl: str | Path,
    policy: str | Path | None = None,
    allow_stale_lists: bool | None = None,
    *,
    now: datetime | None = None,
) -> BatchSummary:
    """Screen one shipment per JSON line; a bad line becomes an error record naming the line.

    Output: one JSON object per input line, in order: the decision (with
    ``line``), or ``{"line": n, "id": ..., "error": "..."}``. One context (one
    policy, one list state, one ``now``) serves the whole file.
    """
    ctx = build_context(policy, allow_stale_lists, now)
    summary = BatchSummary(decisions={})
    src = Path(input_jsonl)
    with src.open(encoding="utf-8", errors="replace") as fin, \
            Path(output_jsonl).open("w", encoding="utf-8") as fout:
        for n, line in _lines(fin):
            summary.total += 1
            record: dict[str, Any]
            data: Any = None
            try:
                check_json(line, source=f"line {n}")
                data = json.loads(line)
                if not isinstance(data, dict):
                    raise InputError(f"a shipment must be a JSON object, got {type(data).__name__}")
                decision = screen_shipment(data, context=ctx)
                record = {"line": n, **decision.to_dict()}
                summary.screened += 1
                assert summary.decisions is not None
                key = decision.decision.value
                summary.decisions[key] = summary.decisions.get(key, 0) + 1
            except json.JSONDecodeError as exc:
                record = {"line": n, "error": f"line {n}: invalid JSON at column {exc.colno}: "
                                              f"{exc.msg}"}
                summary.errors += 1
            except InputError as exc:
                text = str(exc)
                record = {"line": n, "error": text if text.startswith(f"line {n}:")
                          else f"line {n}: {text}"}
                if isinstance(data, dict) and isinstance(data.get("id"), str):
                    record["id"] = data["id"]
                summary.errors += 1
            fout.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
    return summary
