"""Server-side web sessions and sign-in throttling.

Through the real server (uvicorn, SQLite): a copied cookie stops working at
sign-out, at a password change and when an admin ends the user's sessions
(CLI and the admin page); sign-in is throttled per account and per client
address (HTTP 429 and a clear message, the right password refused during a
lock, parallel attempts cannot slip past, the lock survives a restart). The
service layer on SQLite and PostgreSQL: the tables the migration makes match
the models, sessions, throttling, listing of sessions and tokens.

The live server trusts ``X-Forwarded-For`` from 127.0.0.1 (uvicorn's default),
so each throttling test signs in "from" its own address.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from exportguard.service import auth, passwords, sessions
from exportguard.store.db import get_database
from exportguard.store.models import LoginAttempt, WebSessionRecord
from records_support import live_server
from web_support import PASSWORD, WebServer, browser_client, csrf_of, signed_in, web_server


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    with web_server(tmp_path_factory.mktemp("web-sessions")) as server:
        yield server


def cli(*args: str, input: str | None = None) -> tuple[int, str, str]:
    from exportguard.cli.app import app

    r = CliRunner().invoke(app, list(args), input=input)
    return r.exit_code, r.stdout, r.stderr


def clone(c: httpx.Client, base: str) -> httpx.Client:
    """Another browser holding a copy of ``c``'s session cookie."""
    other = browser_client(base)
    other.cookies.set("eg_session", c.cookies["eg_session"])
    return other


def try_login(base: str, name: str, password: str, address: str,
              client: httpx.Client | None = None) -> httpx.Response:
    c = client or browser_client(base)
    try:
        headers = {"X-Forwarded-For": address}
        token = csrf_of(c.get("/login", headers=headers).text)
        return c.post("/login", headers=headers, data={
            "csrf_token": token, "username": name, "password": password, "next": "/dashboard"})
    finally:
        if client is None:
            c.close()


def age_attempts(db_url: str, minutes: float, **where: str) -> None:
    """Move the stored sign-in attempts (of a user name or an address) into the past."""
    cond = [getattr(LoginAttempt, k) == v for k, v in where.items()]
    with get_database(db_url).session(write=True) as s:
        for a in s.scalars(select(LoginAttempt).where(*cond)):
            a.at = a.at - timedelta(minutes=minutes)


def new_user(db_url: str, name: str, role: str = "screener") -> None:
    auth.add_user(name, role, db_url=db_url)
    passwords.set_password(name, PASSWORD, db_url=db_url)


# ---------------------------------------------------------------------------
# revocation, through the server


def test_cookie_is_a_random_id_stored_hashed(web: WebServer) -> None:
    c, _csrf = signed_in(web.base, "screener")
    with closing(c):
        value = c.cookies["eg_session"]
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", value), "a random 256-bit id, nothing else"
        assert "screener1" not in value
        with get_database(web.db_url).session() as s:
            stored = set(s.scalars(select(WebSessionRecord.id_hash)))
        assert value not in stored
        assert sessions.hash_session_id(value) in stored
        assert (web.home / "web_secret").stat().st_mode & 0o777 == 0o600
        forged = value[:-1] + ("A" if value[-1] != "A" else "B")
        with browser_client(web.base) as other:
            other.cookies.set("eg_session", forged)
            assert other.get("/dashboard").status_code == 303


def test_copied_cookie_fails_after_sign_out(web: WebServer) -> None:
    c, csrf = signed_in(web.base, "reviewer")
    with closing(c), closing(clone(c, web.base)) as thief:
        assert thief.get("/dashboard").status_code == 200
        r = c.post("/logout", data={"csrf_token": csrf})
        assert r.status_code == 303 and r.headers["location"] == "/login"
        r = thief.get("/dashboard")
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        assert thief.post("/screen", data={"csrf_token": csrf}).headers["location"] == "/login"


