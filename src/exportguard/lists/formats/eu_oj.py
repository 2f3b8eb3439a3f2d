"""EU Official Journal annex CSV (OpenSanctions ``journal_sanctions`` transcription).

The annexes of an EU framework act (e.g. Council Regulation (EU) 833/2014:
Annex IV export-control end users, Annex XLII vessels, ...) transcribed from
the consolidated version on EUR-Lex, one row per designation. Two headers are
accepted (see the dataset's ``FORMAT.md``)::

    celex,recordId,programKey,annex,measure,startDate,reason,schema,name,alias,...
    amendedCelex,amendmentCelex,recordId,programKey,annex,measure,startDate,...

A consolidated file (``celex``) is a complete snapshot of the act's annexes;
an amendment file holds only the additions of one amending act, so loading one
gives a partial list (a warning says so).

Each row becomes one :class:`Entity`:

- ``type`` from ``schema``: Person → person; Organization, Company,
  LegalEntity, PublicBody → organization; Vessel → vessel; Airplane →
  aircraft; Asset (ports, airports, economic zones, crypto-assets) → unknown,
  flagged ``asset``.
- names: ``name``; ``alias`` and ``previousName`` are strong aliases,
  ``weakAlias`` weak ones. Every entity column but ``name`` is multi-valued,
  ``;``-separated with CSV quoting inside the cell, and is split that way.
- countries: ``nationality``, ``jurisdiction``, ``flag`` and ``country``
  (resolved to alpha-2, unresolved wording kept raw) and the country each
  ``address`` ends with (kept only when it resolves).
- identifiers: one per value of ``innCode`` (``inn``), ``ogrnCode`` (``ogrn``),
  ``kppCode`` (``kpp``), ``okpoCode`` (``okpo``), ``leiCode`` (``lei``),
  ``swiftBic`` (``swift``), ``ticker``, ``imoNumber`` (``imo``, digits only),
  ``mmsi``, ``registrationNumber`` (``registration``), ``taxNumber`` (``tax``),
  ``idNumber`` (``id``) and ``passportNumber`` (``passport``). The source
  often prints the system next to the number in a generic column
  (``7704730655 (Tax ID/INN)``, ``CR No. 3176428``): the printed label is
  removed from the value and, where it names INN, OGRN, KPP, OKPO, LEI, a
  Chinese unified social credit code (``uscc``) or a tax number (``tax``),
  sets the type; a country the label names (``(China, Unified Social Credit
  Code)``) becomes the identifier's country. An IMO number failing its check
  digit is kept and flagged ``imo_invalid:{number}``.
- ``programs``: ``"EU 833/2014 Annex IV"``, the ``measure`` (``"Export
  control"``) and the ``programKey`` (``"EU-RUS"``); ``source_list``:
  ``"EU Regulation 833/2014 Annex IV"``; ``source_url``: the act on EUR-Lex.
- ``listed_on``: ``startDate`` (``12.9.2014``, ``9 August 2024``,
  ``26 Feb. 2011``, ISO) as an ISO date; unreadable dates are flagged.
- ``remarks``: reason, notes, legal form, sector, position, website, email,
  phone.

Entity ids are ``{list_id}:{annex}:{recordId}`` (the entry number printed in
the annex). Rows without a printed number (140 in the 833/2014 file: Annexes
V, VI, XII-XV, XLV, XLIX, LIII) get ``{list_id}:{annex}:h{hash}``, a hash of the
schema, name and identifiers, so the id does not move when rows are added
or reordered. A repeated number gets the hash appended.

**Publication date**: the date in the file name (``_2026-07-17``, the
consolidated version the file was extracted from) when there is one, else the
newest ``startDate`` in the file. A warning says which was used.
"""

from __future__ import annotations

import csv
import hashlib
import re
from datetime import date
from pathlib import Path

from exportguard.countries import resolve_country
from exportguard.lists.errors import ListFormatError
from exportguard.lists.formats._common import (
    CsvRows,
    add_country,
    add_unique,
    clean,
    column_getter,
    decode_text,
    finish_names,
    looks_like_organization,
    open_csv,
    read_bytes,
)
from exportguard.lists.model import Entity, EntityType, Identifier, ParseReport, SkippedRecord

DEFAULT_LIST_ID = "eu_833"
REQUIRED = ("annex", "measure", "schema", "name")
_CELEX_COLUMNS = ("celex", "amendedCelex")
_TYPES = {"person": EntityType.PERSON, "organization": EntityType.ORGANIZATION,
          "company": EntityType.ORGANIZATION, "legalentity": EntityType.ORGANIZATION,
          "publicbody": EntityType.ORGANIZATION, "vessel": EntityType.VESSEL,
          "airplane": EntityType.AIRCRAFT, "asset": EntityType.UNKNOWN}
