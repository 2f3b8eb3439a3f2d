"""BIS Denied Persons List, the official tab-separated file with quoted fields.

Columns: Name, Street_Address, City, State, Country, Postal_Code,
Effective_Date, Expiration_Date, Standard_Order, Last_Update, Action,
FR_Citation. Rows with the same name and Federal Register citation are one
denial order with several addresses, so they become one entity. Dates are
``MM/DD/YYYY`` or ISO; impossible ones (the file has ``2922-09-01`` and
``3017-08-22``) are kept raw, flagged on the entity and warned about. The type
is inferred from the name (legal-form words → organization, else person).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import date
from pathlib import Path

from exportguard.lists.errors import ListFormatError
from exportguard.lists.formats._common import (
    add_country,
    add_unique,
    clean,
    decode_text,
    looks_like_organization,
    read_bytes,
)
from exportguard.lists.model import Entity, EntityType, ParseReport, SkippedRecord

DEFAULT_LIST_ID = "bis_dpl"
SOURCE_LIST = "BIS Denied Persons List"
REQUIRED = ("Name", "Effective_Date", "FR_Citation")
MAX_PLAUSIBLE_YEAR = 2100


def normalize_date(raw: str) -> tuple[str | None, str | None]:
    """``(iso_date, problem)``: ``("2003-06-19", None)``, or ``(None, "impossible date ...")``."""
    v = clean(raw)
    if not v:
        return None, None
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", v)
    if m:
        mo, d, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", v)
        if not m:
            return None, f"unreadable date {v!r}"
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    try:
        iso = date(y, mo, d).isoformat()
    except ValueError:
        return None, f"impossible date {v!r}"
    if y > MAX_PLAUSIBLE_YEAR or y < 1900:
        return None, f"impossible date {v!r} (year {y})"
    return iso, None


def parse(path: Path | str, list_id: str = DEFAULT_LIST_ID) -> ParseReport:
    path = Path(path)
    where = str(path)
    text = decode_text(read_bytes(path), where)
    if not text.strip():
        raise ListFormatError("empty file", where)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t", strict=True)
    try:
        header = [clean(h) for h in next(reader)]
    except (csv.Error, StopIteration) as exc:
        raise ListFormatError(f"cannot read the header: {exc}", f"{where}:1") from exc
    cols = {h: i for i, h in enumerate(header)}
    missing = [c for c in REQUIRED if c not in cols]
    if missing:
        raise ListFormatError(
            f"not a BIS Denied Persons tab-separated file: header lacks {', '.join(missing)}",
            f"{where}:1")
    report = ParseReport(entities=[], publication_date=None)
    groups: dict[tuple[str, str], Entity] = {}
    latest_update: str | None = None
    rows = 0
    bad = 0

    def get(row: list[str], name: str) -> str:
        i = cols.get(name)
        return row[i] if i is not None and i < len(row) else ""

    try:
        for row in reader:
            line = reader.line_num
            if not row or not any(c.strip() for c in row):
                continue
            if len(row) != len(header):
                bad += 1
                report.skipped.append(SkippedRecord(
                    f"line {line}", f"malformed row ({len(row)} fields, expected {len(header)})"))
                continue
            rows += 1
            name = clean(get(row, "Name"))
            if not name:
                report.skipped.append(SkippedRecord(f"line {line}", "no name"))
                continue
            fr = clean(get(row, "FR_Citation"))
            key = (name.upper(), fr)
            ent = groups.get(key)
            if ent is None:
                sid = hashlib.sha1(f"{name.upper()}|{fr}".encode()).hexdigest()[:12]
                ent = Entity(
                    id=f"{list_id}:{sid}", list=list_id, source_id=sid,
                    type=EntityType.ORGANIZATION if looks_like_organization(name)
                    else EntityType.PERSON,
                    name=name, source_list=SOURCE_LIST, programs=["DPL"],
                    remarks="; ".join(x for x in (
                        f"Action: {clean(get(row, 'Action'))}" if clean(get(row, "Action")) else "",
                        f"Federal Register: {fr}" if fr else "",
                        f"Expires: {clean(get(row, 'Expiration_Date'))}"
                        if clean(get(row, "Expiration_Date")) else "",
                        f"Standard order: {clean(get(row, 'Standard_Order'))}"
                        if clean(get(row, "Standard_Order")) else "",
                    ) if x) or None,
                )
                groups[key] = ent
            addr = ", ".join(p for p in (clean(get(row, c)) for c in (
                "Street_Address", "City", "State", "Postal_Code", "Country")) if p)
            add_unique(ent.addresses, addr)
            add_country(ent, get(row, "Country"))
            for col in ("Effective_Date", "Expiration_Date", "Last_Update"):
                raw = get(row, col)
                iso, problem = normalize_date(raw)
                if problem:
                    kind = "impossible" if "impossible" in problem else "unreadable"
                    flag = f"{col.lower()}_{kind}:{clean(raw)}"
                    if flag not in ent.flags:
                        ent.flags.append(flag)
                        report.warnings.append(f"line {line} ({name}): {col} {problem}; "
                                               "kept raw and flagged")
                elif iso and col == "Effective_Date":
                    if not ent.listed_on or iso < ent.listed_on:
                        ent.listed_on = iso
                elif iso and col == "Last_Update" and (latest_update or "") < iso:
                    latest_update = iso
    except csv.Error as exc:
        raise ListFormatError(f"broken tab-separated data at line {reader.line_num}: {exc}",
                              f"{where}:{reader.line_num}") from exc
    if bad > max(10, rows // 10):
        raise ListFormatError(f"{bad} malformed rows against {rows} good ones: "
                              "not a (complete) DPL file", where)
    report.entities = list(groups.values())
    report.publication_date = latest_update
    if latest_update:
        report.warnings.append(f"publication date {latest_update} is the latest Last_Update")
    merged = rows - len(report.entities) - len([s for s in report.skipped if s.reason == "no name"])
    if merged:
        report.warnings.append(f"{rows} rows → {len(report.entities)} entities: {merged} rows were "
                               "further addresses of the same name and FR citation")
    return report


def parse_files(paths: list[Path], list_id: str = DEFAULT_LIST_ID) -> ParseReport:
    if len(paths) != 1:
        raise ListFormatError(f"the BIS DPL format takes one file, got {len(paths)}")
    return parse(paths[0], list_id)
