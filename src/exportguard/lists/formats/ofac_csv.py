"""OFAC "classic" CSV files: ``sdn.csv`` + ``add.csv`` + ``alt.csv`` (+ ``sdn_comments.csv``).

The same layout carries the non-SDN Consolidated list (``cons_prim.csv``,
``cons_add.csv``, ``cons_alt.csv``, ``cons_comments.csv``). Files have no
header; ``-0-`` means empty; the file ends with a ``\\x1a`` (DOS EOF) byte.

- primary: ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type,
  Tonnage, GRT, Vess_flag, Vess_owner, Remarks
- add: ent_num, add_num, address, city/state/postal code, country, add_remarks
- alt: ent_num, alt_num, alt_type (aka/fka/nka), alt_name, alt_remarks
- comments: ent_num, remarks continuation (appended to Remarks)

The SDN_Type column is ``-0-`` for entities (and, in some files, for
everything): the type is inferred from vessel fields and remarks. add/alt/
comment rows are joined on ent_num; rows whose ent_num has no primary row are
reported as orphans, never turned into entries. Names stay as published
(``LAST, First``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path

from exportguard.countries import resolve_country
from exportguard.lists.errors import ListFormatError
from exportguard.lists.formats._common import (
    add_country,
    add_unique,
    clean,
    decode_text,
    finish_names,
    read_bytes,
)
from exportguard.lists.formats._ofac_remarks import parse_remarks
from exportguard.lists.model import Entity, EntityType, Identifier, ParseReport, SkippedRecord

DEFAULT_LIST_ID = "ofac_sdn"
SOURCE_LIST = "OFAC Specially Designated Nationals (SDN) List"
SOURCE_LIST_CONS = "OFAC Consolidated (non-SDN) List"
_EMPTY = "-0-"
_DATE_IN_NAME = re.compile(r"(20\d{2}-\d{2}-\d{2})")


def _v(value: str) -> str:
    value = clean(value)
    return "" if value == _EMPTY else value


def _rows(path: Path, ncols: int, report: ParseReport) -> list[tuple[int, list[str]]]:
    """Rows of an OFAC CSV file with their 1-based row numbers; bad rows go to ``skipped``."""
    where = str(path)
    data = read_bytes(path)
    text = decode_text(data, where).rstrip("\x1a\r\n \t")
    if not text.strip():
        raise ListFormatError("empty file", where)
    out: list[tuple[int, list[str]]] = []
    bad = 0
    first_bad: str | None = None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    last_bad = False
    try:
        for row in reader:
            rownum = reader.line_num
            if not row or (len(row) == 1 and not row[0].strip("\x1a \t")):
                continue
            last_bad = len(row) != ncols
            if len(row) != ncols:
                bad += 1
                msg = f"{len(row)} fields, expected {ncols}"
                first_bad = first_bad or f"line {rownum}: {msg}"
                report.skipped.append(SkippedRecord(f"{path.name} line {rownum}",
                                                    f"malformed row ({msg}; truncated?)"))
                continue
            if not _v(row[0]).isdigit():
                bad += 1
                first_bad = first_bad or f"line {rownum}: ent_num {row[0][:20]!r} is not a number"
                report.skipped.append(SkippedRecord(f"{path.name} line {rownum}",
                                                    "ent_num is not a number"))
                continue
            out.append((rownum, row))
    except csv.Error as exc:
        hint = " (file truncated?)" if "end of data" in str(exc) else ""
        raise ListFormatError(f"broken CSV at line {reader.line_num}: {exc}{hint}",
                              f"{where}:{reader.line_num}") from exc
    if out and last_bad:
        raise ListFormatError(
            f"the file ends with an incomplete row at line {reader.line_num} "
            f"({len(report.skipped[-1].reason) and report.skipped[-1].reason}): truncated?",
            f"{where}:{reader.line_num}")
    if not out:
        raise ListFormatError(
            f"no valid OFAC rows ({ncols} columns, numeric ent_num) found"
            + (f"; first problem at {first_bad}" if first_bad else ""), where)
    if bad > max(10, len(out) // 10):
        raise ListFormatError(
            f"not an OFAC {ncols}-column file: {bad} malformed rows against {len(out)} good ones;"
            f" first problem at {first_bad}", where)
    if bad:
        report.warnings.append(f"{path.name}: {bad} malformed row(s) skipped, first at {first_bad}")
    return out


def _infer_type(sdn_type: str, vessel_fields: list[str], program: str, remarks: str,
                facts_person: bool, facts_vessel: bool, facts_aircraft: bool) -> EntityType:
    t = sdn_type.lower()
    if t == "individual":
        return EntityType.PERSON
    if t == "vessel":
        return EntityType.VESSEL
    if t == "aircraft":
        return EntityType.AIRCRAFT
    if any(vessel_fields) or facts_vessel:
        return EntityType.VESSEL
    if facts_aircraft:
        return EntityType.AIRCRAFT
    if facts_person:
        return EntityType.PERSON
    return EntityType.ORGANIZATION


def _classify(paths: Sequence[Path]) -> dict[str, Path]:
    roles: dict[str, Path] = {}
    for p in paths:
        n = Path(p).name.lower()
        role = ("comments" if "comment" in n else "add" if n.startswith(("add", "cons_add"))
                else "alt" if n.startswith(("alt", "cons_alt")) else "primary")
        if role in roles:
            raise ListFormatError(f"two files for the {role} role: {roles[role].name} and "
                                  f"{Path(p).name}", str(p))
        roles[role] = Path(p)
    if "primary" not in roles:
        raise ListFormatError("no primary file (sdn.csv / cons_prim.csv) given",
                              ", ".join(str(p) for p in paths))
    return roles


def parse_files(paths: Sequence[Path | str], list_id: str = DEFAULT_LIST_ID) -> ParseReport:
    """Parse files given in any order; roles come from the file names (add/alt/comments)."""
    roles = _classify([Path(p) for p in paths])
    return parse(roles["primary"], roles.get("add"), roles.get("alt"), roles.get("comments"),
                 list_id=list_id)


def parse(
    sdn: Path | str,
    add: Path | str | None = None,
    alt: Path | str | None = None,
    comments: Path | str | None = None,
    *,
    list_id: str = DEFAULT_LIST_ID,
) -> ParseReport:
    sdn = Path(sdn)
    report = ParseReport(entities=[], publication_date=None)
    m = _DATE_IN_NAME.search(sdn.name)
    if m:
        report.publication_date = m.group(1)
        report.warnings.append(f"publication date {m.group(1)} taken from the file name")
    is_cons = "cons" in sdn.name.lower()
    source_list = SOURCE_LIST_CONS if is_cons else SOURCE_LIST

    prim_rows = _rows(sdn, 12, report)
    raw: dict[str, list[str]] = {}
    order: list[str] = []
    for rownum, row in prim_rows:
        ent_num = _v(row[0])
        if ent_num in raw:
            report.skipped.append(SkippedRecord(f"{sdn.name} line {rownum}", "duplicate ent_num"))
            continue
        raw[ent_num] = row
        order.append(ent_num)

    extra_remarks: dict[str, str] = {}
    if comments is not None:
        comments = Path(comments)
        for rownum, row in _rows(comments, 2, report):
            ent_num = _v(row[0])
            if ent_num not in raw:
                report.orphans.append(SkippedRecord(
                    f"{comments.name} line {rownum} (ent_num {ent_num})",
                    "comment for an ent_num with no primary row"))
                continue
            extra_remarks[ent_num] = extra_remarks.get(ent_num, "") + row[1]

    entities: dict[str, Entity] = {}
    for ent_num in order:
        row = raw[ent_num]
        name = _v(row[1])
        if not name:
            report.skipped.append(SkippedRecord(f"ent_num {ent_num}", "no name"))
            continue
        remarks_raw = row[11].strip()
        remarks_raw = "" if remarks_raw == _EMPTY else remarks_raw
        remarks = clean(remarks_raw + extra_remarks.get(ent_num, ""))
        facts = parse_remarks(remarks)
        program = _v(row[3])
        vessel_fields = [_v(row[i]) for i in (5, 6, 7, 8, 9, 10)]
        etype = _infer_type(_v(row[2]), vessel_fields, program, remarks,
                            facts.has_person_facts, facts.has_vessel_facts,
                            facts.has_aircraft_facts)
        ent = Entity(id=f"{list_id}:{ent_num}", list=list_id, source_id=ent_num, type=etype,
                     name=name, source_list=source_list, remarks=remarks or None)
        for prog in re.split(r"\]\s*\[", program.strip("[] ")) if program else []:
            add_unique(ent.programs, prog.strip("[] "))
        ent.birth_dates.extend(facts.birth_dates)
        for nat in facts.nationalities:
            add_country(ent, nat)
        for pob in facts.birth_places:  # "Giza, Egypt": only a country that resolves
            code = resolve_country(pob.rsplit(",", 1)[-1])
            if code and code not in ent.countries:
                ent.countries.append(code)
        if vessel_fields[0]:
            ent.identifiers.append(Identifier("Call Sign", vessel_fields[0]))
        if vessel_fields[4]:
            add_country(ent, vessel_fields[4])
        for label, value, country in facts.identifiers:
            code = resolve_country(country) if country else None
            ent.identifiers.append(Identifier(label, value, code or country))
        for _kind, alias in facts.akas:
            add_unique(ent.aliases, alias)
        entities[ent_num] = ent

    if add is not None:
        add = Path(add)
        for rownum, row in _rows(add, 6, report):
            ent_num = _v(row[0])
            found = entities.get(ent_num)
            if found is None:
                report.orphans.append(SkippedRecord(
                    f"{add.name} line {rownum} (ent_num {ent_num})",
                    "address for an ent_num with no primary row"))
                continue
            parts = [_v(row[2]), _v(row[3]), _v(row[4])]
            text = ", ".join(p for p in parts if p)
            note = _v(row[5])
            if text:
                add_unique(found.addresses, f"{text} ({note})" if note else text)
            add_country(found, _v(row[4]))

    if alt is not None:
        alt = Path(alt)
        for rownum, row in _rows(alt, 5, report):
            ent_num = _v(row[0])
            found = entities.get(ent_num)
            if found is None:
                report.orphans.append(SkippedRecord(
                    f"{alt.name} line {rownum} (ent_num {ent_num})",
                    "alias for an ent_num with no primary row"))
                continue
            alt_type = _v(row[2]).lower().replace(".", "")
            alt_name = _v(row[3])
            alt_remarks = _v(row[4]).lower()
            if not alt_name:
                continue
            if "weak" in alt_type or "weak" in alt_remarks:
                add_unique(found.weak_aliases, alt_name)
            else:
                add_unique(found.aliases, alt_name)

    if report.orphans:
        ids = {o.where.rsplit("ent_num ", 1)[1].rstrip(")") for o in report.orphans}
        report.warnings.append(
            f"{len(report.orphans)} add/alt/comment row(s) for {len(ids)} ent_num(s) with no "
            f"primary row (files from different dates?): reported as orphans, not loaded")
    for ent in entities.values():
        finish_names(ent)
    report.entities = list(entities.values())
    return report
