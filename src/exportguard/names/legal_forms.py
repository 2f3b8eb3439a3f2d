"""Legal forms of organisations (OOO, LLC, GmbH, АО, 有限公司 ...) from ``org_types.yml``.

Each alias is normalised with the same pipeline as names and mapped to one
generic form (``llc``, ``jsc``, ...), so "OOO X", "X LLC" and "Limited
Liability Company X" all become name tokens ``x`` plus legal form ``llc``.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml
from rapidfuzz.distance import OSA


def _words(text: str) -> list[str]:
    return text.split()


MAX_PHRASE = 8
# Aliases that are also ordinary name tokens (or too short to be safe on their own).
_AMBIGUOUS = frozenset(_words(
    "in se ll lt ek eg ev ku ro od pr ed et gp gu dp nc sd up kd nuo sa i e jp cooperation "
    "charity partnership foundation union"
))
# A few forms common in list data that the reference file lacks.
_EXTRA = {
    "llc": "llc", "l l c": "llc", "ooo": "llc", "ltd": "llc", "co ltd": "llc",
    "company limited": "llc", "inc": "llc", "corp": "corp", "corporation": "corp",
    "co": "co", "company": "co", "plc": "jsc", "jsc": "jsc", "ojsc": "jsc", "cjsc": "jsc",
    "pjsc": "jsc", "pao": "jsc", "oao": "jsc", "zao": "jsc", "ao": "jsc",
    "joint stock company": "jsc", "open joint stock company": "jsc",
    "closed joint stock company": "jsc", "public joint stock company": "jsc",
    "gmbh": "llc", "fze": "llc", "fzco": "llc", "fzc": "llc", "sarl": "llc", "srl": "llc",
    "bv": "llc", "nv": "jsc", "ag": "jsc", "spa": "jsc", "sdn bhd": "llc", "bhd": "jsc",
    "pte ltd": "llc", "pvt ltd": "llc", "private limited": "llc", "pte": "llc", "pvt": "llc",
    "tov": "llc", "too": "llc", "fgup": "sue", "gup": "sue", "mup": "sue",
    # forms cut short in list data and in documents ("... LIMITED LIABILITY", the
    # last word lost to a field length)
    "limited liability": "llc", "joint stock": "jsc", "open joint stock": "jsc",
    "closed joint stock": "jsc", "public joint stock": "jsc",
}


def _norm(text: str) -> str:
    # local import: normalize imports this module
    from exportguard.names.normalize import normalize

    return normalize(text)


@lru_cache(maxsize=1)
def legal_form_table() -> dict[tuple[str, ...], str]:
    """Normalised alias token tuple -> generic (compare) form."""
    raw = resources.files("exportguard.data.reference").joinpath("org_types.yml").read_text(
        encoding="utf-8"
    )
    data = yaml.safe_load(raw) or {}
    table: dict[tuple[str, ...], str] = {}
    for entry in data.get("types", []):
        form = entry.get("generic") or entry.get("compare") or entry.get("display")
        if not form:
            continue
        generic = "".join(_norm(str(form)).split())
        if not generic:
            continue
        for alias in [*entry.get("aliases", []), entry.get("display"), entry.get("compare")]:
            if not alias:
                continue
            key = tuple(_norm(str(alias)).split())
            if not key or len(key) > MAX_PHRASE:
                continue
            if len(key) == 1 and (key[0] in _AMBIGUOUS or len(key[0]) < 2):
                continue
            table.setdefault(key, generic)
    for alias, generic in _EXTRA.items():
        table[tuple(alias.split())] = generic
    return table


# Words of long legal forms, so that a typo inside one ("Compnay", "Limitde") is still
# recognised; only tokens of 5+ letters, one edit away (transpositions count as one).
_FORM_WORDS = _words(
    "company limited liability joint stock corporation incorporated public private "
    "obshchestvo ogranichennoi ogranichennoy otvetstvennostyu otvetstvennostiu "
    "aktsionernoe aktsionernoye otkrytoe zakrytoe publichnoe"
)


@lru_cache(maxsize=50_000)
def _fix_form_word(token: str) -> str:
    if len(token) < 5 or token in _FORM_WORDS:
        return token
    for word in _FORM_WORDS:
        if abs(len(word) - len(token)) <= 1 and OSA.distance(token, word, score_cutoff=1) <= 1:
            return word
    return token


# Single words forgiven a typo, only as the last word after a name ("Eriner Limitde"):
# long enough that one edit does not turn a real name into them.
_SINGLE_FORM_WORDS = frozenset(_words("company limited corporation incorporated"))


def _lookup(
    table: dict[tuple[str, ...], str], key: tuple[str, ...], trailing: bool = False
) -> str | None:
    generic = table.get(key)
    if generic is None and 2 <= len(key) <= 4:  # single words: too easily a real name
        fixed = tuple(_fix_form_word(t) for t in key)
        if fixed != key:
            generic = table.get(fixed)
    elif generic is None and trailing and len(key) == 1 and len(key[0]) >= 6:
        fixed_word = _fix_form_word(key[0])
        if fixed_word in _SINGLE_FORM_WORDS:
            generic = table.get((fixed_word,))
    return generic


@lru_cache(maxsize=1)
def _max_len() -> int:
    return max(len(k) for k in legal_form_table())


def split_legal_forms(
    tokens: tuple[str, ...],
) -> tuple[tuple[str, ...], list[tuple[str, tuple[str, ...]]]]:
    """Split tokens into name tokens and ``[(generic, alias tokens), ...]``.

    Only leading and trailing legal forms are taken (longest alias first): a
    legal-form word inside a name ("Bank JP Trading") stays a name token. One
    typo inside a common legal-form word is forgiven ("Compnay" -> "company"), and in
    a lone last word after the name ("Eriner Limitde").
    """
    table = legal_form_table()
    longest = _max_len()
    found: list[tuple[str, tuple[str, ...]]] = []
    lo, hi = 0, len(tokens)
    progress = True
    while progress and lo < hi:
        progress = False
        for size in range(min(longest, hi - lo), 0, -1):
            # a lone trailing word may carry a typo only while name words remain before it
            generic = _lookup(table, tokens[hi - size : hi], trailing=hi - size > lo)
            if generic is not None:
                found.append((generic, tokens[hi - size : hi]))
                hi -= size
                progress = True
                break
    progress = True
    while progress and lo < hi:
        progress = False
        for size in range(min(longest, hi - lo), 0, -1):
            generic = _lookup(table, tokens[lo : lo + size])
            if generic is not None:
                found.append((generic, tokens[lo : lo + size]))
                lo += size
                progress = True
                break
    return tokens[lo:hi], found