def test_signing_in_again_replaces_the_session(web: WebServer) -> None:
    c, csrf = signed_in(web.base, "screener")
    with closing(c), closing(clone(c, web.base)) as old:
        r = c.post("/login", data={"csrf_token": csrf, "username": "screener1",
                                   "password": PASSWORD, "next": "/review"})
        assert r.status_code == 303 and r.headers["location"] == "/review"
        assert c.get("/dashboard").status_code == 200
        assert old.get("/dashboard").status_code == 303


def test_password_change_ends_every_session_of_the_user(web: WebServer) -> None:
    new_user(web.db_url, "pat")
    clients = [browser_client(web.base) for _ in range(2)]
    other, _ = signed_in(web.base, "screener")
    try:
        for c in clients:
            assert try_login(web.base, "pat", PASSWORD, "10.1.0.1", c).status_code == 303
            assert c.get("/dashboard").status_code == 200
        code, out, err = cli("users", "passwd", "pat", "--password-stdin", "--db", web.db_url,
                             input=PASSWORD + "2\n")
        assert code == 0, err
        assert "2 sessions ended" in out
        for c in clients:
            assert c.get("/dashboard").status_code == 303
        assert other.get("/dashboard").status_code == 200  # another user's session lives on
        assert try_login(web.base, "pat", PASSWORD + "2", "10.1.0.1").status_code == 303
    finally:
        for c in (*clients, other):
            c.close()


def test_admin_ends_sessions_with_the_cli(web: WebServer) -> None:
    new_user(web.db_url, "quinn", "reviewer")
    c = browser_client(web.base)
    with closing(c):
        assert try_login(web.base, "quinn", PASSWORD, "10.2.0.1", c).status_code == 303
        assert c.get("/dashboard").status_code == 200
        code, out, _ = cli("sessions", "list", "--user", "quinn", "--json", "--db", web.db_url)
        assert code == 0, out
        rows = json.loads(out)
        assert len(rows) == 1 and rows[0]["user"] == "quinn"
        assert rows[0]["client_address"] == "10.2.0.1"
        assert {"created_at", "last_seen_at", "expires_at", "user_agent"} <= set(rows[0])
        code, out, _ = cli("sessions", "list", "--db", web.db_url)
        assert code == 0 and "quinn" in out and "10.2.0.1" in out
        code, out, _ = cli("sessions", "end", "quinn", "--db", web.db_url)
        assert code == 0 and "1 session" in out
        assert c.get("/dashboard").status_code == 303
        code, out, _ = cli("sessions", "list", "--user", "quinn", "--json", "--db", web.db_url)
        assert json.loads(out) == []
        code, out, _ = cli("sessions", "list", "--user", "quinn", "--all", "--json",
                           "--db", web.db_url)
        ended = json.loads(out)
        assert len(ended) == 1 and ended[0]["revoked_reason"].startswith("ended by")
        assert cli("sessions", "end", "nobody-here", "--db", web.db_url)[0] == 2
    trail = [e for e in auth_trail(web.db_url) if e["object_id"] == "quinn"]
    assert any(e["action"] == "user.sessions_ended" for e in trail)


def auth_trail(db_url: str) -> list[dict[str, object]]:
    from exportguard.service.records import audit_trail

    return list(audit_trail("user", None, 1000, db_url))


def test_tokens_are_listed_without_the_secret(web: WebServer) -> None:
    made = auth.create_token("reviewer1", label="ci", db_url=web.db_url)
    auth.revoke_token(auth.create_token("reviewer1", db_url=web.db_url)["id"],
                      db_url=web.db_url)
    code, out, _ = cli("tokens", "list", "--user", "reviewer1", "--json", "--db", web.db_url)
    assert code == 0, out
    rows = json.loads(out)
    assert made["token"] not in out and "hash" not in out
    assert [r["state"] for r in rows] == ["active", "revoked"]
    assert rows[0] == {**rows[0], "id": made["id"], "user": "reviewer1", "label": "ci",
                       "prefix": made["prefix"]}
    code, out, _ = cli("tokens", "list", "--db", web.db_url)
    assert code == 0 and made["prefix"] in out and made["token"] not in out


