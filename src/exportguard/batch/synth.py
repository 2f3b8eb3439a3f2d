"""Synthetic trade records for tests, benchmarks and demos, with planted cases and their truth.

:func:`generate` writes ``n`` customs-style records (CSV or Parquet, by the file
extension) whose column names the default column mapping recognises. Most of
it is clean trade: made-up companies in many countries, trading HS codes far
from any control list, with heavy repetition of party names as in real
extracts (Zipf-distributed). A small share is planted, one kind per rule of the
default policy that a trade record can trigger:

=============================  ===============================================
kind                           what is planted
=============================  ===============================================
``un_listed_consignee``        consignee is a UN-listed entity (spelling variant)
``listed_consignee``           consignee is on another binding list (variant)
``military_to_conflict``       HS chapter 93 goods to RU or UA
``military_export``            HS chapter 93 goods, honestly described, to a
                               country outside the conflict and the hubs
``dual_use_export``            an item with a dual-use control code (``3A001``,
                               ``5A002``, ...) to a country outside the conflict
``dual_use_to_conflict``       an item with a dual-use control code to RU or UA
``chpl_via_hub``               CHPL goods of Western origin dispatched from a hub
                               (AE, TR, KZ, ...) to RU or BY (a hub itself)
``chpl_to_hub``                CHPL goods exported to a hub country
``disguised_description``      a military or CHPL HS code with civilian wording
``unknown_hs_code``            an HS code that is not in HS 2022
``unrecognised_control_code``  a control code of no known list format
=============================  ===============================================

Customs records carry no declared end use, specs, licences or forwarder roles,
so the rules on those (``missing_end_use``, ``spec_thresholds``,
``licence_coverage``, ``forwarder_as_end_user``) are not planted on their own;
``missing_end_use`` fires beside every military and dual-use plant (no record
declares an end use), which is why those plants are expected to HOLD.

The truth file (CSV: ``record_id, kind, expected_decision, expected_rule,
detail``) names, for every planted record, the decision and the rule the
default policy must give. Everything is a pure function of ``seed``: the same
seed writes the same bytes. Rows are produced and written in blocks, so memory
stays flat whatever ``n`` is. In CSV (records and truth), text a spreadsheet would
run as a formula gets an apostrophe (:mod:`exportguard.csvsafe`; the matcher
ignores it).
"""

from __future__ import annotations

import bisect
import contextlib
import csv
import itertools
import os
import random
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa

from exportguard.csvsafe import safe_cell, safe_row

# Column names of the synthetic extract (all known to the default mapping).
COLUMNS: tuple[str, ...] = (
    "declaration_id", "declaration_date", "exporter_name", "exporter_country",
    "consignee_name", "consignee_country", "country_of_origin", "country_of_dispatch",
    "country_of_destination", "hs_code", "control_code", "goods_description", "quantity",
    "unit", "value", "currency",
)

# Where the planted kinds sit, their expected decision and rule under the default
# policy. ``expected_rule`` is the rule id the engine must report.
@dataclass(frozen=True, slots=True)
class PlantedKind:
    name: str
    expected_decision: str
    expected_rule: str
    weight: float  # share among planted records


PLANTED_KINDS: tuple[PlantedKind, ...] = (
    PlantedKind("un_listed_consignee", "DENY", "sanctions_match", 0.15),
    PlantedKind("listed_consignee", "HOLD", "sanctions_match", 0.22),
    PlantedKind("military_to_conflict", "DENY", "military_to_conflict", 0.12),
    PlantedKind("chpl_via_hub", "HOLD", "chpl_routing", 0.17),
    PlantedKind("chpl_to_hub", "HOLD", "chpl_routing", 0.08),
    PlantedKind("disguised_description", "HOLD", "disguise", 0.14),
    PlantedKind("military_export", "HOLD", "military_export", 0.04),
    PlantedKind("dual_use_export", "HOLD", "dual_use", 0.04),
    PlantedKind("dual_use_to_conflict", "HOLD", "dual_use_to_conflict", 0.04),
    PlantedKind("unknown_hs_code", "HOLD", "unknown_hs", 0.02),
    PlantedKind("unrecognised_control_code", "HOLD", "unrecognised_control_code", 0.02),
)

DEFAULT_PLANTED_SHARE = 0.01

