"""The one internal entity model every list parser produces, and snapshot metadata.

A parser turns a publisher's file into :class:`Entity` objects plus a
:class:`ParseReport` (what was skipped or orphaned, and why). A loaded file
becomes a :class:`SnapshotMeta`: versioned, hashed and dated, so a decision can
name exactly which data it used.
"""

from __future__ import annotations

import builtins
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class EntityType(StrEnum):
    PERSON = "person"
    ORGANIZATION = "organization"
    VESSEL = "vessel"
    AIRCRAFT = "aircraft"
    UNKNOWN = "unknown"


@dataclass(slots=True)
class Identifier:
    type: str
    value: str
    country: str | None = None


@dataclass(slots=True)
class Entity:
    """One listed party.

    ``id`` is unique across all lists: ``"{list}:{source_id}"``. ``aliases`` are
    strong a.k.a. names; ``weak_aliases`` (OFAC/UN "low quality", f.k.a. kept
    separately) are names a reviewer should see but that alone are weak evidence.
    ``countries`` are ISO 3166 alpha-2 codes where the source country could be
    resolved; unresolved raw country strings stay in ``raw_countries``.
    """

    id: str
    list: str
    source_id: str
    type: EntityType
    name: str
    aliases: builtins.list[str] = field(default_factory=builtins.list)
    weak_aliases: builtins.list[str] = field(default_factory=builtins.list)
    countries: builtins.list[str] = field(default_factory=builtins.list)
    raw_countries: builtins.list[str] = field(default_factory=builtins.list)
    birth_dates: builtins.list[str] = field(default_factory=builtins.list)
    identifiers: builtins.list[Identifier] = field(default_factory=builtins.list)
    programs: builtins.list[str] = field(default_factory=builtins.list)
    addresses: builtins.list[str] = field(default_factory=builtins.list)
    source_list: str | None = None
    source_url: str | None = None
    remarks: str | None = None
    listed_on: str | None = None
    flags: builtins.list[str] = field(default_factory=builtins.list)

    def all_names(self) -> builtins.list[tuple[str, str]]:
        """``(kind, name)`` for every name: kind is primary, alias or weak_alias."""
        out: builtins.list[tuple[str, str]] = [("primary", self.name)]
        out += [("alias", a) for a in self.aliases]
        out += [("weak_alias", a) for a in self.weak_aliases]
        return out

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entity:
        data = dict(data)
        data["type"] = EntityType(data["type"])
        data["identifiers"] = [Identifier(**i) for i in data.get("identifiers", [])]
        return cls(**data)


@dataclass(slots=True)
class SkippedRecord:
    """A source record not turned into an entity (or an orphan row), with the reason."""

    where: str  # e.g. "row 1234", "ent_num 5678", "DATAID 42"
    reason: str


@dataclass(slots=True)
class ParseReport:
    entities: list[Entity]
    publication_date: str | None  # ISO date the publisher gives, if any
    skipped: list[SkippedRecord] = field(default_factory=builtins.list)
    orphans: list[SkippedRecord] = field(default_factory=builtins.list)
    warnings: list[str] = field(default_factory=builtins.list)


@dataclass(slots=True)
class SnapshotMeta:
    """Metadata of one loaded list version."""

    list_id: str
    title: str
    format: str
    version: str  # unique per list, sortable: "{publication_date}-{sha256[:12]}"
    publication_date: str | None
    loaded_at: str  # ISO 8601 UTC
    sha256: str  # of the source file(s) as published
    source: str  # file path(s) or URL it came from
    entity_count: int
    skipped_count: int = 0
    orphan_count: int = 0
    skipped_reasons: dict[str, int] = field(default_factory=dict)
    orphan_reasons: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=builtins.list)
    embedded: bool = False  # kept for snapshots written before lists stopped shipping
    licence: str = ""  # the publisher's terms (from the format, or the file's own)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SnapshotMeta:
        return cls(**data)
