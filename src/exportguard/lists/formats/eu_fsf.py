"""EU Consolidated Financial Sanctions List (FSF), XML export ``xmlFullSanctionsList_1_1``.

Namespace ``http://eu.europa.ec/fpi/fsd/export``; root ``export`` with
``generationDate``; each ``sanctionEntity`` (``logicalId``, ``euReferenceNumber``,
``unitedNationId``, ``designationDetails``) has ``regulation`` (``programme``,
``publicationDate``, ``publicationUrl``), ``subjectType`` (``code`` person /
enterprise), ``nameAlias`` (``wholeName`` or first/middle/last name,
``strong="true|false"`` → alias / weak alias, ``nameLanguage``),
``citizenship`` (``countryIso2Code``), ``birthdate`` (``birthdate`` or
``year``), ``identification`` (``number``, ``identificationTypeCode``,
``countryIso2Code``) and ``address``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from exportguard.countries import is_alpha2
from exportguard.lists.errors import ListFormatError
from exportguard.lists.formats._common import add_country, add_unique, clean, finish_names
from exportguard.lists.model import Entity, EntityType, Identifier, ParseReport, SkippedRecord

DEFAULT_LIST_ID = "eu_fsf"
SOURCE_LIST = "EU Consolidated Financial Sanctions List"
_TYPES = {"person": EntityType.PERSON, "enterprise": EntityType.ORGANIZATION,
          "vessel": EntityType.VESSEL, "aircraft": EntityType.AIRCRAFT}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _country(code: str | None) -> str | None:
    c = (code or "").strip().upper()
    return c if c and c != "00" and is_alpha2(c) else None


def parse(path: Path | str, list_id: str = DEFAULT_LIST_ID) -> ParseReport:
    path = Path(path)
    where = str(path)
    report = ParseReport(entities=[], publication_date=None)
    root_seen = False
    seen: set[str] = set()
    try:
        for ev, el in ET.iterparse(path, events=("start", "end")):
            if ev == "start":
                if not root_seen:
                    root_seen = True
                    if _local(el.tag) != "export":
                        raise ListFormatError(
                            f"not an EU FSF export: root element is <{_local(el.tag)}>, "
                            "expected <export>", where)
                    gen = el.get("generationDate") or ""
                    report.publication_date = gen[:10] or None
                continue
            if _local(el.tag) != "sanctionEntity":
                continue
            result = _entity(el, list_id)
            lid = el.get("logicalId") or "?"
            if isinstance(result, str):
                report.skipped.append(SkippedRecord(f"logicalId {lid}", result))
            elif result.id in seen:
                report.skipped.append(SkippedRecord(f"logicalId {lid}", "duplicate logicalId"))
            else:
                seen.add(result.id)
                report.entities.append(result)
            el.clear()
    except ET.ParseError as exc:
        line, col = getattr(exc, "position", (0, 0))
        raise ListFormatError(
            f"not well-formed XML (truncated or broken) at line {line}, column {col}: {exc}",
            f"{where}:{line}") from exc
    except OSError as exc:
        raise ListFormatError(f"cannot read file: {exc.strerror or exc}", where) from exc
    if not root_seen:
        raise ListFormatError("empty file", where)
    if not report.publication_date:
        report.warnings.append("no generationDate: publication date unknown")
    return report


def _entity(el: ET.Element, list_id: str) -> Entity | str:
    lid = el.get("logicalId") or ""
    if not lid:
        return "no logicalId"
    subject = next((c for c in el if _local(c.tag) == "subjectType"), None)
    code = (subject.get("code") if subject is not None else "") or ""
    etype = _TYPES.get(code.lower(), EntityType.UNKNOWN)
    strong: list[str] = []
    weak: list[str] = []
    ent = Entity(id=f"{list_id}:{lid}", list=list_id, source_id=lid, type=etype, name="",
                 source_list=SOURCE_LIST)
    remarks: list[str] = []
    for child in el:
        tag = _local(child.tag)
        a = child.attrib
        if tag == "nameAlias":
            whole = clean(a.get("wholeName"))
            if not whole:
                whole = " ".join(p for p in (clean(a.get("firstName")), clean(a.get("middleName")),
                                             clean(a.get("lastName"))) if p)
            if whole:
                add_unique(weak if a.get("strong", "true").lower() == "false" else strong, whole)
        elif tag == "regulation":
            add_unique(ent.programs, a.get("programme"))
            pub = clean(a.get("publicationDate"))[:10]
            if pub and (ent.listed_on is None or pub < ent.listed_on):
                ent.listed_on = pub
            url = next((clean(u.text) for u in child if _local(u.tag) == "publicationUrl"), "")
            if url and not ent.source_url:
                ent.source_url = url
        elif tag == "citizenship":
            c = _country(a.get("countryIso2Code"))
            add_country(ent, c or a.get("countryDescription"))
        elif tag == "birthdate":
            d = clean(a.get("birthdate")) or clean(a.get("year"))
            if d:
                add_unique(ent.birth_dates, d)
        elif tag == "identification":
            number = clean(a.get("number")) or clean(a.get("latinNumber"))
            if number:
                ent.identifiers.append(Identifier(
                    clean(a.get("identificationTypeDescription"))
                    or clean(a.get("identificationTypeCode")) or "document",
                    number, _country(a.get("countryIso2Code"))))
        elif tag == "address":
            parts = [clean(a.get(k)) for k in ("street", "poBox", "city", "zipCode", "region",
                                                "place", "countryDescription")]
            text = ", ".join(p for p in parts if p and p != "UNKNOWN")
            if text:
                add_unique(ent.addresses, text)
            c = _country(a.get("countryIso2Code"))
            if c:
                add_country(ent, c)
        elif tag == "remark" and clean(child.text):
            remarks.append(clean(child.text))
    if not strong and not weak:
        return "no name"
    ent.name = strong.pop(0) if strong else weak.pop(0)
    ent.aliases, ent.weak_aliases = strong, weak
    for attr, label in (("euReferenceNumber", "EU reference number"),
                        ("unitedNationId", "UN reference number")):
        v = clean(el.get(attr))
        if v:
            ent.identifiers.append(Identifier(label, v))
    details = clean(el.get("designationDetails"))
    if details:
        remarks.append(details)
    ent.remarks = " ".join(remarks) or None
    finish_names(ent)
    return ent


def parse_files(paths: list[Path], list_id: str = DEFAULT_LIST_ID) -> ParseReport:
    if len(paths) != 1:
        raise ListFormatError(f"the EU FSF format takes one XML file, got {len(paths)}")
    return parse(paths[0], list_id)
