"""The Common High Priority List (CHPL, version of 23 February 2024): HS-6 codes in tiers.

Tiers 1 and 2 are integrated circuits and the electronics found in Russian
weapons on the battlefield; 3.A/3.B further electronics, bearings, aircraft
parts and navigation; 4.A/4.B manufacturing and test equipment and machine tools.
EU law carries the list as Annex XL of Regulation 833/2014.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from exportguard.data import data_path
from exportguard.items.hs import hs6

CHPL_VERSION = "2024-02-23"


@dataclass(frozen=True, slots=True)
class ChplEntry:
    hs6: str
    tier: str
    description: str


@lru_cache(maxsize=1)
def chpl_table() -> dict[str, ChplEntry]:
    out: dict[str, ChplEntry] = {}
    with data_path("reference", "chpl_2024-02.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            code = (row.get("hs6") or "").strip()
            if len(code) == 6 and code.isdigit():
                out[code] = ChplEntry(
                    hs6=code,
                    tier=(row.get("tier") or "").strip(),
                    description=(row.get("hs2022_description") or "").strip(),
                )
    return out


def chpl_entry(code: str) -> ChplEntry | None:
    """The CHPL entry of an HS code (first six digits), or None."""
    return chpl_table().get(hs6(code))


def chpl_tier(code: str) -> str | None:
    entry = chpl_entry(code)
    return entry.tier if entry else None


def all_tiers() -> list[str]:
    return sorted({e.tier for e in chpl_table().values()})
