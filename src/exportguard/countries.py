"""Resolve country names and codes to ISO 3166-1 alpha-2.

The table comes from ``data/reference/country-codes.csv`` (ISO alpha-2/3,
official names in the six UN languages, UNTERM short/formal names, CLDR display
name, ISO 4217 country name), plus the variants the sanctions lists use
("Russia", "Korea, North", "Burma", "Crimea region of Ukraine", ...). Keys are
compared case-, accent- and punctuation-insensitively. Loaded once.

>>> resolve_country("Iran (Islamic Republic of)")
'IR'
>>> resolve_country("Korea, North")
'KP'
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import lru_cache

from exportguard.data import data_path

# Variants seen in the lists (OFAC, UN, OFSI, BIS, CSL) that the table lacks.
# Regions (Crimea, Donetsk, ...) resolve to the country they belong to under
# ISO 3166; the policy layer decides what a region means.
_EXTRA: dict[str, str] = {
    "russia": "RU",
    "russian federation": "RU",
    "iran": "IR",
    "islamic republic of iran": "IR",
    "korea north": "KP",
    "north korea": "KP",
    "dprk": "KP",
    "korea dprk": "KP",
    "democratic people s republic of korea": "KP",
    "korea democratic people s republic of": "KP",
    "korea south": "KR",
    "south korea": "KR",
    "republic of korea": "KR",
    "korea republic of": "KR",
    "burma": "MM",
    "syria": "SY",
    "turkey": "TR",
    "turkiye": "TR",
    "crimea": "UA",
    "crimea region of ukraine": "UA",
    "crimea ukraine": "UA",
    "autonomous republic of crimea": "UA",
    "sevastopol": "UA",
    "donetsk": "UA",
    "luhansk": "UA",
    "donetsk people s republic": "UA",
    "luhansk people s republic": "UA",
    "so called donetsk people s republic": "UA",
    "so called luhansk people s republic": "UA",
    "vietnam": "VN",
    "viet nam": "VN",
    "laos": "LA",
    "moldova": "MD",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "united republic of tanzania": "TZ",
    "congo democratic republic of the": "CD",
    "democratic republic of the congo": "CD",
    "congo democratic republic": "CD",
    "drc": "CD",
    "congo brazzaville": "CG",
    "republic of the congo": "CG",
    "congo republic of the": "CG",
    "congo": "CG",
    "ivory coast": "CI",
    "cote d ivoire": "CI",
    "czech republic": "CZ",
    "macedonia": "MK",
    "north macedonia": "MK",
    "the former yugoslav republic of macedonia": "MK",
    "swaziland": "SZ",
    "cape verde": "CV",
    "east timor": "TL",
    "brunei": "BN",
    "palestine": "PS",
    "palestinian": "PS",
    "west bank": "PS",
    "gaza": "PS",
    "gaza strip": "PS",
    "palestinian territories": "PS",
    "occupied palestinian territory": "PS",
    "occupied palestinian territories": "PS",
    "russian": "RU",
    "britain": "GB",
    "british": "GB",
    "iranian": "IR",
    "syrian": "SY",
    "iraqi": "IQ",
    "afghan": "AF",
    "chinese": "CN",
    "belarusian": "BY",
    "ukrainian": "UA",
    "state of palestine": "PS",
    "united kingdom": "GB",
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "northern ireland": "GB",
    "united states": "US",
    "usa": "US",
    "u s a": "US",
    "united states of america": "US",
    "uae": "AE",
    "u a e": "AE",
    "united arab emirates": "AE",
    "kosovo": "XK",
    "micronesia": "FM",
    "federated states of micronesia": "FM",
    "netherlands antilles": "CW",
    "taiwan": "TW",
    "taiwan province of china": "TW",
    "hong kong": "HK",
    "hong kong sar": "HK",
    "china hong kong": "HK",
    "macau": "MO",
    "macao": "MO",
    "vatican": "VA",
    "holy see": "VA",
    "st kitts and nevis": "KN",
    "st lucia": "LC",
    "st vincent and the grenadines": "VC",
    "bosnia herzegovina": "BA",
    "bosnia": "BA",
    "gambia the": "GM",
    "the gambia": "GM",
    "bahamas the": "BS",
    "the bahamas": "BS",
    "kyrgyzstan": "KG",
    "region kurdistan iraq": "IQ",
    "kurdistan region iraq": "IQ",
    "yugoslavia": "RS",
    "serbia and montenegro": "RS",
    "soviet union": "RU",
    "ussr": "RU",
}

_ALPHA2_COL = "ISO3166-1-Alpha-2"
_ALPHA3_COL = "ISO3166-1-Alpha-3"
_NAME_COLS = (
    "CLDR display name",
    "official_name_en",
    "official_name_fr",
    "official_name_es",
    "official_name_ru",
    "official_name_cn",
    "official_name_ar",
    "UNTERM English Short",
    "UNTERM English Formal",
    "UNTERM French Short",
    "UNTERM French Formal",
    "UNTERM Spanish Short",
    "UNTERM Spanish Formal",
    "UNTERM Russian Short",
    "UNTERM Russian Formal",
    "UNTERM Chinese Short",
    "UNTERM Chinese Formal",
    "UNTERM Arabic Short",
    "UNTERM Arabic Formal",
    "ISO4217-currency_country_name",
)

_PUNCT = re.compile(r"[\W_]+", re.UNICODE)


def _key(text: str) -> str:
    """Case-, accent- and punctuation-insensitive lookup key."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _PUNCT.sub(" ", text.casefold()).strip()


