"""China's export-control and countermeasure lists, as a CSV (OpenSanctions transcription).

Transcribed from MOFCOM and MFA notices. Columns (found by name, in any
order; ``QID``, ``Topics``, ``Summary``, ``Chinese summary``, ``End date`` and
``Address`` are optional)::

    Type,QID,Name,Alias,Chinese name,Country,Topics,Summary,Chinese summary,Body,List,
    Date,End date,Source URL,Address

One row is one listing and becomes one :class:`Entity` (a party on several
lists, or listed by several notices, has one entity per row):

- ``type`` from ``Type``: Person → person; Company, Organization,
  LegalEntity → organization; otherwise inferred from the name.
- names: ``Name``; ``Alias`` (``;``-separated) and, for organisations,
  ``Chinese name`` are strong aliases; a person's ``Chinese name`` is a weak
  alias (mostly a transliterated foreign name, often the surname alone).
- ``Country`` → countries (alpha-2; unresolved wording such as ``EU`` kept raw).
- ``QID`` → an identifier of type ``wikidata``.
- ``List`` goes verbatim into ``programs`` and ``source_list``; a row without
  a list name gets ``"{Body} notice (no list name)"`` instead. ``Body``,
  ``Topics``, ``Summary`` and ``Chinese summary`` go into ``remarks``.
- ``flags`` gets one normalised code for the list (first match wins, case
  insensitive):

  ==============================  =============================================
  ``cn_watch_list``               a name with "watch list" (MOFCOM's
                                  ``Export Control Watch List``)
  ``cn_unreliable_entity_list``   ``UEL``, or a name with "unreliable entit"
  ``cn_export_control_list``      ``List of Export Controls`` (MOFCOM's
                                  control list), or a name with "export
                                  control" and "list"
  ``cn_countermeasure``           a name with "countermeasure" or "anti-foreign
                                  sanction", or ``AFSL`` (Anti-Foreign
                                  Sanctions Law lists, MFA/MOFCOM); a row with
                                  no list name whose ``Topics`` is
                                  ``sanction.counter`` (early MFA notices)
  ``cn_other``                    anything else, e.g. the Taiwan Affairs
                                  Office's lists of "Taiwan independence"
                                  diehards; the name stays in ``programs``
  ==============================  =============================================

- dates: ``Date`` and ``End date`` are ``dd.mm.yy`` or ``dd.mm.yyyy``; a
  two-digit year 00-69 is 20xx, 70-99 19xx. ``Date`` becomes ``listed_on``;
  an impossible or unreadable date is flagged and warned about.
- a row whose ``End date`` has passed (the listing was lifted: the date is not
  after today or after the file's newest ``Date``) is skipped with a counted
  reason, unless ``include_ended=True``, which keeps it flagged
  ``cn_listing_ended:{date}``; a future end date is flagged
  ``cn_listing_ends:{date}``.

Entity ids are ``{list_id}:{hash}``: the file has no id column, so the id is a
hash of the list name, the name, the date and the source notice URL (the same
listing is sometimes transcribed from both the English and the Chinese
notice, with the same list, name and date).

**Publication date**: the newest ``Date`` in the file; when no date reads,
the year-month (or date) in the file name (``cn_sanctions_2026-08.csv`` →
``2026-08``).
"""

from __future__ import annotations

import csv
import hashlib
import re
from datetime import date
from pathlib import Path

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

DEFAULT_LIST_ID = "cn_mofcom"
REQUIRED = ("Name", "Chinese name", "List")
SNIFF_COLUMNS = ("Type", "Name", "Chinese name", "List", "Date")
FLAGS = ("cn_export_control_list", "cn_unreliable_entity_list", "cn_watch_list",
         "cn_countermeasure", "cn_other")
_TYPES = {"person": EntityType.PERSON, "company": EntityType.ORGANIZATION,
          "organization": EntityType.ORGANIZATION, "legalentity": EntityType.ORGANIZATION,
          "publicbody": EntityType.ORGANIZATION, "vessel": EntityType.VESSEL}
_DATE_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d{2}-[01]\d(?:-[0-3]\d)?)(?!\d)")
_HEAD_BYTES = 65536


