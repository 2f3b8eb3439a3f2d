"""The web UI through the real server (uvicorn, SQLite): sign-in, sessions, CSRF and roles."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from exportguard.service import review
from records_support import held
from web_support import (
    PASSWORD,
    WebServer,
    browser_client,
    csrf_of,
    held_form,
    signed_in,
    web_server,
)

PAGES = ["/dashboard", "/screen", "/names", "/review", "/licences", "/lists",
         "/review/1", "/screenings/x", "/entities/un_sc:1"]


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    with web_server(tmp_path_factory.mktemp("web-home")) as server:
        yield server


def _screen_held(c: httpx.Client, csrf: str, ref: str) -> tuple[str, int]:
    r = c.post("/screen", data=held_form(csrf, ref))
    assert r.status_code == 303, r.text
    page = c.get(r.headers["location"])
    assert page.status_code == 200 and "HOLD" in page.text.upper()
    m = re.search(r'href="/review/(\d+)"', page.text)
    assert m, "the held screening links to its case"
    return r.headers["location"], int(m.group(1))


def test_no_page_without_a_session(web: WebServer) -> None:
    with browser_client(web.base) as c:
        for path in PAGES:
            r = c.get(path)
            assert r.status_code == 303, path
            assert r.headers["location"].startswith("/login?next="), path
            assert "Black Sea" not in r.text
        r = c.post("/screen", data=held_form("x", "NOPE-1"))
        assert r.status_code in (303, 403) and r.headers.get("location", "/login") == "/login"
        r = c.post("/review/1/release", data={"reason": "no session"})
        assert r.status_code == 303 and r.headers["location"] == "/login"
        assert c.get("/static/app.css").status_code == 200
    with httpx.Client(base_url=web.base) as api:
        root = api.get("/")
        assert root.status_code == 200 and root.json()["docs"] == "/docs"
        assert not any(not p.startswith("/api/v1/")
                       for p in api.get("/openapi.json").json()["paths"])


def test_sign_in_and_out(web: WebServer) -> None:
    with browser_client(web.base) as c:
        token = csrf_of(c.get("/login").text)
        bad = c.post("/login", data={"csrf_token": token, "username": "reviewer1",
                                     "password": "wrong password!"})
        assert bad.status_code == 401 and "wrong password" in bad.text
        assert c.get("/dashboard").status_code == 303
        ok = c.post("/login", data={"csrf_token": token, "username": "reviewer1",
                                    "password": PASSWORD, "next": "//evil.example/x"})
        assert ok.status_code == 303 and ok.headers["location"] == "/dashboard"
        page = c.get("/dashboard")
        assert page.status_code == 200 and "reviewer1" in page.text
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert page.headers["cache-control"] == "no-store"
        assert 'aria-current="page"' in page.text
        r = c.post("/logout", data={"csrf_token": csrf_of(page.text)})
        assert r.status_code == 303
        assert c.get("/dashboard").status_code == 303


def test_tampered_or_foreign_cookie_is_no_session(web: WebServer) -> None:
    import base64
    import hashlib
    import hmac

    c, _csrf = signed_in(web.base, "screener")
    with closing(c):
        value = c.cookies["eg_session"]  # a random id: nothing to edit in it
        assert "." not in value and "screener1" not in value
        c.cookies.clear()
        c.cookies.set("eg_session", value[::-1])
        assert c.get("/dashboard").status_code == 303
    with browser_client(web.base) as anon:  # the signed sign-in cookie cannot become a user
        anon.get("/login")
        body, sig = anon.cookies["eg_session"].split(".", 1)
        data = json.loads(base64.urlsafe_b64decode(body))
        for forged in ({**data, "u": "admin1"}, {"u": "admin1", "c": data["c"], "t": data["t"]}):
            raw = base64.urlsafe_b64encode(json.dumps(forged).encode())
            for signature in (sig, base64.urlsafe_b64encode(hmac.new(
                    b"guess", raw, hashlib.sha256).digest()).decode().rstrip("=")):
                anon.cookies.clear()
                anon.cookies.set("eg_session", raw.decode() + "." + signature)
                assert anon.get("/dashboard").status_code == 303


def test_csrf_is_checked_on_every_post(web: WebServer) -> None:
    c, csrf = signed_in(web.base, "reviewer")
    with closing(c):
        for data in ({}, {"csrf_token": "forged"}):
            r = c.post("/screen", data={**held_form("", "CSRF-1"), **data})
            assert r.status_code == 403 and "CSRF" in r.text
        assert c.post("/logout", data={}).status_code == 403
        assert c.post("/licences", data={"number": "L-X"}).status_code == 403
        _loc, case_id = _screen_held(c, csrf, "CSRF-2")
        r = c.post(f"/review/{case_id}/release", data={"reason": "no token here"})
        assert r.status_code == 403
        assert review.get_case(case_id, db_url=web.db_url).status == "open"
    with browser_client(web.base) as anon:  # the sign-in form needs its token too
        r = anon.post("/login", data={"username": "reviewer1", "password": PASSWORD})
        assert r.status_code == 403


def test_screener_cannot_act_on_a_case(web: WebServer) -> None:
    c, csrf = signed_in(web.base, "screener")
    with closing(c):
        _loc, case_id = _screen_held(c, csrf, "ROLE-1")
        page = c.get(f"/review/{case_id}")
        assert page.status_code == 200
        assert f'action="/review/{case_id}/release"' not in page.text
        assert f'action="/review/{case_id}/confirm"' not in page.text
        assert "only a reviewer can release" in page.text
        r = c.post(f"/review/{case_id}/release", data={"csrf_token": csrf,
                                                       "reason": "looks fine to me"})
        assert r.status_code == 403 and "reviewer" in r.text
        r = c.post(f"/review/{case_id}/confirm", data={"csrf_token": csrf, "reason": "deny it"})
        assert r.status_code == 403
        assert "Register a licence" not in c.get("/licences").text
        assert c.post("/licences", data={"csrf_token": csrf, "number": "L-S", "holder": "x",
                                         "valid_from": "2026-01-01",
                                         "valid_until": "2027-01-01"}).status_code == 403
    assert review.get_case(case_id, db_url=web.db_url).status == "open"
    r2, csrf2 = signed_in(web.base, "reviewer")
    with closing(r2):
        page = r2.get(f"/review/{case_id}")
        assert f'action="/review/{case_id}/release"' in page.text
        no_reason = r2.post(f"/review/{case_id}/release", data={"csrf_token": csrf2,
                                                                 "reason": " "})
        assert no_reason.status_code == 422 and "reason" in no_reason.text
        r = r2.post(f"/review/{case_id}/release", data={
            "csrf_token": csrf2, "reason": "different firm, checked the address",
            "outcome": "CLEAR", "expires_at": "2099-01-01"})
        assert r.status_code == 303
        done = r2.get(r.headers["location"])
        assert "Case released." in done.text and "case.release" in done.text
        again = r2.post(f"/review/{case_id}/confirm", data={"csrf_token": csrf2,
                                                            "reason": "too late"})
        assert again.status_code == 409
    case = review.get_case(case_id, db_url=web.db_url)
    assert case.status == "released" and case.closed_by == "reviewer1"


def test_invalid_shipment_names_the_field(web: WebServer) -> None:
    c, csrf = signed_in(web.base, "screener")
    with closing(c):
        form = held_form(csrf, "BAD-1")
        form["item-0-hs_code"] = "12"
        r = c.post("/screen", data=form)
        assert r.status_code == 422 and "items[0].hs_code" in r.text
        assert 'value="Black Sea Tools LLC"' in r.text  # the form keeps what was typed
        files = {"shipment_file": ("s.json", b"{not json", "application/json")}
        r = c.post("/screen", data={"csrf_token": csrf}, files=files)
        assert r.status_code == 422 and "invalid JSON" in r.text
        good = json.dumps(held(id="UPLOAD-1")).encode()
        r = c.post("/screen", data={"csrf_token": csrf},
                   files={"shipment_file": ("s.json", good, "application/json")})
        assert r.status_code == 303 and r.headers["location"].startswith("/screenings/")
        page = c.get(r.headers["location"])
        assert "UPLOAD-1" in page.text and "ofac_sdn:1234" in page.text


def test_queue_filters_and_licence_register(web: WebServer) -> None:
    c, csrf = signed_in(web.base, "reviewer")
    with closing(c):
        _screen_held(c, csrf, "Q-1")
        page = c.get("/review", params={"rule": "sanctions_match", "list": "ofac_sdn",
                                        "country": "fr"})
        assert page.status_code == 200 and "Q-1" in page.text
        assert "Q-1" not in c.get("/review", params={"country": "CN"}).text
        r = c.post("/licences", data={
            "csrf_token": csrf, "number": "LIC-W1", "holder": "Nordwind Maschinenbau GmbH",
            "control_codes": "3A001", "hs_codes": "8542", "destinations": "fr, de",
            "quantity_limit": "100", "value_limit": "50000", "currency": "eur",
            "valid_from": "2026-01-01", "valid_until": "2099-12-31"})
        assert r.status_code == 303, r.text
        page = c.get("/licences")
        assert "LIC-W1" in page.text and "100" in page.text
        dup = c.post("/licences", data={"csrf_token": csrf, "number": "LIC-W1",
                                        "holder": "x", "valid_from": "2026-01-01",
                                        "valid_until": "2027-01-01"})
        assert dup.status_code == 422 and "already exists" in dup.text


def test_dashboard_service_counts(web: WebServer) -> None:
    from exportguard.service.dashboard import dashboard, review_queue

    c, csrf = signed_in(web.base, "screener")
    with closing(c):
        _screen_held(c, csrf, "DASH-1")
    data = dashboard(days=7, db_url=web.db_url)
    assert data["totals"]["screenings"] >= 1 and data["totals"]["HOLD"] >= 1
    assert dict(data["holds_by_rule"]).get("sanctions_match", 0) >= 1
    assert dict(data["hits_by_list"]).get("ofac_sdn", 0) >= 1
    q = review_queue(db_url=web.db_url)
    opened = [x["opened_at"] for x in q["cases"]]
    assert opened == sorted(opened)
    assert review_queue(rule="no_such_rule", db_url=web.db_url)["cases"] == []


def test_passwd_command(tmp_path: Path) -> None:
    import typer

    from exportguard.cli.web_cmd import passwd_command
    from exportguard.service import auth
    from exportguard.service.passwords import authenticate_password

    url = f"sqlite:///{tmp_path / 'eg.db'}"
    auth.add_user("ann", "reviewer", db_url=url)
    app = typer.Typer()
    app.command()(passwd_command)
    runner = CliRunner()
    r = runner.invoke(app, ["ann", "--password-stdin", "--db", url], input="short\n")
    assert r.exit_code == 2
    r = runner.invoke(app, ["ann", "--password-stdin", "--db", url], input=PASSWORD + "\n")
    assert r.exit_code == 0, r.output
    actor = authenticate_password("ann", PASSWORD, db_url=url)
    assert actor is not None and actor.role == "reviewer"
    assert authenticate_password("ann", PASSWORD + "x", db_url=url) is None
    assert authenticate_password("bob", PASSWORD, db_url=url) is None
    r = runner.invoke(app, ["bob", "--password-stdin", "--db", url], input=PASSWORD + "\n")
    assert r.exit_code == 2 and "no user" in r.output


def test_reviewer_marks_a_false_positive_and_confirms(web: WebServer) -> None:
    c, csrf = signed_in(web.base, "reviewer")
    with closing(c):
        _loc, case_id = _screen_held(c, csrf, "FP-1")
        r = c.post(f"/review/{case_id}/false-positive", data={
            "csrf_token": csrf, "match": "party[1]|ofac_sdn:1234",
            "reason": "the listed firm is in Odesa, ours in Lyon"})
        assert r.status_code == 303, r.text
        page = c.get(r.headers["location"])
        assert "False positive recorded" in page.text and "case.false_positive" in page.text
        r = c.post(f"/review/{case_id}/confirm", data={"csrf_token": csrf,
                                                       "reason": "end user unverified"})
        assert r.status_code == 303
        assert "Denied" in c.get(f"/review/{case_id}").text
    case = review.get_case(case_id, db_url=web.db_url)
    assert case.status == "denied" and [a.action for a in case.actions] == [
        "false_positive", "confirm"]


def test_screen_form_reads_country_names_not_their_first_letters() -> None:
    """Typing "Germany" once stored GE (Georgia, a diversion hub): names resolve to codes."""
    from starlette.datastructures import FormData

    from exportguard.web.routes.screen import shipment_from_form

    form = FormData([("id", "F-1"), ("exporter_name", "Nordwind GmbH"),
                     ("exporter_country", "Germany"), ("origin", "de"),
                     ("destination", "Россия"), ("final_destination", "Kyrgyz Republic"),
                     ("transit", "KZ, Turkey"), ("party-0-name", "Lyon Textiles SARL"),
                     ("party-0-role", "consignee"), ("party-0-country", "UA-43")])
    data = shipment_from_form(form)
    assert data["exporter"]["country"] == "DE"
    assert data["route"] == {"origin": "DE", "transit": ["KZ", "TR"], "destination": "RU",
                             "final_destination": "KG"}
    assert data["parties"][0]["country"] == "UA-43"  # a subdivision passes as written
    assert shipment_from_form(FormData([("origin", "Atlantis")]))["route"]["origin"] == "ATLANTIS"