# Countries of clean trade, with rough weights.
_TRADE_COUNTRIES: tuple[tuple[str, float], ...] = (
    ("DE", 10), ("US", 10), ("CN", 10), ("FR", 6), ("IT", 6), ("NL", 5), ("JP", 5),
    ("GB", 5), ("KR", 4), ("ES", 4), ("PL", 4), ("IN", 4), ("BE", 3), ("CA", 3),
    ("MX", 3), ("BR", 3), ("CH", 3), ("SE", 2), ("AT", 2), ("CZ", 2), ("DK", 2),
    ("FI", 1), ("IE", 1), ("PT", 1), ("VN", 2), ("TH", 2), ("MY", 2), ("SG", 2),
    ("ID", 1), ("AU", 2), ("ZA", 1), ("EG", 1), ("MA", 1), ("CL", 1), ("AR", 1),
    ("NO", 1), ("NZ", 1), ("PH", 1), ("SA", 1), ("IL", 1),
)
WESTERN_ORIGINS: tuple[str, ...] = ("US", "DE", "JP", "NL", "FR", "GB", "KR", "TW", "CH", "IT")
HUBS: tuple[str, ...] = ("AE", "TR", "KZ", "KG", "AM", "GE", "UZ", "HK", "CN", "RS")
CONFLICT: tuple[str, ...] = ("RU", "BY")  # final destinations of diverted CHPL goods
MILITARY_DEST: tuple[str, ...] = ("RU", "UA")

_LEGAL_FORMS: dict[str, tuple[str, ...]] = {
    "DE": ("GmbH", "AG", "GmbH & Co. KG"), "AT": ("GmbH", "AG"), "CH": ("AG", "SA", "GmbH"),
    "US": ("Inc.", "LLC", "Corp."), "CA": ("Inc.", "Ltd."), "GB": ("Ltd", "PLC", "Limited"),
    "IE": ("Ltd",), "AU": ("Pty Ltd",), "NZ": ("Ltd",), "FR": ("SA", "SAS", "SARL"),
    "IT": ("S.p.A.", "S.r.l."), "ES": ("S.A.", "S.L."), "PT": ("Lda", "S.A."),
    "NL": ("B.V.", "N.V."), "BE": ("NV", "SRL"), "PL": ("Sp. z o.o.", "S.A."),
    "CZ": ("s.r.o.", "a.s."), "SE": ("AB",), "DK": ("A/S", "ApS"), "NO": ("AS",),
    "FI": ("Oy", "Oyj"), "CN": ("Co., Ltd.", "Trading Co., Ltd."), "HK": ("Limited",),
    "JP": ("Co., Ltd.", "K.K."), "KR": ("Co., Ltd.",), "TW": ("Co., Ltd.",),
    "IN": ("Pvt. Ltd.", "Ltd."), "BR": ("Ltda.", "S.A."), "MX": ("S.A. de C.V.",),
    "AR": ("S.A.",), "CL": ("S.A.", "SpA"), "VN": ("Co., Ltd", "JSC"),
    "TH": ("Co., Ltd.",), "MY": ("Sdn. Bhd.",), "SG": ("Pte. Ltd.",), "ID": ("PT",),
    "PH": ("Inc.",), "ZA": ("(Pty) Ltd",), "EG": ("S.A.E.",), "MA": ("SARL",),
    "SA": ("Co.",), "IL": ("Ltd.",), "AE": ("LLC", "FZE", "FZCO", "Trading LLC"),
    "TR": ("A.Ş.", "Ltd. Şti."), "KZ": ("TOO", "LLP"), "KG": ("OsOO", "LLC"),
    "AM": ("LLC", "CJSC"), "GE": ("LLC",), "UZ": ("LLC", "MChJ"), "RS": ("d.o.o.",),
    "RU": ("OOO", "AO", "LLC"), "BY": ("OOO", "ChUP"), "UA": ("TOV", "LLC"),
}
_SECTORS: tuple[str, ...] = (
    "Textiles", "Foods", "Agro", "Furniture", "Paper", "Packaging", "Ceramics",
    "Apparel", "Home", "Plastics", "Timber", "Fruit", "Dairy", "Coffee", "Leather",
    "Footwear", "Glassware", "Beverages", "Seafood", "Spices", "Linen", "Organics",
)
_SUFFIX: tuple[str, ...] = ("Trading", "Import", "Export", "Distribution", "Supply",
                            "Group", "Partners", "Merchants", "Wholesale", "Goods")