def _variants(name: str) -> list[str]:
    """A name plus its forms without ``the`` and with a trailing ``(X)`` moved/dropped."""
    out = [name]
    m = re.fullmatch(r"(.*?)\s*\((.*)\)\s*", name)
    if m:
        base, inner = m.group(1), m.group(2)
        if inner.lower() not in {"the", "les", "la", "le", "l'", "el", "los", "las"}:
            out.append(f"{inner} {base}")
        out.append(base)
    return out


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(key -> alpha2, alpha3 -> alpha2, alpha2 -> display name)."""
    by_key: dict[str, str] = {}
    alpha3: dict[str, str] = {}
    names: dict[str, str] = {}
    path = data_path("reference", "country-codes.csv")
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            a2 = (row.get(_ALPHA2_COL) or "").strip().upper()
            if len(a2) != 2:
                continue
            names[a2] = (row.get("CLDR display name") or row.get("official_name_en") or a2).strip()
            a3 = (row.get(_ALPHA3_COL) or "").strip().upper()
            if a3:
                alpha3[a3] = a2
            for col in _NAME_COLS:
                value = (row.get(col) or "").strip()
                if not value:
                    continue
                for variant in _variants(value):
                    k = _key(variant)
                    if k:
                        by_key.setdefault(k, a2)
    for k, a2 in _EXTRA.items():
        by_key[_key(k)] = a2
    names.setdefault("XK", "Kosovo")
    return by_key, alpha3, names


def is_alpha2(code: str) -> bool:
    """True if ``code`` (any case) is an ISO 3166-1 alpha-2 code we know (plus XK, Kosovo)."""
    return isinstance(code, str) and code.strip().upper() in _tables()[2]


def country_name(alpha2: str) -> str:
    """English display name of an alpha-2 code; the code itself if unknown."""
    return _tables()[2].get(alpha2.strip().upper(), alpha2)


@lru_cache(maxsize=8192)
def resolve_country(text: str | None) -> str | None:
    """Alpha-2 code for a country name, alpha-2 or alpha-3 code; ``None`` if unknown.

    Two- and three-letter inputs are read as codes only when written in upper
    case or when they match no name ("uk" → GB via the variants table).
    """
    if not text:
        return None
    raw = text.strip().strip(".;,")
    if not raw:
        return None
    by_key, alpha3, names = _tables()
    upper = raw.upper()
    if len(raw) == 2 and upper in names and (raw.isupper() or _key(raw) not in by_key):
        return upper
    if len(raw) == 3 and upper in alpha3 and (raw.isupper() or _key(raw) not in by_key):
        return alpha3[upper]
    k = _key(raw)
    if k in by_key:
        return by_key[k]
    if ":" in raw and raw.split(":", 1)[0].strip().lower() == "region":
        return resolve_country(raw.split(":", 1)[1])
    if "," in raw:
        # "Man, Isle of" / "Korea, Republic of" → "Isle of Man" / "Republic of Korea"
        head, tail = raw.rsplit(",", 1)
        swapped = _key(f"{tail} {head}")
        for cand in (swapped, swapped[4:] if swapped.startswith("the ") else ""):
            if cand in by_key:
                return by_key[cand]
            if cand.startswith("the "):
                cand = cand[4:]
            if cand.startswith("republic of ") and cand[12:] in by_key:
                return by_key[cand[12:]]
        # "Tehran, Iran": the last comma part
        kt = _key(tail)
        if kt in by_key:
            return by_key[kt]
    if k.startswith("the "):
        return by_key.get(k[4:])
    if k.startswith("republic of "):
        return by_key.get(k[len("republic of "):])
    return None
