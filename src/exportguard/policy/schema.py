"""The policy model: the rules as data, validated strictly (unknown keys are errors).

A policy names its country groups (e.g. ``conflict``: RU, UA and occupied
regions by name; ``hubs``: transshipment countries), how items are classified
(military HS prefixes, CHPL tiers, spec thresholds, disguise words) and, per
rule, whether it is enabled, which groups it looks at and how severe its
finding is. The engine code is the same for every policy; see ``docs/policy.md``.
"""

from __future__ import annotations

import fnmatch
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from exportguard.contracts.decision import Severity
from exportguard.contracts.shipment import iso_alpha2_codes

# ---------------------------------------------------------------------------
# building blocks

ChplTier = Literal["1", "2", "3.A", "3.B", "4.A", "4.B"]
ItemClass = Literal["military", "chpl", "dual_use"]
_ALL_TIERS: tuple[ChplTier, ...] = ("1", "2", "3.A", "3.B", "4.A", "4.B")
_CLAUSE_CLASSES: tuple[ItemClass, ...] = ("military", "chpl")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _alpha2_list(values: list[str]) -> list[str]:
    out: list[str] = []
    codes = iso_alpha2_codes()
    for i, v in enumerate(values):
        code = v.strip().upper()
        if code not in codes:
            raise ValueError(f"item {i}: {v!r} is not an ISO 3166 alpha-2 country code")
        out.append(code)
    return out


class Region(_Strict):
    """A region named in addresses and country text (e.g. Crimea), with ISO 3166-2 codes."""

    name: str = Field(min_length=1)
    country: str = Field(min_length=2, max_length=2)
    codes: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)

    @field_validator("codes")
    @classmethod
    def _upper_codes(cls, v: list[str]) -> list[str]:
        return [c.strip().upper() for c in v]

    def all_names(self) -> list[str]:
        return [self.name, *self.aliases]


class CountryGroup(_Strict):
    title: str = ""
    source: str = ""
    countries: list[str] = Field(default_factory=list)
    regions: list[Region] = Field(default_factory=list)

    @field_validator("countries", mode="before")
    @classmethod
    def _yaml_booleans(cls, v: Any) -> Any:
        if isinstance(v, list):
            for i, item in enumerate(v):
                if isinstance(item, bool):
                    raise ValueError(
                        f"item {i}: YAML read a country code as {item} (write \"NO\" in quotes)"
                    )
        return v

    @field_validator("countries")
    @classmethod
    def _check_countries(cls, v: list[str]) -> list[str]:
        return _alpha2_list(v)


