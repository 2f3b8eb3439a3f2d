"""UN Security Council Consolidated List, official XML (``CONSOLIDATED_LIST``).

Structure (sc-sanctions.xsd): ``INDIVIDUALS/INDIVIDUAL`` and
``ENTITIES/ENTITY`` with ``DATAID``, ``FIRST_NAME``..``FOURTH_NAME``,
``NAME_ORIGINAL_SCRIPT``, ``UN_LIST_TYPE``, ``REFERENCE_NUMBER``,
``LISTED_ON``, ``COMMENTS1``, ``NATIONALITY/VALUE``, ``*_ALIAS`` (``QUALITY``
Good / a.k.a. / f.k.a. → alias, Low → weak alias), ``*_ADDRESS``,
``INDIVIDUAL_DATE_OF_BIRTH``, ``INDIVIDUAL_PLACE_OF_BIRTH`` and
``INDIVIDUAL_DOCUMENT``. The root's ``dateGenerated`` is the publication date.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from exportguard.countries import resolve_country
from exportguard.lists.errors import ListFormatError
from exportguard.lists.formats._common import add_country, add_unique, clean, finish_names
from exportguard.lists.model import Entity, EntityType, Identifier, ParseReport, SkippedRecord

DEFAULT_LIST_ID = "un_sc"
SOURCE_LIST = "UN Security Council Consolidated List"


def _text(el: ET.Element | None, tag: str) -> str:
    if el is None:
        return ""
    child = el.find(tag)
    return clean(child.text) if child is not None else ""


def _values(el: ET.Element, tag: str) -> list[str]:
    out: list[str] = []
    for block in el.findall(tag):
        for v in block.findall("VALUE"):
            add_unique(out, v.text)
    return out


def _address(addr: ET.Element) -> str:
    parts = [_text(addr, t) for t in ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY")]
    text = ", ".join(p for p in parts if p)
    note = _text(addr, "NOTE")
    return f"{text} ({note})" if text and note else text


def _birth_date(dob: ET.Element) -> str:
    date = _text(dob, "DATE")
    if date:
        return date[:10]
    year = _text(dob, "YEAR")
    if year:
        return year
    lo, hi = _text(dob, "FROM_YEAR"), _text(dob, "TO_YEAR")
    if lo and hi:
        return f"{lo}/{hi}"
    return lo or hi


def _parse_record(el: ET.Element, is_person: bool, list_id: str) -> Entity | str:
    dataid = _text(el, "DATAID")
    if not dataid:
        return "no DATAID"
    parts = [_text(el, t) for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
    name = " ".join(p for p in parts if p)
    original = _text(el, "NAME_ORIGINAL_SCRIPT")
    if not name:
        if not original:
            return "no name"
        name = original
    list_type = _text(el, "UN_LIST_TYPE")
    ref = _text(el, "REFERENCE_NUMBER")
    ent = Entity(
        id=f"{list_id}:{dataid}",
        list=list_id,
        source_id=dataid,
        type=EntityType.PERSON if is_person else EntityType.ORGANIZATION,
        name=name,
        source_list=SOURCE_LIST,
        remarks=_text(el, "COMMENTS1") or None,
        listed_on=_text(el, "LISTED_ON")[:10] or None,
    )
    if original and original != name:
        ent.aliases.append(original)
    for prog in (list_type, ref):
        add_unique(ent.programs, prog)
    if ref:
        ent.identifiers.append(Identifier("UN reference number", ref))
    alias_tag = "INDIVIDUAL_ALIAS" if is_person else "ENTITY_ALIAS"
    for alias in el.findall(alias_tag):
        alias_name = _text(alias, "ALIAS_NAME")
        if not alias_name:
            continue
        quality = _text(alias, "QUALITY").lower()
        if quality == "low":
            add_unique(ent.weak_aliases, alias_name)
        else:
            add_unique(ent.aliases, alias_name)
    for nat in _values(el, "NATIONALITY"):
        add_country(ent, nat)
    addr_tag = "INDIVIDUAL_ADDRESS" if is_person else "ENTITY_ADDRESS"
    for addr in el.findall(addr_tag):
        text = _address(addr)
        if text:
            add_unique(ent.addresses, text)
        add_country(ent, _text(addr, "COUNTRY"))
    if is_person:
        for dob in el.findall("INDIVIDUAL_DATE_OF_BIRTH"):
            add_unique(ent.birth_dates, _birth_date(dob))
        for pob in el.findall("INDIVIDUAL_PLACE_OF_BIRTH"):
            add_country(ent, _text(pob, "COUNTRY"))
        for doc in el.findall("INDIVIDUAL_DOCUMENT"):
            number = _text(doc, "NUMBER")
            if not number:
                continue
            dtype = _text(doc, "TYPE_OF_DOCUMENT") or _text(doc, "TYPE_OF_DOCUMENT2") or "document"
            country_raw = _text(doc, "ISSUING_COUNTRY") or _text(doc, "COUNTRY_OF_ISSUE")
            country = resolve_country(country_raw) if country_raw else None
            ent.identifiers.append(Identifier(dtype, number, country or (country_raw or None)))
    finish_names(ent)
    return ent


def parse(path: Path | str, list_id: str = DEFAULT_LIST_ID) -> ParseReport:
    """Parse the UN consolidated XML file at ``path``."""
    path = Path(path)
    where = str(path)
    try:
        tree = ET.parse(path)
    except ET.ParseError as exc:
        line, col = getattr(exc, "position", (0, 0))
        raise ListFormatError(
            f"not well-formed XML (truncated or broken) at line {line}, column {col}: {exc}",
            f"{where}:{line}",
        ) from exc
    except OSError as exc:
        raise ListFormatError(f"cannot read file: {exc.strerror or exc}", where) from exc
    root = tree.getroot()
    if root.tag != "CONSOLIDATED_LIST":
        raise ListFormatError(
            f"not a UN consolidated list: root element is <{root.tag}>, "
            "expected <CONSOLIDATED_LIST>",
            where,
        )
    generated = root.get("dateGenerated") or ""
    report = ParseReport(entities=[], publication_date=generated[:10] or None)
    if not generated:
        report.warnings.append("no dateGenerated attribute: publication date unknown")
    seen: set[str] = set()
    for section, tag, is_person in (("INDIVIDUALS", "INDIVIDUAL", True),
                                    ("ENTITIES", "ENTITY", False)):
        block = root.find(section)
        if block is None:
            report.warnings.append(f"no <{section}> section")
            continue
        for i, el in enumerate(block.findall(tag), start=1):
            result = _parse_record(el, is_person, list_id)
            if isinstance(result, str):
                report.skipped.append(SkippedRecord(f"{tag} #{i}", result))
                continue
            if result.id in seen:
                report.skipped.append(SkippedRecord(f"DATAID {result.source_id}",
                                                    "duplicate DATAID"))
                continue
            seen.add(result.id)
            report.entities.append(result)
    return report


def parse_files(paths: list[Path], list_id: str = DEFAULT_LIST_ID) -> ParseReport:
    """Registry adapter: exactly one XML file."""
    if len(paths) != 1:
        raise ListFormatError(f"the UN format takes one XML file, got {len(paths)}")
    return parse(paths[0], list_id)
