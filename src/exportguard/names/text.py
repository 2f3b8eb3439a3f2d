"""Text-level name normalisation: any unicode name to lowercase ASCII tokens.

:func:`normalize` does NFKC, removes control characters and punctuation, folds
case, strips accents, transliterates every script to Latin (Chinese and Korean
one token per syllable, so ``王杰`` -> ``wang jie``), joins dotted abbreviations
(``L.L.C.`` -> ``llc``), drops apostrophes (``O'Hare`` -> ``ohare``) and caps long
input. It never raises on a ``str``, is idempotent and returns ``""`` when
nothing is left.

A leaf: the name level (:mod:`exportguard.names.normalize`) and the reference
tables (:mod:`~exportguard.names.legal_forms`, :mod:`~exportguard.names.stopwords`)
build on it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

MAX_RAW_CHARS = 1000  # input beyond this is cut before any work is done
MAX_TOKENS = 24
MAX_TOKEN_CHARS = 40  # MAX_TOKENS * (MAX_TOKEN_CHARS + 1) < MAX_RAW_CHARS keeps it idempotent

# Dots inside abbreviations ("L.L.C.", "S.A.", "J.P.") vanish; other dots split words.
_ABBREV_DOT = re.compile(r"(?<![^\W\d_])([^\W\d_])\.(?=[^\W\d_](?:[.\s,]|$))")
_APOSTROPHES = frozenset("'`´‘’ʼʻʹ′ˈ")
_ASCII_NON_TOKEN = re.compile(r"[^a-z0-9]+")
# The Arabic article is written joined to its word; Latin spellings write "al-".
_ARABIC_ARTICLE = re.compile(r"(?<![\u0600-\u06FF])\u0627\u0644(?=[\u0600-\u06FF]{2})")


def is_syllabic(ch: str) -> bool:
    """Han ideographs and Hangul syllables: one syllable each, transliterated as its own token."""
    cp = ord(ch)
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2FA1F
        or 0xF900 <= cp <= 0xFAFF
        or 0xAC00 <= cp <= 0xD7AF
    )


# Lowercased ASCII text to tokens in one pass: apostrophes and controls vanish, other
# characters that are not letters or digits split.
_ASCII_TOKENS = str.maketrans({
    chr(c): None if chr(c) in "'`" or c < 0x20 or c == 0x7F
    else (chr(c) if chr(c).isalnum() else " ")
    for c in range(128)
})


def _finish(text: str) -> str:
    """Lowercase ASCII tokens of ``text`` (ASCII, apostrophes and controls already gone)."""
    tokens = _ASCII_NON_TOKEN.sub(" ", text.lower()).split()
    return _join(tokens)


def _join(tokens: list[str]) -> str:
    tokens = tokens[:MAX_TOKENS]
    if tokens and max(map(len, tokens)) > MAX_TOKEN_CHARS:
        tokens = [t[:MAX_TOKEN_CHARS] for t in tokens]
    return " ".join(tokens)


# caches are bounded so that bulk screening of millions of names keeps a flat memory
@lru_cache(maxsize=50_000)
def normalize(text: str) -> str:
    """Lowercase ASCII tokens separated by single spaces ("" when nothing is left)."""
    if not isinstance(text, str):
        raise TypeError(f"name must be a str, not {type(text).__name__}")
    text = unicodedata.normalize("NFKC", text[:MAX_RAW_CHARS])
    text = _ABBREV_DOT.sub(r"\1", text)
    if text.isascii():
        return _join(text.lower().translate(_ASCII_TOKENS).split())
    text = _ARABIC_ARTICLE.sub("al ", text)
    out: list[str] = []
    for ch in text:
        if ch.isascii():
            out.append(ch if ch not in "'`" else "")
            continue
        if ch in _APOSTROPHES:
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cf", "Co", "Cn"):
            continue  # controls, zero-width and unassigned characters vanish, not split
        if cat[0] in "LN" or cat in ("Mn", "Mc"):
            if is_syllabic(ch):
                out.append(" " + anyascii(ch) + " ")
            else:
                # anyascii writes soft/hard signs and glottal stops as apostrophes: drop them
                out.append(anyascii(ch).replace("'", "").replace("`", ""))
        else:
            out.append(" ")  # punctuation, symbols (emoji), separators, controls
    return _finish("".join(out))