class SpecThreshold(_Strict):
    """A technical threshold on an item's ``specs`` (e.g. UAV engine power above 16 kW).

    It applies to an item whose HS code starts with one of ``hs_prefixes`` (if
    given) and whose description contains one of ``words`` (if given). The item's
    spec value is read from the first of ``spec_keys`` present; a string such as
    ``"20 kW"`` is read as its leading number, in ``unit``.
    """

    id: str = Field(min_length=1, pattern=r"^[a-z0-9_]+$")
    title: str = Field(min_length=1)
    spec_keys: list[str] = Field(min_length=1)
    unit: str = ""
    above: float | None = None
    at_least: float | None = None
    hs_prefixes: list[Annotated[str, Field(pattern=r"^\d{2}(\d{2}){0,2}$")]] = Field(
        default_factory=list
    )
    words: list[str] = Field(default_factory=list)
    source: str = ""

    def exceeded_by(self, value: float) -> bool:
        if self.above is not None and value > self.above:
            return True
        return self.at_least is not None and value >= self.at_least

    def limit_text(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        if self.above is not None:
            return f"above {self.above:g}{unit}"
        return f"{self.at_least:g}{unit} or more"


class ItemsConfig(_Strict):
    """How items are classified."""

    military_hs_prefixes: list[Annotated[str, Field(pattern=r"^\d{2}(\d{2}){0,2}$")]] = Field(
        default_factory=lambda: ["93", "3601", "3602", "3603", "3604", "8710", "890610"]
    )
    military_control_categories: list[Annotated[int, Field(ge=1, le=22)]] = Field(
        default_factory=lambda: list(range(1, 23))
    )
    dual_use_categories: list[Annotated[str, Field(pattern=r"^[0-9]$")]] = Field(
        default_factory=lambda: [str(i) for i in range(10)]
    )
    chpl_tiers: list[ChplTier] = Field(default_factory=lambda: list(_ALL_TIERS))
    spec_thresholds: list[SpecThreshold] = Field(default_factory=list)
    civilian_words: list[str] = Field(default_factory=list)
    military_words: list[str] = Field(default_factory=list)


# ---------------------------------------------------------------------------
# rules


class RuleBase(_Strict):
    enabled: bool = True


class MilitaryToConflict(RuleBase):
    severity: Severity = Severity.DENY
    groups: list[str] = Field(default_factory=lambda: ["conflict"])


class MilitaryExport(RuleBase):
    severity: Severity = Severity.LICENSE_REQUIRED


class DualUse(RuleBase):
    severity: Severity = Severity.LICENSE_REQUIRED


class DualUseToConflict(RuleBase):
    severity: Severity = Severity.HOLD
    groups: list[str] = Field(default_factory=lambda: ["conflict"])


class UnEmbargo(RuleBase):
    """Destinations under UN Security Council embargoes (none unless the policy names them).

    ``arms_groups``: a military item bound there gets ``severity_military``, a
    dual-use or CHPL item ``severity_controlled``. ``trade_groups`` (broad trade
    sanctions such as the DPRK's): any shipment bound there gets ``severity_trade``.
    """

    arms_groups: list[str] = Field(default_factory=list)
    trade_groups: list[str] = Field(default_factory=list)
    severity_military: Severity = Severity.DENY
    severity_controlled: Severity = Severity.HOLD
    severity_trade: Severity = Severity.HOLD


class ChplRouting(RuleBase):
    conflict_groups: list[str] = Field(default_factory=lambda: ["conflict"])
    hub_groups: list[str] = Field(default_factory=lambda: ["hubs"])
    severity_conflict: Severity = Severity.HOLD
    severity_hub: Severity = Severity.HOLD


class MatchLevel(_Strict):
    """Matches on ``lists`` (ids or glob patterns such as ``*``) with ``score >= min_score``."""

    lists: list[str] = Field(min_length=1)
    min_score: float = Field(default=0.0, ge=0.0, le=1.0)
    severity: Severity
    label: str = ""

    def applies(self, list_id: str, score: float) -> bool:
        return score >= self.min_score and any(fnmatch.fnmatchcase(list_id, p) for p in self.lists)


class SanctionsMatch(RuleBase):
    min_score: float | None = Field(
        default=None, ge=0.0, le=1.0, description="matcher threshold; null = its default"
    )
    limit: int = Field(default=5, ge=1, le=50)
    levels: list[MatchLevel] = Field(
        default_factory=lambda: [
            MatchLevel(lists=["un_sc"], min_score=0.95, severity=Severity.DENY,
                       label="strong UN Security Council match"),
            MatchLevel(lists=["*"], severity=Severity.HOLD, label="possible list match"),
        ]
    )


class ForwarderAsEndUser(RuleBase):
    severity: Severity = Severity.HOLD
    words: list[str] = Field(
        default_factory=lambda: [
            "cargo", "courier", "forwarder", "forwarding", "freight", "logistic",
            "logistics", "shipping", "express", "transport",
        ]
    )


class MissingEndUse(RuleBase):
    severity: Severity = Severity.HOLD
    min_length: int = Field(default=3, ge=1)


class Disguise(RuleBase):
    severity: Severity = Severity.HOLD


class SpecThresholds(RuleBase):
    severity: Severity = Severity.LICENSE_REQUIRED
    severity_to_risk: Severity = Severity.HOLD
    risk_groups: list[str] = Field(default_factory=lambda: ["conflict", "hubs"])


class ListFreshness(RuleBase):
    severity: Severity = Severity.HOLD
    max_age_days: int = Field(default=45, ge=1)


class ListAvailability(RuleBase):
    severity: Severity = Severity.HOLD


class UnknownHs(RuleBase):
    severity: Severity = Severity.HOLD


class UnrecognisedControlCode(RuleBase):
    severity: Severity = Severity.HOLD


class ReexportClause(RuleBase):
    """Require a declaration (e.g. EU Art. 12g "no re-export to Russia") for some goods."""

    enabled: bool = False
    severity: Severity = Severity.HOLD
    declaration: str = "no_re_export_russia"
    item_classes: list[ItemClass] = Field(default_factory=lambda: list(_CLAUSE_CLASSES))
    partner_groups: list[str] = Field(default_factory=lambda: ["partners"])
    title: str = "no re-export clause"


class DestinationFlags(RuleBase):
    severity: Severity = Severity.INFO
    groups: list[str] = Field(default_factory=lambda: ["conflict", "hubs"])


class LicenceCoverage(RuleBase):
    """How cited licences count (the licence register is a later hook)."""

    severity_not_found: Severity = Severity.HOLD


class Rules(_Strict):
    military_to_conflict: MilitaryToConflict = Field(default_factory=MilitaryToConflict)
    military_export: MilitaryExport = Field(default_factory=MilitaryExport)
    dual_use: DualUse = Field(default_factory=DualUse)
    dual_use_to_conflict: DualUseToConflict = Field(default_factory=DualUseToConflict)
    chpl_routing: ChplRouting = Field(default_factory=ChplRouting)
    un_embargo: UnEmbargo = Field(default_factory=UnEmbargo)
    sanctions_match: SanctionsMatch = Field(default_factory=SanctionsMatch)
    forwarder_as_end_user: ForwarderAsEndUser = Field(default_factory=ForwarderAsEndUser)
    missing_end_use: MissingEndUse = Field(default_factory=MissingEndUse)
    disguise: Disguise = Field(default_factory=Disguise)
    spec_thresholds: SpecThresholds = Field(default_factory=SpecThresholds)
    list_freshness: ListFreshness = Field(default_factory=ListFreshness)
    list_availability: ListAvailability = Field(default_factory=ListAvailability)
    unknown_hs: UnknownHs = Field(default_factory=UnknownHs)
    unrecognised_control_code: UnrecognisedControlCode = Field(
        default_factory=UnrecognisedControlCode
    )
    reexport_clause: ReexportClause = Field(default_factory=ReexportClause)
    destination_flags: DestinationFlags = Field(default_factory=DestinationFlags)
    licence_coverage: LicenceCoverage = Field(default_factory=LicenceCoverage)


# ---------------------------------------------------------------------------
# the policy


class Policy(_Strict):
    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.\-]+$")
    version: str = Field(min_length=1)
    title: str = ""
    description: str = ""
    country_groups: dict[str, CountryGroup] = Field(default_factory=dict)
    items: ItemsConfig = Field(default_factory=ItemsConfig)
    rules: Rules = Field(default_factory=Rules)

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, v: Any) -> Any:
        # YAML reads 1.0 as a float; a version is text.
        return str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v

    def reference_errors(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Group names that rules use but the policy does not define: ``(location, reason)``."""
        errors: list[tuple[tuple[str | int, ...], str]] = []
        known = set(self.country_groups)
        fields = {
            "military_to_conflict": ["groups"],
            "dual_use_to_conflict": ["groups"],
            "chpl_routing": ["conflict_groups", "hub_groups"],
            "un_embargo": ["arms_groups", "trade_groups"],
            "spec_thresholds": ["risk_groups"],
            "reexport_clause": ["partner_groups"],
            "destination_flags": ["groups"],
        }
        for rule_name, attrs in fields.items():
            rule = getattr(self.rules, rule_name)
            if not rule.enabled:
                continue
            for attr in attrs:
                for i, group in enumerate(getattr(rule, attr)):
                    if group not in known:
                        errors.append((
                            ("rules", rule_name, attr, i),
                            f"unknown country group {group!r} (defined: "
                            f"{', '.join(sorted(known)) or 'none'})",
                        ))
        for name, group in self.country_groups.items():
            for i, region in enumerate(group.regions):
                if region.country.upper() not in iso_alpha2_codes():
                    errors.append((
                        ("country_groups", name, "regions", i, "country"),
                        f"{region.country!r} is not an ISO 3166 alpha-2 country code",
                    ))
        return errors
