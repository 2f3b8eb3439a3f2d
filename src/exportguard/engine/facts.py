"""Facts the rules share, computed once per screening: item classes, places, list matches.

A *place* is where a country or region of the shipment sits in the policy's
country groups: the route's destination, final destination and transit
countries, and each party (its country or ISO 3166-2 code, and region names
such as "Crimea" in its address or incorporation text).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from exportguard.contracts.shipment import Party, Shipment
from exportguard.engine.context import ScreeningContext
from exportguard.items.classify import ItemClassification, classify_item
from exportguard.items.disguise import find_words
from exportguard.names.model import Match
from exportguard.policy.schema import Policy


@dataclass(frozen=True, slots=True)
class Hit:
    """One place of the shipment in one country group, and why."""

    where: str  # "route.destination", "route.transit[0]", "party[2]"
    group: str
    code: str  # country or region code
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"where": self.where, "group": self.group, "code": self.code, "reason": self.reason}


def party_label(index: int, party: Party) -> str:
    return f"party[{index}] {party.name!r} ({party.role.value})"


def country_hits(policy: Policy, where: str, code: str, groups: list[str]) -> list[Hit]:
    out: list[Hit] = []
    for g in groups:
        group = policy.country_groups.get(g)
        if group is None:
            continue
        if code in group.countries:
            out.append(Hit(where, g, code, f"{where} is {code}"))
    return out


def party_hits(policy: Policy, index: int, party: Party, groups: list[str]) -> list[Hit]:
    where = f"party[{index}]"
    out = country_hits(policy, where, party.country_code, groups)
    if party.incorporated and len(party.incorporated.strip()) == 2:
        inc = party.incorporated.strip().upper()
        out += [Hit(h.where, h.group, h.code, f"{where} is incorporated in {inc}")
                for h in country_hits(policy, where, inc, groups)]
    text = " ".join(t for t in (party.address, party.incorporated) if t)
    for g in groups:
        group = policy.country_groups.get(g)
        if group is None:
            continue
        for region in group.regions:
            code = region.codes[0] if region.codes else region.country
            if party.country in region.codes:
                out.append(Hit(where, g, party.country,
                               f"{where} country {party.country} is {region.name}"))
                continue
            words = find_words(text, region.all_names()) if text else []
            if words:
                out.append(Hit(where, g, code,
                               f"{where} address mentions {', '.join(repr(w) for w in words)} "
                               f"({region.name})"))
    return _dedupe(out)


def _dedupe(hits: list[Hit]) -> list[Hit]:
    seen: set[tuple[str, str, str, str]] = set()
    out: list[Hit] = []
    for h in hits:
        key = (h.where, h.group, h.code, h.reason)
        if key not in seen:
            seen.add(key)
            out.append(h)
    return out


@dataclass
class Facts:
    shipment: Shipment
    ctx: ScreeningContext
    matches: list[list[Match]]  # per party, best first
    match_problems: dict[int, str] = field(default_factory=dict)  # party index → why unscreened
    # several rules ask where the shipment touches the same groups: answered once
    _hits: dict[tuple[Any, ...], list[Hit]] = field(default_factory=dict, repr=False)

    @property
    def policy(self) -> Policy:
        return self.ctx.policy

    @cached_property
    def items(self) -> list[ItemClassification]:
        return [classify_item(item, self.policy, i) for i, item in enumerate(self.shipment.items)]

    def hits(
        self,
        groups: list[str],
        *,
        destination: bool = True,
        final_destination: bool = True,
        transit: bool = False,
        parties: bool = True,
    ) -> list[Hit]:
        """Where the shipment touches ``groups``, in a stable order."""
        key = (tuple(groups), destination, final_destination, transit, parties)
        known = self._hits.get(key)
        if known is None:
            known = self._hits[key] = self._find_hits(
                groups, destination=destination, final_destination=final_destination,
                transit=transit, parties=parties)
        return list(known)

    def _find_hits(self, groups: list[str], *, destination: bool, final_destination: bool,
                   transit: bool, parties: bool) -> list[Hit]:
        route = self.shipment.route
        out: list[Hit] = []
        if destination:
            out += country_hits(self.policy, "route.destination", route.destination, groups)
        if final_destination and route.final_destination:
            out += country_hits(self.policy, "route.final_destination",
                                route.final_destination, groups)
        if transit:
            for i, code in enumerate(route.transit):
                out += country_hits(self.policy, f"route.transit[{i}]", code, groups)
        if parties:
            for i, party in enumerate(self.shipment.parties):
                out += party_hits(self.policy, i, party, groups)
        return _dedupe(out)

    def group_titles(self, hits: list[Hit]) -> str:
        names: list[str] = []
        for h in hits:
            group = self.policy.country_groups.get(h.group)
            title = (group.title if group and group.title else h.group)
            if title not in names:
                names.append(title)
        return "; ".join(names)


def describe_hits(hits: list[Hit], limit: int = 4) -> str:
    parts = [h.reason for h in hits[:limit]]
    if len(hits) > limit:
        parts.append(f"and {len(hits) - limit} more")
    return ", ".join(parts)


def item_evidence(cls: ItemClassification) -> dict[str, Any]:
    ev: dict[str, Any] = {"hs_code": cls.hs_code, "hs6": cls.hs6}
    if cls.hs_description:
        ev["hs_description"] = cls.hs_description
    if cls.control is not None:
        ev["control_code"] = cls.control.normalized
    return ev