_ID_COLUMNS = (("innCode", "inn"), ("ogrnCode", "ogrn"), ("kppCode", "kpp"),
               ("okpoCode", "okpo"), ("leiCode", "lei"), ("swiftBic", "swift"),
               ("ticker", "ticker"), ("imoNumber", "imo"), ("mmsi", "mmsi"),
               ("registrationNumber", "registration"), ("taxNumber", "tax"),
               ("idNumber", "id"), ("passportNumber", "passport"))
# Columns whose printed label may name a more specific identifier system.
_GENERIC_ID_TYPES = {"registration", "tax", "id"}
_REMARK_COLUMNS = (("reason", "Reason"), ("notes", "Notes"), ("legalForm", "Legal form"),
                   ("sector", "Sector"), ("position", "Position"),
                   ("incorporationDate", "Incorporated"), ("birthPlace", "Place of birth"),
                   ("website", "Website"), ("email", "Email"), ("phone", "Phone"))
_DATE_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d{2}-[01]\d-[0-3]\d)(?!\d)")
_CELEX = re.compile(r"^[0-9E](\d{4})([A-Z]{1,2})(\d{4})")
_CELEX_IN_NAME = re.compile(r"[0-9E]\d{4}[A-Z]{1,2}\d{4}")
_MONTHS = {m: i for i, ms in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
    ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
    ("oct", "october"), ("nov", "november"), ("dec", "december")), start=1) for m in ms}
# "7704730655 (Tax ID/INN)" / "91440300MA5GN73B4F (China, Unified Social Credit Code)"
_SUFFIX_LABEL = re.compile(r"^(?P<value>[^()]*?)\s*\((?P<label>.+)\)$")
# "CR No. 3176428" / "USCC no. 91230109MA1CNM0139" / "Cr no: 3092848"
_PREFIX_LABEL = re.compile(r"^(?P<label>[A-Za-z][A-Za-z. ]{0,20}?)\s*(?:no|number)\b\.?:?\s*"
                           r"(?P<value>[0-9A-Z][0-9A-Z-]*)$", re.IGNORECASE)
# Formal country names the address lines print that the country table may lack.
_FORMAL_PREFIX = re.compile(
    r"^(?:the\s+)?(?:people'?s\s+republic\s+of|socialist\s+republic\s+of|"
    r"democratic\s+socialist\s+republic\s+of|federal\s+republic\s+of|"
    r"islamic\s+republic\s+of|republic\s+of|kingdom\s+of|state\s+of)\s+", re.IGNORECASE)
_LOCAL_COUNTRIES = {"kyrgyz republic": "KG", "slovak republic": "SK"}
_PO_BOX = re.compile(r"^p\.?\s*o\.?\s*box\b", re.IGNORECASE)
_HEAD_BYTES = 65536


# ---- small helpers

def split_cell(cell: str) -> list[str]:
    """Values of a multi-valued cell: ``'"Foo; Bar"; Baz'`` → ``["Foo; Bar", "Baz"]``."""
    text = clean(cell)
    if not text:
        return []
    try:
        values = next(csv.reader([text], delimiter=";", skipinitialspace=True))
    except (csv.Error, StopIteration):
        values = text.split(";")
    out: list[str] = []
    for v in values:
        add_unique(out, v)
    return out


def parse_date(raw: str) -> tuple[str | None, str | None]:
    """``(iso, problem)`` for ``12.9.2014``, ``9 August 2024``, ``26 Feb. 2011`` or ISO."""
    v = clean(raw)
    if not v:
        return None, None
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", v)
    if m:
        y, mo, d = int(m.group(1)), m.group(2), m.group(3)
        if mo is None:
            return (str(y), None) if 1900 <= y <= 2100 else (None, f"impossible date {v!r}")
        if d is None:
            ok = 1 <= int(mo) <= 12 and 1900 <= y <= 2100
            return (f"{y:04d}-{int(mo):02d}", None) if ok else (None, f"impossible date {v!r}")
        parts = (y, int(mo), int(d))
    else:
        m = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", v)
        if m:
            parts = (int(m.group(3)), int(m.group(2)), int(m.group(1)))
        else:
            m = re.fullmatch(r"(\d{1,2})\s+([A-Za-z]+)\.?,?\s+(\d{4})", v)
            month = _MONTHS.get(m.group(2).lower()) if m else None
            if not m or month is None:
                return None, f"unreadable date {v!r}"
            parts = (int(m.group(3)), month, int(m.group(1)))
    try:
        iso = date(*parts).isoformat()
    except ValueError:
        return None, f"impossible date {v!r}"
    if not 1900 <= parts[0] <= 2100:
        return None, f"impossible date {v!r}"
    return iso, None


