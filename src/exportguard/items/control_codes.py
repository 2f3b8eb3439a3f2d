"""Control-list codes: Military List entries (``ML1``–``ML22``) and dual-use codes (``3A001.a.1``).

Military List codes follow the Wassenaar Munitions List / EU Common Military
List: ``ML`` and a category 1–22, with any sub-entry (``ML10.a``, ``ML4.b.2``).
Dual-use codes follow the Wassenaar / EU Annex I / US ECCN pattern: a category
digit 0–9, a product group letter A–E, three digits, then optional
sub-paragraphs (``3A001.a.1``). ``EAR99`` and ``NLR`` mean "not listed".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

DUAL_USE_CATEGORIES: dict[str, str] = {
    "0": "Nuclear materials, facilities and equipment",
    "1": "Special materials and related equipment",
    "2": "Materials processing",
    "3": "Electronics",
    "4": "Computers",
    "5": "Telecommunications and information security",
    "6": "Sensors and lasers",
    "7": "Navigation and avionics",
    "8": "Marine",
    "9": "Aerospace and propulsion",
}

DUAL_USE_GROUPS: dict[str, str] = {
    "A": "Systems, equipment and components",
    "B": "Test, inspection and production equipment",
    "C": "Materials",
    "D": "Software",
    "E": "Technology",
}

MILITARY_CATEGORIES: dict[int, str] = {
    1: "Smooth-bore weapons with a calibre of less than 20 mm, other arms and automatic weapons",
    2: "Smooth-bore weapons with a calibre of 20 mm or more, other weapons or armament",
    3: "Ammunition and fuze setting devices",
    4: "Bombs, torpedoes, rockets, missiles, other explosive devices and charges",
    5: "Fire control and related alerting and warning equipment",
    6: "Ground vehicles and components",
    7: "Chemical or biological toxic agents, riot control agents, radioactive materials",
    8: "Energetic materials and related substances",
    9: "Vessels of war, special naval equipment and accessories",
    10: "Aircraft, lighter-than-air vehicles, unmanned aerial vehicles, aero-engines",
    11: "Electronic equipment, spacecraft and components",
    12: "High velocity kinetic energy weapon systems",
    13: "Armoured or protective equipment, constructions and components",
    14: "Specialised equipment for military training or for simulating military scenarios",
    15: "Imaging or countermeasure equipment",
    16: "Forgings, castings and other unfinished products",
    17: "Miscellaneous equipment, materials and libraries",
    18: "Production equipment and components",
    19: "Directed energy weapon systems",
    20: "Cryogenic and superconductive equipment",
    21: "Software",
    22: "Technology",
}

# sub-entries: ".a", ".b.2", "a" (letters may follow directly; then separated parts).
# Unambiguous on purpose: linear time on any input.
_SUB = r"((?:[A-Z]+)?(?:[.\-][A-Z0-9]+)*)"
_ML = re.compile(rf"^ML(\d{{1,2}}){_SUB}$")
_DUAL = re.compile(rf"^([0-9])([A-E])([0-9]{{3}}){_SUB}$")
NOT_LISTED = frozenset({"EAR99", "NLR", "NONE", "N/A", "NA", "NOT LISTED", "UNCONTROLLED"})


class ControlKind(StrEnum):
    MILITARY = "military"
    DUAL_USE = "dual_use"
    NOT_LISTED = "not_listed"
    UNRECOGNISED = "unrecognised"


@dataclass(frozen=True, slots=True)
class ControlCode:
    raw: str
    normalized: str
    kind: ControlKind
    category: str | None = None  # "10" for ML10.a, "3" for 3A001
    group: str | None = None  # "A" for 3A001
    entry: str | None = None  # "ML10", "3A001"
    category_name: str | None = None
    group_name: str | None = None

    @property
    def controlled(self) -> bool:
        return self.kind in (ControlKind.MILITARY, ControlKind.DUAL_USE)


def normalize_code(code: str) -> str:
    """Upper-case, no spaces: ``ml 10.a`` → ``ML10.A`` (for matching only)."""
    return re.sub(r"\s+", "", code.strip().upper())


def parse_control_code(code: str) -> ControlCode:
    """Classify one control-list code; never raises."""
    raw = code
    text = code.strip().upper()
    if text in NOT_LISTED:
        return ControlCode(raw=raw, normalized=text, kind=ControlKind.NOT_LISTED)
    norm = normalize_code(code)
    m = _ML.match(norm)
    if m:
        cat = int(m.group(1))
        if 1 <= cat <= 22:
            return ControlCode(
                raw=raw,
                normalized=f"ML{cat}{m.group(2).lower()}",
                kind=ControlKind.MILITARY,
                category=str(cat),
                entry=f"ML{cat}",
                category_name=MILITARY_CATEGORIES[cat],
            )
        return ControlCode(raw=raw, normalized=norm, kind=ControlKind.UNRECOGNISED)
    m = _DUAL.match(norm)
    if m:
        digit, group = m.group(1), m.group(2)
        return ControlCode(
            raw=raw,
            normalized=f"{digit}{group}{m.group(3)}{m.group(4).lower()}",
            kind=ControlKind.DUAL_USE,
            category=digit,
            group=group,
            entry=f"{digit}{group}{m.group(3)}",
            category_name=DUAL_USE_CATEGORIES[digit],
            group_name=DUAL_USE_GROUPS[group],
        )
    return ControlCode(raw=raw, normalized=norm, kind=ControlKind.UNRECOGNISED)
