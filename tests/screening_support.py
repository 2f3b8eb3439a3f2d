"""Test support for the screening tests: a fake name matcher, list metadata, a fixed clock."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from exportguard.contracts.decision import Decision
from exportguard.contracts.shipment import parse_shipment
from exportguard.engine.context import LicenceRecord, ScreeningContext
from exportguard.engine.decide import decide
from exportguard.lists.model import SnapshotMeta
from exportguard.names.model import Match
from exportguard.policy.loader import load_policy

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


class FakeMatcher:
    """Answers ``search`` from a fixed table: query name → matches."""

    def __init__(self, table: dict[str, list[Match]] | None = None) -> None:
        self.table = table or {}
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def search(self, query: str, **kwargs: Any) -> list[Match]:
        self.calls.append((query, kwargs))
        return list(self.table.get(query, []))


def match(list_id: str, name: str, score: float, entity_id: str | None = None) -> Match:
    return Match(entity_id=entity_id or f"{list_id}:{name[:8]}", list=list_id, name=name,
                 matched_name=name, matched_kind="primary", score=score, type="organization")


def meta(list_id: str = "un_sc", date: str | None = "2026-02-27") -> SnapshotMeta:
    return SnapshotMeta(list_id=list_id, title=list_id, format="test", version=f"{date}-abc",
                        publication_date=date, loaded_at="2026-03-01T00:00:00+00:00",
                        sha256="0" * 64, source="test", entity_count=1)


def context(policy: str = "default", *, matcher: Any = None,
            lists: list[SnapshotMeta] | None = None,
            problems: tuple[str, ...] = (), allow_stale: bool = False,
            licences: dict[str, LicenceRecord] | None = None,
            now: datetime = NOW) -> ScreeningContext:
    loaded = load_policy(policy)
    return ScreeningContext(
        policy=loaded.policy, policy_ref=loaded.ref, now=now,
        matcher=FakeMatcher() if matcher is None else matcher,
        lists=[meta()] if lists is None else lists,
        list_problems=problems, allow_stale_lists=allow_stale, licence_lookup=licences,
    )


BASE: dict[str, Any] = {
    "id": "T-1",
    "exporter": {"name": "Nordwind Maschinenbau GmbH", "country": "DE"},
    "parties": [
        {"role": "consignee", "name": "Lyon Textiles SARL", "country": "FR"},
        {"role": "end_user", "name": "Lyon Textiles SARL", "country": "FR"},
    ],
    "route": {"origin": "DE", "transit": [], "destination": "FR"},
    "items": [{"description": "Cotton T-shirts", "hs_code": "610910", "quantity": 10,
               "value": 100}],
    "end_use": "retail",
}


def shipment(**changes: Any) -> dict[str, Any]:
    """BASE with top-level keys replaced; ``item``/``items0`` shortcuts for the first item."""
    data = copy.deepcopy(BASE)
    item = changes.pop("item", None)
    if item is not None:
        data["items"] = [{**data["items"][0], **item}]
    for k, v in changes.items():
        if v is None:
            data.pop(k, None)
        else:
            data[k] = v
    return data


def screen(data: dict[str, Any], ctx: ScreeningContext | None = None, **kw: Any) -> Decision:
    return decide(parse_shipment(data), ctx or context(**kw))


def rules_of(decision: Decision, severity: str | None = None) -> set[str]:
    return {f.rule for f in decision.findings if severity is None or f.severity.value == severity}