_SYLL_A = ("ka", "ve", "lo", "mi", "ta", "ro", "sa", "ne", "di", "po", "lu", "ze",
           "fa", "bi", "mo", "ri", "ga", "to", "le", "va", "no", "qui", "xe", "ju")
_SYLL_B = ("rin", "mora", "lex", "dano", "vik", "stra", "nel", "quar", "bryn", "zot",
           "melt", "gor", "pax", "trel", "vund", "skar", "lom", "dris", "fenn", "kol")

# HS chapters clean trade is drawn from: food, plastics, wood, paper, textiles,
# footwear, ceramics, glass, furniture. None is military, dual-use or CHPL.
_CLEAN_CHAPTERS = frozenset(
    [f"{c:02d}" for c in range(1, 25)] + ["39", "42", "44", "45", "46", "47", "48", "49"]
    + [f"{c:02d}" for c in range(50, 65)] + ["69", "70", "94"]
)
# Military HS codes (chapter 93) and the wording used to plant them.
_MILITARY_HS: tuple[tuple[str, str], ...] = (
    ("930190", "Military weapons, self-propelled artillery components"),
    ("930200", "Revolvers and pistols"),
    ("930320", "Shotguns for military use"),
    ("930591", "Parts of military weapons of heading 9301"),
    ("930621", "Cartridges for shotguns"),
    ("930630", "Cartridges and parts thereof, 7.62 mm"),
    ("930690", "Munitions of war: bombs, grenades, mortar rounds"),
    ("930700", "Bayonets and combat knives"),
)
# Dual-use items as declared: HS code, control code, wording (none on the CHPL, so the
# dual-use rules alone speak for them).
_DUAL_USE: tuple[tuple[str, str, str], ...] = (
    ("847130", "5A002.a", "Portable computers with encryption modules"),
    ("854370", "5A002", "Network encryption units"),
    ("903180", "2B006.b", "Coordinate measuring machines"),
    ("903110", "2B119", "Balancing machines for rotors"),
    ("901320", "6A005", "Industrial lasers, 2 kW"),
    ("381800", "3C005", "Silicon carbide wafers"),
)
# HS codes that do not exist in HS 2022, and control codes of no list format.
_UNKNOWN_HS: tuple[str, ...] = ("000001", "990199", "779901", "980101")
_BAD_CONTROL: tuple[str, ...] = ("ZZ999", "EAR-99X", "3Z001", "ML99")
# Destinations outside the conflict and the hubs, for licensable exports.
_LICENCE_DEST: tuple[str, ...] = ("FR", "DE", "US", "JP", "CA", "AU", "BR", "ZA")
_CIVILIAN_COVERS: tuple[str, ...] = (
    "spare parts for agricultural machinery", "toy for children", "household appliance parts",
    "garden equipment", "sporting goods", "consumer electronics for home use",
    "kitchen appliance components", "educational kit for hobby use",
    "farm equipment spare parts", "humanitarian aid supplies", "souvenir items",
)
_CURRENCIES = (("USD", 80.0), ("EUR", 17.0), ("CNY", 3.0))


def _covers_for(code: str) -> tuple[str, ...]:
    """Civilian covers whose wording the code's own official text does not use
    ("sporting goods" is no disguise for sporting shotguns, HS 9303.20)."""
    from exportguard.items.classify import official_wording
    from exportguard.items.disguise import CIVILIAN_WORDS, find_words

    official = set(find_words(official_wording(code, None), CIVILIAN_WORDS))
    fit = tuple(c for c in _CIVILIAN_COVERS
                if not official & set(find_words(c, CIVILIAN_WORDS)))
    return fit or _CIVILIAN_COVERS


# ---------------------------------------------------------------------------
# reference data


def _hs_rows() -> list[tuple[str, str]]:
    """(hs6, description) of every HS 2022 subheading."""
    from exportguard.items.hs import hs_table

    return [(e.code, e.description) for e in hs_table().values() if e.level == 6]


def _chpl_rows() -> list[tuple[str, str, str]]:
    """(hs6, tier, description) of the CHPL."""
    from exportguard.data import data_path

    with data_path("reference", "chpl_2024-02.csv").open(encoding="utf-8", newline="") as fh:
        return [((r["hs6"] or "").strip(), (r["tier"] or "").strip(),
                 (r["hs2022_description"] or "").strip()) for r in csv.DictReader(fh)]


_WORDY = re.compile(r"[^\w\s,;()./-]+")


def _clean_description(text: str) -> str:
    text = _WORDY.sub("", text).strip()
    return text[:120] if text else "general merchandise"


