"""Small dependencies the routers share (the store URL of this app, whole-number parameters)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import Request
from pydantic import BeforeValidator


async def db_url(request: Request) -> str:
    return str(request.app.state.settings.db_url)


_DIGITS = re.compile(r"[0-9]{1,18}")


def _digits(value: Any) -> Any:
    """A path or query integer as its schema says: ASCII digits (pydantic alone would also
    take ``"5\u0085"`` or ``" 5"``: Python's int() ignores surrounding space)."""
    if isinstance(value, str) and not _DIGITS.fullmatch(value):
        raise ValueError("must be a whole number written in digits")
    return value


# after the Path/Query: ``Annotated[int, Query(ge=1, le=500), DIGITS]``
DIGITS = BeforeValidator(_digits)
