"""Descriptions that do not fit their codes: military goods declared as civilian, and back.

Two word lists: civilian wording ("spare parts", "agricultural", "toys",
"consumer", "household", ...) and military wording ("military", "missile",
"ammunition", "warhead", ...). Civilian wording on a military or CHPL HS code,
or military wording on a civilian code, is a mismatch; the result names the
words that caused it. Matching is on whole words (plural ``s`` allowed) and
skips negated wording ("non-military", "not for military use").

Words that the declared code's own official wording uses are not a mismatch:
"sporting shotguns" under HS 9303.20 ("Sporting, hunting or target-shooting
shotguns") or "optical appliances" under 9013.80 say what the code says.

The policy can add words (``disguise.civilian_words`` / ``military_words``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

CIVILIAN_WORDS: tuple[str, ...] = (
    "agricultural",
    "agriculture",
    "appliance",
    "children",
    "civil",
    "civilian",
    "consumer",
    "decorative",
    "domestic",
    "educational",
    "farm",
    "farming",
    "garden",
    "gift",
    "hobby",
    "home use",
    "household",
    "humanitarian",
    "kitchen",
    "kids",
    "personal use",
    "recreational",
    "souvenir",
    "spare part",
    "sport",
    "sporting",
    "toy",
)

MILITARY_WORDS: tuple[str,...] = (
    "ammo",
    "ammunition",
    "armor",
    "armored",
    "armour",
    "armoured",
    "army",
    "artillery",
    "ballistic",
    "battlefield",
    "bomb",
    "combat",
    "detonator",
    "explosive",
    "fire control",
    "firearm",
    "grenade",
    "gun sight",
    "kamikaze",
    "loitering munition",
    "machine gun",
    "military",
    "military grade",
    "military-grade",
    "missile",
    "mortar",
    "munition",
    "rifle",
    "rocket launcher",
    "sniper",
    "torpedo",
    "warhead",
    "warship",
    "weapon",
    "weaponry",
)

_NEGATION = re.compile(r"(?:\bnon[\s\-]?|\bnot\s+for\s+|\bnot\s+|\bno\s+)$")


@lru_cache(maxsize=64)
def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    alts = sorted({w.strip().lower() for w in words if w.strip()}, key=len, reverse=True)
    body = "|".join(re.escape(w).replace(r"\ ", r"[\s\-]+") for w in alts)
    return re.compile(rf"\b({body})(?:s|es)?\b", re.IGNORECASE)


def find_words(text: str, words: Iterable[str]) -> list[str]:
    """The words of ``words`` that occur in ``text`` (not negated), sorted, lower case."""
    pattern = _pattern(tuple(sorted(set(words))))
    found: set[str] = set()
    for m in pattern.finditer(text):
        before = text[max(0, m.start() - 12) : m.start()].lower()
        if _NEGATION.search(before):
            continue
        found.add(re.sub(r"[\s\-]+", " ", m.group(1).lower()))
    return sorted(found)


@dataclass(frozen=True, slots=True)
class DisguiseResult:
    kind: str  # "civilian_wording_on_controlled_code" | "military_wording_on_civilian_code"
    words: tuple[str, ...]
    code_class: str  # what the code says: "military", "chpl", "civilian"


def detect_disguise(
    description: str,
    *,
    military_code: bool,
    chpl_code: bool,
    civilian_words: Iterable[str] = CIVILIAN_WORDS,
    military_words: Iterable[str] = MILITARY_WORDS,
    code_wording: str = "",
) -> DisguiseResult | None:
    """A mismatch between ``description`` and what the HS/control code says, or None.

    ``code_wording`` is the official text of the declared code (subheading, heading,
    chapter): words it uses itself are not counted.
    """
    civilian_words = tuple(civilian_words)
    military_words = tuple(military_words)
    if military_code or chpl_code:
        official = set(find_words(code_wording, civilian_words)) if code_wording else set()
        words = [w for w in find_words(description, civilian_words) if w not in official]
        if words:
            return DisguiseResult(
                kind="civilian_wording_on_controlled_code",
                words=tuple(words),
                code_class="military" if military_code else "chpl",
            )
        return None
    official = set(find_words(code_wording, military_words)) if code_wording else set()
    words = [w for w in find_words(description, military_words) if w not in official]
    if words:
        return DisguiseResult(
            kind="military_wording_on_civilian_code", words=tuple(words), code_class="civilian"
        )
    return None
