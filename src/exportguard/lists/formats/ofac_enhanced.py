"""OFAC Enhanced XML (``SDN_ENHANCED.XML`` / ``CONS_ENHANCED.XML``, plain or zipped).

Namespace ``https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/
exports/ENHANCED_XML`` (read from the root, so a future namespace still works).
``publicationInfo/dataAsOf`` is the publication date; ``referenceValues`` map
country refIds to ISO codes; each ``entities/entity`` has ``generalInfo/
entityType`` (Individual, Entity, Vessel, Aircraft), ``names/name`` (isPrimary,
aliasType A.K.A./F.K.A./N.K.A., isLowQuality → weak alias; ``translations``
in Latin and other scripts, all kept), ``addresses``, ``features`` (Birthdate,
Nationality Country, Citizenship Country, Place of Birth, ...),
``identityDocuments`` and ``sanctionsPrograms``. Streamed with iterparse, so the
full SDN file (hundreds of MB) does not need to fit in memory as a tree.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from exportguard.lists.errors import ListFormatError
from exportguard.lists.formats._common import add_country, add_unique, clean, finish_names
from exportguard.lists.model import Entity, EntityType, Identifier, ParseReport, SkippedRecord

DEFAULT_LIST_ID = "ofac_cons"
_TYPES = {"individual": EntityType.PERSON, "entity": EntityType.ORGANIZATION,
          "vessel": EntityType.VESSEL, "aircraft": EntityType.AIRCRAFT}
_COUNTRY_FEATURES = {"nationality country", "citizenship country", "nationality of registration",
                     "location"}


def _open(path: Path) -> tuple[IO[bytes], str]:
    where = str(path)
    try:
        head = path.open("rb").read(4)
    except OSError as exc:
        raise ListFormatError(f"cannot read file: {exc.strerror or exc}", where) from exc
    if head[:2] == b"PK":
        try:
            zf = zipfile.ZipFile(path)
            members = [n for n in zf.namelist() if n.lower().endswith(".xml")]
            if not members:
                raise ListFormatError("ZIP archive holds no .xml file", where)
            data = zf.read(members[0])
        except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile) as exc:
            raise ListFormatError(f"broken or truncated ZIP archive: {exc}", where) from exc
        except (OSError, ValueError) as exc:  # zlib errors inside a damaged member
            raise ListFormatError(f"broken ZIP member: {exc}", where) from exc
        return io.BytesIO(data), f"{where}!{members[0]}"
    return path.open("rb"), where


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _events(fh: IO[bytes], where: str) -> Iterator[tuple[str, ET.Element]]:
    it = ET.iterparse(fh, events=("start", "end"))
    try:
        yield from it
    except ET.ParseError as exc:
        line, col = getattr(exc, "position", (0, 0))
        raise ListFormatError(
            f"not well-formed XML (truncated or broken) at line {line}, column {col}: {exc}",
            f"{where}:{line}") from exc


def parse(path: Path | str, list_id: str = DEFAULT_LIST_ID) -> ParseReport:
    path = Path(path)
    fh, where = _open(path)
    report = ParseReport(entities=[], publication_date=None)
    ns = ""
    countries: dict[str, str] = {}  # refId -> ISO alpha-2 (or name)
    root_seen = False
    lists_seen: list[str] = []
    with fh:
        for ev, el in _events(fh, where):
            if ev == "start":
                if not root_seen:
                    root_seen = True
                    if _local(el.tag) != "sanctionsData":
                        raise ListFormatError(
                            f"not an OFAC Enhanced XML file: root element is <{_local(el.tag)}>, "
                            "expected <sanctionsData>", where)
                    ns = el.tag[: el.tag.index("}") + 1] if el.tag.startswith("{") else ""
                continue
            tag = _local(el.tag)
            if tag == "dataAsOf" and report.publication_date is None:
                report.publication_date = clean(el.text)[:10] or None
            elif tag == "sanctionsList" and not lists_seen and el.text:
                lists_seen.append(clean(el.text))
            elif tag == "referenceValue":
                if el.findtext(f"{ns}type") == "COUNTRY":
                    iso = clean(el.findtext(f"{ns}isoCode"))
                    countries[el.get("refId", "")] = iso or clean(el.findtext(f"{ns}value"))
                el.clear()
            elif tag == "entity":
                result = _entity(el, ns, countries, list_id, lists_seen)
                if isinstance(result, str):
                    report.skipped.append(SkippedRecord(f"entity {el.get('id')}", result))
                else:
                    report.entities.append(result)
                el.clear()
    if not root_seen:
        raise ListFormatError("empty file", where)
    return report


def _entity(el: ET.Element, ns: str, countries: dict[str, str], list_id: str,
            lists_seen: list[str]) -> Entity | str:
    eid = el.get("id") or ""
    if not eid:
        return "no id"
    etype_text = clean(el.findtext(f"{ns}generalInfo/{ns}entityType")).lower()
    etype = _TYPES.get(etype_text, EntityType.UNKNOWN)
    primary = ""
    strong: list[str] = []
    weak: list[str] = []
    for name in el.iterfind(f"{ns}names/{ns}name"):
        is_primary = name.findtext(f"{ns}isPrimary") == "true"
        is_low = name.findtext(f"{ns}isLowQuality") == "true"
        for tr in name.iterfind(f"{ns}translations/{ns}translation"):
            full = clean(tr.findtext(f"{ns}formattedFullName"))
            if not full:
                continue
            if is_primary and not primary and tr.findtext(f"{ns}isPrimary") == "true":
                primary = full
            elif is_low:
                add_unique(weak, full)
            else:
                add_unique(strong, full)
    if not primary:
        if not strong:
            return "no name"
        primary = strong.pop(0)
    ent = Entity(id=f"{list_id}:{eid}", list=list_id, source_id=eid, type=etype, name=primary,
                 aliases=strong, weak_aliases=weak,
                 source_list="OFAC " + (lists_seen[0] if lists_seen else "sanctions list"),
                 remarks=clean(el.findtext(f"{ns}generalInfo/{ns}remarks")) or None)
    for prog in el.iterfind(f"{ns}sanctionsPrograms/{ns}sanctionsProgram"):
        add_unique(ent.programs, prog.text)
    dates = [s.get("datePublished", "")
             for s in el.iterfind(f"{ns}sanctionsLists/{ns}sanctionsList")]
    dates = sorted(d for d in dates if d)
    ent.listed_on = dates[0][:10] if dates else None
    for addr in el.iterfind(f"{ns}addresses/{ns}address"):
        country_el = addr.find(f"{ns}country")
        country = ""
        if country_el is not None:
            country = countries.get(country_el.get("refId", ""), "") or clean(country_el.text)
            add_country(ent, country)
        for tr in addr.iterfind(f"{ns}translations/{ns}translation"):
            parts = [clean(p.findtext(f"{ns}value"))
                     for p in tr.iterfind(f"{ns}addressParts/{ns}addressPart")]
            cname = clean(country_el.text) if country_el is not None else ""
            text = ", ".join(p for p in [*parts, cname] if p)
            if text:
                add_unique(ent.addresses, text)
    for feat in el.iterfind(f"{ns}features/{ns}feature"):
        ftype = clean(feat.findtext(f"{ns}type"))
        value = clean(feat.findtext(f"{ns}value"))
        low = ftype.lower()
        if low == "birthdate":
            vd = feat.find(f"{ns}valueDate")
            add_unique(ent.birth_dates, _date_value(vd, ns) if vd is not None else value)
        elif low in _COUNTRY_FEATURES:
            ref = feat.findtext(f"{ns}valueRefId") or ""
            add_country(ent, countries.get(ref.strip(), "") or value)
        elif low == "gender" and value:
            pass
        elif low in {"swift/bic", "isin", "bik (ru)", "vessel registration identification",
                     "mmsi", "aircraft tail number", "imo"} and value:
            ent.identifiers.append(Identifier(ftype, value))
    for doc in el.iterfind(f"{ns}identityDocuments/{ns}identityDocument"):
        number = clean(doc.findtext(f"{ns}documentNumber"))
        if not number:
            continue
        c_el = doc.find(f"{ns}issuingCountry")
        code = countries.get(c_el.get("refId", ""), "") if c_el is not None else ""
        ent.identifiers.append(Identifier(clean(doc.findtext(f"{ns}type")) or "document", number,
                                          code or (clean(c_el.text) if c_el is not None else None)
                                          or None))
    finish_names(ent)
    return ent


def _date_value(vd: ET.Element, ns: str) -> str:
    """ISO date, year or ``from/to`` range from an Enhanced XML ``valueDate``."""
    fb = clean(vd.findtext(f"{ns}fromDateBegin"))
    tb = clean(vd.findtext(f"{ns}toDateBegin"))
    te = clean(vd.findtext(f"{ns}toDateEnd"))
    is_range = vd.findtext(f"{ns}isDateRange") == "true"
    if not fb:
        return ""
    if is_range and te and te[:4] != fb[:4]:
        return f"{fb[:4]}/{te[:4]}"
    if fb == tb:
        return fb
    if fb[5:] == "01-01" and te[5:] == "12-31" and fb[:4] == te[:4]:
        return fb[:4]
    if fb[8:] == "01" and fb[:7] == te[:7]:
        return fb[:7]
    return fb


def parse_files(paths: list[Path], list_id: str = DEFAULT_LIST_ID) -> ParseReport:
    if len(paths) != 1:
        raise ListFormatError(
            f"the OFAC Enhanced format takes one XML or ZIP file, got {len(paths)}")
    return parse(paths[0], list_id)