def _clean_goods() -> list[tuple[str, str]]:
    from exportguard.items.disguise import CIVILIAN_WORDS, MILITARY_WORDS, find_words

    chpl = {c for c, _, _ in _chpl_rows()}
    out = []
    for code, desc in _hs_rows():
        if code[:2] not in _CLEAN_CHAPTERS or code in chpl:
            continue
        # wording that means something to the disguise check stays out of clean trade
        if find_words(desc, MILITARY_WORDS) or find_words(desc, CIVILIAN_WORDS):
            continue
        out.append((code, _clean_description(desc)))
    return out


# ---------------------------------------------------------------------------
# names


def _brand(rng: random.Random) -> str:
    parts = [rng.choice(_SYLL_A), rng.choice(_SYLL_B)]
    if rng.random() < 0.35:
        parts.insert(1, rng.choice(_SYLL_A))
    return "".join(parts).capitalize()


def _company(rng: random.Random, country: str) -> str:
    forms = _LEGAL_FORMS.get(country, ("Ltd",))
    style = rng.random()
    if style < 0.45:
        core = f"{_brand(rng)} {rng.choice(_SECTORS)}"
    elif style < 0.8:
        core = f"{_brand(rng)} {rng.choice(_SUFFIX)}"
    else:
        core = f"{_brand(rng)} {_brand(rng)}"
    return f"{core} {rng.choice(forms)}"


_LEGAL_TAIL = re.compile(
    r"[\s,]+(llc|l\.l\.c\.|ltd\.?|limited|inc\.?|co\.,? ?ltd\.?|ooo|ao|zao|oao|pjsc|jsc|"
    r"gmbh|s\.a\.|sa|corp\.?|company|co\.)$", re.IGNORECASE)


def spelling_variant(name: str, rng: random.Random) -> tuple[str, str]:
    """A realistic spelling variant of a listed name and what was changed.

    Mild changes a clerk or a screening-evader makes: case, punctuation, the
    legal form dropped or spelt out, one typo in a long word.
    """
    kind = rng.choice(("case", "punctuation", "legal_form", "typo", "typo", "exact"))
    if kind == "case":
        return (name.upper() if rng.random() < 0.5 else name.title()), kind
    if kind == "punctuation":
        out = re.sub(r"[\"'“”«».,]", "", name).replace("-", " ")
        out = re.sub(r"\s+", " ", out).strip()
        return (out, kind) if out and out != name else (name.upper(), "case")
    if kind == "legal_form":
        out = _LEGAL_TAIL.sub("", name).strip(" ,")
        if out and out != name and len(out.split()) >= 2:
            return out, kind
        return name.upper(), "case"
    if kind == "typo":
        words = name.split()
        idx = max(range(len(words)), key=lambda i: len(words[i]))
        w = words[idx]
        if len(w) >= 7 and w.isalpha():
            pos = rng.randrange(2, len(w) - 2)
            op = rng.choice(("swap", "drop", "double"))
            if op == "swap":
                w = w[:pos] + w[pos + 1] + w[pos] + w[pos + 2:]
            elif op == "drop":
                w = w[:pos] + w[pos + 1:]
            else:
                w = w[:pos] + w[pos] + w[pos:]
            words[idx] = w
            return " ".join(words), f"typo_{op}"
        return name.upper(), "case"
    return name, "exact"


# ---------------------------------------------------------------------------
# listed parties


@dataclass(frozen=True, slots=True)
class ListedParty:
    entity_id: str
    list: str
    name: str
    country: str | None


_LATIN = re.compile(r"^[A-Za-z0-9 .,&'()\-/]+$")


def listed_parties(entities: Iterable[Any]) -> tuple[list[ListedParty], list[ListedParty]]:
    """(UN-listed organisations, other listed organisations) usable as planted consignees.

    Latin-script names of 2 to 8 words, sorted by id so the choice is stable.
    """
    un: list[ListedParty] = []
    other: list[ListedParty] = []
    for e in entities:
        etype = str(getattr(e.type, "value", e.type))
        if etype != "organization":
            continue
        name = (e.name or "").strip()
        words = name.split()
        if not (2 <= len(words) <= 8) or len(name) > 80 or not _LATIN.match(name):
            continue
        country = e.countries[0] if e.countries else None
        party = ListedParty(e.id, e.list, name, country)
        (un if str(e.list).lower().startswith("un") else other).append(party)
    un.sort(key=lambda p: p.entity_id)
    other.sort(key=lambda p: p.entity_id)
    return un, other


