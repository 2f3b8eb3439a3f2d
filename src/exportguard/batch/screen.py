"""Screen a chunk of trade records with the engine: Arrow in, Arrow out, for every batch engine.

This is the only place where the batch meets the engine, and both runners
(local processes and Spark executors) call it, so they cannot disagree: each
record becomes a one-item :class:`~exportguard.contracts.shipment.Shipment`
(:mod:`exportguard.batch.records`) and goes through the very same
:func:`exportguard.engine.decide.decide` with a
:class:`~exportguard.engine.context.ScreeningContext` built by the same
service function as ``exportguard screen``.

Speed without a second implementation of any rule:

- :class:`CachingMatcher` wraps the context's name index: each distinct query
  (party name, type, threshold, limit) is searched once per process; trade data
  repeats names heavily. The engine's ``search`` call is pure, so the memo
  returns exactly what the index would.
- :func:`memoised_item_classification` memoises
  :func:`exportguard.items.classify.classify_item` (pure by contract) per HS
  code, control code, description and specs, for the duration of a chunk.
- the garbage collector is paused while a chunk is screened (the index and the
  memos are frozen out of its way), and run once after.

Output: one row per record with the record's fields, the decision, its
findings and party matches (:data:`OUTPUT_SCHEMA`). Context-level findings that
do not change a decision (e.g. the *warning* that a list is older than the
policy allows, under ``--allow-stale-lists``) are the same for every record:
they are kept once per job (:attr:`ChunkResult.job_findings`) instead of on
each row. Every finding that can change a decision stays on its row.
"""

from __future__ import annotations

import contextlib
import gc
import json
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyarrow as pa

from exportguard.batch.records import (
    InvalidRecord,
    TradeRecord,
    records_from_batch,
    route_of,
    to_shipment,
)
from exportguard.engine.context import ScreeningContext
from exportguard.names.model import Match

FINDING_TYPE = pa.struct([
    ("rule", pa.string()),
    ("severity", pa.string()),
    ("subject", pa.string()),
    ("message", pa.string()),
    ("evidence", pa.string()),  # JSON object
])
MATCH_TYPE = pa.struct([
    ("party", pa.string()),
    ("role", pa.string()),
    ("party_name", pa.string()),
    ("entity_id", pa.string()),
    ("list", pa.string()),
    ("name", pa.string()),
    ("matched_name", pa.string()),
    ("matched_kind", pa.string()),
    ("score", pa.float64()),
    ("type", pa.string()),
])

OUTPUT_SCHEMA = pa.schema([
    ("row_number", pa.int64()),
    ("record_id", pa.string()),
    ("date", pa.date32()),
    ("exporter", pa.string()),
    ("exporter_country", pa.string()),
    ("importer", pa.string()),
    ("importer_country", pa.string()),
    ("origin_country", pa.string()),
    ("dispatch_country", pa.string()),
    ("hub_country", pa.string()),
    ("destination_country", pa.string()),
    ("hs_code", pa.string()),
    ("hs6", pa.string()),
    ("description", pa.string()),
    ("quantity", pa.float64()),
    ("unit", pa.string()),
    ("value", pa.float64()),
    ("currency", pa.string()),
    ("control_code", pa.string()),
    ("item_classes", pa.list_(pa.string())),
    ("chpl_tier", pa.string()),
    ("decision", pa.string()),
    ("rules", pa.list_(pa.string())),
    ("findings", pa.list_(FINDING_TYPE)),
    ("party_matches", pa.list_(MATCH_TYPE)),
    ("error", pa.string()),
])

INVALID_RULE = "invalid_record"
_CONTEXT_SUBJECT_PREFIX = "lists"
_QUIET_SEVERITIES = frozenset({"warning", "info"})


class PortableIndex:
    """The name index, made to travel (to worker processes, to Spark executors) in its own
    on-disk format (``save``/``load``) when it has one, else by plain pickling."""

    def __init__(self, index: Any) -> None:
        self.index = index

    def search(self, query: str, *args: Any, **kwargs: Any) -> list[Match]:
        return list(self.index.search(query, *args, **kwargs))

    def __getstate__(self) -> dict[str, Any]:
        index = self.index
        cls = type(index)
        if callable(getattr(index, "save", None)) and callable(getattr(cls, "load", None)):
            with tempfile.TemporaryDirectory(prefix="eg-index-") as tmp:
                path = Path(tmp) / "index.pkl"
                index.save(path)
                return {"cls": cls, "data": path.read_bytes()}
        return {"index": index}

    def __setstate__(self, state: dict[str, Any]) -> None:
        if "index" in state:
            self.index = state["index"]
            return
        with tempfile.TemporaryDirectory(prefix="eg-index-") as tmp:
            path = Path(tmp) / "index.pkl"
            path.write_bytes(state["data"])
            self.index = state["cls"].load(path)


