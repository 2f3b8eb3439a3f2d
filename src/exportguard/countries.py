"""Resolve country names and codes to ISO 3166-1 alpha-2.

Sources, in order of precedence (see ``docs/reference-data.md``):

1. ``_EXTRA``: our own variants seen in the sanctions lists that the packages
   below do not resolve ("Crimea region of Ukraine", "Korea (DPRK)", ...);
2. ``pycountry``: ISO 3166-1 alpha-2/alpha-3/numeric codes, ISO short, official
   and common names, and their translations in the other five UN languages
   (French, Spanish, Russian, Chinese, Arabic) from pycountry's iso-codes locales;
3. ``countrynames``: names in many languages and scripts ("Россия",
   "КИРГИЗИЯ"), exact matches only (``fuzzy=False``: we never guess).

Kosovo (``XK``) is not in ISO 3166-1 but is a code the lists use; it is known too.
Keys are compared case-, accent- and punctuation-insensitively. Lookup tables
are built once; :func:`resolve_country` is cached.

>>> resolve_country("Iran (Islamic Republic of)")
'IR'
>>> resolve_country("Korea, North")
'KP'
>>> resolve_country("643"), resolve_country("040"), resolve_country("40")
('RU', 'AT', None)
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

import countrynames
import pycountry
from countrynames.util import normalize_name

# Our own table of list variants (OFAC, UN, OFSI, BIS, CSL) that neither pycountry
# nor countrynames resolves (source: the list files we parse; measured by
# removing each entry and resolving it again). Regions (Crimea, Donetsk, ...)
# resolve to the country they belong to under ISO 3166; the policy layer
# decides what a region means.
_EXTRA: dict[str, str] = {
    "俄罗斯联邦": "RU",  # UN official Chinese name (the UN list is published in Chinese too)
    "korea dprk": "KP",
    "congo democratic republic": "CD",
    "u s a": "US",
    "u a e": "AE",
    "china hong kong": "HK",
    "crimea region of ukraine": "UA",
    "crimea ukraine": "UA",
    "sevastopol": "UA",
    "so called donetsk people s republic": "UA",
    "so called luhansk people s republic": "UA",
    "gaza": "PS",
    "occupied palestinian territories": "PS",
    "region kurdistan iraq": "IQ",
    "kurdistan region iraq": "IQ",
}

# Names of more than one country that stay unresolved, for a person to read
# (countrynames reads "Korea" as KR; it may be KP). Names that pycountry gives
# to two countries ("Saint Martin": MF, SX) are added when the tables are built.
_AMBIGUOUS: frozenset[str] = frozenset({"korea"})

# countrynames codes of former countries, mapped as our variants table always
# did ("USSR" → RU, "Yugoslavia" / "Serbia and Montenegro" → RS,
# "Netherlands Antilles" → CW). Other former countries stay unknown.
_SUCCESSOR: dict[str, str] = {"SUHH": "RU", "YUCS": "RS", "CSXX": "RS", "AN": "CW"}

# English display names where pycountry has only the inverted ISO form.
_DISPLAY: dict[str, str] = {
    "RU": "Russia",
    "CD": "Democratic Republic of the Congo",
    "PS": "Palestine",
    "FM": "Micronesia",
    "VA": "Vatican City",
    "BN": "Brunei",
    "VG": "British Virgin Islands",
    "VI": "U.S. Virgin Islands",
    "XK": "Kosovo",
}

# The other five UN languages, as pycountry's iso-codes locales name them.
_UN_LOCALES = ("fr", "es", "ru", "zh_CN", "ar")

_PUNCT = re.compile(r"[\W_]+", re.UNICODE)
_ARTICLES = frozenset({"the", "l", "la", "le", "les", "el", "los", "las"})  # as keys


def _key(text: str) -> str:
    """Case-, accent- and punctuation-insensitive lookup key."""
    if text.isascii():
        return _PUNCT.sub(" ", text.lower()).strip()
    text = unicodedata.normalize("NFKD", text.replace("’", "'"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _PUNCT.sub(" ", text.casefold()).strip()


def _variants(name: str) -> list[str]:
    """A name plus its forms with a trailing ``(X)`` moved/dropped and ``X, Y`` turned round.

    ("Russie, Fédération de" → "Fédération de Russie", "Virgin Islands, British"
    → "British Virgin Islands").
    """
    out = [name]
    if name.count(",") == 1:
        head, tail = name.split(",")
        out.append(f"{tail.strip()} {head.strip()}")
    m = re.fullmatch(r"(.*?)\s*\((.*)\)\s*", name)
    if m:
        base, inner = m.group(1), m.group(2)
        if _key(inner) not in _ARTICLES:
            out.append(f"{inner} {base}")
        out.append(base)
    return out


class _Tables(NamedTuple):
    by_key: dict[str, str]  # name key -> alpha-2
    alpha3: dict[str, str]  # alpha-3 -> alpha-2
    numeric: dict[str, str]  # three-digit ISO numeric -> alpha-2
    names: dict[str, str]  # alpha-2 -> English display name
    ambiguous: frozenset[str]  # name keys of more than one country: never resolved


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    by_key: dict[str, str] = {}
    alpha3: dict[str, str] = {}
    numeric: dict[str, str] = {}
    names: dict[str, str] = {}
    english: list[tuple[str, list[str]]] = []
    for c in pycountry.countries:
        a2 = c.alpha_2
        alpha3[c.alpha_3] = a2
        numeric[c.numeric] = a2
        common = getattr(c, "common_name", None)
        names[a2] = _DISPLAY.get(a2) or common or c.name
        english.append((a2, [n for n in (c.name, getattr(c, "official_name", None), common) if n]))
    translations = [
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
        for lang in _UN_LOCALES
    ]
    ambiguous = set(_AMBIGUOUS)
    for tr in [None, *translations]:
        for a2, english_names in english:
            for name in english_names:
                for variant in _variants(tr.gettext(name) if tr else name):
                    k = _key(variant)
                    if k and by_key.setdefault(k, a2) != a2:
                        ambiguous.add(k)  # "Saint Martin": MF or SX
    names["XK"] = _DISPLAY["XK"]
    by_key.setdefault("kosovo", "XK")
    for k in ambiguous:
        by_key.pop(k, None)
    for k, a2 in _EXTRA.items():
        by_key[_key(k)] = a2
        ambiguous.discard(_key(k))
    return _Tables(by_key, alpha3, numeric, names, frozenset(ambiguous))


@lru_cache(maxsize=1)
def alpha2_codes() -> frozenset[str]:
    """Every alpha-2 code we know: ISO 3166-1 (pycountry) plus XK (Kosovo)."""
    return frozenset(_tables().names)


def is_alpha2(code: str) -> bool:
    """True if ``code`` (any case) is an ISO 3166-1 alpha-2 code we know (plus XK, Kosovo)."""
    return isinstance(code, str) and code.strip().upper() in _tables().names


def country_name(alpha2: str) -> str:
    """English display name of an alpha-2 code; the code itself if unknown."""
    return _tables().names.get(alpha2.strip().upper(), alpha2)


@lru_cache(maxsize=1)
def _countrynames_index() -> tuple[dict[str, str], frozenset[str]] | None:
    """countrynames' own table (normalised name -> code) and its set of codes.

    ``countrynames.to_code`` tests ``name in COUNTRY_NAMES.values()`` (a scan
    of ~23,000 entries, about 0.1 ms) for every new string and caches every
    string it sees without bound; per record in bulk screening that is too
    slow and grows forever. We read the same table it fills and do the same
    two exact look-ups. ``None`` (use ``to_code`` itself) if a countrynames
    release no longer exposes it.
    """
    countrynames.to_code("")  # loads COUNTRY_NAMES
    table = getattr(countrynames, "COUNTRY_NAMES", None)
    if not isinstance(table, dict) or not table:
        return None
    return table, frozenset(table.values())


_CN_DELETES = re.compile(r"[$^`]")


def _countrynames_key(text: str, key: str) -> str:
    """countrynames' key for ``text`` (``normalize_name``: lower case, latinised,
    punctuation to spaces). For ASCII text without the symbols it deletes
    (``$^```) that is our own ``key``, at a fraction of the cost
    (tests/test_lists_countries.py checks the two agree)."""
    if text.isascii() and not _CN_DELETES.search(text):
        return key
    return normalize_name(text) or ""


def _from_countrynames(text: str, key: str) -> str | None:
    """countrynames' exact (never fuzzy) answer, reduced to an alpha-2 code we know.

    Its sub-national codes (``UA-CRI``, ``GB-SCT``, ``CY-TRNC``) resolve to the
    country under ISO 3166 (as the regions in ``_EXTRA`` do); its other
    non-ISO codes (``ZZ``, ``EU``, ``UN``, ``FAIL``, ``X-SO``, ``DD``, ...) are
    unknown.
    """
    index = _countrynames_index()
    code: str | None
    if index is None:
        code = countrynames.to_code(text, fuzzy=False)
    else:
        table, codes = index
        upper = text.upper().strip()
        code = upper if upper in codes else table.get(_countrynames_key(text, key))
    if not code:
        return None
    names = _tables().names
    if code in names:
        return code
    if code in _SUCCESSOR:
        return _SUCCESSOR[code]
    head = code.split("-", 1)[0]
    return head if "-" in code and head in names else None


_QUALIFIED = re.compile(r"(.*?)\s*[(（](.*)[)）]\s*")


def _exact(text: str) -> str | None:
    k = _key(text)
    if not k or k in _tables().ambiguous:
        return None
    return _tables().by_key.get(k) or _from_countrynames(text, k)


@lru_cache(maxsize=16384)
def _by_name(text: str) -> str | None:
    """Exact name lookup, also with a leading or bracketed article dropped
    ("the Bahamas", "Afghanistan (l')"), "Base (Qualifier)" read as
    "Qualifier Base" ("Venezuela (Bolivarian Republic of)", "圣马丁（法属）")
    and "Republic of X" as "X". The base alone is never tried: "Congo
    (Democratic Republic of the)" is not CG.
    """
    found = _exact(text)
    if found:
        return found
    m = _QUALIFIED.fullmatch(text)
    if m and m.group(1) and m.group(2):
        base, inner = m.group(1), m.group(2)
        if _key(inner) in _ARTICLES:
            return _by_name(base)
        return _by_name(f"{inner} {base}") or _exact(f"{inner}{base}")
    k = _key(text)
    first, _, rest = k.partition(" ")
    if first in _ARTICLES and rest:
        return _by_name(rest)
    if k.startswith("republic of "):
        return _exact(k[len("republic of "):])
    return None


@lru_cache(maxsize=8192)
def resolve_country(text: str | None) -> str | None:
    """Alpha-2 code for a country name, alpha-2, alpha-3 or numeric code; ``None`` if unknown.

    Two- and three-letter inputs are read as codes only when written in upper
    case or when they match no name ("uk" → GB as a name). Numeric codes must
    have their three ISO digits ("040" → AT): "40" is None, since a shortened
    number is as likely a dialling code (40 is Romania's) as ISO numeric 040.
    """
    if not text:
        return None
    raw = text.strip().strip(".;,")
    if not raw:
        return None
    tables = _tables()
    if raw.isdigit():
        return tables.numeric.get(raw) if len(raw) == 3 and raw.isascii() else None
    upper = raw.upper()
    if len(raw) == 2 and upper in tables.names and (raw.isupper() or not _by_name(raw)):
        return upper
    if len(raw) == 3 and upper in tables.alpha3 and (raw.isupper() or not _by_name(raw)):
        return tables.alpha3[upper]
    found = _by_name(raw)
    if found:
        return found
    if ":" in raw and raw.split(":", 1)[0].strip().lower() == "region":
        return resolve_country(raw.split(":", 1)[1])
    if "," in raw:
        # "Man, Isle of" / "North Macedonia, The Republic of" → "Isle of Man" / ...
        # (the ISO-style inverted forms: pycountry's names and our variants only)
        head, tail = raw.rsplit(",", 1)
        k = _key(f"{tail} {head}")
        for _ in range(3):
            if k in tables.by_key:
                return tables.by_key[k]
            first, _sp, rest = k.partition(" ")
            if first in _ARTICLES:
                k = rest
            elif k.startswith("republic of "):
                k = k[len("republic of "):]
            else:
                break
        # ... and "Tehran, Iran": the last comma part
        return _by_name(tail)
    return None