def test_admin_page_lists_and_ends_sessions(web: WebServer) -> None:
    new_user(web.db_url, "rory")
    victim = browser_client(web.base)
    admin, admin_csrf = signed_in(web.base, "admin")
    screener, screener_csrf = signed_in(web.base, "screener")
    token = auth.create_token("rory", label="page-test", db_url=web.db_url)
    try:
        assert try_login(web.base, "rory", PASSWORD, "10.3.0.1", victim).status_code == 303
        page = admin.get("/admin/sessions")
        assert page.status_code == 200
        assert "rory" in page.text and "10.3.0.1" in page.text
        assert token["prefix"] in page.text and token["token"] not in page.text
        assert "page-test" in page.text
        assert screener.get("/admin/sessions").status_code == 403
        r = screener.post("/admin/sessions/end", data={"csrf_token": screener_csrf,
                                                      "user": "rory"})
        assert r.status_code == 403
        assert victim.get("/dashboard").status_code == 200
        assert admin.post("/admin/sessions/end", data={"user": "rory"}).status_code == 403
        r = admin.post("/admin/sessions/end", data={"csrf_token": admin_csrf, "user": "rory"})
        assert r.status_code == 303, r.text
        assert victim.get("/dashboard").status_code == 303
        done = admin.get(r.headers["location"])
        assert done.status_code == 200 and "rory" in done.text
        # one session of a user, by its id
        assert try_login(web.base, "rory", PASSWORD, "10.3.0.2", victim).status_code == 303
        sid = sessions.list_sessions(user="rory", db_url=web.db_url)[0]["id"]
        r = admin.post(f"/admin/sessions/{sid}/end", data={"csrf_token": admin_csrf})
        assert r.status_code == 303
        assert victim.get("/dashboard").status_code == 303
    finally:
        for c in (victim, admin, screener):
            c.close()


# ---------------------------------------------------------------------------
# throttling, through the server


def test_account_lock_refuses_even_the_right_password(web: WebServer) -> None:
    new_user(web.db_url, "sam")
    for i in range(5):  # from different addresses: the account limit alone
        r = try_login(web.base, "sam", "wrong password!", f"10.4.0.{i}")
        assert r.status_code == 401, r.text
    r = try_login(web.base, "sam", PASSWORD, "10.4.1.1")
    assert r.status_code == 429
    assert "Too many failed sign-ins for this account; try again in 1 minute" in r.text
    assert int(r.headers["retry-after"]) in range(1, 61)
    assert "eg_session" not in r.cookies or not re.fullmatch(
        r"[A-Za-z0-9_-]{43}", r.cookies["eg_session"])
    # the lock ends; the next failure locks for twice as long
    age_attempts(web.db_url, 1.1, username="sam")
    r = try_login(web.base, "sam", "wrong again!!", "10.4.1.1")
    assert r.status_code == 401
    r = try_login(web.base, "sam", PASSWORD, "10.4.1.1")
    assert r.status_code == 429 and "try again in 2 minutes" in r.text
    age_attempts(web.db_url, 2.1, username="sam")
    assert try_login(web.base, "sam", PASSWORD, "10.4.1.1").status_code == 303
    # a success forgets the failures
    for _ in range(4):
        assert try_login(web.base, "sam", "wrong password!", "10.4.1.2").status_code == 401
    assert try_login(web.base, "sam", PASSWORD, "10.4.1.2").status_code == 303


def test_unknown_names_are_throttled_the_same(web: WebServer) -> None:
    for i in range(5):
        assert try_login(web.base, "ghost", "whatever12", f"10.5.0.{i}").status_code == 401
    r = try_login(web.base, "ghost", "whatever12", "10.5.1.1")
    assert r.status_code == 429 and "for this account" in r.text


