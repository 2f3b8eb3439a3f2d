"""Phonetic keys for name tokens: Metaphone and a consonant skeleton.

The skeleton (consonants only, common digraphs folded, doubles collapsed) is
what survives transliteration from scripts that do not write vowels: Arabic
``فيصل صديقي`` transliterates to ``fysl sdyqy``, whose skeletons ``fsl sdk``
equal those of ``faisal siddiqui``.
"""

from __future__ import annotations

import re
from functools import lru_cache

import jellyfish

_DIGRAPHS = (
    ("sch", "s"), ("tch", "c"), ("ph", "f"), ("kh", "k"), ("gh", "g"), ("sh", "s"), ("ch", "c"),
    ("th", "t"), ("dh", "d"), ("zh", "j"), ("ck", "k"), ("dj", "j"), ("dz", "z"), ("ts", "c"),
    ("tz", "c"), ("ks", "x"),
)
_FOLD = str.maketrans({"q": "k", "c": "k", "z": "s", "w": "v", "x": "k", "j": "j"})
_DROP = re.compile(r"[aeiouyh]")
_DOUBLE = re.compile(r"(.)\1+")


@lru_cache(maxsize=100_000)
def skeleton(token: str) -> str:
    if any(ch.isdigit() for ch in token):
        return token
    s = token
    for a, b in _DIGRAPHS:
        s = s.replace(a, b)
    s = _DROP.sub("", s.translate(_FOLD))
    return _DOUBLE.sub(r"\1", s)


@lru_cache(maxsize=100_000)
def phonetic_keys(token: str) -> tuple[str, str]:
    """``(metaphone, skeleton)``; empty strings where a key would be meaningless."""
    if len(token) < 3 or not token.isalpha():
        return ("", "")
    meta = jellyfish.metaphone(token)
    skel = skeleton(token)
    return (meta if len(meta) >= 2 else "", skel if len(skel) >= 2 else "")
