"""US Consolidated Screening List (trade.gov) CSV, plain or gzipped.

Header: ``_id, source, entity_number, type, programs, name, title, addresses,
federal_register_notice, start_date, end_date, standard_order,
license_requirement, license_policy, call_sign, vessel_type, gross_tonnage,
gross_registered_tonnage, vessel_flag, vessel_owner, remarks, source_list_url,
alt_names, citizenships, dates_of_birth, nationalities, places_of_birth,
source_information_url, ids``. Multi-valued cells are separated by ``;``.

``source`` ("Entity List (EL) - Bureau of Industry and Security") becomes
``Entity.source_list`` and a short code (the part in parentheses: ``EL``,
``SDN``, ``DPL``, ``MEU``, ``UVL``, ``DTC``, ``ISN``, ``SSI``, ``PLC``, ``CMIC``,
``CAP``, ``NS-MBS``, ``FSE``), which is also the first program.
``exclude_sources`` drops sources by short code (shell patterns: ``NS-*``).
Type comes from ``type`` (Individual/Entity/Vessel/Aircraft); when empty it is
inferred (legal-form words → organization, dates of birth/nationality →
person, otherwise unknown).
"""

from __future__ import annotations

import fnmatch
import gzip
import re
import zlib
from collections.abc import Iterable
from pathlib import Path

from exportguard.countries import is_alpha2, resolve_country
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

DEFAULT_LIST_ID = "us_csl"
REQUIRED = ("source", "name")
_TYPES = {"individual": EntityType.PERSON, "entity": EntityType.ORGANIZATION,
          "vessel": EntityType.VESSEL, "aircraft": EntityType.AIRCRAFT}
_PERSON_LISTS = {"DPL", "DTC"}
_ID_WORDS = re.compile(r"(No\.|Number|\bID\b|Passport|Code|SWIFT|IMO|MMSI|Registration|License|"
                       r"Cedula|Identification|Tax|C\.U\.R\.P|RFC|NIT)", re.IGNORECASE)
_DATE_IN_NAME = re.compile(r"(20\d{2}-\d{2}(?:-\d{2})?)")


def short_source(source: str) -> str:
    """``"Entity List (EL) - Bureau of ..."`` → ``"EL"``;
    ``"... (NS-MBS List) ..."`` → ``"NS-MBS"``."""
    groups = re.findall(r"\(([^()]+)\)", source)
    if not groups:
        return clean(source).split(" - ")[0].upper() or "UNKNOWN"
    code = groups[0].strip()
    code = re.sub(r"\s+List$", "", code, flags=re.IGNORECASE)
    return code.upper()


def _split(value: str) -> list[str]:
    return [clean(v) for v in value.split(";") if clean(v)]


def _alias(value: str) -> str:
    v = clean(value)
    v = re.sub(r"^(and|a\.k\.a\.,?|aka)\s+", "", v, flags=re.IGNORECASE)
    return v.strip(" ,")


def _excluded(code: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(code, p.upper()) for p in patterns)


def _read_text(path: Path) -> str:
    where = str(path)
    data = read_bytes(path)
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise ListFormatError(f"broken or truncated gzip file: {exc}", where) from exc
    return decode_text(data, where)


def parse(path: Path | str, list_id: str = DEFAULT_LIST_ID,
          exclude_sources: Iterable[str] = ()) -> ParseReport:
    path = Path(path)
    where = str(path)
    reader, header = open_csv(_read_text(path), where)
    report = ParseReport(entities=[], publication_date=None)
    m = _DATE_IN_NAME.search(path.name)
    if m:
        report.publication_date = m.group(1)
        report.warnings.append(f"publication date {m.group(1)} taken from the file name")
    excluded = [p for p in exclude_sources]
    cols = {h.lower(): i for i, h in enumerate(header)}
    missing = [c for c in REQUIRED if c not in cols]
    if missing:
        raise ListFormatError(
            f"not a Consolidated Screening List CSV: header lacks {', '.join(missing)} "
            f"(got {', '.join(list(cols)[:8])}...)", f"{where}:1")
    ncols = len(header)
    seen: dict[str, int] = {}
    excluded_counts: dict[str, int] = {}

    get = column_getter(cols)
    rows_in = CsvRows(reader, ncols, report, where, "CSL file", hint='; truncated?')

    for line, row in rows_in:
        source = clean(get(row, "source"))
        code = short_source(source)
        if excluded and _excluded(code, excluded):
            excluded_counts[code] = excluded_counts.get(code, 0) + 1
            continue
        name = clean(get(row, "name"))
        if not name:
            report.skipped.append(SkippedRecord(f"line {line}", "no name"))
            continue
        raw_id = clean(get(row, "_id")) or clean(get(row, "entity_number")) or f"line{line}"
        sid = f"{code}:{raw_id}"
        if sid in seen:
            seen[sid] += 1
            sid = f"{sid}#{seen[sid]}"
        else:
            seen[sid] = 1
        report.entities.append(_entity(row, get, list_id, sid, code, source, name))
    rows_in.check(len(report.entities))
    if excluded_counts:
        detail = ", ".join(f"{k} {v}" for k, v in sorted(excluded_counts.items()))
        report.warnings.append(f"excluded sources (loaded from their own publishers): {detail}")
    return report