def list_flag(list_name: str, topics: str = "") -> str:
    """The normalised code of a list name (see the module docstring for the mapping)."""
    n = clean(list_name).casefold()
    if not n:
        return "cn_countermeasure" if "sanction.counter" in topics.casefold() else "cn_other"
    if "watch list" in n or "watchlist" in n:
        return "cn_watch_list"
    if n == "uel" or "unreliable entit" in n:
        return "cn_unreliable_entity_list"
    if n == "list of export controls" or ("export control" in n and "list" in n):
        return "cn_export_control_list"
    if "countermeasure" in n or "anti-foreign sanction" in n or n == "afsl":
        return "cn_countermeasure"
    return "cn_other"


def parse_date(raw: str) -> tuple[str | None, str | None]:
    """``(iso, problem)``: ``"13.07.20"`` → ``("2020-07-13", None)``; ``dd.mm.yyyy`` too."""
    v = clean(raw)
    if not v:
        return None, None
    m = re.fullmatch(r"(\d{1,2})[./](\d{1,2})[./](\d{2}|\d{4})", v)
    if not m:
        return None, f"unreadable date {v!r}"
    d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if len(m.group(3)) == 2:
        y += 2000 if y < 70 else 1900
    try:
        iso = date(y, mo, d).isoformat()
    except ValueError:
        return None, f"impossible date {v!r}"
    if not 1949 <= y <= 2100:
        return None, f"impossible date {v!r} (year {y})"
    return iso, None


def _split(cell: str) -> list[str]:
    out: list[str] = []
    for v in re.split(r"[;；]", cell or ""):
        add_unique(out, v)
    return out


def _columns(first_line: str) -> list[str]:
    try:
        row = next(csv.reader([first_line]))
    except (csv.Error, StopIteration):
        return []
    return [clean(h).lstrip("\ufeff") for h in row]


def sniff(head: bytes, name: str) -> bool:
    """True when the first bytes of a file look like the China lists CSV (by its header).

    ``name`` is not used: the header must hold ``Type``, ``Name``,
    ``Chinese name``, ``List`` and ``Date``.
    """
    del name
    sample = head[:_HEAD_BYTES]
    if b"\x00" in sample[:4096]:
        return False
    text = sample.decode("utf-8-sig", errors="replace").lstrip()
    first = text.split("\n", 1)[0].rstrip("\r")
    if "," not in first:
        return False
    lower = {c.lower() for c in _columns(first)}
    return all(c.lower() in lower for c in SNIFF_COLUMNS)


