"""UK OFSI Consolidated List ("ConList"), xlsx (or the same table as CSV).

One row per name variant; rows are grouped by ``Group ID`` into one entity.
The first rows may be a title ("Last Updated", date) before the header, which
is found by its ``Group ID`` and ``Name 6`` cells. ``Name 6`` is the surname
(or an entity's whole name), ``Name 1``..``Name 5`` the given names; the
displayed name is given names then surname, as OFSI prints it. ``Alias Type``:
Primary name → primary (further primary rows → aliases), AKA / FKA / Primary
name variation → alias, and ``Alias Quality`` "Low quality" → weak alias.
``Name Non-Latin Script`` → alias. ``Group Type`` Individual/Entity/Ship →
person/organization/vessel; ``Regime`` → program.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

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
from exportguard.lists.model import Entity, EntityType, Identifier, ParseReport, SkippedRecord

DEFAULT_LIST_ID = "uk_ofsi"
SOURCE_LIST = "UK OFSI Consolidated List of Financial Sanctions Targets"
_TYPES = {"individual": EntityType.PERSON, "entity": EntityType.ORGANIZATION,
          "ship": EntityType.VESSEL}
_MULTI = re.compile(r"\(\d+\)\s*")


def _s(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime | date):
        return v.strftime("%d/%m/%Y")
    return clean(str(v))


def _dmy(value: str) -> str:
    """``28/06/1960`` → ``1960-06-28``; ``00/00/1960`` or ``1960`` → ``1960``;
    ``06/1960`` → ``1960-06``."""
    v = value.strip()
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", v)
    if m:
        d, mo, y = m.groups()
        if int(mo) == 0:
            return y
        if int(d) == 0:
            return f"{y}-{int(mo):02d}"
        return f"{y}-{int(mo):02d}-{int(d):02d}"
    m = re.fullmatch(r"(\d{1,2})/(\d{4})", v)
    if m:
        mo, y = m.groups()
        return y if int(mo) == 0 else f"{y}-{int(mo):02d}"
    return v


def _multi(value: str) -> list[str]:
    """``(1) Germany. (2) Morocco`` → ``["Germany", "Morocco"]``."""
    parts = _MULTI.split(value) if _MULTI.search(value) else [value]
    return [p.strip().rstrip(".").strip() for p in parts if p.strip().rstrip(".").strip()]


def _xlsx_rows(path: Path) -> Iterator[tuple[Any, ...]]:
    import openpyxl  # local: importing openpyxl costs ~0.3 s

    where = str(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as exc:
        raise ListFormatError(f"not a readable xlsx workbook (broken or truncated?): {exc}",
                              where) from exc
    except Exception as exc:  # openpyxl raises assorted errors on damaged files
        raise ListFormatError(f"not a readable xlsx workbook: {type(exc).__name__}: {exc}",
                              where) from exc
    try:
        ws = wb.worksheets[0]
        yield from ws.iter_rows(values_only=True)
    except ListFormatError:
        raise
    except Exception as exc:
        raise ListFormatError(f"xlsx data unreadable (broken or truncated?): "
                              f"{type(exc).__name__}: {exc}", where) from exc
    finally:
        wb.close()


def _csv_rows(path: Path) -> Iterator[tuple[Any, ...]]:
    where = str(path)
    text = decode_text(read_bytes(path), where)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            yield tuple(row)
    except csv.Error as exc:
        raise ListFormatError(f"broken CSV at line {reader.line_num}: {exc}",
                              f"{where}:{reader.line_num}") from exc


def parse(path: Path | str, list_id: str = DEFAULT_LIST_ID) -> ParseReport:
    path = Path(path)
    where = str(path)
    head = read_bytes(path)[:4] if path.exists() else b""
    if not path.exists():
        raise ListFormatError("file not found", where)
    if path.stat().st_size == 0:
        raise ListFormatError("empty file", where)
    rows = _xlsx_rows(path) if head[:2] == b"PK" else _csv_rows(path)
    report = ParseReport(entities=[], publication_date=None)
    header: list[str] | None = None
    cols: dict[str, int] = {}
    groups: dict[str, Entity] = {}
    n = 0
    for n, raw in enumerate(rows, start=1):
        cells = [_s(c) for c in raw]
        if header is None:
            if "Group ID" in cells and "Name 6" in cells:
                header = cells
                cols = {h: i for i, h in enumerate(header) if h}
            elif cells and cells[0].lower().startswith("last updated") and len(cells) > 1:
                pub = _dmy(cells[1])
                report.publication_date = pub if re.fullmatch(r"\d{4}-\d{2}-\d{2}", pub) else None
            elif n > 20:
                break
            continue
        if not any(cells):
            continue
        _add_row(cells, cols, groups, list_id, report, n)
    if header is None:
        raise ListFormatError("not an OFSI consolidated list: no header row with 'Group ID' and "
                              "'Name 6' in the first 20 rows", where)
    for ent in groups.values():
        finish_names(ent)
    report.entities = list(groups.values())
    if not report.publication_date:
        report.warnings.append("no 'Last Updated' title row: publication date unknown")
    return report


def _add_row(cells: list[str], cols: dict[str, int], groups: dict[str, Entity], list_id: str,
             report: ParseReport, rownum: int) -> None:
    def get(name: str) -> str:
        i = cols.get(name)
        return cells[i] if i is not None and i < len(cells) else ""

    gid = get("Group ID")
    if gid.endswith(".0"):
        gid = gid[:-2]
    given = [get(f"Name {i}") for i in range(1, 6)]
    surname = get("Name 6")
    name = " ".join(p for p in [*given, surname] if p)
    if not gid:
        report.skipped.append(SkippedRecord(f"row {rownum}", "no Group ID"))
        return
    if not name:
        report.skipped.append(SkippedRecord(f"row {rownum}", "no name"))
        return
    alias_type = get("Alias Type").lower()
    quality = get("Alias Quality").lower()
    ent = groups.get(gid)
    if ent is None:
        ent = Entity(id=f"{list_id}:{gid}", list=list_id, source_id=gid,
                     type=_TYPES.get(get("Group Type").lower(), EntityType.UNKNOWN), name=name,
                     source_list=SOURCE_LIST, remarks=get("Other Information") or None,
                     listed_on=_dmy(get("Listed On")) or None)
        groups[gid] = ent
        if alias_type != "primary name":
            ent.flags.append("primary_name_missing")
    elif alias_type == "primary name" and "primary_name_missing" in ent.flags:
        ent.aliases.insert(0, ent.name)
        ent.name = name
        ent.flags.remove("primary_name_missing")
    elif quality.startswith("low"):
        add_unique(ent.weak_aliases, name)
    else:
        add_unique(ent.aliases, name)
    add_unique(ent.aliases, get("Name Non-Latin Script"))
    add_unique(ent.programs, get("Regime"))
    for col in ("Nationality",):
        for c in _multi(get(col)):
            add_country(ent, c)
    dob = get("DOB")
    if dob:
        add_unique(ent.birth_dates, _dmy(dob))
    passports = _multi(get("Passport Number"))
    details = get("Passport Details")
    for p in passports:
        country = resolve_country(details.split(" ")[0]) if details else None
        if not any(i.value == p for i in ent.identifiers):
            ent.identifiers.append(Identifier("Passport", p, country))
    for nid in _multi(get("National Identification Number")):
        if not any(i.value == nid for i in ent.identifiers):
            ent.identifiers.append(Identifier("National Identification Number", nid))
    addr = ", ".join(p for p in (get(f"Address {i}") for i in range(1, 7)) if p)
    addr = ", ".join(p for p in (addr, get("Post/Zip Code"), get("Country")) if p)
    if addr:
        add_unique(ent.addresses, addr)
    add_country(ent, get("Country"))
    imo = re.search(r"\(IMO number\):\s*(\d{7})", get("Other Information"))
    if imo and not any(i.value == imo.group(1) for i in ent.identifiers):
        ent.identifiers.append(Identifier("IMO", imo.group(1)))


def parse_files(paths: list[Path], list_id: str = DEFAULT_LIST_ID) -> ParseReport:
    if len(paths) != 1:
        raise ListFormatError(f"the UK OFSI format takes one xlsx or CSV file, got {len(paths)}")
    return parse(paths[0], list_id)