def _entity(row: list[str], get, list_id: str, sid: str, code: str,  # type: ignore[no-untyped-def]
            source: str, name: str) -> Entity:
    ent = Entity(id=f"{list_id}:{sid}", list=list_id, source_id=sid, type=EntityType.UNKNOWN,
                 name=name, source_list=source,
                 source_url=clean(get(row, "source_information_url"))
                 or clean(get(row, "source_list_url")) or None,
                 listed_on=clean(get(row, "start_date"))[:10] or None)
    ent.programs.append(code)
    for p in _split(get(row, "programs")):
        add_unique(ent.programs, p)
    for a in _split(get(row, "alt_names")):
        add_unique(ent.aliases, _alias(a))
    for addr in _split(get(row, "addresses")):
        add_unique(ent.addresses, addr)
        last = addr.rsplit(",", 1)[-1].strip()
        if is_alpha2(last) and last.isupper():
            add_country(ent, last)
    for col in ("nationalities", "citizenships"):
        for c in _split(get(row, col)):
            add_country(ent, c)
    flag = clean(get(row, "vessel_flag"))
    if flag:
        add_country(ent, flag)
    for d in _split(get(row, "dates_of_birth")):
        add_unique(ent.birth_dates, d)
    call_sign = clean(get(row, "call_sign"))
    if call_sign:
        ent.identifiers.append(Identifier("Call Sign", call_sign))
    for item in _split(get(row, "ids")):
        parts = [p.strip() for p in item.split(", ")]
        if len(parts) >= 3 and is_alpha2(parts[0]) and parts[0].isupper():
            country, value, itype = parts[0], parts[1], ", ".join(parts[2:])
        elif len(parts) >= 2:
            country, value, itype = None, parts[0], ", ".join(parts[1:])
        else:
            continue
        if _ID_WORDS.search(itype) and value:
            ent.identifiers.append(Identifier(itype, value, resolve_country(country)
                                              if country else None))
    remarks = [clean(get(row, "remarks"))]
    title = clean(get(row, "title"))
    if title:
        remarks.insert(0, f"Title: {title}")
    for col, label in (("license_requirement", "License requirement"),
                       ("license_policy", "License policy"),
                       ("federal_register_notice", "Federal Register")):
        v = clean(get(row, col))
        if v:
            remarks.append(f"{label}: {v}")
    ent.remarks = "; ".join(r for r in remarks if r) or None
    t = _TYPES.get(clean(get(row, "type")).lower())
    if t is None:
        if call_sign or clean(get(row, "vessel_type")):
            t = EntityType.VESSEL
        elif ent.birth_dates or clean(get(row, "nationalities")) or clean(get(row, "citizenships")):
            t = EntityType.PERSON
        elif looks_like_organization(name):
            t = EntityType.ORGANIZATION
        elif code in _PERSON_LISTS:
            t = EntityType.PERSON
        else:
            t = EntityType.UNKNOWN
    ent.type = t
    finish_names(ent)
    return ent


def parse_files(paths: list[Path], list_id: str = DEFAULT_LIST_ID,
                exclude_sources: Iterable[str] = ()) -> ParseReport:
    if len(paths) != 1:
        raise ListFormatError(f"the CSL format takes one CSV file, got {len(paths)}")
    return parse(paths[0], list_id, exclude_sources)