def parse(path: Path | str, list_id: str = DEFAULT_LIST_ID,
          include_ended: bool = False) -> ParseReport:
    """Parse the China lists CSV at ``path``."""
    path = Path(path)
    where = str(path)
    reader, header = open_csv(decode_text(read_bytes(path), where), where)
    cols: dict[str, int] = {}
    for i, h in enumerate(header):
        cols.setdefault(h.lower(), i)
    missing = [c for c in REQUIRED if c.lower() not in cols]
    if missing:
        shown = ", ".join(h for h in header[:8] if h) or "nothing readable"
        raise ListFormatError(
            "not a China lists CSV (Type, Name, Alias, Chinese name, Country, Body, List, "
            f"Date, Source URL): header lacks {', '.join(missing)} "
            f"(got {shown}{'...' if len(header) > 8 else ''})", f"{where}:1")
    ncols = len(header)
    report = ParseReport(entities=[], publication_date=None)
    seen: set[str] = set()
    rows: list[tuple[int, Entity, str, tuple[str, str, str]]] = []
    newest = ""
    counts: dict[str, int] = {}
    repeats = 0
    listings: set[tuple[str, str, str]] = set()

    get = column_getter(cols)
    rows_in = CsvRows(reader, ncols, report, where, "China lists CSV")

    for line, row in rows_in:
        name = clean(get(row, "Name"))
        if not name:
            report.skipped.append(SkippedRecord(f"line {line}", "no name"))
            continue
        list_name = clean(get(row, "List"))
        raw_date = clean(get(row, "Date"))
        url = clean(get(row, "Source URL"))
        sid = hashlib.sha1("|".join((list_name, name.casefold(), raw_date, url))
                           .encode()).hexdigest()[:16]
        if sid in seen:
            report.skipped.append(SkippedRecord(f"line {line} ({name})",
                                                "duplicate row (same list, name, date "
                                                "and notice)"))
            continue
        seen.add(sid)
        ent = _entity(row, get, list_id, sid, name, list_name)
        iso, problem = parse_date(raw_date)
        if problem:
            ent.flags.append(f"date_unreadable:{raw_date}")
            report.warnings.append(f"line {line} ({name}): Date {problem}; kept raw "
                                   "in the flags")
        elif iso:
            ent.listed_on = iso
            newest = max(newest, iso)
        raw_end = clean(get(row, "End date"))
        end, end_problem = parse_date(raw_end)
        if end_problem:
            ent.flags.append(f"end_date_unreadable:{raw_end}")
            report.warnings.append(f"line {line} ({name}): End date {end_problem}; "
                                   "listing kept")
        rows.append((line, ent, end or "", (list_name, name.casefold(),
                                            ent.listed_on or raw_date)))
    rows_in.check()
    # A listing has ended when its End date is not after today or the file's newest Date.
    cutoff = max(date.today().isoformat(), newest)
    for line, ent, end, key in rows:
        if end and end <= cutoff:
            if not include_ended:
                report.skipped.append(SkippedRecord(f"line {line} ({ent.name}, ended {end})",
                                                    "listing ended (End date passed)"))
                continue
            ent.flags.append(f"cn_listing_ended:{end}")
        elif end:
            ent.flags.append(f"cn_listing_ends:{end}")
        if key in listings:
            repeats += 1
        listings.add(key)
        counts[ent.flags[0]] = counts.get(ent.flags[0], 0) + 1
        report.entities.append(ent)
    if counts:
        report.warnings.append("lists: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    if repeats:
        report.warnings.append(f"{repeats} row(s) repeat a listing (same list, name and date) "
                               "from another notice; kept, one entity per row")
    if newest:
        report.publication_date = newest
        report.warnings.append(f"publication date {newest} is the newest listing Date")
    else:
        m = _DATE_IN_NAME.search(path.name)
        if m:
            report.publication_date = m.group(1)
            report.warnings.append(f"publication date {m.group(1)} taken from the file name")
    return report


def _entity(row: list[str], get, list_id: str, sid: str,  # type: ignore[no-untyped-def]
            name: str, list_name: str) -> Entity:
    etype = _TYPES.get(clean(get(row, "Type")).lower())
    if etype is None:
        etype = EntityType.ORGANIZATION if looks_like_organization(name) else EntityType.UNKNOWN
    body = clean(get(row, "Body"))
    topics = clean(get(row, "Topics"))
    source = list_name or (f"{body} notice (no list name)" if body
                           else "China notice (no list name)")
    ent = Entity(id=f"{list_id}:{sid}", list=list_id, source_id=sid, type=etype, name=name,
                 source_list=source, source_url=clean(get(row, "Source URL")) or None)
    ent.flags.append(list_flag(list_name, topics))
    ent.programs.append(source)
    for v in _split(get(row, "Alias")):
        add_unique(ent.aliases, v)
    # A person's Chinese name in these notices is mostly a transliteration of a foreign
    # name, often the surname alone (布朗巴克 for Brownback): weak evidence on its own.
    chinese_target = ent.weak_aliases if etype is EntityType.PERSON else ent.aliases
    for v in _split(get(row, "Chinese name")):
        add_unique(chinese_target, v)
    for v in _split(get(row, "Country")):
        add_country(ent, v)
    for v in _split(get(row, "Address")):
        add_unique(ent.addresses, v)
    qid = clean(get(row, "QID"))
    if qid:
        ent.identifiers.append(Identifier("wikidata", qid))
    remarks = [f"{label}: {clean(get(row, col))}" for col, label in (
        ("Body", "Body"), ("Topics", "Topics"), ("Summary", "Summary"),
        ("Chinese summary", "Chinese summary")) if clean(get(row, col))]
    ent.remarks = " | ".join(remarks) or None
    finish_names(ent)
    return ent


def parse_files(paths: list[Path], list_id: str = DEFAULT_LIST_ID,
                include_ended: bool = False) -> ParseReport:
    if len(paths) != 1:
        raise ListFormatError(f"the China lists format takes one CSV file, got {len(paths)}")
    return parse(paths[0], list_id, include_ended)
