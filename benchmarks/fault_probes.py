"""Fault probes (issue 15): what an attacker or an unlucky client tries, against a live server.

    python benchmarks/fault_probes.py                    # starts its own server (SQLite)
    python benchmarks/fault_probes.py --url http://127.0.0.1:8000 --token eg_...

Prints one row per probe: probe → expected → got, and exits 1 if any fails.
Without ``--url`` it starts ``exportguard serve`` on 127.0.0.1 and a free port
over a new, empty home and store, with an admin token, and also measures the
server's memory (``/proc``). With ``--url``, the probes that need a token are
skipped without ``--token``, and the memory probe without ``--pid``.

Adding a probe is one function::

    @probe("what is tried", expect="what must happen")
    def my_probe(t: Target) -> Got:
        r = t.client().get("/api/v1/...")
        return Got(f"{r.status_code}", ok=r.status_code == 422)

``Target`` has the base URL, the admin token (``None`` with ``--url`` and no
``--token``), the server's pid, home and store URL (``None`` when not known),
and an ``httpx`` client factory. A probe raises :class:`Skip` when it cannot
run against this target.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

MB = 1024 * 1024
CLI = [sys.executable, "-c", "from exportguard.cli.app import main; main()"]  # exportguard
DEEP = b"[" * 100_000 + b"]" * 100_000


@dataclass
class Target:
    base: str
    token: str | None = None
    pid: int | None = None
    home: Path | None = None
    db_url: str | None = None

    def client(self, token: bool = True, **kwargs: object) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token}"} if token and self.token else {}
        return httpx.Client(base_url=self.base, headers=headers, timeout=60, **kwargs)

    def need_token(self) -> None:
        if not self.token:
            raise Skip("needs --token")


@dataclass
class Got:
    text: str
    ok: bool


class Skip(Exception):
    """The probe cannot run against this target (the message says why)."""


Probe = Callable[[Target], Got]
PROBES: list[tuple[str, str, Probe]] = []


def probe(name: str, expect: str) -> Callable[[Probe], Probe]:
    def register(fn: Probe) -> Probe:
        PROBES.append((name, expect, fn))
        return fn

    return register


def _shipment(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "id": "PROBE-1", "exporter": {"name": "Nordwind Maschinenbau GmbH", "country": "DE"},
        "parties": [{"role": "consignee", "name": "Lyon Textiles SARL", "country": "FR"}],
        "route": {"origin": "DE", "destination": "FR"},
        "items": [{"description": "Cotton T-shirts", "hs_code": "610910", "quantity": 10,
                   "value": 100}]}
    data.update(changes)
    return data


def _error(r: httpx.Response) -> str:
    """The error kind of a JSON error answer, else what the answer is."""
    try:
        body = r.json()
    except ValueError:
        return r.headers.get("content-type", "?")
    return str(body.get("error")) if isinstance(body, dict) else f"a JSON {type(body).__name__}"


def _memory_kib(pid: int) -> int:
    """The peak resident memory (VmHWM) of a process, in KiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+)", status).group(1))  # type: ignore[union-attr]


# ---------------------------------------------------------------------------
# bounded input


@probe("POST 50 MB declared, no token, body never sent", expect="413 within 1 s")
def oversized_declared(t: Target) -> Got:
    host, port = t.base.removeprefix("http://").rsplit(":", 1)
    head = (f"POST /api/v1/screen HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json"
            f"\r\nContent-Length: {50 * MB}\r\n\r\n").encode()
    start = time.perf_counter()
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head)
        try:
            first = sock.recv(65536)
        except TimeoutError:
            return Got("no answer in 10 s (waits for the body)", ok=False)
    seconds = time.perf_counter() - start
    status = int(first.split(b" ", 2)[1]) if first.startswith(b"HTTP/") else 0
    return Got(f"{status} in {seconds:.3f} s", ok=status == 413 and seconds < 1)


