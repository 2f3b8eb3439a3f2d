"""Small helpers shared by the format parsers (text cleanup, countries, dedup)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from exportguard.countries import resolve_country
from exportguard.lists.errors import ListFormatError
from exportguard.lists.model import Entity, ParseReport, SkippedRecord

_WS = re.compile(r"\s+")


def clean(text: str | None) -> str:
    """Collapse whitespace and strip; ``None`` → ``""``."""
    if not text:
        return ""
    return _WS.sub(" ", text).strip()


def add_unique(target: list[str], value: str | None) -> None:
    """Append a cleaned, non-empty value unless already present."""
    v = clean(value)
    if v and v not in target:
        target.append(v)


def add_country(entity: Entity, raw: str | None) -> None:
    """Add a resolved alpha-2 country, or keep the raw string if it does not resolve."""
    text = clean(raw)
    if not text:
        return
    code = resolve_country(text)
    if code:
        if code not in entity.countries:
            entity.countries.append(code)
    elif text not in entity.raw_countries:
        entity.raw_countries.append(text)


def finish_names(entity: Entity) -> None:
    """Drop aliases equal to the primary name and weak aliases that are also strong."""
    seen = {entity.name}
    strong: list[str] = []
    for a in entity.aliases:
        if a not in seen:
            seen.add(a)
            strong.append(a)
    entity.aliases = strong
    weak: list[str] = []
    for a in entity.weak_aliases:
        if a not in seen:
            seen.add(a)
            weak.append(a)
    entity.weak_aliases = weak


def read_bytes(path: Path) -> bytes:
    """Read a file, turning OS errors into :class:`ListFormatError`."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ListFormatError(f"cannot read file: {exc.strerror or exc}", str(path)) from exc


def decode_text(data: bytes, where: str) -> str:
    """Decode UTF-8 (with or without BOM), falling back to cp1252 (OFAC's old files)."""
    if b"\x00" in data[:4096]:
        raise ListFormatError("binary data (NUL bytes) where text was expected", where)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def dedup(values: Iterable[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        if v and v not in out:
            out.append(v)
    return out


# Words that mark a name as an organisation's (legal forms and institution words).
_ORG_WORDS = frozenset((
    "INC", "INCORPORATED", "LTD", "LIMITED", "LLC", "L.L.C", "LLP", "LP", "PLC", "CO", "COMPANY",
    "CORP", "CORPORATION", "GMBH", "AG", "KG", "SA", "SAS", "SARL", "SRL", "SPA", "BV", "NV",
    "AB", "OY", "AS", "PTE", "PTY", "BHD", "SDN", "JSC", "PJSC", "OJSC", "CJSC", "OAO", "ZAO",
    "PAO", "OOO", "AO", "FZE", "FZCO", "FZC", "FZ", "DMCC", "EST", "ESTABLISHMENT", "ENTERPRISE",
    "ENTERPRISES", "INDUSTRIES", "INDUSTRY", "INDUSTRIAL", "TRADING", "TRADE", "GROUP",
    "HOLDING", "HOLDINGS", "INTERNATIONAL", "INTL", "INSTITUTE", "UNIVERSITY", "BANK", "CENTER",
    "CENTRE", "ACADEMY", "LABORATORY", "LABORATORIES", "TECHNOLOGY", "TECHNOLOGIES", "TECH",
    "ELECTRONICS", "ELECTRONIC", "SYSTEMS", "SERVICES", "AVIATION", "ASSOCIATES", "SHIPPING",
    "LINES", "PARTNERS", "FACTORY", "PLANT", "BUREAU", "MINISTRY", "DEPARTMENT", "AGENCY",
    "FOUNDATION", "ORGANIZATION", "ORGANISATION", "ASSOCIATION", "COOPERATIVE", "FIRM", "IMPORT",
    "EXPORT", "LOGISTICS", "MANAGEMENT", "SUPPLY", "SUPPLIES", "SOLUTIONS", "DOO", "KFT",
    "SPZOO", "EIRL", "LDA", "LTDA", "CIA", "SOCIEDAD", "SOCIETE", "AIRLINES", "AIRLINE",
    "AIRWAYS", "MARINE", "TRANSPORT", "TRANSPORTATION", "CARGO", "FREIGHT",
))
_ORG_SUBSTRINGS = ("有限公司", "公司", "ООО", "ОАО", "ЗАО", "ПАО", "АО ", "S.A.", "& CO", "S.R.L")
_TOKEN = re.compile(r"[A-Z0-9]+")


def looks_like_organization(name: str) -> bool:
    """True when the name carries a legal form or institution word (INC, LTD, GMBH, BANK, ...)."""
    upper = name.upper()
    if any(s in upper for s in _ORG_SUBSTRINGS):
        return True
    tokens = _TOKEN.findall(upper.replace(".", ""))
    return any(t in _ORG_WORDS for t in tokens)


def open_csv(text: str, where: str, delimiter: str = ",") -> tuple[Any, list[str]]:
    """A strict CSV reader over ``text`` and its header row (cleaned, BOM removed);
    :class:`ListFormatError` for an empty file or an unreadable header."""
    if not text.strip():
        raise ListFormatError("empty file", where)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [clean(h).lstrip("\ufeff") for h in next(reader)]
    except (csv.Error, StopIteration) as exc:
        raise ListFormatError(f"cannot read the CSV header: {exc}", f"{where}:1") from exc
    return reader, header


class CsvRows:
    """The well-formed data rows of a CSV reader, as ``(line, row)``.

    Blank rows are passed over; a row with another number of fields than the header is
    skipped into ``report.skipped`` with the reason; a CSV syntax error becomes a
    :class:`ListFormatError` naming the line. :meth:`check` refuses a file whose
    malformed rows are more than a tenth of the good ones (truncated, or another format).
    """

    def __init__(self, reader: Any, ncols: int, report: ParseReport, where: str,
                 what: str, hint: str = "") -> None:
        self.reader, self.ncols, self.report = reader, ncols, report
        self.where, self.what, self.hint = where, what, hint
        self.bad = 0
        self.good = 0

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        reader = self.reader
        try:
            for row in reader:
                line = reader.line_num
                if not row or not any(c.strip() for c in row):
                    continue
                if len(row) != self.ncols:
                    self.bad += 1
                    self.report.skipped.append(SkippedRecord(
                        f"line {line}",
                        f"malformed row ({len(row)} fields, expected {self.ncols}{self.hint})"))
                    continue
                self.good += 1
                yield line, row
        except csv.Error as exc:
            raise ListFormatError(f"broken CSV at line {reader.line_num}: {exc}",
                                  f"{self.where}:{reader.line_num}") from exc

    def check(self, good: int | None = None) -> None:
        good = self.good if good is None else good
        if self.bad and self.bad > max(10, good // 10):
            raise ListFormatError(f"{self.bad} malformed rows against {good} good ones: "
                                  f"not a (complete) {self.what}", self.where)


def column_getter(cols: dict[str, int]) -> Callable[[list[str], str], str]:
    """``get(row, column)``: the cell of a column by its header name (as is, then lower
    case), ``""`` when the column is missing or the row is short."""

    def get(row: list[str], col: str) -> str:
        i = cols.get(col)
        if i is None:
            i = cols.get(col.lower())
        return row[i] if i is not None and i < len(row) else ""

    return get
