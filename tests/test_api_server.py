"""The HTTP API through the real server (uvicorn on 127.0.0.1) on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from exportguard.store.db import forget_database, get_database
from exportguard.store.models import Screening
from records_support import (
    client,
    dual_use,
    fake_screener,
    held,
    licence,
    live_server,
    sanctioned_table,
    tokens,
)


@dataclass
class Api:
    base: str
    db_url: str
    tokens: dict[str, str]

    def as_(self, role: str | None) -> httpx.Client:
        return client(self.base, self.tokens[role] if role else None)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    home = tmp_path_factory.mktemp("api-home")
    if request.param == "sqlite":
        url = f"sqlite:///{home / 'exportguard.db'}"
    else:
        url = request.getfixturevalue("pg_server").new_database()
    toks = tokens(url)
    with live_server(url, home, screener=fake_screener(sanctioned_table())) as base:
        yield Api(base, url, toks)
    forget_database(url)


def _paths(app_openapi: dict[str, object]) -> list[tuple[str, str]]:
    out = []
    for path, ops in app_openapi["paths"].items():  # type: ignore[attr-defined]
        for method in ops:
            out.append((method.upper(), path.replace("{case_id}", "1")
                        .replace("{number}", "X").replace("{screening_id}", "x")))
    return out


def test_root_is_free_and_openapi_is_published(api: Api) -> None:
    with api.as_(None) as c:
        root = c.get("/")
        assert root.status_code == 200 and root.json()["docs"] == "/docs"
        doc = c.get("/openapi.json").json()
    schemas = doc["components"]["schemas"]
    assert {"Shipment", "ScreeningRecord", "CaseOut", "LicenceOut"} <= set(schemas)
    assert all(p.startswith("/api/v1/") for p in doc["paths"])


def test_every_endpoint_needs_a_valid_token(api: Api) -> None:
    with api.as_(None) as c:
        doc = c.get("/openapi.json").json()
        for method, path in _paths(doc):
            r = c.request(method, path, json={})
            assert r.status_code == 401, (method, path, r.text)
            assert r.headers["www-authenticate"] == "Bearer"
            assert "token" in r.json()["message"]
    with client(api.base, "eg_not-a-real-token") as c:
        r = c.get("/api/v1/cases")
        assert r.status_code == 401 and r.json()["error"] == "unauthorized"
    from exportguard.service import auth

    auth.add_user("leaver", "admin", db_url=api.db_url)
    tok = auth.create_token("leaver", db_url=api.db_url)
    from exportguard.api import auth as api_auth

    with client(api.base, tok["token"]) as c:
        assert c.get("/api/v1/cases").status_code == 200
        auth.revoke_token(tok["id"], db_url=api.db_url)
        # a verified token is trusted for TOKEN_CACHE_SECONDS, then looked up again
        time.sleep(api_auth.TOKEN_CACHE_SECONDS + 0.2)
        assert c.get("/api/v1/cases").status_code == 401


def test_roles(api: Api) -> None:
    with api.as_("screener") as c:
        rec = c.post("/api/v1/screen", json=held(id="ROLE-1")).json()
        case_id = rec["case"]["id"]
        r = c.post(f"/api/v1/cases/{case_id}/release", json={"reason": "fine by me"})
        assert r.status_code == 403 and "reviewer" in r.json()["message"]
        assert c.post("/api/v1/licences", json=licence("LIC-R")).status_code == 403
        assert c.get("/api/v1/audit/verify").status_code == 403
        assert c.get(f"/api/v1/cases/{case_id}").status_code == 200
    with api.as_("reviewer") as c:
        r = c.post(f"/api/v1/cases/{case_id}/release", json={"reason": "checked: other firm"})
        assert r.status_code == 200 and r.json()["outcome"] == "CLEAR"


def test_screen_review_and_audit(api: Api) -> None:
    with api.as_("screener") as c:
        r = c.post("/api/v1/screen", json=held(id="HTTP-1"))
        assert r.status_code == 201, r.text
        rec = r.json()
        assert r.headers["location"] == f"/api/v1/screenings/{rec['id']}"
        assert rec["decision"] == "HOLD" and rec["case"]["status"] == "open"
        assert {"findings", "party_matches", "policy", "lists"} <= set(rec)
        got = c.get(f"/api/v1/screenings/{rec['id']}").json()
        assert got["shipment"]["id"] == "HTTP-1" and got["findings"] == rec["findings"]
        open_ids = [x["id"] for x in c.get("/api/v1/cases").json()]
        assert rec["case"]["id"] in open_ids
        assert c.get("/api/v1/screenings", params={"decision": "HOLD"}).status_code == 200
    with api.as_("reviewer") as c:
        case_id = rec["case"]["id"]
        fp = c.post(f"/api/v1/cases/{case_id}/false-positive", json={
            "reason": "different company", "party": "party[1]", "entity_id": "ofac_sdn:1234"})
        assert fp.status_code == 201, fp.text
        r = c.post(f"/api/v1/cases/{case_id}/confirm", json={"reason": "same address"})
        assert r.status_code == 200 and r.json()["outcome"] == "DENY"
        again = c.post(f"/api/v1/cases/{case_id}/release", json={"reason": "oops"})
        assert again.status_code == 409 and "already denied" in again.json()["message"]
        no_reason = c.post(f"/api/v1/cases/{case_id}/confirm", json={})
        assert no_reason.status_code == 422 and "reason" in no_reason.json()["message"]
        assert c.get(f"/api/v1/screenings/{rec['id']}").json()["effective_decision"] == "DENY"
    with api.as_("admin") as c:
        verify = c.get("/api/v1/audit/verify").json()
        assert verify["ok"] and verify["entries"] > 0


def test_licences_over_http(api: Api) -> None:
    with api.as_("reviewer") as c:
        r = c.post("/api/v1/licences", json=licence("LIC-H", quantity_limit=6))
        assert r.status_code == 201, r.text
        assert c.post("/api/v1/licences", json=licence("LIC-H")).status_code == 409
        assert c.delete("/api/v1/licences/LIC-H").status_code == 405
        r = c.patch("/api/v1/licences/LIC-H", json={"euc_reference": "EUC-2"})
        assert r.status_code == 200 and r.json()["euc_reference"] == "EUC-2"
        assert c.get("/api/v1/licences/NOPE").status_code == 404
    with api.as_("screener") as c:
        first = c.post("/api/v1/screen", json=dual_use("LIC-H", quantity=4, id="L-1")).json()
        assert first["decision"] == "LICENSED" and first["drawdowns"][0]["quantity"] == 4
        second = c.post("/api/v1/screen", json=dual_use("LIC-H", quantity=4, id="L-2")).json()
        assert second["decision"] == "LICENSE_REQUIRED"
        assert c.get("/api/v1/licences/LIC-H").json()["quantity_remaining"] == 2
    with api.as_("reviewer") as c:
        r = c.post("/api/v1/licences/LIC-H/revoke", json={"reason": "end user listed"})
        assert r.status_code == 200 and r.json()["status"] == "revoked"
        assert [x["number"] for x in c.get("/api/v1/licences",
                                           params={"status": "revoked"}).json()] == ["LIC-H"]


def test_malformed_requests_are_422_naming_the_field(api: Api) -> None:
    with api.as_("screener") as c:
        bad = dual_use()
        bad["items"][0]["hs_code"] = "12"
        r = c.post("/api/v1/screen", json=bad)
        assert r.status_code == 422
        body = r.json()
        assert body["error"] == "validation_error" and "items[0].hs_code" in body["message"]
        r = c.post("/api/v1/screen", content=b"{not json", headers={
            "content-type": "application/json"})
        assert r.status_code == 422 and "JSON" in r.json()["message"]
        r = c.post("/api/v1/screen", json=[1, 2])
        assert r.status_code == 422
        missing = dual_use()
        del missing["route"]
        r = c.post("/api/v1/screen", json=missing)
        assert r.status_code == 422 and "route: required field is missing" in r.json()["message"]
        r = c.get("/api/v1/screenings", params={"limit": "many"})
        assert r.status_code == 422 and "limit" in r.json()["message"]
        r = c.post("/api/v1/screen", params={"policy": "../../etc/passwd"}, json=dual_use())
        assert r.status_code == 422 and "policy" in r.json()["message"]
        assert c.get("/api/v1/screenings/nope").status_code == 404
        assert c.get("/api/v1/nothing-here").json()["error"] == "not_found"
        # text the database cannot store (PostgreSQL refuses NUL) is the client's error
        for path in ("/api/v1/screenings/a%00b", "/api/v1/licences/a%00b"):
            r = c.get(path)
            assert r.status_code in (404, 422), (path, r.status_code, r.text)
        nul = dual_use(id="T\u0000NUL")
        r = c.post("/api/v1/screen", json=nul)
        assert r.status_code in (201, 422), r.text
        # the longest key a client may send is stored whatever the user's name
        r = c.post("/api/v1/screen", json=dual_use(id="T-KEY"),
                   headers={"Idempotency-Key": "k" * 200})
        assert r.status_code == 201, r.text


REVIEWER_ONLY = {("GET", "/api/v1/audit/verify"), ("POST", "/api/v1/licences"),
                 ("PATCH", "/api/v1/licences/{number}"),
                 ("POST", "/api/v1/licences/{number}/revoke"),
                 ("POST", "/api/v1/cases/{case_id}/release"),
                 ("POST", "/api/v1/cases/{case_id}/confirm"),
                 ("POST", "/api/v1/cases/{case_id}/false-positive")}
CONFLICTS = {("POST", "/api/v1/screen"), ("POST", "/api/v1/licences"),
             ("PATCH", "/api/v1/licences/{number}"),
             ("POST", "/api/v1/licences/{number}/revoke"),
             ("POST", "/api/v1/cases/{case_id}/release"),
             ("POST", "/api/v1/cases/{case_id}/confirm")}


def test_openapi_declares_every_status_with_the_error_model(api: Api) -> None:
    with api.as_(None) as c:
        doc = c.get("/openapi.json").json()
    error = {"$ref": "#/components/schemas/ErrorOut"}
    assert set(doc["components"]["schemas"]["ErrorOut"]["required"]) == {"error", "message"}
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            key = (method.upper(), path)
            want = {"401", "413", "422"}
            want |= {"403"} if key in REVIEWER_ONLY else set()
            want |= {"404"} if "{" in path else set()
            want |= {"409"} if key in CONFLICTS else set()
            want |= {"503"} if path == "/api/v1/match" else set()
            errors = {code for code in op["responses"] if code >= "400"}
            assert errors == want, (key, sorted(errors), sorted(want))
            for code in errors:
                schema = op["responses"][code]["content"]["application/json"]["schema"]
                assert schema == error, (key, code, schema)
            assert "WWW-Authenticate" in op["responses"]["401"]["headers"]
    assert "HTTPValidationError" not in doc["components"]["schemas"]  # FastAPI's 422 model


def test_parameters_are_what_the_schema_says(api: Api) -> None:
    from exportguard.policy.loader import SHIPPED_POLICIES

    with api.as_("screener") as c:
        doc = c.get("/openapi.json").json()
        for since in ("0", "20260101", "2026-02-30", "yesterday"):
            r = c.get("/api/v1/screenings", params={"since": since})
            assert r.status_code == 422 and "query.since" in r.json()["message"], (since, r.text)
        assert c.get("/api/v1/screenings", params={"since": "2026-01-01"}).status_code == 200
        params = doc["paths"]["/api/v1/screenings"]["get"]["parameters"]
        since_schema = next(p for p in params if p["name"] == "since")["schema"]
        assert {"type": "string", "format": "date"} in since_schema["anyOf"]
        # an unknown or misspelt parameter is refused, as an unknown body field is
        r = c.get("/api/v1/screenings", params={"decison": "HOLD"})
        assert r.status_code == 422 and r.json()["message"] == (
            "invalid request: query.decison: unknown parameter"), r.text
        # the policy is one of the shipped ones, by name (never a file)
        screen_params = doc["paths"]["/api/v1/screen"]["post"]["parameters"]
        policy = next(p for p in screen_params if p["name"] == "policy")["schema"]
        assert set(policy["anyOf"][0]["enum"]) == set(SHIPPED_POLICIES)
        assert c.post("/api/v1/screen", params={"policy": "eu-833"},
                      json=dual_use(id="P-1")).status_code == 201
        for bad in ("0", "default.yml", "pyproject.toml"):
            assert c.post("/api/v1/screen", params={"policy": bad},
                          json=dual_use()).status_code == 422
        # a blank country code is refused by the schema and by the server alike
        route = doc["components"]["schemas"]["Route"]["properties"]["origin"]
        assert re.search(route["pattern"], "") is None and re.search(route["pattern"], "de")
        blank = dual_use()
        blank["route"]["origin"] = ""
        r = c.post("/api/v1/screen", json=blank)
        assert r.status_code == 422 and "body.route.origin" in r.json()["message"]
        # case ids are what the store can hold (a 32-bit integer column)
        assert c.get(f"/api/v1/cases/{2**31}").status_code == 422
        assert c.get(f"/api/v1/cases/{2**31 - 1}").status_code == 404
        # no text holds NUL, on either backend (PostgreSQL cannot store it)
        assert c.get("/api/v1/screenings/a%00b").status_code == 422
        assert c.post("/api/v1/screen", json=dual_use(id="T\u0000NUL")).status_code == 422
        # whole numbers in digits only (Python's int() would take " 5" and "5\x85")
        assert c.get("/api/v1/cases/5%C2%85").status_code == 422
        assert c.get("/api/v1/cases", params={"limit": " 5"}).status_code == 422
        case = doc["paths"]["/api/v1/cases/{case_id}"]["get"]["parameters"][0]["schema"]
        assert case == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1, "title": "Case Id"}


def test_concurrent_idempotent_retries_make_one_record(api: Api) -> None:
    codes: list[int] = []
    ids: list[str] = []
    barrier = threading.Barrier(10)
    body = json.dumps(held(id="IDEM-1"))

    def worker() -> None:
        with api.as_("screener") as c:
            barrier.wait()
            r = c.post("/api/v1/screen", content=body, headers={
                "Idempotency-Key": "retry-42", "content-type": "application/json"})
            codes.append(r.status_code)
            ids.append(r.json()["id"])

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(ids)) == 1 and sorted(codes) == [200] * 9 + [201]
    with get_database(api.db_url).session() as s:
        n = s.scalar(select(func.count()).select_from(Screening)
                     .where(Screening.shipment_ref == "IDEM-1"))
    assert n == 1
    with api.as_("screener") as c:
        other = held(id="IDEM-2")
        r = c.post("/api/v1/screen", json=other, headers={"Idempotency-Key": "retry-42"})
        assert r.status_code == 422 and "different shipment" in r.json()["message"]


@pytest.mark.slow
def test_real_engine_match_and_list_status(tmp_path: Path) -> None:
    """The app with the real engine and the embedded lists (builds the name index once)."""
    url = f"sqlite:///{tmp_path / 'eg.db'}"
    toks = tokens(url)
    with live_server(url, tmp_path) as base:
        _real_engine_checks(base, toks)


def _real_engine_checks(base: str, toks: dict[str, str]) -> None:
    with client(base, toks["screener"]) as c:
        r = c.post("/api/v1/screen", json=dual_use(licence=None))
        assert r.status_code == 201, r.text
        assert r.json()["decision"] in {"HOLD", "LICENSE_REQUIRED"}
        assert {x["id"] for x in r.json()["lists"]} >= {"un_sc"}
        m = c.post("/api/v1/match", json={"name": "Lyon Textiles SARL", "limit": 3})
        assert m.status_code == 200 and m.json()["query"] == "Lyon Textiles SARL"
        status = c.get("/api/v1/lists/status")
        assert status.status_code == 200 and any(x["id"] == "un_sc" for x in status.json())
        assert c.post("/api/v1/match", json={"name": ""}).status_code == 422
        # A real list entry: hold, mark a false positive, see it remembered on the next one.
        parties = [{"role": "consignee", "name": "Lyon Textiles SARL", "country": "FR"},
                   {"role": "end_user", "name": "Rosoboronexport", "country": "RU"}]
        first = c.post("/api/v1/screen", json=dual_use(licence=None, parties=parties)).json()
        assert first["decision"] == "HOLD" and first["party_matches"], first["findings"]
        hit = next(m for m in first["party_matches"] if m["party"] == "party[1]")
    with client(base, toks["reviewer"]) as r:
        fp = r.post(f"/api/v1/cases/{first['case']['id']}/false-positive", json={
            "reason": "test: pretend it is another firm", "party": "party[1]",
            "entity_id": hit["entity_id"]})
        assert fp.status_code == 201 and fp.json()["entity_sha256"]
        again = r.post("/api/v1/screen", json=dual_use(licence=None, parties=parties)).json()
        cleared = [x for x in again["previously_cleared"] if x["entity_id"] == hit["entity_id"]]
        assert cleared and cleared[0]["status"] == "valid"
        assert cleared[0]["note"].startswith("previously cleared by reviewer1 on ")
