"""Load test of the HTTP API: N concurrent clients screening shipments for D seconds.

    python benchmarks/api_load.py                       # SQLite and PostgreSQL, 50 clients, 60 s
    python benchmarks/api_load.py --backend sqlite --duration 10
    python benchmarks/api_load.py --pg-url postgresql+psycopg://user@host/db

For each backend it starts the real server (``exportguard serve`` in a
subprocess, on 127.0.0.1 and a free port) over a new, empty store, creates a
screener token, warms the engine up, then runs the clients (asyncio + httpx,
one connection each). Every request screens a distinct shipment with its own
``Idempotency-Key``. It reports throughput, p50/p90/p99 latency, errors, and a
count check: every accepted request (201) must be in the store, once.

Without ``--pg-url``, PostgreSQL is a throwaway server started with
``initdb``/``pg_ctl`` (as the tests do). Lists: the configured exportguard home
(``EXPORTGUARD_HOME``); ``--allow-stale-lists`` (default on) keeps stale
embedded lists from turning every decision into HOLD.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]

PARTIES = ["Lyon Textiles SARL", "Rosoboronexport", "Blue Sky Trading LLC", "Nordic Parts AB",
           "Shenzhen Bright Electronics Co., Ltd.", "Ivan Petrov", "Kalashnikov Concern",
           "Atlas Machine Tools GmbH", "Istanbul Lojistik A.S.", "Tashkent Trade House"]
ITEMS = [
    {"description": "Cotton T-shirts", "hs_code": "610910", "quantity": 100, "value": 900},
    {"description": "Integrated circuits", "hs_code": "8542.31", "control_code": "3A001",
     "quantity": 50, "value": 5000},
    {"description": "Ball bearings", "hs_code": "848210", "quantity": 200, "value": 1200},
    {"description": "Quadcopter drone", "hs_code": "880621", "quantity": 2, "value": 3000,
     "specs": {"engine_power_kw": 20}},
]
DESTINATIONS = ["FR", "DE", "AE", "TR", "KZ", "RU", "US", "CN"]


def shipment(rng: random.Random) -> dict[str, Any]:
    dest = rng.choice(DESTINATIONS)
    return {
        "id": f"BENCH-{uuid.uuid4().hex[:12]}",
        "date": "2026-11-20",
        "exporter": {"name": "Nordwind Maschinenbau GmbH", "country": "DE"},
        "parties": [
            {"role": "consignee", "name": rng.choice(PARTIES), "country": dest},
            {"role": "end_user", "name": rng.choice(PARTIES), "country": dest},
        ],
        "route": {"origin": "DE", "destination": dest},
        "items": rng.sample(ITEMS, rng.randint(1, 2)),
        "end_use": "industrial production",
    }


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(db_url: str, env: dict[str, str],
                 workers: int = 1) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    code = ("import typer; from exportguard.cli.records_cmd import serve_command; "
            "typer.run(serve_command)")
    proc = subprocess.Popen([sys.executable, "-c", code, "--port", str(port), "--db", db_url,
                             "--workers", str(workers)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            detail = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"server exited: {detail}")
        try:
            if httpx.get(base + "/", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


def make_token(db_url: str, env: dict[str, str]) -> str:
    code = ("import sys; from exportguard.service import auth; "
            "auth.add_user('bench', 'screener', db_url=sys.argv[1]); "
            "print(auth.create_token('bench', db_url=sys.argv[1])['token'])")
    out = subprocess.run([sys.executable, "-c", code, db_url], env=env, check=True,
                         capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


async def run_clients(base: str, token: str, clients: int, duration: float,
                      ) -> tuple[list[float], list[str], list[str]]:
    latencies: list[float] = []
    accepted: list[str] = []
    errors: list[str] = []
    stop_at = time.perf_counter() + duration

    async def client(k: int) -> None:
        rng = random.Random(k)
        async with httpx.AsyncClient(base_url=base, timeout=60, headers={
                "Authorization": f"Bearer {token}"}) as c:
            while time.perf_counter() < stop_at:
                body = shipment(rng)
                t0 = time.perf_counter()
                try:
                    r = await c.post("/api/v1/screen", json=body,
                                     headers={"Idempotency-Key": uuid.uuid4().hex})
                except httpx.HTTPError as exc:
                    errors.append(f"{type(exc).__name__}: {exc}")
                    continue
                latencies.append(time.perf_counter() - t0)
                if r.status_code == 201:
                    accepted.append(r.json()["id"])
                else:
                    errors.append(f"{r.status_code}: {r.text[:200]}")

    await asyncio.gather(*(client(k) for k in range(clients)))
    return latencies, accepted, errors


def count_in_store(db_url: str, ids: list[str]) -> tuple[int, int]:
    """(rows made by the bench user, how many of the accepted ids are among them)."""
    from sqlalchemy import select

    from exportguard.store.db import get_database
    from exportguard.store.models import Screening

    with get_database(db_url).session() as s:
        stored = set(s.scalars(select(Screening.id).where(Screening.created_by == "bench")))
    return len(stored), len(stored & set(ids))


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench(backend: str, db_url: str, args: argparse.Namespace) -> dict[str, Any]:
    env = {**os.environ}
    if args.allow_stale_lists:
        env["EXPORTGUARD_ALLOW_STALE_LISTS"] = "1"
    token = make_token(db_url, env)
    proc, base = start_server(db_url, env, args.workers)
    try:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"},
                          timeout=300) as c:  # warm-up: lists, index, policy
            r = c.post("/api/v1/screen", json=shipment(random.Random(0)))
            r.raise_for_status()
        t0 = time.perf_counter()
        latencies, accepted, errors = asyncio.run(
            run_clients(base, token, args.clients, args.duration))
        elapsed = time.perf_counter() - t0
    finally:
        proc.terminate()
        proc.wait(30)
    rows, found = count_in_store(db_url, accepted)
    result = {
        "backend": backend, "clients": args.clients, "workers": args.workers,
        "duration_s": round(elapsed, 1),
        "requests": len(latencies) + sum(1 for e in errors if not e[:3].isdigit()),
        "accepted": len(accepted), "errors": len(errors),
        "throughput_rps": round(len(accepted) / elapsed, 1),
        "p50_ms": round(pct(latencies, 0.50) * 1000, 1),
        "p90_ms": round(pct(latencies, 0.90) * 1000, 1),
        "p99_ms": round(pct(latencies, 0.99) * 1000, 1),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else None,
        "stored_rows": rows - 1,  # minus the warm-up request
        "count_check": found == len(accepted) and rows - 1 == len(accepted),
        "sample_errors": errors[:5],
    }
    return result


def main() -> int:
    from _lists import ensure_lists

    ensure_lists()
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=float, default=60.0, help="seconds per backend")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--workers", type=int, default=1, help="server worker processes")
    ap.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument("--pg-url", default=None, help="PostgreSQL URL (default: throwaway server)")
    ap.add_argument("--allow-stale-lists", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument("--json-out", type=Path, default=None, help="write the results here")
    args = ap.parse_args()

    results: list[dict[str, Any]] = []
    tmp = Path(tempfile.mkdtemp(prefix="eg-bench-"))
    if args.backend in ("sqlite", "both"):
        results.append(bench("sqlite", f"sqlite:///{tmp / 'bench.db'}", args))
    if args.backend in ("postgresql", "both"):
        server = None
        if args.pg_url:
            url = args.pg_url
        else:
            sys.path.insert(0, str(ROOT / "tests"))
            from db_fixtures import _pg_bindir, _start_pg

            bindir = _pg_bindir()
            if bindir is None:
                print("no PostgreSQL binaries: skipping PostgreSQL", file=sys.stderr)
                url = None
            else:
                server = _start_pg(bindir)
                url = server.new_database()
        try:
            if url:
                results.append(bench("postgresql", url, args))
        finally:
            if server is not None:
                server.stop()
    for r in results:
        print(f"{r['backend']:>10}: {r['throughput_rps']} screenings/s over {r['duration_s']} s "
              f"with {r['clients']} clients; p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms; "
              f"errors {r['errors']}; accepted {r['accepted']}, stored {r['stored_rows']}, "
              f"count check {'OK' if r['count_check'] else 'FAILED'}")
    if args.json_out:
        args.json_out.write_text(json.dumps(results, indent=2) + "\n")
    ok = all(r["errors"] == 0 and r["count_check"] for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
