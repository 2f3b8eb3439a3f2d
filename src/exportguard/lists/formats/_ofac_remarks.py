"""Facts OFAC writes into free-text remarks (``sdn.csv`` Remarks, CSL ``remarks``).

Extracts dates of birth, nationality/citizenship, identity documents and
a.k.a. names from text like ``DOB 10 Dec 1948; POB Giza, Egypt; Passport
1084010 (Egypt); nationality Egypt; a.k.a. 'ABU ALI'.``. Only the easy,
unambiguous patterns: the remarks stay on the entity for a human.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}

_DOB = re.compile(r"\bDOB (?:circa )?([0-9]{1,2} [A-Za-z]{3} [0-9]{4}|[A-Za-z]{3} [0-9]{4}"
                  r"|[0-9]{4}(?: to [0-9]{4})?)")
_NATIONALITY = re.compile(r"\b(?:nationality|citizen|Nationality of Registration) "
                          r"([A-Z][A-Za-z .,'()-]*?)\s*(?=;|\.\s*$|\.;|$)")
_POB = re.compile(r"\bPOB ([^;]+?)\s*(?=;|\.\s*$|$)")
_GENDER = re.compile(r"\bGender (Male|Female)\b")
_AKA = re.compile(r"\b(a\.k\.a\.|f\.k\.a\.|n\.k\.a\.) '([^']+)'")
_ID_LABELS = (
    "Passport", "National ID No.", "Tax ID No.", "Registration Number", "Registration ID",
    "Identification Number", "Business Registration Number", "Legal Entity Number",
    "Cedula No.", "Vessel Registration Identification", "Aircraft Tail Number",
    "Company Number", "Personal ID Card", "Driver's License No.", "SSN", "NIT #", "RFC",
    "C.U.R.P.", "D.N.I.", "Residency Number", "Citizen's Card Number", "V.A.T. Number",
    "US FEIN", "Trade License No.", "MMSI", "Aircraft Manufacturer's Serial Number (MSN)",
)
_ID = re.compile(
    r"(?:^|;\s*)(?:alt\.\s+)?(" + "|".join(re.escape(x) for x in _ID_LABELS) + r")\s+"
    r"([A-Za-z0-9][A-Za-z0-9 ./#-]{0,60}?)\s*(?:\(([^)]{2,40})\))?\s*(?=;|\.\s*$|$)"
)


@dataclass(slots=True)
class RemarkFacts:
    birth_dates: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    birth_places: list[str] = field(default_factory=list)
    gender: str | None = None
    identifiers: list[tuple[str, str, str | None]] = field(default_factory=list)
    akas: list[tuple[str, str]] = field(default_factory=list)  # (kind, name)
    has_person_facts: bool = False
    has_vessel_facts: bool = False
    has_aircraft_facts: bool = False


def iso_date(text: str) -> str:
    """``10 Dec 1948`` → ``1948-12-10``; ``Dec 1948`` → ``1948-12``;
    ``1958 to 1960`` → ``1958/1960``."""
    parts = text.split()
    if len(parts) == 3 and parts[1][:3].lower() in _MONTHS:
        return f"{parts[2]}-{_MONTHS[parts[1][:3].lower()]:02d}-{int(parts[0]):02d}"
    if len(parts) == 2 and parts[0][:3].lower() in _MONTHS:
        return f"{parts[1]}-{_MONTHS[parts[0][:3].lower()]:02d}"
    if len(parts) == 3 and parts[1] == "to":
        return f"{parts[0]}/{parts[2]}"
    return text


def parse_remarks(remarks: str) -> RemarkFacts:
    facts = RemarkFacts()
    if not remarks:
        return facts
    for m in _DOB.finditer(remarks):
        d = iso_date(m.group(1))
        if d not in facts.birth_dates:
            facts.birth_dates.append(d)
    for m in _NATIONALITY.finditer(remarks):
        n = m.group(1).strip().rstrip(".")
        if n and n not in facts.nationalities:
            facts.nationalities.append(n)
    for m in _POB.finditer(remarks):
        facts.birth_places.append(m.group(1).strip())
    g = _GENDER.search(remarks)
    if g:
        facts.gender = g.group(1)
    for m in _ID.finditer(remarks):
        label, value, country = m.group(1), m.group(2).strip(), m.group(3)
        facts.identifiers.append((label, value, country.strip() if country else None))
    for m in _AKA.finditer(remarks):
        facts.akas.append((m.group(1), m.group(2).strip()))
    facts.has_person_facts = bool(
        facts.birth_dates or facts.gender
        or re.search(r"\b(DOB|POB|nationality|citizen)\b", remarks)
    )
    facts.has_vessel_facts = bool(re.search(r"\b(Vessel Registration Identification|MMSI|"
                                            r"Vessel Year of Build|Other Vessel Flag|"
                                            r"Other Vessel Call Sign|Vessel Type)\b", remarks))
    facts.has_aircraft_facts = bool(re.search(
        r"\bAircraft (Construction|Model|Manufacture|Operator|Manufacturer|Tail|Mode S)", remarks))
    return facts