@probe("POST 50 MB body, no token", expect="413; server peak memory +<20 MiB")
def oversized_sent(t: Target) -> Got:
    before = _memory_kib(t.pid) if t.pid else None
    payload = b'{"id": "' + b"x" * (50 * MB) + b'"}'
    start = time.perf_counter()
    with t.client(token=False) as c:
        r = c.post("/api/v1/screen", content=payload,
                   headers={"content-type": "application/json"})
    seconds = time.perf_counter() - start
    text = f"{r.status_code} {_error(r)} in {seconds:.2f} s"
    ok = r.status_code == 413
    if before is not None and t.pid:
        growth = (_memory_kib(t.pid) - before) / 1024
        text += f"; peak memory {growth:+.1f} MiB"
        ok = ok and growth < 20
    else:
        text += "; memory not measured (--pid)"
    return Got(text, ok=ok)


def _chunks(total: int, first: bytes = b"") -> Iterator[bytes]:
    yield first
    for _ in range(total // 65536):
        yield b" " * 65536


@probe("chunked POST of 20 MB (no Content-Length), no token", expect="413")
def oversized_chunked(t: Target) -> Got:
    with t.client(token=False) as c:
        r = c.post("/api/v1/screen", content=_chunks(20 * MB),
                   headers={"content-type": "application/json"})
    return Got(f"{r.status_code} {_error(r)}", ok=r.status_code == 413)


@probe("web form upload of 20 MB to /login (chunked)", expect="413")
def oversized_web_upload(t: Target) -> Got:
    part = b'--x\r\nContent-Disposition: form-data; name="f"; filename="f.json"\r\n\r\n'
    with t.client(token=False) as c:
        r = c.post("/login", content=_chunks(20 * MB, part),
                   headers={"content-type": "multipart/form-data; boundary=x"})
    return Got(f"{r.status_code} {_error(r)}", ok=r.status_code == 413)


@probe("JSON nested 100,000 deep to /api/v1/screen", expect="422, never 500")
def deep_json_screen(t: Target) -> Got:
    t.need_token()
    with t.client() as c:
        r = c.post("/api/v1/screen", content=DEEP, headers={"content-type": "application/json"})
    deep = "deeper than 64" in r.text
    return Got(f"{r.status_code} {_error(r)}" + (" (nested deeper than 64)" if deep else ""),
               ok=r.status_code == 422 and deep)


@probe("JSON nested 100,000 deep to /api/v1/match", expect="422, never 500")
def deep_json_match(t: Target) -> Got:
    t.need_token()
    with t.client() as c:
        r = c.post("/api/v1/match", content=DEEP, headers={"content-type": "application/json"})
    return Got(f"{r.status_code} {_error(r)}", ok=r.status_code == 422)


@probe("CLI: exportguard screen FILE, JSON nested 100,000 deep", expect="exit 2, a message")
def deep_json_cli(t: Target) -> Got:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "deep.json"
        path.write_bytes(DEEP)
        out = subprocess.run([*CLI, "screen", str(path)],
                             capture_output=True, text=True, timeout=120)
    said = " ".join(out.stderr.split())
    short = said[said.find("JSON"):][:45] if "JSON" in said else said[:45]
    return Got(f"exit {out.returncode}: ...{short}",
               ok=out.returncode == 2 and "Traceback" not in said and "deeper than 64" in said)


# ---------------------------------------------------------------------------
# an honest OpenAPI


@probe("GET /api/v1/screenings?since=0", expect="422 (since is a date)")
def since_zero(t: Target) -> Got:
    t.need_token()
    with t.client() as c:
        r = c.get("/api/v1/screenings", params={"since": "0"})
    return Got(f"{r.status_code} {_error(r)}", ok=r.status_code == 422)


@probe('POST /api/v1/screen with route.origin ""', expect="422, and the schema refuses it")
def blank_country(t: Target) -> Got:
    t.need_token()
    bad = _shipment(route={"origin": "", "destination": "FR"})
    with t.client() as c:
        r = c.post("/api/v1/screen", json=bad)
        doc = c.get("/openapi.json").json()
    pattern = doc["components"]["schemas"]["Route"]["properties"]["origin"].get("pattern")
    in_schema = pattern is None or re.search(pattern, "") is not None
    return Got(f"{r.status_code} {_error(r)}; schema {'accepts' if in_schema else 'refuses'} \"\"",
               ok=r.status_code == 422 and not in_schema)


@probe("GET /api/v1/screenings?decison=HOLD (misspelt)", expect="422 unknown parameter")
def unknown_parameter(t: Target) -> Got:
    t.need_token()
    with t.client() as c:
        r = c.get("/api/v1/screenings", params={"decison": "HOLD"})
    return Got(f"{r.status_code} {_error(r)}", ok=r.status_code == 422)


@probe("OpenAPI: error statuses declared on every operation",
       expect="401, 413, 422 everywhere, with ErrorOut")
def declared_statuses(t: Target) -> Got:
    with t.client(token=False) as c:
        doc = c.get("/openapi.json").json()
    missing = [f"{m.upper()} {p}" for p, ops in doc["paths"].items() for m, op in ops.items()
               if not {"401", "413", "422"} <= set(op["responses"])]
    return Got(f"{len(doc['paths'])} paths, {len(missing)} missing"
               + (f" ({missing[0]}, ...)" if missing else ""), ok=not missing)


@probe("GET /docs: Swagger UI from this server", expect="no external URL; assets served")
def docs_local(t: Target) -> Got:
    with t.client(token=False) as c:
        page = c.get("/docs").text
        external = re.findall(r"(?i)(?:https?:)?//[a-z0-9][^\s\"'<>]*", page)
        assets = re.findall(r'(?:src|href)="(/[^"]+)"', page)
        served = sum(c.get(a).status_code == 200 for a in assets)
    return Got(f"{len(external)} external URLs, {served}/{len(assets)} assets served",
               ok=not external and assets != [] and served == len(assets))


# ---------------------------------------------------------------------------
# running


# ---------------------------------------------------------------------------
# sessions, lists, audit, CSV (these need the server's own home and store)

ROOT = Path(__file__).resolve().parents[1]
SHARED_LISTS = ROOT.parent / "shared" / "data" / "lists"


def _own(t: Target) -> tuple[Path, str]:
    if t.home is None or t.db_url is None:
        raise Skip("needs the server's home and store (run without --url)")
    return t.home, t.db_url


def _cli(t: Target, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    home, db_url = _own(t)
    env = {**os.environ, "EXPORTGUARD_HOME": str(home), "EXPORTGUARD_DB": db_url}
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, input=stdin,
                          timeout=300)


def _web_user(t: Target, name: str, password: str) -> None:
    _, db_url = _own(t)
    code = ("import sys; from exportguard.service import auth, passwords; "
            "auth.add_user(sys.argv[2], 'reviewer', db_url=sys.argv[1]); "
            "passwords.set_password(sys.argv[2], sys.argv[3], db_url=sys.argv[1])")
    subprocess.run([sys.executable, "-c", code, db_url, name, password], check=True,
                   env={**os.environ, "EXPORTGUARD_DB": db_url}, capture_output=True)


def _csrf(c: httpx.Client, path: str = "/login") -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', c.get(path).text)
    if not m:
        raise RuntimeError(f"no CSRF token on {path}")
    return m.group(1)


def _sign_in(c: httpx.Client, name: str, password: str) -> httpx.Response:
    return c.post("/login", data={"csrf_token": _csrf(c), "username": name,
                                  "password": password})


@probe("web: cookie copied before sign-out, used after it", expect="refused (to /login)")
def copied_cookie(t: Target) -> Got:
    _web_user(t, "probe-web", "correct horse battery staple 7")
    with t.client(token=False, follow_redirects=False) as c:
        r = _sign_in(c, "probe-web", "correct horse battery staple 7")
        if r.status_code not in (302, 303):
            return Got(f"sign-in gave {r.status_code}", ok=False)
        copied = dict(c.cookies)
        c.post("/logout", data={"csrf_token": _csrf(c, "/dashboard")})
    with t.client(token=False, follow_redirects=False, cookies=copied) as thief:
        r = thief.get("/dashboard")
    where = r.headers.get("location", "")
    return Got(f"{r.status_code} {where}".strip(), ok=r.status_code in (302, 303, 401)
               and (r.status_code == 401 or "/login" in where))


@probe("web: 10 wrong passwords, then the right one", expect="429 while locked")
def login_throttle(t: Target) -> Got:
    _web_user(t, "probe-lock", "correct horse battery staple 8")
    with t.client(token=False, follow_redirects=False) as c:
        codes = [_sign_in(c, "probe-lock", f"wrong {i}").status_code for i in range(10)]
        r = _sign_in(c, "probe-lock", "correct horse battery staple 8")
    return Got(f"wrong: {sorted(set(codes))}, right: {r.status_code}", ok=r.status_code == 429)


@probe("lists: a loaded list loses its CURRENT pointer", expect="HOLD list_availability")
def lost_pointer(t: Target) -> Got:
    t.need_token()
    home, _ = _own(t)
    un = SHARED_LISTS / "un" / "un_consolidated_2026-02-27.xml"
    if not un.is_file():
        raise Skip(f"no {un}")
    r = _cli(t, "lists", "load", "un", str(un))
    if r.returncode != 0:
        return Got(f"load failed: {r.stderr.strip()[:80]}", ok=False)
    (home / "lists" / "un_sc" / "CURRENT").unlink()
    with t.client() as c:
        res = c.post("/api/v1/screen", json=_shipment(id="PROBE-LOST"),
                     headers={"Idempotency-Key": f"probe-lost-{time.time()}"})
    body = res.json()
    rules = sorted({f["rule"] for f in body.get("findings", []) if f.get("severity") == "hold"})
    return Got(f"{res.status_code} {body.get('decision')} {','.join(rules)}",
               ok=body.get("decision") == "HOLD" and "list_availability" in rules)


@probe("audit: a stored screening changed HOLD -> CLEAR in the database",
       expect="audit verify fails, names it")
def audit_tamper(t: Target) -> Got:
    t.need_token()
    _, db_url = _own(t)
    with t.client() as c:
        res = c.post("/api/v1/screen", json=_shipment(id="PROBE-AUDIT"),
                     headers={"Idempotency-Key": f"probe-audit-{time.time()}"})
    if res.status_code not in (200, 201):
        return Got(f"screen gave {res.status_code}", ok=False)
    before = _cli(t, "audit", "verify")
    import sqlite3

    con = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    with con:
        con.execute("UPDATE screenings SET decision = 'CLEAR' WHERE decision = 'HOLD'")
    con.close()
    after = _cli(t, "audit", "verify")
    said = (after.stdout + after.stderr).strip().splitlines()
    return Got(f"before exit {before.returncode}, after exit {after.returncode}: "
               f"{(said[0] if said else '')[:60]}",
               ok=before.returncode == 0 and after.returncode != 0)


@probe("CSV: names starting with = + - @ through `compare --input/--output`",
       expect="every such cell starts with '")
def csv_formulas(t: Target) -> Got:
    home, _ = _own(t)
    src, out = home / "pairs.csv", home / "scored.csv"
    names = ['=HYPERLINK("http://x","y")', "+1+1", "-2-3", "@SUM(A1)"]
    src.write_text("name1,name2\n" + "".join(f'"{n.replace(chr(34), chr(34) * 2)}",Ivan\n'
                                             for n in names), encoding="utf-8")
    r = _cli(t, "compare", "--input", str(src), "--output", str(out))
    if r.returncode != 0:
        return Got(f"exit {r.returncode}: {r.stderr.strip()[:80]}", ok=False)
    import csv as csv_module

    with out.open(encoding="utf-8", newline="") as fh:
        cells = [c for row in csv_module.reader(fh) for c in row]
    raw = [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    return Got(f"{len(raw)} raw formula cell(s)", ok=not raw)


@contextmanager
def own_server() -> Iterator[Target]:
    """``exportguard serve`` over a new home and SQLite store, with an admin token."""
    with tempfile.TemporaryDirectory(prefix="exportguard-probes-") as tmp:
        home = Path(tmp)
        db_url = f"sqlite:///{home / 'exportguard.db'}"
        env = {**os.environ, "EXPORTGUARD_HOME": str(home), "EXPORTGUARD_DB": db_url,
               "EXPORTGUARD_OFFLINE": "1"}
        code = ("import sys; from exportguard.service import auth; "
                "auth.add_user('probe', 'admin', db_url=sys.argv[1]); "
                "print(auth.create_token('probe', db_url=sys.argv[1])['token'])")
        token = subprocess.run([sys.executable, "-c", code, db_url], env=env, check=True,
                               capture_output=True, text=True).stdout.split()[-1]
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        log = (home / "server.log").open("wb")
        proc = subprocess.Popen([*CLI, "serve", "--host", "127.0.0.1", "--port", str(port)],
                                env=env, stdout=log, stderr=subprocess.STDOUT)
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
                    raise SystemExit("the server did not start:\n"
                                     + (home / "server.log").read_text(errors="replace"))
                time.sleep(0.1)
            yield Target(base, token=token, pid=proc.pid, home=home, db_url=db_url)
        finally:
            proc.terminate()
            proc.wait(15)
            log.close()


def run(target: Target, only: str | None = None) -> int:
    rows: list[tuple[str, str, str, str]] = []
    for name, expect, fn in PROBES:
        if only and only not in name:
            continue
        try:
            got = fn(target)
            verdict = "pass" if got.ok else "FAIL"
            text = got.text
        except Skip as exc:
            verdict, text = "skip", str(exc)
        except Exception as exc:  # a probe that breaks is a failed probe, with the reason
            verdict, text = "FAIL", f"{type(exc).__name__}: {exc}"[:120]
        rows.append((name, expect, text, verdict))
        print(f"  {verdict:4}  {name}", file=sys.stderr, flush=True)
    widths = [max(len(r[i]) for r in [("probe", "expected", "got", ""), *rows])
              for i in range(3)]
    print()
    print(f"| {'probe':{widths[0]}} | {'expected':{widths[1]}} | {'got':{widths[2]}} |      |")
    print(f"|{'-' * (widths[0] + 2)}|{'-' * (widths[1] + 2)}|{'-' * (widths[2] + 2)}|------|")
    for name, expect, text, verdict in rows:
        print(f"| {name:{widths[0]}} | {expect:{widths[1]}} | {text:{widths[2]}} | {verdict:4} |")
    failed = sum(r[3] == "FAIL" for r in rows)
    skipped = sum(r[3] == "skip" for r in rows)
    print(f"\n{len(rows) - failed - skipped} passed, {failed} failed"
          + (f", {skipped} skipped" if skipped else ""))
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running server (default: start one)")
    parser.add_argument("--token", default=os.environ.get("EXPORTGUARD_API_TOKEN"),
                        help="an admin API token for --url (or EXPORTGUARD_API_TOKEN)")
    parser.add_argument("--pid", type=int, help="the --url server's process id (memory)")
    parser.add_argument("--only", help="run the probes whose name contains this text")
    args = parser.parse_args()
    if args.url:
        return run(Target(args.url.rstrip("/"), token=args.token, pid=args.pid), args.only)
    with own_server() as target:
        return run(target, args.only)


if __name__ == "__main__":
    sys.exit(main())
