"""What JSON input every face accepts: its nesting depth, its size, and JSON's own scalar types.

One check serves the HTTP API (request bodies), the web UI (a shipment uploaded
as a file) and the CLI (``exportguard screen FILE``): :func:`check_json` runs on
the raw bytes *before* they are parsed, so a hostile document is refused without
building it.

Depth limit: :data:`MAX_JSON_DEPTH` = 64 levels of ``[`` / ``{``. The deepest
document exportguard reads is a shipment, 4 levels deep
(``{"items": [{"specs": {...}}]}``); 64 leaves wide headroom for clients that
wrap it, and stays far below Python's recursion limit (1000), so neither the
JSON parser, pydantic nor any recursive walk over the data can run out of
stack (a 100,000-deep list used to end in ``RecursionError`` and an HTTP 500).

Size: the caller passes the largest document it accepts (the HTTP body limit,
``EXPORTGUARD_MAX_BODY_BYTES``, default 5 MiB, serves the CLI too).

Scalars: :data:`JsonInt`, :data:`JsonFloat`, :data:`JsonBool` (or the validators
:data:`JSON_INT`, ... placed after a ``Field``) and :data:`IsoDate` accept what
their JSON Schema says and nothing more (pydantic's lax mode would also take
``"5"`` for a number, ``"yes"`` for a boolean or ``0`` for a date), so the
OpenAPI document and the server agree.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import partial
from itertools import accumulate, count
from operator import lt, sub
from typing import Annotated, Any

from pydantic import BeforeValidator

from exportguard.errors import InputError

MAX_JSON_DEPTH = 64

# JSON Schema patterns are ECMA-262 regular expressions; the server's are Python's. The
# two disagree on \s, \S and \w (ECMA: no U+001C-U+001F or U+0085 in \s; an ASCII-only
# \w), so the patterns of the OpenAPI document spell their classes out. SPACE is exactly
# what Python's ``str.isspace`` (and so ``str.strip()``) counts as space.
SPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# Text never holds U+0000: PostgreSQL cannot store it, so no backend takes it.
TEXT = r"^[^\x00]*$"
REQUIRED_TEXT = rf"^[^\x00]*[^{SPACE}\x00][^\x00]*$"  # and not blank


class JsonLimitError(InputError):
    """JSON refused before parsing: nested too deep or too large (the message says which)."""


# A JSON string (escapes included); what it holds is text, not structure.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
# After the strings are dropped: an opening bracket counts 2, a closing one 0, so the
# running sum after the i-th bracket (from 1) minus i is the depth there.
_STEP = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")


def exceeds_depth(raw: bytes | str, max_depth: int = MAX_JSON_DEPTH) -> bool:
    """Whether the arrays and objects of ``raw`` nest deeper than ``max_depth``.

    Linear in the size of ``raw``, in C-speed passes (no Python step per byte) and
    never recursive: strings are dropped, the brackets kept and their running depth
    compared with ``max_depth``, stopping at the first bracket too deep (at most about
    0.3 s for 5 MB of brackets). Malformed JSON is left to the parser.
    """
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else bytes(raw)
    if data.count(b"[") + data.count(b"{") <= max_depth:
        return False  # the usual case: a document with fewer brackets than the limit
    steps = _STRING.sub(b"", data).translate(_STEP, _NOT_BRACKETS)
    depths = map(sub, accumulate(steps), count(1))
    return next(filter(partial(lt, max_depth), depths), None) is not None


def check_json(raw: bytes | str, *, source: str, max_depth: int = MAX_JSON_DEPTH,
               max_bytes: int | None = None) -> None:
    """Raise :class:`JsonLimitError` (an :class:`InputError` naming ``source``) if ``raw``
    is larger than ``max_bytes`` or nests deeper than ``max_depth``; call it before parsing."""
    size = len(raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw)
    if max_bytes is not None and size > max_bytes:
        raise JsonLimitError(f"{source}: larger than the {max_bytes:,} bytes accepted "
                             "(EXPORTGUARD_MAX_BODY_BYTES)")
    if exceeds_depth(raw, max_depth):
        raise JsonLimitError(f"{source}: JSON nested deeper than {max_depth} levels of arrays "
                             "and objects (a shipment needs 4)")


# ---------------------------------------------------------------------------
# text and JSON scalars, as their JSON Schema says


def strip_within(max_length: int) -> BeforeValidator:
    """Refuse a string longer than ``max_length`` as sent, then strip it, so the schema's
    ``maxLength`` is the rule as the client counts. Put it after the ``Field``:
    ``Annotated[str, Field(min_length=1, max_length=200, pattern=REQUIRED_TEXT),
    strip_within(200)]`` (``min_length`` then applies to the stripped text)."""

    def check(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        if len(value) > max_length:
            raise ValueError(f"at most {max_length} characters")
        return value.strip()

    return BeforeValidator(check)


def at_least(length: int) -> str:
    """The pattern of a text (no U+0000) with at least ``length`` (>= 1) characters once
    stripped: its first and last characters that are not space are that far apart."""
    if length == 1:
        return REQUIRED_TEXT
    edge = rf"[^{SPACE}\x00]"
    return rf"^[^\x00]*{edge}[^\x00]{{{length - 2},}}{edge}[^\x00]*$"


def _json_int(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be an integer (a JSON number, not text)")
    return value


def _json_number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a number (a JSON number, not text)")
    return value


def _json_bool(value: Any) -> Any:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a date of the calendar") from None
    raise ValueError("must be a date written YYYY-MM-DD")


# Put these after any Field(...) constraint in Annotated[...], so pydantic keeps the
# constraints on the number itself (and in the JSON schema):
# ``Annotated[float, Field(gt=0), JSON_NUMBER]``.
JSON_INT = BeforeValidator(_json_int)
JSON_NUMBER = BeforeValidator(_json_number)
JSON_BOOL = BeforeValidator(_json_bool)
JsonInt = Annotated[int, JSON_INT]
JsonFloat = Annotated[float, JSON_NUMBER]
JsonBool = Annotated[bool, JSON_BOOL]
IsoDate = Annotated[date, BeforeValidator(_iso_date)]  # JSON Schema: "format": "date"