def normalize_imo(raw: str) -> str:
    """``"IMO 9179842"`` → ``"9179842"`` (digits only)."""
    return re.sub(r"\D", "", raw)


def imo_valid(imo: str) -> bool:
    """Seven digits with a correct IMO check digit."""
    if not re.fullmatch(r"\d{7}", imo):
        return False
    digits = [int(c) for c in imo]
    return sum(d * (7 - i) for i, d in enumerate(digits[:6])) % 10 == digits[6]


def _label_type(label: str, default: str) -> str:
    tokens = set(re.findall(r"[A-Z]+", label.upper()))
    upper = label.upper()
    if "INN" in tokens:
        return "inn"
    for code in ("OGRN", "KPP", "OKPO", "LEI", "USCC"):
        if code in tokens:
            return code.lower()
    if "UNIFIED SOCIAL CREDIT" in upper:
        return "uscc"
    if "TIN" in tokens or ("TAX" in tokens and "REGISTRATION" not in tokens):
        return "tax"
    return default


def _label_country(label: str) -> str | None:
    if "," not in label:
        return None
    return resolve_country(label.split(",", 1)[0].strip())


def identifiers_from(value: str, column_type: str) -> list[Identifier]:
    """Identifiers in one cell value, with printed labels turned into types.

    ``"1026604933475 (OGRN), 6660017837 (TIN)"`` → two identifiers.
    """
    v = clean(value)
    if not v:
        return []
    if column_type == "imo":
        digits = normalize_imo(v)
        return [Identifier("imo", digits or v)]
    if column_type not in _GENERIC_ID_TYPES:
        return [Identifier(column_type, v)]
    pieces = re.split(r"(?<=\)),\s+", v) if v.count("(") > 1 else [v]
    out: list[Identifier] = []
    for piece in pieces:
        m = _SUFFIX_LABEL.match(piece)
        if m and clean(m.group("value")):
            label = m.group("label")
            out.append(Identifier(_label_type(label, column_type), clean(m.group("value")),
                                  _label_country(label)))
            continue
        m = _PREFIX_LABEL.match(piece)
        if m:
            out.append(Identifier(_label_type(m.group("label"), column_type), m.group("value")))
            continue
        out.append(Identifier(column_type, piece))
    return out


def address_country(address: str) -> str | None:
    """The country an address ends with (``"..., People’s Republic of China"`` → CN).

    A trailing parenthesis (``(in original: ...)``), empty parts and a last
    part that is only a postcode or P.O. box are passed over.
    """
    text = re.sub(r"\s*\((?:[^()]|\([^()]*\))*\)\s*[,.]?\s*$", "", clean(address))
    parts = [clean(p) for p in text.split(",") if clean(p)]
    while len(parts) > 1 and (_PO_BOX.match(parts[-1])
                              or sum(c.isalpha() for c in parts[-1]) < 4):
        parts.pop()
    return _country_of_part(parts[-1]) if parts else None


def _country_of_part(part: str) -> str | None:
    last = part.replace("’", "'")
    if not last:
        return None
    candidates = [last, re.sub(r"\s*\([^)]*\)$", "", last),
                  re.sub(r"^[\d\s-]+|[\d\s-]+$", "", last)]
    words = last.split()
    # "Office 209 Russian Federation", "560066 Republic of India": try shorter tails, of two
    # words or more or after a number (not "Jersey" of "New Jersey")
    candidates += [" ".join(words[i:]) for i in range(1, len(words))
                   if len(words) - i >= 2 or any(c.isdigit() for c in words[i - 1])]
    for cand in candidates:
        cand = cand.strip(" .")
        if sum(c.isalpha() for c in cand) < 4:
            continue
        code = _LOCAL_COUNTRIES.get(cand.lower()) or resolve_country(cand)
        if not code:
            stripped = _FORMAL_PREFIX.sub("", cand)
            if stripped != cand and sum(c.isalpha() for c in stripped) >= 4:
                code = resolve_country(stripped)
        if code:
            return code
    return None


def _add_country_value(ent: Entity, raw: str) -> None:
    text = clean(raw)
    code = _LOCAL_COUNTRIES.get(text.lower())
    if not code and text and not resolve_country(text):
        stripped = _FORMAL_PREFIX.sub("", text.replace("’", "'"))
        code = resolve_country(stripped) if stripped != text else None
    if code:
        if code not in ent.countries:
            ent.countries.append(code)
    else:
        add_country(ent, text)


