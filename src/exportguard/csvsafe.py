"""CSV formula injection: the one function every CSV writer of exportguard calls.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula (``=HYPERLINK(...)``, ``@SUM(...)``, DDE payloads), and some also after
a leading tab or carriage return. Names from lists and from users' files can
start that way (real lists hold ``@...`` and ``-...`` names), so every CSV the
product writes passes each cell through :func:`safe_cell`, which prefixes such
text with an apostrophe, as OWASP advises: a spreadsheet then shows the text,
and a reader sees the apostrophe.

Left as they are:

- values that are not text (numbers, ``None``, booleans): numeric columns stay
  numeric, ``-12.5`` included;
- text that is plainly one number (``-12.5``, ``+3``, ``-1e-3``): a spreadsheet
  reads it as that number, not as a formula;
- text starting with anything else (an apostrophe included).

Parquet outputs are data, not spreadsheets: they are written unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """``value``, with an apostrophe before text a spreadsheet would run as a formula."""
    if (isinstance(value, str) and value.startswith(FORMULA_PREFIXES)
            and not _PLAIN_NUMBER.fullmatch(value)):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """:func:`safe_cell` of each value (a header or a row)."""
    return [safe_cell(v) for v in values]