def test_address_limit(web: WebServer) -> None:
    new_user(web.db_url, "tess")
    for i in range(20):  # 20 names, one failure each: no account is locked
        r = try_login(web.base, f"spray{i}", "wrong password!", "10.6.0.1")
        assert r.status_code == 401, (i, r.text)
    r = try_login(web.base, "tess", PASSWORD, "10.6.0.1")
    assert r.status_code == 429
    assert "Too many failed sign-ins from your network address; try again in 15 minutes" in r.text
    assert try_login(web.base, "tess", PASSWORD, "10.6.0.2").status_code == 303
    age_attempts(web.db_url, 16, client_address="10.6.0.1")
    assert try_login(web.base, "tess", PASSWORD, "10.6.0.1").status_code == 303


def test_parallel_wrong_passwords_cannot_slip_past_the_limit(web: WebServer) -> None:
    new_user(web.db_url, "uma")

    def attempt(i: int) -> int:
        return try_login(web.base, "uma", f"wrong password {i}", f"10.7.{i}.1").status_code

    with ThreadPoolExecutor(16) as pool:
        codes = list(pool.map(attempt, range(40)))
    assert codes.count(401) == 5 and codes.count(429) == 35, codes
    assert try_login(web.base, "uma", PASSWORD, "10.7.100.1").status_code == 429


