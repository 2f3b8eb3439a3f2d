"""Consonant skeletons for matching Arabic-script names against their Latin spellings.

Arabic (and Persian, Urdu, Pashto) is written without short vowels, so
``علي حسن المجيد`` transliterates letter by letter to ``ly hsn al mjyd`` while
the lists spell it ``Ali Hassan al-Majid``. What both forms share is the
consonants. :func:`abjad_keys` maps a tokenised name (already transliterated
to ASCII by :func:`exportguard.names.normalize.normalize`, which writes each
Arabic letter as its usual romanisation: ث th, خ kh, ذ/ظ dh, ش sh, غ gh, ع
nothing, ة h) to one key per name part, after the equivalences of Arabic-name
romanisation:

- digraphs ``kh gh sh ch th dh ph`` and ``dj``/``tch`` are one letter each (``gh`` is
  folded with ``q``/``k``: Persian spells ق ``gh``, as in ``Sadegh``);
- letters that one Arabic letter is spelt with are folded: ``q c k kh x``
  (ق ك خ), ``dh z d`` (ذ ض ظ ز, spelt d, dh or z; Persian reads them all z),
  ``th t`` (ت ط ث), ``sh ch s`` (س ص ش; French spellings write ش as ch),
  ``ph f``, ``p b``, ``g j dj`` (ج);
- vowels, ``w``/``y``/``v`` except word-initially (elsewhere they are long
  vowels as often as consonants; initial ``v`` is Persian و, read ``w``),
  ``h`` (ح ه ة; Latin spellings drop it freely) and ع/ء are dropped (in Arabic script
  they are replaced by a vowel before transliteration, see
  :func:`arabic_abjad_text`); doubled letters are collapsed (shadda is not written);
- the article and connectives (``al``, ``el``, ``ul``, ``bin``, ``ibn``,
  ``ben``, ``bint``, ``ould`` ...) are dropped; ``abd``/``abdul``/``abdel``
  (and the transliterated ``bd``) and ``abu`` are joined to the next name
  part, and ``din``/``allah`` are joined to the previous one, so ``Abd
  al-Rahman``, ``Abdul Rahman``, ``Abdurrahman`` and ``عبد الرحمن`` all give
  ``bdrmn`` and ``Salah al-Din``, ``Salahuddin`` and ``صلاح الدين`` ``sldn``.

These keys are lossy on purpose; the scorer uses them only when exactly one of
the two names is written in Arabic script, so Latin-vs-Latin matching is not
affected.
"""

from __future__ import annotations

import re
from functools import lru_cache

_DIGRAPHS = (
    ("tch", "s"), ("dj", "j"), ("kh", "k"), ("gh", "k"), ("sh", "s"), ("ch", "s"),
    ("th", "t"), ("dh", "z"), ("ph", "f"),
)
_FOLD = str.maketrans({"q": "k", "c": "k", "x": "k", "g": "j", "p": "b"})
_FOLD_DZ = str.maketrans({"z": "d"})
_DROP = re.compile(r"(?!^)[ywv]|[aeiouh]")
_DOUBLE = re.compile(r"(.)\1+")

def _words(text: str) -> list[str]:
    return text.split()


# the article and connectives between name parts
_DROPPED = frozenset(_words(
    "al el ul il ar as at ad an az ash bin ibn bn ben bint bnt binti ould wuld wld ld walad"
))
# joined to the next part: Abd al-X, Abdul X, Abu X (transliterated عبد is "bd", ابو "abw")
_JOIN_NEXT = frozenset(_words(
    "abd abdul abdel abdal abdol abdoul abdu abdur abdar abder abdas abdus bd abu abou abo "
    "aboo abw bw"
))
# joined to the previous part: X al-Din, X Allah
_JOIN_PREV = frozenset(_words("din deen dine dyn allah ullah ollah llh lh lah la"))


@lru_cache(maxsize=100_000)
def abjad_key(token: str) -> str:
    """Consonant skeleton of one ASCII token after Arabic-romanisation folding."""
    if not token.isalpha():
        return token
    s = token
    for a, b in _DIGRAPHS:
        s = s.replace(a, b)
    s = s.translate(_FOLD)
    if s[:1] == "v":
        s = "w" + s[1:]
    # ض is spelt d, dh or z (Persian reads ذ ض ظ ز all as z): d and z are one class,
    # folded last so that "zahid" keeps two consonants
    return _DOUBLE.sub(r"\1", _DROP.sub("", s)).translate(_FOLD_DZ)


def abjad_keys(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """One consonant key per name part (see the module docstring); ``()`` when none."""
    parts: list[str] = []
    join_next = False
    for tok in tokens:
        if tok in _DROPPED:
            continue
        if tok in _JOIN_NEXT:  # "abdul" is abd + the article: key "bd", "abu" "b"
            parts.append("bd" if "d" in tok else "b")
            join_next = True
            continue
        key = abjad_key(tok)
        if join_next and parts:
            parts[-1] += key
            join_next = False
        elif tok in _JOIN_PREV and parts:
            parts[-1] += key
        else:
            parts.append(key)
    return tuple(_DOUBLE.sub(r"\1", p) for p in parts if p)


# Before transliteration: letters whose romanisation is a vowel or an h (which the keys
# drop anyway) become "a", so that a transliterated "h" never forms a false digraph
# (زاده "zadh" is not z + dh) and ع starts a word like the vowel Latin writes for it.
_ARABIC_VOWELISH = str.maketrans({ch: "a" for ch in "حهةۃہھۀەعءأإآاىئؤ"})


_ARABIC_ARTICLE = re.compile(r"(?<![\u0600-\u06FF])\u0627\u0644(?=[\u0600-\u06FF]{2})")


def arabic_abjad_text(raw: str) -> str:
    """The Arabic-script name prepared for :func:`abjad_keys` after normalisation."""
    return _ARABIC_ARTICLE.sub("al ", raw).translate(_ARABIC_VOWELISH)


_ARABIC_RANGES = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF),
                  (0xFE70, 0xFEFF))


def is_arabic_script(text: str) -> bool:
    """True when most letters of ``text`` are Arabic-script letters."""
    arabic = other = 0
    for ch in text:
        if not ch.isalpha():
            continue
        cp = ord(ch)
        if any(lo <= cp <= hi for lo, hi in _ARABIC_RANGES):
            arabic += 1
        else:
            other += 1
    return arabic > other
