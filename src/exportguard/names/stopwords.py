"""Titles and honorifics from rigour's name prefixes, stripped from the start of names.

For people every title is removed (rigour's ``PERSON_NAME_PREFIXES``); when the
type is unknown only titles that are not also ordinary words of organisation
names ("General", "President", "Director" ...) are removed; organisations lose
only a leading article, vessels their prefixes (``MV``, ``M/V``, ``MT``, ``SS``,
``The``: rigour's ``OBJ_NAME_PREFIXES``).
"""

from __future__ import annotations

from functools import lru_cache

from rigour._core import (
    obj_name_prefixes_list,
    org_name_prefixes_list,
    person_name_prefixes_list,
)

from exportguard.names.text import normalize


def _words(text: str) -> list[str]:
    return text.split()


_AMBIGUOUS_TITLES = frozenset(_words(
    "general president director chair chairman chairwoman private captain admiral commodore "
    "lord lady count queen emperor empress brigadier colonel ambassador the"
))


def _norm_all(items: list[str]) -> frozenset[tuple[str, ...]]:
    return frozenset(t for t in (tuple(normalize(str(i)).split()) for i in items) if t)


@lru_cache(maxsize=1)
def _tables() -> dict[str, frozenset[tuple[str, ...]]]:
    person = _norm_all(person_name_prefixes_list())
    safe = frozenset(t for t in person if not (set(t) & _AMBIGUOUS_TITLES))
    return {
        "person": person,
        "any": safe,
        "organization": _norm_all(org_name_prefixes_list()) & {("the",)},
        "vessel": _norm_all(obj_name_prefixes_list()),
    }


def strip_titles(tokens: tuple[str, ...], kind: str) -> tuple[str, ...]:
    """Remove leading titles (longest first), but never every token."""
    table = _tables().get(kind if kind in ("person", "organization", "vessel") else "any")
    if not table:
        return tokens
    changed = True
    while changed and len(tokens) > 1:
        changed = False
        for size in range(min(4, len(tokens) - 1), 0, -1):
            if tokens[:size] in table:
                tokens = tokens[size:]
                changed = True
                break
    return tokens