def test_lock_holds_across_a_restart(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with web_server(home) as first:
        for i in range(5):
            assert try_login(first.base, "admin1", "wrong password!", f"10.8.0.{i}"
                             ).status_code == 401
        url = first.db_url
    with live_server(url, home) as base:  # a new process-like app on the same store
        r = try_login(base, "admin1", PASSWORD, "10.8.1.1")
        assert r.status_code == 429 and "for this account" in r.text


# ---------------------------------------------------------------------------
# the service on SQLite and PostgreSQL


def test_schema_matches_the_models(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from exportguard.store.models import Base

    db = get_database(db_url)
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                Base.metadata)
    mine = [d for d in diff if any(t in repr(d) for t in ("web_sessions", "login_attempts"))]
    assert mine == []
    db.dispose()
    # 0003 goes down and up again
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine, inspect

    import exportguard.store

    cfg = Config()
    cfg.set_main_option("script_location",
                        str(Path(exportguard.store.__file__).parent / "migrations"))
    cfg.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    command.downgrade(cfg, "0002")
    engine = create_engine(db.url)
    try:
        with engine.connect() as conn:
            assert not {"web_sessions", "login_attempts"} & set(inspect(conn).get_table_names())
        command.upgrade(cfg, "head")
        with engine.connect() as conn:
            assert {"web_sessions", "login_attempts"} <= set(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def test_sessions_in_the_store(db_url: str) -> None:
    policy = sessions.SessionPolicy()
    new_user(db_url, "vic", "reviewer")
    new_user(db_url, "wyn")
    a = sessions.sign_in("vic", PASSWORD, "192.0.2.1", "test-agent", policy, db_url=db_url)
    b = sessions.sign_in("vic", PASSWORD, "192.0.2.2", "test-agent", policy, db_url=db_url)
    w = sessions.sign_in("wyn", PASSWORD, "192.0.2.3", None, policy, db_url=db_url)
    assert a.session_id and b.session_id and w.session_id and a.session_id != b.session_id
    found = sessions.lookup(a.session_id, db_url=db_url)
    assert found is not None and found.actor == auth.Actor("vic", "reviewer")
    assert found.csrf == a.csrf
    assert sessions.lookup("x" * 43, db_url=db_url) is None
    assert sessions.lookup("../../", db_url=db_url) is None
    rows = sessions.list_sessions(db_url=db_url)
    assert sorted(r["user"] for r in rows) == ["vic", "vic", "wyn"]
    assert all("id_hash" not in r and "csrf" not in r for r in rows)

    sessions.sign_out(a.session_id, db_url=db_url)
    assert sessions.lookup(a.session_id, db_url=db_url) is None
    assert sessions.lookup(b.session_id, db_url=db_url) is not None
    passwords.set_password("vic", PASSWORD + "!", db_url=db_url)
    assert sessions.lookup(b.session_id, db_url=db_url) is None
    assert sessions.lookup(w.session_id, db_url=db_url) is not None
    assert sessions.end_sessions("wyn", db_url=db_url) == 1
    assert sessions.lookup(w.session_id, db_url=db_url) is None
    with pytest.raises(auth.ForbiddenError):
        sessions.end_sessions("vic", actor=auth.Actor("wyn", "screener"), db_url=db_url)
    with pytest.raises(auth.ForbiddenError):
        sessions.list_sessions(actor=auth.Actor("wyn", "reviewer"), db_url=db_url)
    assert sessions.list_sessions(db_url=db_url) == []

    # expiry and a disabled user
    c = sessions.sign_in("wyn", PASSWORD, "192.0.2.3", None, policy, db_url=db_url)
    assert c.session_id and sessions.lookup(c.session_id, db_url=db_url) is not None
    with get_database(db_url).session(write=True) as s:
        s.execute(update(WebSessionRecord).where(
            WebSessionRecord.id_hash == sessions.hash_session_id(c.session_id))
            .values(expires_at=sessions.utcnow() - timedelta(seconds=1)))
    assert sessions.lookup(c.session_id, db_url=db_url) is None


def test_throttle_in_the_store(db_url: str) -> None:
    policy = sessions.SessionPolicy(account_limit=3, address_limit=5)
    new_user(db_url, "xan")
    for _ in range(3):
        r = sessions.sign_in("xan", "wrong password", "198.51.100.1", None, policy,
                             db_url=db_url)
        assert r.actor is None and r.locked is None
    r = sessions.sign_in("xan", PASSWORD, "198.51.100.2", None, policy, db_url=db_url)
    assert r.actor is None and r.locked == "account" and 0 < r.retry_after <= 60
    assert "try again in 1 minute" in (r.message or "")
    age_attempts(db_url, 1.5, username="xan")
    r = sessions.sign_in("xan", PASSWORD, "198.51.100.2", None, policy, db_url=db_url)
    assert r.actor is not None and r.session_id
    for i in range(2):
        sessions.sign_in(f"n{i}", "wrong password", "198.51.100.1", None, policy,
                         db_url=db_url)
    r = sessions.sign_in("xan", PASSWORD, "198.51.100.1", None, policy, db_url=db_url)
    assert r.locked == "address" and "network address" in (r.message or "")
    assert 13 * 60 < r.retry_after <= 15 * 60


def test_odd_names_are_refused_not_errors(db_url: str) -> None:
    policy = sessions.SessionPolicy()
    for name in ("nul\x00name", "x" * 5000, "", "  "):
        r = sessions.sign_in(name, "whatever12", "192.0.2.9", "a\x00b" * 200, policy,
                             db_url=db_url)
        assert r.actor is None and r.locked is None


def test_parallel_attempts_in_the_store(db_url: str) -> None:
    policy = sessions.SessionPolicy(account_limit=4)
    new_user(db_url, "yan")

    def attempt(i: int) -> sessions.SignInResult:
        return sessions.sign_in("yan", f"wrong password {i}", f"203.0.113.{i}", None, policy,
                                db_url=db_url)

    with ThreadPoolExecutor(12) as pool:
        results = list(pool.map(attempt, range(24)))
    assert sum(r.locked is None for r in results) == 4
    assert sum(r.locked == "account" for r in results) == 20


def test_policy_from_settings() -> None:
    from exportguard.settings import Settings

    p = sessions.SessionPolicy.from_settings(Settings(home=Path("/tmp/x"), db_url="x", extra={
        "login_account_limit": "7", "login_address_window_minutes": "30",
        "session_hours": "8"}))
    assert (p.account_limit, p.address_window_minutes, p.session_hours) == (7, 30, 8)
    assert p.address_limit == 20 and p.account_lock_minutes == 1
    with pytest.raises(ValueError, match="login_account_limit"):
        sessions.SessionPolicy.from_settings(Settings(home=Path("/tmp/x"), db_url="x",
                                                      extra={"login_account_limit": "0"}))
