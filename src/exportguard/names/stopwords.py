"""Titles and honorifics from ``stopwords.yml``, stripped from the start of names.

For people every title is removed; when the type is unknown only titles that
are not also ordinary words of organisation names ("General", "President",
"Director" ...) are removed; organisations and vessels lose only a leading
article (and ``MV``/``M/V`` for vessels).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml


def _words(text: str) -> list[str]:
    return text.split()


_AMBIGUOUS_TITLES = frozenset(_words(
    "general president director chair chairman chairwoman private captain admiral commodore "
    "lord lady count queen emperor empress brigadier colonel ambassador the"
))


def _norm(text: str) -> str:
    from exportguard.names.normalize import normalize

    return normalize(text)


@lru_cache(maxsize=1)
def _tables() -> dict[str, frozenset[tuple[str, ...]]]:
    raw = resources.files("exportguard.data.reference").joinpath("stopwords.yml").read_text(
        encoding="utf-8"
    )
    data = yaml.safe_load(raw) or {}

    def norm_all(items: list[str]) -> frozenset[tuple[str, ...]]:
        return frozenset(t for t in (tuple(_norm(str(i)).split()) for i in items or []) if t)

    person = norm_all(data.get("PERSON_NAME_PREFIXES", []))
    safe = frozenset(t for t in person if not (set(t) & _AMBIGUOUS_TITLES))
    return {
        "person": person,
        "any": safe,
        "organization": norm_all(data.get("ORG_NAME_PREFIXES", [])) & {("the",)},
        "vessel": norm_all(data.get("OBJ_NAME_PREFIXES", [])),
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
