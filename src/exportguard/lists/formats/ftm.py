"""FollowTheMoney entities as JSON lines (e.g. OpenSanctions exports).

One JSON object per line: ``id``, ``schema``, ``properties`` (dict of lists of
strings). Party schemas: Person → person; Organization, Company, LegalEntity,
PublicBody → organization; Vessel → vessel; Airplane → aircraft. Other
schemas (Address, Sanction, Ownership, ...) are skipped with a counted reason.
Properties read: name, alias, weakAlias, previousName (alias), country,
nationality, citizenship, jurisdiction, birthDate, idNumber, passportNumber,
imoNumber, registrationNumber, program/topics, address, sourceUrl, notes.
"""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path
from typing import Any

from exportguard.lists.errors import ListFormatError
from exportguard.lists.formats._common import (
    add_country,
    add_unique,
    clean,
    finish_names,
    read_bytes,
)
from exportguard.lists.model import Entity, EntityType, Identifier, ParseReport, SkippedRecord

DEFAULT_LIST_ID = "ftm"
_TYPES = {"Person": EntityType.PERSON, "Organization": EntityType.ORGANIZATION,
          "Company": EntityType.ORGANIZATION, "LegalEntity": EntityType.ORGANIZATION,
          "PublicBody": EntityType.ORGANIZATION, "Vessel": EntityType.VESSEL,
          "Airplane": EntityType.AIRCRAFT}
_IDS = (("idNumber", "ID number"), ("passportNumber", "Passport"), ("imoNumber", "IMO"),
        ("registrationNumber", "Registration number"), ("taxNumber", "Tax ID"),
        ("innCode", "INN"), ("ogrnCode", "OGRN"), ("leiCode", "LEI"), ("swiftBic", "SWIFT/BIC"))


def _vals(props: dict[str, Any], key: str) -> list[str]:
    v = props.get(key)
    if v is None:
        return []
    if isinstance(v, str):
        return [v]
    if isinstance(v, list):
        return [str(x) for x in v if isinstance(x, str | int | float)]
    return []


def parse(path: Path | str, list_id: str = DEFAULT_LIST_ID) -> ParseReport:
    path = Path(path)
    where = str(path)
    data = read_bytes(path)
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise ListFormatError(f"broken or truncated gzip file: {exc}", where) from exc
    if not data.strip():
        raise ListFormatError("empty file", where)
    report = ParseReport(entities=[], publication_date=None)
    seen: set[str] = set()
    bad = 0
    good_lines = 0
    first_bad = ""
    latest = ""
    for lineno, raw in enumerate(data.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            bad += 1
            first_bad = first_bad or f"line {lineno}: {exc}"
            report.skipped.append(SkippedRecord(f"line {lineno}", "not valid JSON"))
            continue
        if not isinstance(obj, dict) or "schema" not in obj or "id" not in obj:
            bad += 1
            first_bad = first_bad or f"line {lineno}: not an FtM entity (no id/schema)"
            report.skipped.append(SkippedRecord(f"line {lineno}", "not an FtM entity"))
            continue
        good_lines += 1
        schema = str(obj.get("schema"))
        etype = _TYPES.get(schema)
        if etype is None:
            report.skipped.append(SkippedRecord(f"line {lineno}",
                                                f"schema {schema} is not a party"))
            continue
        raw_props = obj.get("properties")
        props: dict[str, Any] = raw_props if isinstance(raw_props, dict) else {}
        names = [clean(n) for n in _vals(props, "name") if clean(n)]
        if not names:
            report.skipped.append(SkippedRecord(f"line {lineno}", "no name"))
            continue
        sid = str(obj["id"])
        if sid in seen:
            report.skipped.append(SkippedRecord(f"line {lineno}", "duplicate id"))
            continue
        seen.add(sid)
        ent = Entity(id=f"{list_id}:{sid}", list=list_id, source_id=sid, type=etype,
                     name=names[0], aliases=names[1:])
        for key in ("alias", "previousName"):
            for v in _vals(props, key):
                add_unique(ent.aliases, v)
        for v in _vals(props, "weakAlias"):
            add_unique(ent.weak_aliases, v)
        for key in ("nationality", "citizenship", "country", "jurisdiction", "flag"):
            for v in _vals(props, key):
                add_country(ent, v.upper() if len(v) == 2 else v)
        for v in _vals(props, "birthDate"):
            add_unique(ent.birth_dates, v)
        for key, label in _IDS:
            for v in _vals(props, key):
                if clean(v):
                    ent.identifiers.append(Identifier(label, clean(v)))
        for key in ("program", "programId", "topics"):
            for v in _vals(props, key):
                add_unique(ent.programs, v)
        for v in _vals(props, "address"):
            add_unique(ent.addresses, v)
        urls = _vals(props, "sourceUrl")
        ent.source_url = urls[0] if urls else None
        ent.remarks = " ".join(clean(n) for n in _vals(props, "notes")) or None
        datasets = obj.get("datasets")
        if isinstance(datasets, list) and datasets:
            ent.source_list = ", ".join(str(d) for d in datasets)
        first_seen = obj.get("first_seen")
        if isinstance(first_seen, str):
            ent.listed_on = first_seen[:10]
        change = obj.get("last_change")
        if isinstance(change, str) and change > latest:
            latest = change
        finish_names(ent)
        report.entities.append(ent)
    if good_lines == 0:
        raise ListFormatError("no FollowTheMoney entities found (one JSON object with id and "
                              f"schema per line expected); first problem at {first_bad}", where)
    if bad > max(10, good_lines // 10):
        raise ListFormatError(f"{bad} bad lines against {good_lines} good ones; first problem at "
                              f"{first_bad}", where)
    if latest:
        report.publication_date = latest[:10]
    return report


def parse_files(paths: list[Path], list_id: str = DEFAULT_LIST_ID) -> ParseReport:
    report = ParseReport(entities=[], publication_date=None)
    for p in paths:
        r = parse(p, list_id)
        report.entities += r.entities
        report.skipped += r.skipped
        report.warnings += r.warnings
        if r.publication_date and (report.publication_date or "") < r.publication_date:
            report.publication_date = r.publication_date
    if not paths:
        raise ListFormatError("the FtM format needs at least one JSON lines file")
    return report
