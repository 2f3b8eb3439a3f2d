"""Property-based test over the OpenAPI document (schemathesis, every check): it is honest.

Requests are generated from ``/openapi.json``, schema-valid ones and
schema-violating ones (bodies, parameters, unknown query parameters), and sent
to the real server on SQLite and on PostgreSQL (which refuses some text SQLite
keeps, such as NUL characters) with an admin token, so every endpoint is
reached past authentication. Every schemathesis check runs on every response:
no 5xx, every status and header declared, every body as its schema says,
schema-valid data accepted, schema-violating data refused, and so on.

A schema cannot state a few rules: ones across fields, against the clock or
against stored records (:data:`BUSINESS_RULES`). A schema-valid request that
only breaks one of those is refused with a 422 naming the rule; that answer is
not counted against ``positive_data_acceptance``. Nothing else is excused.

``EXPORTGUARD_FUZZ_EXAMPLES=500`` runs more (and random, not repeatable) examples
per operation and mode than the 25 repeatable ones of the suite.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis.checks import CHECKS, load_all_checks  # noqa: E402
from schemathesis.core.failures import FailureGroup  # noqa: E402
from schemathesis.generation import GenerationMode  # noqa: E402

from records_support import (  # noqa: E402
    fake_screener,
    held,
    licence,
    live_server,
    sanctioned_table,
    tokens,
)

_STATE: dict[str, Any] = {}
EXAMPLES = int(os.environ.get("EXPORTGUARD_FUZZ_EXAMPLES") or 0)

# Rules JSON Schema cannot express (the service says which one a request broke).
BUSINESS_RULES = (
    "valid_until is before valid_from",  # licence: across two fields
    "must be in the future",  # a release's expires_at: against the clock
    "has no match of party",  # a false positive names a match of the stored screening
    "does not exist (the shipment has",  # a cited licence covers an item index it has
    "cannot release as LICENSED",  # a LICENSED release needs a licence on file ...
    "cannot be released as CLEAR",  # ... and a CLEAR one no item that needs a licence
    "name has no letters or digits",  # /match: after titles and punctuation are set aside
    # an Idempotency-Key already used for another shipment: 422, as the IETF
    # Idempotency-Key draft says (against stored records)
    "already used with a different shipment",
)


def all_checks() -> list[Any]:
    load_all_checks()
    return [getattr(schemathesis.checks, name) for name in CHECKS.get_all_names()]


def breaks_a_business_rule(response: Any) -> bool:
    if response.status_code != 422:
        return False
    try:
        message = response.json().get("message", "")
    except ValueError:
        return False
    return any(rule in message for rule in BUSINESS_RULES)


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
def test_every_check_passes(api_schema: Any) -> None:
    checks = all_checks()
    assert len(checks) >= 14, [c.__name__ for c in checks]
    positive_acceptance = schemathesis.checks.positive_data_acceptance
    failures: list[str] = []
    authenticated: dict[str, int] = {}
    sent = {"positive": 0, "negative": 0}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 14

    def run(op: Any, mode: GenerationMode) -> None:
        @given(case=op.as_strategy(generation_mode=mode, headers=_STATE["headers"]))
        @settings(max_examples=EXAMPLES or 25, deadline=None, derandomize=not EXAMPLES,
                  database=None, suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            response = case.call(timeout=30)
            sent[mode.value] += 1
            key = f"{case.method} {case.path}"
            if mode is GenerationMode.POSITIVE:
                authenticated[key] = authenticated.get(key, 0) + (response.status_code != 401)
            excluded = [positive_acceptance] if breaks_a_business_rule(response) else []
            try:
                case.validate_response(response, checks=checks, excluded_checks=excluded,
                                       headers=_STATE["headers"])
            except FailureGroup as exc:
                failures.append(f"[{mode.value}] {key}: {str(exc)[:1500]}")

        try:
            check()
        except Unsatisfiable:
            # nothing to violate: no parameters and no body (the token is given)
            assert mode is GenerationMode.NEGATIVE

    for op in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            run(op, mode)
    print(f"\nschemathesis, {len(checks)} checks: {sent['positive']} schema-valid and "
          f"{sent['negative']} schema-violating requests over {len(operations)} operations, "
          f"{len(failures)} failures")
    assert not failures, "\n\n".join(failures)
    # The token was sent: every operation was reached past authentication.
    assert len(authenticated) == len(operations) and all(authenticated.values()), authenticated
