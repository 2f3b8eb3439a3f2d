"""Bounded input (issue 15): body limit, JSON depth in every face, honest OpenAPI, local /docs.

The body limit is measured on a real server process (``exportguard serve`` under
uvicorn on 127.0.0.1), so its memory can be read from ``/proc``: an
unauthenticated 50 MB POST is a 413 at once, and the server's peak memory does
not grow by anything like the body.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import TypeAdapter, ValidationError
from typer.testing import CliRunner

from exportguard.contracts.jsoninput import MAX_JSON_DEPTH, JsonLimitError, check_json
from exportguard.contracts.jsoninput import exceeds_depth as too_deep
from exportguard.settings import DEFAULT_MAX_BODY_BYTES, Settings
from records_support import dual_use, licence, tokens
from web_support import signed_in, web_server

MB = 1024 * 1024
CLI = [sys.executable, "-c", "from exportguard.cli.app import main; main()"]  # exportguard
DEEP = b"[" * 100_000 + b"]" * 100_000  # 100,000 nested lists: RecursionError, once


# ---------------------------------------------------------------------------
# the setting and the depth check


def test_max_body_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from exportguard.settings import load_settings

    monkeypatch.delenv("EXPORTGUARD_MAX_BODY_BYTES", raising=False)
    assert load_settings().max_body_bytes == DEFAULT_MAX_BODY_BYTES == 5 * MB
    for raw, want in (("65536", 65536), ("512K", 512 * 1024), ("10m", 10 * MB)):
        monkeypatch.setenv("EXPORTGUARD_MAX_BODY_BYTES", raw)
        assert load_settings().max_body_bytes == want
    for bad in ("lots", "-5", "5.5M", "100"):
        monkeypatch.setenv("EXPORTGUARD_MAX_BODY_BYTES", bad)
        with pytest.raises(ValueError, match="EXPORTGUARD_MAX_BODY_BYTES"):
            load_settings()


def test_depth_check_counts_structure_not_text() -> None:
    assert MAX_JSON_DEPTH == 64
    assert not too_deep(b"[" * 64 + b"]" * 64) and too_deep(b"[" * 65 + b"]" * 65)
    assert not too_deep(json.dumps(dual_use()).encode())
    assert not too_deep(b'{"a": "' + b"[{" * 500 + b'"}')  # brackets inside a string
    assert not too_deep(b'{"a": "\\"' + b"[" * 500 + b'"}')  # after an escaped quote
    assert too_deep(b'{"a": "\\\\", "b": ' + b"[" * 65 + b"]" * 65 + b"}")
    assert not too_deep(b"[" * 63 + b"{}" * 10_000 + b"]" * 63)
    assert too_deep(b"[" * 63 + b"[{}]" * 10_000 + b"]" * 63)
    assert too_deep(DEEP) and too_deep("[" * 70 + "]" * 70)
    with pytest.raises(JsonLimitError, match="nested deeper than 64"):
        check_json(DEEP, source="body")
    with pytest.raises(JsonLimitError, match="larger than the 1,024 bytes"):
        check_json(b" " * 1025, source="f.json", max_bytes=1024)
    # linear: 5 MB of brackets, deep or wide, in well under a second
    for blob in (b"[" * (5 * MB // 2) + b"]" * (5 * MB // 2), b"[]" * (5 * MB // 2)):
        start = time.perf_counter()
        too_deep(blob)
        assert time.perf_counter() - start < 1.5


# ---------------------------------------------------------------------------
# a real server process


@dataclass
class Server:
    base: str
    pid: int
    tokens: dict[str, str]

    @property
    def port(self) -> int:
        return int(self.base.rsplit(":", 1)[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("limits-home")
    url = f"sqlite:///{home / 'exportguard.db'}"
    toks = tokens(url)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "EXPORTGUARD_HOME": str(home), "EXPORTGUARD_DB": url,
           "EXPORTGUARD_OFFLINE": "1"}
    env.pop("EXPORTGUARD_MAX_BODY_BYTES", None)  # the default: 5 MiB
    with (home / "server.log").open("wb") as log:
        proc = subprocess.Popen(
            [*CLI, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env, stdout=log,
            stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("server did not start:\n"
                                   + (home / "server.log").read_text(errors="replace"))
            time.sleep(0.1)
        yield Server(base, proc.pid, toks)
    finally:
        proc.terminate()
        proc.wait(15)


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS (now) and VmHWM (peak) of a process, in KiB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0])
    return out


def raw_request(port: int, head: bytes, timeout: float = 5) -> tuple[int, dict[str, Any], float]:
    """Send only ``head`` (request line and headers, no body); the status, JSON body and
    seconds until the whole answer came."""
    start = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        header, _, body = data.partition(b"\r\n\r\n")
        length = int(re.search(rb"(?i)content-length: *(\d+)", header).group(1))  # type: ignore[union-attr]
        while len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
    status = int(header.split(b" ", 2)[1])
    return status, json.loads(body), time.perf_counter() - start


@pytest.mark.parametrize("path,ctype", [
    ("/api/v1/screen", "application/json"),
    ("/login", "application/x-www-form-urlencoded"),
    ("/screen", "multipart/form-data; boundary=x"),
])
def test_oversized_content_length_is_413_before_the_body_is_sent(
        server: Server, path: str, ctype: str) -> None:
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {ctype}\r\n"
            f"Content-Length: {50 * MB}\r\n\r\n").encode()
    status, body, seconds = raw_request(server.port, head)
    assert status == 413 and body["error"] == "body_too_large", body
    assert "5,242,880 bytes" in body["message"]
    assert seconds < 1.0, seconds


def test_unauthenticated_50_mb_post_is_413_quickly_and_memory_stays_flat(
        server: Server) -> None:
    payload = b'{"id": "' + b"x" * (50 * MB) + b'"}'
    httpx.get(server.base + "/")  # warm
    before = memory_kib(server.pid)
    start = time.perf_counter()
    r = httpx.post(server.base + "/api/v1/screen", content=payload,
                   headers={"content-type": "application/json"}, timeout=60)
    seconds = time.perf_counter() - start
    after = memory_kib(server.pid)
    rss_growth = (after["VmRSS"] - before["VmRSS"]) / 1024
    peak_growth = (after["VmHWM"] - before["VmHWM"]) / 1024
    print(f"\n50 MB unauthenticated POST: {r.status_code} in {seconds:.3f} s; server RSS "
          f"{rss_growth:+.1f} MiB, peak RSS {peak_growth:+.1f} MiB")
    assert r.status_code == 413 and r.json()["error"] == "body_too_large"
    assert seconds < 5
    assert rss_growth < 20 and peak_growth < 20, (before, after)


def test_chunked_body_is_counted_and_cut_at_the_limit(server: Server) -> None:
    def chunks(total: int, first: bytes = b"") -> Iterator[bytes]:
        yield first
        sent = 0
        while sent < total:
            yield b" " * 65536
            sent += 65536

    upload = b'--x\r\nContent-Disposition: form-data; name="f"; filename="f.json"\r\n\r\n'
    before = memory_kib(server.pid)
    for path, ctype, first in (("/api/v1/screen", "application/json", b""),
                               ("/login", "multipart/form-data; boundary=x", upload)):
        r = httpx.post(server.base + path, content=chunks(20 * MB, first),
                       headers={"content-type": ctype}, timeout=60)
        assert r.status_code == 413 and r.json()["error"] == "body_too_large", (path, r.text)
    after = memory_kib(server.pid)
    assert (after["VmHWM"] - before["VmHWM"]) / 1024 < 20, (before, after)
    # under the limit, a chunked body reaches the route (and is stored)
    body = json.dumps(licence("LIC-CHUNKED")).encode()
    r = httpx.post(server.base + "/api/v1/licences", content=iter([body[:50], body[50:]]),
                   headers={"content-type": "application/json",
                            "authorization": f"Bearer {server.tokens['reviewer']}"})
    assert r.status_code == 201, r.text


def test_the_limit_is_the_setting(tmp_path: Path) -> None:
    import asyncio

    from exportguard.api.app import create_app

    app = create_app(Settings(home=tmp_path, db_url=f"sqlite:///{tmp_path / 'eg.db'}",
                              max_body_bytes=64 * 1024))
    body = b'{"name": "x"}'

    async def post(size: int) -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://test") as c:
            return await c.post("/api/v1/match", content=body.ljust(size),
                                headers={"content-type": "application/json"})

    big = asyncio.run(post(64 * 1024 + 1))
    assert big.status_code == 413 and "65,536 bytes" in big.json()["message"]
    small = asyncio.run(post(64 * 1024))
    assert small.status_code == 401  # read, then refused for want of a token


# ---------------------------------------------------------------------------
# JSON depth: API, web upload, CLI


def test_deep_json_to_the_api_is_422_never_500(server: Server) -> None:
    auth = {"authorization": f"Bearer {server.tokens['admin']}",
            "content-type": "application/json"}
    nested = dual_use()
    nested["items"][0]["specs"] = {"x": json.loads("[" * 70 + "]" * 70)}
    for path, body in (("/api/v1/screen", DEEP), ("/api/v1/match", DEEP),
                       ("/api/v1/licences", DEEP), ("/api/v1/screen", json.dumps(nested))):
        r = httpx.post(server.base + path, content=body, headers=auth, timeout=30)
        assert r.status_code == 422, (path, r.status_code, r.text[:300])
        assert r.json()["error"] == "validation_error"
        assert "nested deeper than 64 levels" in r.json()["message"]
    # not even authentication is needed to be told: like bad JSON syntax, it comes first
    r = httpx.post(server.base + "/api/v1/screen", content=DEEP,
                   headers={"content-type": "application/json"})
    assert r.status_code == 422
    # shallow enough: the fields are checked as usual
    shallow = dual_use()
    shallow["items"][0]["specs"] = {"x": json.loads("[" * 10 + "]" * 10)}
    r = httpx.post(server.base + "/api/v1/screen", json=shallow, headers=auth)
    assert r.status_code == 422 and "items[0].specs.x" in r.json()["message"]
    # and text that is not UTF-8 is malformed JSON: 422, not 400
    r = httpx.post(server.base + "/api/v1/match", content=b'{"name": "\xff"}', headers=auth)
    assert r.status_code == 422 and "not UTF-8" in r.json()["message"], r.text


def test_deep_json_upload_in_the_web_ui_is_a_form_error(tmp_path: Path) -> None:
    with web_server(tmp_path) as web:
        c, csrf = signed_in(web.base, "screener")
        with closing(c):
            r = c.post("/screen", data={"csrf_token": csrf},
                       files={"shipment_file": ("deep.json", DEEP, "application/json")})
            assert r.status_code == 422, r.text[:500]
            assert "nested deeper than 64 levels" in r.text


def test_deep_json_file_on_the_cli_exits_2(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from exportguard.cli.app import app
    from exportguard.settings import reset_settings

    deep = tmp_path / "deep.json"
    deep.write_bytes(DEEP)
    result = CliRunner().invoke(app, ["screen", str(deep)])
    assert result.exit_code == 2, result.output
    assert "deep.json: JSON nested deeper than 64 levels" in result.stderr
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 2048 + json.dumps(dual_use()).encode())
    monkeypatch.setenv("EXPORTGUARD_MAX_BODY_BYTES", "1024")
    reset_settings()
    try:
        result = CliRunner().invoke(app, ["screen", str(big)])
    finally:
        monkeypatch.delenv("EXPORTGUARD_MAX_BODY_BYTES")
        reset_settings()
    assert result.exit_code == 2 and "larger than the 1,024 bytes accepted" in result.stderr


# ---------------------------------------------------------------------------
# the schema says what the server enforces


def _accepts(adapter: TypeAdapter[Any], value: Any) -> bool:
    try:
        adapter.validate_python(value)
    except ValidationError:
        return False
    return True


def test_country_and_hs_code_schemas_match_the_validators() -> None:
    from exportguard.contracts.shipment import CountryCode, HsCode, PartyCountry, Shipment

    schema = Shipment.model_json_schema()
    defs = schema["$defs"]
    cases = {
        "country": (TypeAdapter(CountryCode), defs["Route"]["properties"]["origin"]["pattern"],
                    ["", " ", "D", "de", "DE", " De ", "DE\n", "ZZ", "XK", "D E", "DEU",
                     "\ufb01", "\u0131T", "\x1cDE", "UA-43", "1A"]),
        "party country": (TypeAdapter(PartyCountry),
                          defs["Party"]["properties"]["country"]["pattern"],
                          ["", "UA", "ua-43", "UA-43 ", "UA-", "UA-1234", "ZZ-1", "UA-\u00df",
                           "DE", "\u0131T-1"]),
        "hs code": (TypeAdapter(HsCode), defs["Item"]["properties"]["hs_code"]["pattern"],
                    ["", "12", "854231", "8542.31", " 8542-31.00 ", "85423100000000",
                     "854231000000000", "8542a1", "\uff18\uff15\uff14\uff12\uff13\uff11",
                     "..854231..", "8542\u200931"]),
    }
    for what, (adapter, pattern, samples) in cases.items():
        for value in samples:
            in_schema = re.search(pattern, value) is not None
            assert in_schema == _accepts(adapter, value), (what, value, in_schema)
    assert re.search(cases["country"][1], "") is None  # "" is refused by the schema too


def test_scalars_are_json_scalars() -> None:
    from exportguard.api.routers.match import MatchIn
    from exportguard.contracts.shipment import Shipment

    good = dual_use()
    assert _accepts(TypeAdapter(Shipment), good)
    for change in ({"date": 0}, {"date": "0"}, {"date": "2026-11-20T00:00:00"},
                   {"date": "2026-02-30"}):
        assert not _accepts(TypeAdapter(Shipment), {**good, **change}), change
    item = good["items"][0]
    for bad in ({"quantity": "5"}, {"quantity": True}, {"value": "1e3"}):
        assert not _accepts(TypeAdapter(Shipment), {**good, "items": [{**item, **bad}]}), bad
    assert not _accepts(TypeAdapter(Shipment), {**good, "id": " "})
    assert not _accepts(TypeAdapter(Shipment), {**good, "id": " " + "x" * 200})
    for bad in ({"limit": "5"}, {"limit": True}, {"explain": "yes"}, {"explain": 1},
                {"threshold": "0.5"}):
        assert not _accepts(TypeAdapter(MatchIn), {"name": "x", **bad}), bad
    assert _accepts(TypeAdapter(MatchIn), {"name": "x", "limit": 5.0, "threshold": 1})


# ---------------------------------------------------------------------------
# Swagger UI from this server


def test_docs_load_nothing_from_another_host(server: Server) -> None:
    r = httpx.get(server.base + "/docs")
    assert r.status_code == 200 and "SwaggerUIBundle" in r.text
    assert not re.search(r"(?i)(https?:)?//[a-z0-9]", r.text), "an external URL in /docs"
    assets = re.findall(r'(?:src|href)="([^"]+)"', r.text)
    assert len(assets) >= 3 and all(a.startswith("/docs/assets/") for a in assets), assets
    assert "validatorUrl" in r.text  # Swagger UI's online validator badge is off
    for asset in assets:
        got = httpx.get(server.base + asset)
        assert got.status_code == 200 and len(got.content) > 500, asset
    bundle = httpx.get(server.base + "/docs/assets/swagger-ui-bundle.js").text
    assert re.search(r'"?5\.\d+\.\d+', bundle)  # Swagger UI 5: reads OpenAPI 3.1