def act_reference(celex: str) -> tuple[str, str]:
    """``"32014R0833"`` → ``("Regulation", "833/2014")``; ``"32024R1745"`` →
    ``("Regulation", "2024/1745")``; ``"32014D0512"`` → ``("Decision", "2014/512")``."""
    m = _CELEX.match(celex.upper())
    if not m:
        return "act", celex or "(unknown act)"
    year, kind, num = int(m.group(1)), m.group(2), int(m.group(3))
    label = {"R": "Regulation", "D": "Decision", "L": "Directive"}.get(kind, "act")
    if kind == "R" and year < 2015:
        return label, f"{num}/{year}"
    return label, f"{year}/{num}"


def _header_columns(first_line: str) -> list[str]:
    try:
        row = next(csv.reader([first_line]))
    except (csv.Error, StopIteration):
        return []
    return [clean(h).lstrip("\ufeff") for h in row]


def _missing(columns: list[str]) -> list[str]:
    lower = {c.lower() for c in columns}
    missing = [c for c in REQUIRED if c.lower() not in lower]
    if not any(c.lower() in lower for c in _CELEX_COLUMNS):
        missing.append("celex")
    return missing


def sniff(head: bytes, name: str) -> bool:
    """True when the first bytes of a file look like an EU OJ annex CSV (by its header).

    ``name`` is not used: the header decides (``celex`` or ``amendedCelex``,
    plus ``annex``, ``measure``, ``schema``, ``name``).
    """
    del name
    sample = head[:_HEAD_BYTES]
    if b"\x00" in sample[:4096]:
        return False
    text = sample.decode("utf-8-sig", errors="replace").lstrip()
    first = text.split("\n", 1)[0].rstrip("\r")
    if not first or "," not in first:
        return False
    return not _missing(_header_columns(first))


# ---- parsing

def _row_hash(schema: str, name: str, identifiers: list[Identifier]) -> str:
    ids = sorted(f"{i.type}={i.value}" for i in identifiers)
    text = "|".join([schema.lower(), name.casefold(), *ids])
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def parse(path: Path | str, list_id: str = DEFAULT_LIST_ID) -> ParseReport:
    """Parse one EU OJ annex CSV file (consolidated or amendment)."""
    path = Path(path)
    where = str(path)
    reader, header = open_csv(decode_text(read_bytes(path), where), where)
    missing = _missing(header)
    if missing:
        shown = ", ".join(h for h in header[:8] if h) or "nothing readable"
        raise ListFormatError(
            "not an EU Official Journal annex CSV (celex, annex, measure, schema, name, ...): "
            f"header lacks {', '.join(missing)} (got {shown}{'...' if len(header) > 8 else ''})",
            f"{where}:1")
    cols: dict[str, int] = {}
    for i, h in enumerate(header):
        cols.setdefault(h, i)
        cols.setdefault(h.lower(), i)
    ncols = len(header)
    report = ParseReport(entities=[], publication_date=None)
    amendment = "amendedCelex" in cols and "celex" not in cols
    if amendment:
        report.warnings.append("amendment file: it holds only the additions and changes of one "
                               "amending act, not the complete annexes")
    name_celex = _CELEX_IN_NAME.search(path.name)
    seen_ids: set[str] = set()
    seen_rows: set[tuple[str, ...]] = set()
    newest = ""
    unknown_schemas: dict[str, int] = {}
    imo_problems = 0

    get = column_getter(cols)
    rows_in = CsvRows(reader, ncols, report, where, "EU OJ annex CSV")

    for line, row in rows_in:
        key = tuple(clean(c) for c in row)
        if key in seen_rows:
            report.skipped.append(SkippedRecord(f"line {line}", "exact duplicate row"))
            continue
        seen_rows.add(key)
        name = clean(get(row, "name"))
        if not name:
            report.skipped.append(SkippedRecord(f"line {line}", "no name"))
            continue
        celex = (clean(get(row, "celex")) or clean(get(row, "amendedCelex"))
                 or (name_celex.group(0) if name_celex else ""))
        ent = _entity(row, get, list_id, name, celex)
        schema = clean(get(row, "schema"))
        if schema.lower() not in _TYPES:
            unknown_schemas[schema or "(empty)"] = unknown_schemas.get(
                schema or "(empty)", 0) + 1
        for ident in ent.identifiers:
            if ident.type == "imo" and not imo_valid(ident.value):
                imo_problems += 1
                ent.flags.append(f"imo_invalid:{ident.value}")
        raw_date = get(row, "startDate")
        iso, problem = parse_date(raw_date)
        if problem:
            ent.flags.append(f"start_date_unreadable:{clean(raw_date)}")
            report.warnings.append(f"line {line} ({name}): startDate {problem}; "
                                   "kept raw in the flags")
        elif iso:
            ent.listed_on = iso
            if len(iso) == 10 and iso > newest:
                newest = iso
        annex = clean(get(row, "annex")) or "-"
        record_id = clean(get(row, "recordId"))
        digest = _row_hash(schema, name, ent.identifiers)
        sid = f"{annex}:{record_id}" if record_id else f"{annex}:h{digest}"
        if sid in seen_ids:
            sid = f"{sid}:h{digest}" if record_id else sid
            n = 2
            base = sid
            while sid in seen_ids:
                sid = f"{base}~{n}"
                n += 1
            report.warnings.append(f"line {line} ({name}): entry {annex}/{record_id or '-'} "
                                   f"repeats an earlier one; id {sid}")
        seen_ids.add(sid)
        ent.source_id = sid
        ent.id = f"{list_id}:{sid}"
        report.entities.append(ent)
    rows_in.check()
    for schema, n in sorted(unknown_schemas.items()):
        report.warnings.append(f"{n} row(s) with unknown schema {schema!r}: type unknown")
    if imo_problems:
        report.warnings.append(f"{imo_problems} IMO number(s) fail the check digit; "
                               "flagged imo_invalid")
    m = _DATE_IN_NAME.search(path.name)
    if m and parse_date(m.group(1))[0]:
        report.publication_date = m.group(1)
        report.warnings.append(f"publication date {m.group(1)} taken from the file name "
                               "(the consolidated version)")
    elif newest:
        report.publication_date = newest
        report.warnings.append(f"publication date {newest} is the newest listing date "
                               "(startDate) in the file")
    return report


