"""Test support for the web UI tests: a live server with users who have web passwords.

The server is the real app (API and web UI) under uvicorn on SQLite, with the
deterministic fake screener of :mod:`records_support` (a party named
``Black Sea Tools LLC`` meets ``ofac_sdn:1234``, so its shipment holds).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from records_support import fake_screener, live_server, sanctioned_table

PASSWORD = "correct horse battery staple"
ROLES = ("screener", "reviewer", "admin")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class WebServer:
    base: str
    db_url: str
    home: Path


def add_web_users(db_url: str) -> None:
    from exportguard.service import auth, passwords

    for role in ROLES:
        auth.add_user(f"{role}1", role, db_url=db_url)
        passwords.set_password(f"{role}1", PASSWORD, db_url=db_url)


@contextmanager
def web_server(home: Path, screener: Any = "fake") -> Iterator[WebServer]:
    """The app with web users; ``screener`` is the fake one by default, ``None`` for the
    real engine, or any screener callable."""
    url = f"sqlite:///{home / 'exportguard.db'}"
    from exportguard.service.lists import list_status
    from exportguard.store.db import get_database

    list_status()  # build the embedded list snapshots now, not inside a request
    get_database(url)
    add_web_users(url)
    if screener == "fake":
        screener = fake_screener(sanctioned_table())
    with live_server(url, home, screener=screener) as base:
        yield WebServer(base, url, home)


def csrf_of(html: str) -> str:
    m = CSRF.search(html)
    assert m, "no CSRF token on the page"
    return m.group(1)


def browser_client(base: str) -> httpx.Client:
    return httpx.Client(base_url=base, timeout=120, follow_redirects=False,
                        headers={"Accept": "text/html"})


def signed_in(base: str, role: str) -> tuple[httpx.Client, str]:
    """A client signed in as ``{role}1`` and its session's CSRF token."""
    c = browser_client(base)
    token = csrf_of(c.get("/login").text)
    r = c.post("/login", data={"csrf_token": token, "username": f"{role}1",
                               "password": PASSWORD, "next": "/dashboard"})
    assert r.status_code == 303 and r.headers["location"] == "/dashboard", r.text
    return c, csrf_of(c.get("/dashboard").text)


def held_form(csrf: str, ref: str) -> dict[str, str]:
    """The screen form for a shipment whose end user is listed (it holds)."""
    return {
        "csrf_token": csrf, "id": ref, "exporter_name": "Nordwind Maschinenbau GmbH",
        "exporter_country": "DE", "origin": "DE", "destination": "FR",
        "party-0-role": "consignee", "party-0-name": "Black Sea Tools LLC",
        "party-0-country": "FR", "party-1-role": "end_user",
        "party-1-name": "Black Sea Tools LLC", "party-1-country": "FR",
        "item-0-description": "Cotton T-shirts", "item-0-hs_code": "610910",
        "item-0-quantity": "10", "item-0-value": "100", "end_use": "retail",
    }
