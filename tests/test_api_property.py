"""Property-based test over the OpenAPI document (schemathesis): no request makes a 500.

Requests are generated from ``/openapi.json`` (valid and invalid bodies,
parameters and headers) and sent to the real server on SQLite and on
PostgreSQL (which refuses some text SQLite keeps, such as NUL characters) with
an admin token, so every endpoint is reached past authentication.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402

from records_support import (  # noqa: E402
    fake_screener,
    held,
    licence,
    live_server,
    sanctioned_table,
    tokens,
)

_STATE: dict[str, Any] = {}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def api_schema(request: pytest.FixtureRequest,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    import httpx

    home: Path = tmp_path_factory.mktemp("prop-home")
    if request.param == "sqlite":
        url = f"sqlite:///{home / 'exportguard.db'}"
    else:
        url = request.getfixturevalue("pg_server").new_database()
    toks = tokens(url)
    with live_server(url, home, screener=fake_screener(sanctioned_table())) as base:
        headers = {"Authorization": f"Bearer {toks['admin']}"}
        with httpx.Client(base_url=base, headers=headers) as c:  # something to act on
            c.post("/api/v1/screen", json=held()).raise_for_status()
            c.post("/api/v1/licences", json=licence("X")).raise_for_status()
        _STATE["headers"] = headers
        schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
        yield schema


@pytest.mark.slow
def test_no_server_errors(api_schema: Any) -> None:
    failures: list[str] = []
    authenticated: dict[str, int] = {}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 14

    for op in operations:

        @given(case=op.as_strategy())
        @settings(max_examples=25, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            response = case.call(headers=_STATE["headers"], timeout=30)
            key = f"{case.method} {case.path}"
            authenticated[key] = authenticated.get(key, 0) + (response.status_code != 401)
            ctype = response.headers.get("content-type") or [""]
            ctype = ctype[0] if isinstance(ctype, list) else ctype
            if response.status_code >= 500 or not ctype.startswith("application/json"):
                failures.append(f"{case.method} {case.formatted_path} -> "
                                f"{response.status_code}: {response.text[:300]}")

        check()
    assert not failures, "\n".join(failures[:20])
    # The token was sent: every operation was reached past authentication.
    assert len(authenticated) == len(operations) and all(authenticated.values()), authenticated
