"""Name normalisation: any unicode name to lowercase ASCII tokens, then to a prepared name.

This module owns the pipeline; its parts are leaves that import nothing of it:

- :func:`normalize` (from :mod:`exportguard.names.text`, importable from here too)
  is the text level: NFKC, control characters and punctuation removed, case
  folded, accents stripped, every script transliterated to Latin (Chinese and
  Korean one token per syllable, so ``王杰`` -> ``wang jie``), dotted
  abbreviations joined (``L.L.C.`` -> ``llc``), apostrophes dropped (``O'Hare``
  -> ``ohare``), long input capped. It never raises on a ``str``, is idempotent
  and returns ``""`` when nothing is left.
- :func:`prepare` is the name level used by the scorer and the index: ``LAST,
  First`` reordered, leading titles and honorifics removed (all of them for
  people, only unambiguous ones when the type is unknown; :mod:`.stopwords`),
  legal forms (OOO, LLC, GmbH, 有限公司 ...) pulled out into their own token class
  with a generic form (:mod:`.legal_forms`), and each token given a weight class
  and phonetic keys. The titles and legal forms come from OpenSanctions' rigour.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from exportguard.names.abjad import abjad_keys, arabic_abjad_text, is_arabic_script
from exportguard.names.legal_forms import legal_form_hints, split_legal_forms
from exportguard.names.phonetic import phonetic_keys
from exportguard.names.stopwords import strip_titles
from exportguard.names.text import MAX_RAW_CHARS, normalize


def _words(text: str) -> list[str]:
    return text.split()


# Particles and connectives: kept, but they weigh little in a score.
PARTICLES = frozenset(_words(
    "al el ul bin ibn bint binti abu abd abdul abdel ben ben bat de da das dos do del della "
    "di du der den van von la le lo y e and und et of the for i"
))
# Words frequent in organisation names: they count, but less than distinctive words.
COMMON_ORG_WORDS = frozenset(_words(
    "company co corporation corp group holding holdings international intl trading trade "
    "industries industry industrial general national enterprise enterprises services "
    "service bank commercial development investment investments import export exports "
    "imports technology technologies tech engineering construction shipping logistics "
    "global limited llc ltd inc sa jsc factory plant center centre institute research "
    "production association organization organisation foundation ministry state federal "
    "republic science scientific equipment electronics systems system solutions products "
    "management partners partnership unit office branch department agency"
))

WEIGHT_NORMAL = 1.0
WEIGHT_COMMON = 0.5
WEIGHT_PARTICLE = 0.25
WEIGHT_INITIAL = 0.5


def token_weight(token: str) -> float:
    if not token.isalpha():
        return WEIGHT_NORMAL  # numbers (vessel 1 / vessel 2, unit 26165) are distinctive
    if token in PARTICLES:
        return WEIGHT_PARTICLE
    if len(token) == 1:
        return WEIGHT_INITIAL
    if token in COMMON_ORG_WORDS:
        return WEIGHT_COMMON
    return WEIGHT_NORMAL


@dataclass(frozen=True, slots=True)
class PreparedName:
    """A name ready for scoring: name tokens and legal forms kept apart."""

    original: str
    text: str  # normalised full text (all tokens, legal forms included)
    tokens: tuple[str, ...]  # name tokens, legal forms and titles removed
    legal: tuple[str, ...]  # generic legal forms found, e.g. ("llc",)
    legal_raw: tuple[str, ...]  # the legal-form tokens as written (normalised)
    weights: tuple[float, ...]
    keys: tuple[tuple[str, str], ...]  # per token (metaphone, consonant skeleton)
    joined: str  # all tokens in order without spaces, for glued/split words
    # consonant keys per name part (see abjad.py), used only against Arabic-script names
    abjad: tuple[str, ...] = ()
    arabic: bool = False  # the name is written in Arabic script
    kind: str = "any"  # person, organization, vessel, aircraft or any, as prepared

    @property
    def empty(self) -> bool:
        return not self.tokens


def _reorder_last_first(raw: str) -> str:
    """``SMITH, John`` -> ``John SMITH`` when the shape is clearly a person's name."""
    if raw.count(",") != 1:
        return raw
    last, first = (p.strip() for p in raw.split(","))
    if not last or not first:
        return raw
    if len(last.split()) > 3 or len(first.split()) > 4:
        return raw
    if re.search(r"\b(and|&|und|et)\b", raw, re.IGNORECASE):
        return raw
    return f"{first} {last}"


@lru_cache(maxsize=50_000)
def prepare(name: str, kind: str = "any") -> PreparedName:
    """Prepare a name; ``kind`` is ``person``, ``organization``, ``vessel``, ... or ``any``.

    Never raises on a ``str``; check :attr:`PreparedName.empty` (the public API
    turns an empty name into a ``ValueError``).
    """
    raw = name[:MAX_RAW_CHARS]
    text = normalize(raw)
    tokens = tuple(text.split())
    hints = None  # the legal forms rigour finds in the name as written
    split = None
    if kind in ("person", "any", "unknown"):
        reordered = _reorder_last_first(raw)
        if reordered != raw:  # "LAST, First" is a person's name unless it has a legal form
            hints = legal_form_hints(raw, text)
            split = (tokens, split_legal_forms(tokens, hints))
            if not split[1][1]:
                raw, text = reordered, normalize(reordered)
                tokens = tuple(text.split())
    arabic = not raw.isascii() and is_arabic_script(raw)
    if not arabic:  # Latin titles do not apply to transliterations ("عامر" is "mr")
        tokens = strip_titles(tokens, kind)
    legal: tuple[str, ...] = ()
    legal_raw: tuple[str, ...] = ()
    if kind != "person":
        if hints is None:
            hints = legal_form_hints(raw, text)
        # the same tokens as above (nothing reordered or stripped) split the same way
        name_tokens, legal_found = (
            split[1] if split is not None and split[0] == tokens
            else split_legal_forms(tokens, hints)
        )
        if name_tokens:
            legal = tuple(sorted({g for g, _ in legal_found}))
            legal_raw = tuple(t for _, raw_tokens in legal_found for t in raw_tokens)
            tokens = name_tokens
    return PreparedName(
        original=name,
        text=text,
        tokens=tokens,
        legal=legal,
        legal_raw=legal_raw,
        weights=tuple(token_weight(t) for t in tokens),
        keys=tuple(phonetic_keys(t) for t in tokens),
        joined="".join(tokens) + "".join(legal_raw),
        abjad=abjad_keys(tuple(normalize(arabic_abjad_text(raw)).split()) if arabic else tokens),
        arabic=arabic,
        kind=kind,
    )


def normalize_name(name: str, kind: str = "any") -> str:
    """The compare form of a name: prepared tokens, then the generic legal forms."""
    p = prepare(name, kind)
    return " ".join(p.tokens + p.legal)


def name_key(name: str) -> str:
    """A name's identity for exact bookkeeping (false-positive marks, licence holders).

    Case, accents, punctuation, script, titles, the spelling of legal forms and word
    order do not matter ("Lyon Textiles S.A.R.L." is "LYON TEXTILES SARL", "IVANOV,
    Ivan" is "Ivan Ivanov"); the words themselves do. No fuzziness: this is equality.
    """
    p = prepare(name, "any")
    if p.empty:
        return " ".join(name.casefold().split())
    return " ".join(sorted(p.tokens)) + ("|" + " ".join(p.legal) if p.legal else "")
