"""Test support for the store, review, licence and API tests.

- :func:`fake_screener`: the real engine with a fake name matcher and fresh
  list metadata (deterministic: no stale-list holds, matches from a table);
- :func:`dual_use`: a shipment with one dual-use item that needs a licence;
- :func:`live_server`: the real app under uvicorn on 127.0.0.1 and a free port.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from exportguard.contracts.decision import Decision
from exportguard.contracts.shipment import Shipment
from exportguard.engine.decide import decide
from exportguard.names.model import Match
from screening_support import FakeMatcher, context, match, shipment


def fake_screener(table: dict[str, list[Match]] | None = None) -> Any:
    matcher = FakeMatcher(table or {})

    def screen(s: Shipment, policy: Any, lookup: Mapping[str, Any]) -> Decision:
        return decide(s, context(policy or "default", matcher=matcher, licences=dict(lookup)))

    screen.matcher = matcher  # type: ignore[attr-defined]
    return screen


SANCTIONED = "Black Sea Tools LLC"


def sanctioned_table(*also: str) -> dict[str, list[Match]]:
    """The fake matcher's answers: SANCTIONED (and ``also`` names) meet ofac_sdn:1234."""
    found = [match("ofac_sdn", "BLACK SEA TOOLS", 0.91, entity_id="ofac_sdn:1234")]
    return {name: found for name in (SANCTIONED, *also)}


def clear(**changes: Any) -> dict[str, Any]:
    return shipment(**changes)


def held(**changes: Any) -> dict[str, Any]:
    """A shipment whose end user is on a list (the fake matcher says so): HOLD."""
    parties = [{"role": "consignee", "name": SANCTIONED, "country": "FR"},
               {"role": "end_user", "name": SANCTIONED, "country": "FR"}]
    return shipment(**{"parties": parties, **changes})


def dual_use(licence: str | None = "LIC-1", quantity: float = 5, value: float = 500,
             end_user: str = "Lyon Textiles SARL", **changes: Any) -> dict[str, Any]:
    item = {"description": "Integrated circuits", "hs_code": "854231", "control_code": "3A001",
            "quantity": quantity, "value": value}
    parties = [{"role": "consignee", "name": "Lyon Textiles SARL", "country": "FR"},
               {"role": "end_user", "name": end_user, "country": "FR"}]
    extra: dict[str, Any] = {"date": "2026-11-20", "parties": parties}
    if licence:
        extra["licenses"] = [licence]
    return shipment(item=item, **{**extra, **changes})


def licence(number: str = "LIC-1", **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "number": number, "holder": "Nordwind Maschinenbau GmbH", "control_codes": ["3A001"],
        "hs_codes": ["8542"], "destinations": ["FR", "DE"], "end_user": "Lyon Textiles SARL",
        "quantity_limit": 100, "value_limit": 100000, "valid_from": "2026-01-01",
        "valid_until": "2027-12-31", "euc_reference": "EUC-2026-001"}
    data.update(changes)
    return data


@contextmanager
def live_server(db_url: str, home: Path, screener: Any = None) -> Iterator[str]:
    """The real app under uvicorn in a thread; yields its base URL."""
    import socket

    import uvicorn

    from exportguard.api.app import create_app
    from exportguard.settings import Settings

    app = create_app(Settings(home=home, db_url=db_url), screener=screener)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def tokens(db_url: str) -> dict[str, str]:
    """One user and token per role: ``{"screener": token, ...}``."""
    from exportguard.service import auth

    out = {}
    for role in ("screener", "reviewer", "admin"):
        auth.add_user(f"{role}1", role, db_url=db_url)
        out[role] = auth.create_token(f"{role}1", db_url=db_url)["token"]
    return out


def client(base: str, token: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=base, headers=headers, timeout=30)