class CachingMatcher:
    """A memo in front of the name index: one search per distinct query and options."""

    def __init__(self, inner: Any, max_entries: int = 1_000_000) -> None:
        self.inner = inner
        self.max_entries = max_entries
        self.memo: dict[tuple[Any, ...], list[Match]] = {}
        self.hits = 0
        self.misses = 0

    def search(self, query: str, *args: Any, **kwargs: Any) -> list[Match]:
        key = (query, args, tuple(sorted(kwargs.items())))
        found = self.memo.get(key)
        if found is not None:
            self.hits += 1
            return list(found)
        self.misses += 1
        result = list(self.inner.search(query, *args, **kwargs))
        if len(self.memo) >= self.max_entries:
            self.memo.clear()
        self.memo[key] = result
        return list(result)

    def __getstate__(self) -> dict[str, Any]:  # memos are per process
        return {"inner": self.inner, "max_entries": self.max_entries}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["inner"], state["max_entries"])  # type: ignore[misc]


_ITEM_MEMO: dict[tuple[Any, ...], Any] = {}
_ITEM_MEMO_MAX = 500_000


def classify_memoised(item: Any, policy: Any, index: int = 0) -> Any:
    """:func:`exportguard.items.classify.classify_item`, memoised on everything it reads."""
    from exportguard.items.classify import classify_item

    specs = tuple(sorted((k, repr(v)) for k, v in item.specs.items())) if item.specs else ()
    key = (item.hs_code, item.control_code, item.description, specs, index, id(policy))
    found = _ITEM_MEMO.get(key)
    if found is None:
        found = classify_item(item, policy, index)
        if len(_ITEM_MEMO) >= _ITEM_MEMO_MAX:
            _ITEM_MEMO.clear()
        _ITEM_MEMO[key] = found
    return found


@contextlib.contextmanager
def memoised_item_classification() -> Iterator[None]:
    """Let the engine use :func:`classify_memoised` inside the block.

    The engine's facts module calls ``classify_item(item, policy, index)``, a
    pure function; the memo key holds every item field the classification
    reads, the policy's identity and the index. Should the engine stop calling
    it by that name, the block does nothing (slower, never different).
    """
    import exportguard.engine.facts as facts_module
    from exportguard.items.classify import classify_item

    original = getattr(facts_module, "classify_item", None)
    if original is not classify_item:
        yield
        return
    facts_module.classify_item = classify_memoised  # type: ignore[attr-defined]
    try:
        yield
    finally:
        facts_module.classify_item = original  # type: ignore[attr-defined]


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
        gc.collect(1)


@dataclass
class ChunkResult:
    table: pa.Table
    decisions: Counter[str] = field(default_factory=Counter)
    job_findings: list[dict[str, Any]] = field(default_factory=list)


def _finding_row(f: Any) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "severity": f.severity.value,
        "subject": f.subject,
        "message": f.message,
        "evidence": json.dumps(f.evidence, ensure_ascii=False, sort_keys=True,
                               separators=(",", ":")),
    }