def _entity(row: list[str], get, list_id: str, name: str,  # type: ignore[no-untyped-def]
            celex: str) -> Entity:
    schema = clean(get(row, "schema"))
    etype = _TYPES.get(schema.lower())
    if etype is None:
        etype = EntityType.ORGANIZATION if looks_like_organization(name) else EntityType.UNKNOWN
    annex = clean(get(row, "annex"))
    measure = clean(get(row, "measure"))
    kind, ref = act_reference(celex)
    suffix = f" Annex {annex}" if annex else ""
    ent = Entity(id="", list=list_id, source_id="", type=etype, name=name,
                 source_list=f"EU {kind} {ref}{suffix}",
                 source_url=(f"https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:{celex}"
                             if _CELEX.match(celex) else None))
    if schema.lower() == "asset":
        ent.flags.append("asset")
    add_unique(ent.programs, f"EU {ref}{suffix}")
    add_unique(ent.programs, measure)
    add_unique(ent.programs, get(row, "programKey"))
    for col in ("alias", "previousName"):
        for v in split_cell(get(row, col)):
            add_unique(ent.aliases, v)
    for v in split_cell(get(row, "weakAlias")):
        add_unique(ent.weak_aliases, v)
    for col in ("nationality", "jurisdiction", "flag", "country"):
        for v in split_cell(get(row, col)):
            _add_country_value(ent, v)
    for addr in split_cell(get(row, "address")):
        add_unique(ent.addresses, addr)
        code = address_country(addr)
        if code and code not in ent.countries:
            ent.countries.append(code)
    for v in split_cell(get(row, "birthDate")):
        add_unique(ent.birth_dates, v)
    seen: set[tuple[str, str]] = set()
    for col, itype in _ID_COLUMNS:
        for v in split_cell(get(row, col)):
            for ident in identifiers_from(v, itype):
                if (ident.type, ident.value) not in seen:
                    seen.add((ident.type, ident.value))
                    ent.identifiers.append(ident)
    remarks: list[str] = []
    for col, label in _REMARK_COLUMNS:
        values = split_cell(get(row, col)) if col != "reason" else [clean(get(row, col))]
        values = [v for v in values if v]
        if values:
            remarks.append(f"{label}: {'; '.join(values)}")
    ent.remarks = " | ".join(remarks) or None
    finish_names(ent)
    return ent


def parse_files(paths: list[Path], list_id: str = DEFAULT_LIST_ID) -> ParseReport:
    if len(paths) != 1:
        raise ListFormatError(f"the EU OJ annex format takes one CSV file, got {len(paths)}")
    return parse(paths[0], list_id)