# ---------------------------------------------------------------------------
# generator


@dataclass
class SynthSummary:
    path: Path
    truth_path: Path
    rows: int
    planted: int
    planted_by_kind: dict[str, int] = field(default_factory=dict)
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "truth": str(self.truth_path), "rows": self.rows,
                "planted": self.planted, "planted_by_kind": self.planted_by_kind,
                "seed": self.seed}


class _Zipf:
    """Draw indexes 0..n-1 with weight 1/(rank+1)^s (heavy repetition of the top)."""

    def __init__(self, n: int, s: float = 1.05) -> None:
        self.cum = list(itertools.accumulate(1.0 / (i + 1) ** s for i in range(n)))

    def draw(self, rng: random.Random) -> int:
        return bisect.bisect_left(self.cum, rng.random() * self.cum[-1])


def _weighted(pairs: Sequence[tuple[str, float]]) -> tuple[list[str], list[float]]:
    keys = [k for k, _ in pairs]
    return keys, list(itertools.accumulate(w for _, w in pairs))


class TradeGenerator:
    """Produces rows (dicts of :data:`COLUMNS`) and the truth of the planted ones."""

    def __init__(self, seed: int, n: int, un: Sequence[ListedParty],
                 other: Sequence[ListedParty], planted_share: float = DEFAULT_PLANTED_SHARE,
                 clean_name_ok: Callable[[str, str], bool] | None = None,
                 listed_variant_ok: Callable[[str, str, str | None], bool] | None = None
                 ) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.n = n
        self.planted_share = planted_share
        self.un = list(un)
        self.other = list(other)
        self.listed_variant_ok = listed_variant_ok
        self.goods = _clean_goods()
        self.chpl = _chpl_rows()
        self.countries, self.country_cum = _weighted(_TRADE_COUNTRIES)
        kinds = [k for k in PLANTED_KINDS
                 if (k.name != "un_listed_consignee" or self.un)
                 and (k.name != "listed_consignee" or self.other)]
        self.kinds = kinds
        self.kind_cum = list(itertools.accumulate(k.weight for k in kinds))
        rng = self.rng
        n_exp = max(40, n // 100)
        n_imp = max(60, n // 70)
        self.exporters = self._parties(n_exp, clean_name_ok)
        self.importers = self._parties(n_imp, clean_name_ok)
        rng.shuffle(self.exporters)
        rng.shuffle(self.importers)
        self.exp_zipf = _Zipf(len(self.exporters))
        self.imp_zipf = _Zipf(len(self.importers))
        self.goods_zipf = _Zipf(len(self.goods), s=0.8)
        self.start = date(2023, 1, 1)
        self.days = (date(2025, 12, 31) - self.start).days + 1

    def _parties(self, count: int, ok: Callable[[str, str], bool] | None
                 ) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        seen: set[str] = set()
        while len(out) < count:
            country = self._country()
            name = _company(self.rng, country)
            if name in seen or (ok is not None and not ok(name, country)):
                continue
            seen.add(name)
            out.append((name, country))
        return out

    def _country(self) -> str:
        return self.countries[bisect.bisect_left(self.country_cum,
                                                 self.rng.random() * self.country_cum[-1])]

    def _currency(self) -> str:
        r = self.rng.random() * 100.0
        acc = 0.0
        for cur, w in _CURRENCIES:
            acc += w
            if r < acc:
                return cur
        return "USD"

    def _base(self, i: int) -> dict[str, Any]:
        rng = self.rng
        exp_name, exp_country = self.exporters[self.exp_zipf.draw(rng)]
        imp_name, imp_country = self.importers[self.imp_zipf.draw(rng)]
        if imp_country == exp_country:
            imp_country = self._country()
        code, desc = self.goods[self.goods_zipf.draw(rng)]
        origin = exp_country if rng.random() < 0.8 else self._country()
        qty = float(rng.choice((1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000)))
        value = round(qty * rng.lognormvariate(3.0, 1.2), 2)
        return {
            "declaration_id": f"R{i:010d}",
            "declaration_date": (self.start + timedelta(days=rng.randrange(self.days))).isoformat(),
            "exporter_name": exp_name,
            "exporter_country": exp_country,
            "consignee_name": imp_name,
            "consignee_country": imp_country,
            "country_of_origin": origin,
            "country_of_dispatch": exp_country,
            "country_of_destination": imp_country,
            "hs_code": code + (f"{rng.randrange(100):02d}" if rng.random() < 0.5 else ""),
            "control_code": None,
            "goods_description": desc,
            "quantity": qty,
            "unit": "kg" if code[:2] < "25" else "pcs",
            "value": value,
            "currency": self._currency(),
        }

    def _listed_name(self, party: ListedParty) -> tuple[str, str] | None:
        """A spelling variant the vetting accepts (the exact name last), or None."""
        tries = [spelling_variant(party.name, self.rng) for _ in range(6)]
        tries.append((party.name, "exact"))
        for variant, how in tries:
            if self.listed_variant_ok is None or self.listed_variant_ok(
                    variant, party.entity_id, party.country):
                return variant, how
        return None

    def _plant(self, row: dict[str, Any]) -> tuple[PlantedKind, str]:
        rng = self.rng
        kind = self.kinds[bisect.bisect_left(self.kind_cum, rng.random() * self.kind_cum[-1])]
        if kind.name in ("un_listed_consignee", "listed_consignee"):
            pool = self.un if kind.name == "un_listed_consignee" else self.other
            for _ in range(20):
                party = rng.choice(pool)
                picked = self._listed_name(party)
                if picked is not None:
                    break
            else:  # the index finds none of them: plant what the matcher can find instead
                code, desc = rng.choice(_MILITARY_HS)
                row.update(hs_code=code, goods_description=desc, consignee_country="RU",
                           country_of_destination="RU", unit="pcs")
                return self._kind("military_to_conflict"), f"HS {code} to RU"
            name, how = picked
            country = party.country or row["consignee_country"]
            row.update(consignee_name=name, consignee_country=country,
                       country_of_destination=country)
            return kind, f"{party.entity_id} ({party.list}) as {name!r} [{how}]"
        if kind.name == "military_to_conflict":
            code, desc = rng.choice(_MILITARY_HS)
            dest = rng.choice(MILITARY_DEST)
            row.update(hs_code=code, goods_description=desc, consignee_country=dest,
                       country_of_destination=dest, unit="pcs")
            return kind, f"HS {code} to {dest}"
        if kind.name == "military_export":
            code, desc = rng.choice(_MILITARY_HS)
            dest = self._away_from(row["exporter_country"])
            row.update(hs_code=code, goods_description=desc, consignee_country=dest,
                       country_of_destination=dest, unit="pcs")
            return kind, f"HS {code} to {dest}"
        if kind.name in ("dual_use_export", "dual_use_to_conflict"):
            code, control, desc = rng.choice(_DUAL_USE)
            dest = (rng.choice(MILITARY_DEST) if kind.name == "dual_use_to_conflict"
                    else self._away_from(row["exporter_country"]))
            row.update(hs_code=code, control_code=control, goods_description=desc,
                       consignee_country=dest, country_of_destination=dest, unit="pcs")
            return kind, f"{control} (HS {code}) to {dest}"
        if kind.name == "unknown_hs_code":
            code = rng.choice(_UNKNOWN_HS)
            row.update(hs_code=code)
            return kind, f"HS {code} is not in HS 2022"
        if kind.name == "unrecognised_control_code":
            control = rng.choice(_BAD_CONTROL)
            row.update(control_code=control)
            return kind, f"control code {control!r}"
        if kind.name in ("chpl_via_hub", "chpl_to_hub"):
            code, tier, desc = rng.choice(self.chpl)
            origin = rng.choice(WESTERN_ORIGINS)
            hub = rng.choice(HUBS)
            if kind.name == "chpl_via_hub":
                dest = rng.choice(CONFLICT)
                row.update(exporter_name=self._hub_name(hub), exporter_country=hub,
                           country_of_dispatch=hub, consignee_country=dest,
                           country_of_destination=dest)
                detail = f"CHPL tier {tier} HS {code}: {origin} -> {hub} -> {dest}"
            else:
                if row["exporter_country"] == hub:
                    hub = "AE" if hub != "AE" else "TR"
                row.update(consignee_country=hub, country_of_destination=hub)
                detail = f"CHPL tier {tier} HS {code}: {origin} -> {hub}"
            row.update(hs_code=code, goods_description=_clean_description(desc),
                       country_of_origin=origin, unit="pcs")
            return kind, detail
        # disguised_description: a controlled code declared with civilian wording
        if rng.random() < 0.5:
            code, tier, _ = rng.choice(self.chpl)
            what = f"CHPL tier {tier} HS {code}"
        else:
            code, _ = rng.choice(_MILITARY_HS)
            what = f"military HS {code}"
        cover = rng.choice(_covers_for(code))
        dest = row["country_of_destination"]
        if dest in MILITARY_DEST or dest in CONFLICT or dest in HUBS:
            dest = "DE"
        row.update(hs_code=code, goods_description=cover.capitalize(), consignee_country=dest,
                   country_of_destination=dest, unit="pcs")
        return kind, f"{what} declared as {cover!r}"

    def _away_from(self, exporter_country: str) -> str:
        """A destination outside the conflict and the hubs, not the exporter's country."""
        choices = [c for c in _LICENCE_DEST if c != exporter_country]
        return self.rng.choice(choices)

    def _kind(self, name: str) -> PlantedKind:
        return next(k for k in PLANTED_KINDS if k.name == name)

    def _hub_name(self, hub: str) -> str:
        return _company(self.rng, hub)

    def rows(self) -> Iterator[tuple[dict[str, Any], tuple[PlantedKind, str] | None]]:
        for i in range(self.n):
            row = self._base(i)
            planted = self._plant(row) if self.rng.random() < self.planted_share else None
            yield row, planted


_SCHEMA = pa.schema([(c, pa.float64() if c in ("quantity", "value") else pa.string())
                     for c in COLUMNS])


def _write_block(writer: Any, rows: list[dict[str, Any]], as_csv: bool = False) -> None:
    if as_csv:  # cells a spreadsheet would run as formulas get an apostrophe
        rows = [{k: safe_cell(v) for k, v in r.items()} for r in rows]
    table = pa.Table.from_pylist(rows, schema=_SCHEMA)
    writer.write_table(table)


# Bumped when the same seed would write other records (cached benchmark files go stale).
GENERATOR_VERSION = 2


def generator_fingerprint() -> str:
    """Changes when the generator writes other columns, plants other kinds or changes."""
    import hashlib

    return hashlib.sha256(repr((GENERATOR_VERSION, COLUMNS, PLANTED_KINDS)).encode()
                          ).hexdigest()[:8]


def truth_path_for(path: Path) -> Path:
    name = path.name
    for ext in (".csv.gz", ".parquet", ".csv"):
        if name.endswith(ext):
            name = name[: -len(ext)]
            break
    return path.with_name(name + ".truth.csv")


def generate(n: int, path: Path, *, seed: int = 0, truth_path: Path | None = None,
             entities: Iterable[Any] | None = None, planted_share: float = DEFAULT_PLANTED_SHARE,
             clean_name_ok: Callable[[str, str], bool] | None = None,
             listed_variant_ok: Callable[[str, str, str | None], bool] | None = None,
             block_rows: int = 50_000,
             progress: Callable[[int, int], None] | None = None) -> SynthSummary:
    """Write ``n`` synthetic records to ``path`` (``.csv`` or ``.parquet``) and the truth file.

    ``entities`` are the listed entities to plant (``Entity`` objects); without
    them no listed-consignee case is planted. ``clean_name_ok(name, country)``
    may reject made-up names that happen to resemble a listed one;
    ``listed_variant_ok(variant, entity_id, country)`` may reject a spelling
    variant the matcher would not connect to its entity; an entity whose every
    variant, its exact name included, is rejected is not planted (another one
    is drawn), so every planted case is one the matcher can find. Both files are written
    to a temporary name and renamed when complete.
    """
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    if n < 0:
        raise ValueError("n must be >= 0")
    suffix = path.name.lower()
    if not suffix.endswith((".csv", ".parquet")):
        raise ValueError(f"{path}: the file name must end in .csv or .parquet")
    un, other = listed_parties(entities or [])
    gen = TradeGenerator(seed, n, un, other, planted_share=planted_share,
                         clean_name_ok=clean_name_ok, listed_variant_ok=listed_variant_ok)
    truth_path = truth_path or truth_path_for(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp_truth = truth_path.with_name(f".{truth_path.name}.tmp-{os.getpid()}")
    by_kind: dict[str, int] = {k.name: 0 for k in gen.kinds}
    planted = 0
    as_csv = suffix.endswith(".csv")
    if as_csv:
        writer: Any = pacsv.CSVWriter(str(tmp), _SCHEMA)
    else:
        writer = pq.ParquetWriter(str(tmp), _SCHEMA, compression="zstd")
    try:
        with tmp_truth.open("w", encoding="utf-8", newline="") as tfh:
            tw = csv.writer(tfh)
            tw.writerow(["record_id", "kind", "expected_decision", "expected_rule", "detail"])
            block: list[dict[str, Any]] = []
            done = 0
            for row, plant in gen.rows():
                block.append(row)
                if plant is not None:
                    kind, detail = plant
                    tw.writerow(safe_row([row["declaration_id"], kind.name,
                                          kind.expected_decision, kind.expected_rule, detail]))
                    by_kind[kind.name] += 1
                    planted += 1
                if len(block) >= block_rows:
                    _write_block(writer, block, as_csv)
                    done += len(block)
                    block = []
                    if progress:
                        progress(done, n)
            if block or n == 0:
                _write_block(writer, block, as_csv)
                done += len(block)
            if progress:
                progress(done, n)
        writer.close()
        os.replace(tmp, path)
        os.replace(tmp_truth, truth_path)
    except BaseException:
        with contextlib.suppress(Exception):
            writer.close()
        for p in (tmp, tmp_truth):
            p.unlink(missing_ok=True)
        raise
    return SynthSummary(path=path, truth_path=truth_path, rows=n, planted=planted,
                        planted_by_kind=by_kind, seed=seed)


def read_truth(path: Path | str) -> dict[str, dict[str, str]]:
    """record_id → {kind, expected_decision, expected_rule, detail}."""
    with Path(path).open(encoding="utf-8", newline="") as fh:
        return {r["record_id"]: r for r in csv.DictReader(fh)}


_STRICTNESS = {"CLEAR": 0, "LICENSED": 1, "LICENSE_REQUIRED": 2, "HOLD": 3, "DENY": 4}


def score_planted(result_path: Path | str, truth_path: Path | str) -> dict[str, Any]:
    """Recall of the planted cases in a batch result, and how clean records fared.

    A planted case is *found* when its expected rule fired and the decision is
    at least as strict as expected (a planted HOLD that was denied is found).
    ``exact`` counts decisions equal to the expectation. Clean records (not in
    the truth file) that were not ``CLEAR`` are listed by rule as
    ``clean_flagged``.
    """
    import duckdb

    truth = read_truth(truth_path)
    con = duckdb.connect()
    try:
        rows = con.execute(
            "SELECT record_id, decision, rules FROM read_parquet(?)", [str(result_path)]
        ).fetchall()
    finally:
        con.close()
    by_kind: dict[str, dict[str, int]] = {}
    by_expected: dict[str, dict[str, int]] = {}
    missed: list[dict[str, Any]] = []
    clean_total = 0
    clean_flagged: dict[str, int] = {}
    seen: set[str] = set()
    for rid, decision, rules in rows:
        t = truth.get(rid)
        if t is None:
            clean_total += 1
            if decision != "CLEAR":
                for r in rules or ["(none)"]:
                    clean_flagged[r] = clean_flagged.get(r, 0) + 1
            continue
        seen.add(rid)
        found = (t["expected_rule"] in (rules or [])
                 and _STRICTNESS.get(decision, 0) >= _STRICTNESS[t["expected_decision"]])
        for key, table in ((t["kind"], by_kind), (t["expected_decision"], by_expected)):
            s = table.setdefault(key, {"planted": 0, "found": 0, "exact": 0})
            s["planted"] += 1
            s["found"] += int(found)
            s["exact"] += int(decision == t["expected_decision"])
        if not found and len(missed) < 50:
            missed.append({"record_id": rid, "kind": t["kind"], "expected": t["expected_decision"],
                           "rule": t["expected_rule"], "decision": decision,
                           "rules": list(rules or []), "detail": t["detail"]})
    absent = sorted(set(truth) - seen)

    def recall(s: dict[str, int]) -> float:
        return round(s["found"] / s["planted"], 4) if s["planted"] else 1.0

    return {
        "planted": len(truth), "absent_from_result": len(absent),
        "recall_by_expected": {k: {**v, "recall": recall(v)} for k, v in by_expected.items()},
        "recall_by_kind": {k: {**v, "recall": recall(v)} for k, v in by_kind.items()},
        "clean_records": clean_total,
        "clean_not_clear": sum(clean_flagged.values()),
        "clean_flagged_by_rule": dict(sorted(clean_flagged.items(), key=lambda kv: -kv[1])),
        "missed": missed,
    }