class BatchScreener:
    """The engine context (policy, lists, index, ``now``) and the chunk screening around it.

    Picklable: the local runner writes it to a file its worker processes load;
    the Spark runner broadcasts it to executors.
    """

    def __init__(self, context: ScreeningContext, defaults: dict[str, str] | None = None,
                 date_format: str | None = None) -> None:
        matcher = context.matcher
        if matcher is not None and not isinstance(matcher, CachingMatcher):
            context = replace(context, matcher=CachingMatcher(PortableIndex(matcher)))
        self.context = context
        self.defaults = dict(defaults or {})
        self.date_format = date_format

    def __getstate__(self) -> dict[str, Any]:
        return {"context": self.context, "defaults": self.defaults,
                "date_format": self.date_format}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.context = state["context"]
        self.defaults = state["defaults"]
        self.date_format = state["date_format"]

    def _classify(self, shipment: Any) -> Any:
        return classify_memoised(shipment.items[0], self.context.policy, 0)

    def screen(self, batch: pa.RecordBatch | pa.Table, first_row: int,
               row_numbers: list[int] | None = None) -> ChunkResult:
        """Screen one chunk whose columns are the canonical field names.

        Rows are numbered from ``first_row`` on, or by ``row_numbers``.
        """
        from exportguard.engine.decide import decide

        records = records_from_batch(batch, first_row, self.defaults, self.date_format,
                                     row_numbers)
        out = _Columns()
        result = ChunkResult(table=pa.table({}))
        job_seen: set[tuple[str, str, str]] = set()
        ctx = self.context
        with memoised_item_classification(), _gc_paused():
            for rec in records:
                try:
                    shipment = to_shipment(rec)
                except InvalidRecord as exc:
                    out.add_invalid(rec, str(exc))
                    result.decisions["HOLD"] += 1
                    continue
                decision = decide(shipment, ctx)
                cls = self._classify(shipment)
                findings = []
                for f in decision.findings:
                    if (f.subject.startswith(_CONTEXT_SUBJECT_PREFIX)
                            and f.severity.value in _QUIET_SEVERITIES):
                        key = (f.rule, f.subject, f.message)
                        if key not in job_seen:
                            job_seen.add(key)
                            result.job_findings.append(_finding_row(f))
                        continue
                    findings.append(f)
                out.add(rec, decision.decision.value, findings, decision.party_matches,
                        cls.classes, cls.chpl_tier)
                result.decisions[decision.decision.value] += 1
        result.table = out.table()
        return result


class _Columns:
    """Column-wise accumulation of output rows (cheaper than a list of dicts)."""

    def __init__(self) -> None:
        self.cols: dict[str, list[Any]] = {name: [] for name in OUTPUT_SCHEMA.names}

    def _record(self, rec: TradeRecord) -> None:
        c = self.cols
        origin, hub, dest = route_of(rec)
        c["row_number"].append(rec.row_number)
        c["record_id"].append(rec.record_id)
        c["date"].append(rec.date)
        c["exporter"].append(rec.exporter)
        c["exporter_country"].append(rec.exporter_country)
        c["importer"].append(rec.importer)
        c["importer_country"].append(rec.importer_country or dest)
        c["origin_country"].append(origin)
        c["dispatch_country"].append(rec.dispatch_country)
        c["hub_country"].append(hub)
        c["destination_country"].append(dest)
        c["hs_code"].append(rec.hs_code)
        c["hs6"].append(rec.hs_code[:6] if rec.hs_code else None)
        c["description"].append(rec.description)
        c["quantity"].append(rec.quantity)
        c["unit"].append(rec.unit)
        c["value"].append(rec.value)
        c["currency"].append(rec.currency)
        c["control_code"].append(rec.control_code)

    def add(self, rec: TradeRecord, decision: str, findings: list[Any],
            matches: list[Any], classes: tuple[str, ...], chpl_tier: str | None) -> None:
        self._record(rec)
        c = self.cols
        c["item_classes"].append(list(classes))
        c["chpl_tier"].append(chpl_tier)
        c["decision"].append(decision)
        rules: list[str] = []
        for f in findings:
            if f.rule not in rules:
                rules.append(f.rule)
        c["rules"].append(rules)
        c["findings"].append([_finding_row(f) for f in findings])
        c["party_matches"].append([{
            "party": m.party, "role": m.role, "party_name": m.party_name,
            "entity_id": m.entity_id, "list": m.list, "name": m.name,
            "matched_name": m.matched_name, "matched_kind": m.matched_kind,
            "score": m.score, "type": m.type,
        } for m in matches])
        c["error"].append(None)

    def add_invalid(self, rec: TradeRecord, message: str) -> None:
        self._record(rec)
        c = self.cols
        c["item_classes"].append([])
        c["chpl_tier"].append(None)
        c["decision"].append("HOLD")
        c["rules"].append([INVALID_RULE])
        c["findings"].append([{
            "rule": INVALID_RULE, "severity": "hold", "subject": "record",
            "message": f"The record cannot be screened ({message}): held until corrected.",
            "evidence": json.dumps({"problems": message}, ensure_ascii=False),
        }])
        c["party_matches"].append([])
        c["error"].append(message)

    def table(self) -> pa.Table:
        arrays = [pa.array(self.cols[f.name], type=f.type) for f in OUTPUT_SCHEMA]
        return pa.Table.from_arrays(arrays, schema=OUTPUT_SCHEMA)
