"""Name-matching speed: single-query latency, bulk names/s, build, cache load, memory.

Run: ``.venv/bin/python benchmarks/names_speed.py [--queries N]``. Prints the
figures and writes ``benchmarks/results/names_speed.md``.

Queries are a realistic mix: half listed names with variations (typo, word
swap, case/punctuation, dropped word), half generated names that are mostly
not listed. Latency is measured one query at a time, in process, on the
index loaded from its cache file (a fresh process state: caches start cold).
Bulk uses ``search_many`` on one core over a different set of names.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _names_data import load_entities
from exportguard.names.index import NameIndex
from exportguard.names.score import DEFAULT_THRESHOLD
from names_accuracy import GIVEN, ORG_FORMS, ORG_WORDS, SURNAMES, swap, typo

RESULTS = Path(__file__).resolve().parent / "results" / "names_speed.md"


def rss_mb() -> tuple[float, float]:
    """(current RSS, peak RSS) in MB from /proc/self/status."""
    cur = peak = 0.0
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                cur = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    return cur, peak


_FRESH = """
import json, sys, time
from exportguard.names.index import NameIndex
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
before = rss()
t = time.perf_counter()
idx = NameIndex.load(sys.argv[1])
load_s = time.perf_counter() - t
idx.search("Ivan Ivanov")
print(json.dumps({"load_s": load_s, "rss_before": before, "rss_after": rss()}))
"""


def _fresh_load(path: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", _FRESH, str(path)], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def make_queries(index: NameIndex, n: int, rng: random.Random) -> list[str]:
    names = [s.original for s in index.names if s.original.isascii()]
    out: list[str] = []
    cultures = sorted(GIVEN)
    while len(out) < n:
        r = rng.random()
        if r < 0.5:
            name = rng.choice(names)
            v = rng.random()
            if v < 0.3:
                name = typo(name, rng) or name
            elif v < 0.5:
                name = swap(name, rng) or name
            elif v < 0.7:
                name = name.lower().replace(",", "")
            out.append(name)
        elif r < 0.85:
            c = rng.choice(cultures)
            out.append(f"{rng.choice(GIVEN[c])} {rng.choice(SURNAMES[c])}")
        else:
            c = rng.choice(cultures)
            out.append(f"{rng.choice(SURNAMES[c])} {rng.choice(ORG_WORDS)} "
                       f"{rng.choice(ORG_FORMS)}".strip())
    return out


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(p / 100 * len(s)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--queries", type=int, default=3000)
    ap.add_argument("--bulk", type=int, default=10000)
    args = ap.parse_args()
    with contextlib.suppress(AttributeError, OSError):  # one core, as the target says
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    rng = random.Random(7)
    t0 = time.perf_counter()
    entities, note = load_entities()
    n_names = sum(len(e.all_names()) for e in entities)
    t_ent = time.perf_counter() - t0
    built = NameIndex.build(entities)
    build_s = built.build_seconds
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "index.pkl"
        t = time.perf_counter()
        built.save(path)
        save_s = time.perf_counter() - t
        size_mb = path.stat().st_size / 1e6
        fresh = _fresh_load(path)  # load time and memory in a new process
        del built, entities
        t = time.perf_counter()
        index = NameIndex.load(path)
        load_s = time.perf_counter() - t

    queries = make_queries(index, args.queries, rng)
    lat, cpu = [], []
    hits = 0
    for q in queries:
        t, c = time.perf_counter(), time.process_time()
        ms = index.search(q, limit=10, explain=False)
        lat.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        hits += bool(ms)
    explain_lat = []
    for q in queries[:500]:
        t = time.perf_counter()
        index.search(q, limit=10, explain=True)
        explain_lat.append((time.perf_counter() - t) * 1000)
    bulk = make_queries(index, args.bulk, random.Random(99))
    t, c = time.perf_counter(), time.process_time()
    index.search_many(bulk, limit=10)
    bulk_s, bulk_cpu = time.perf_counter() - t, time.process_time() - c
    rss_end, rss_peak = rss_mb()

    lines = [
        "# Name matching speed", "",
        f"Generated by `benchmarks/names_speed.py` on one core (affinity pinned), "
        f"threshold {DEFAULT_THRESHOLD}.", "",
        f"- data: {index.__len__()} entities, {index.name_count} distinct prepared names "
        f"({n_names} raw names; {note}); {len(index.tokens)} distinct tokens",
        f"- entities from the store: {t_ent:.2f} s",
        f"- index build: {build_s:.2f} s; save: {save_s:.2f} s; cache file {size_mb:.1f} MB",
        f"- index load from cache: {fresh['load_s']:.2f} s in a fresh process "
        f"({load_s:.2f} s in this one)",
        f"- RSS in a fresh process: {fresh['rss_before']:.0f} MB before load (interpreter + "
        f"libraries), {fresh['rss_after']:.0f} MB with the index loaded and one query run",
        f"- RSS of this benchmark process after the runs: {rss_end:.0f} MB (peak "
        f"{rss_peak:.0f} MB; it also built the index and held all entities)",
        f"- single query ({len(queries)} queries, {100 * hits / len(queries):.0f}% with a "
        f"match, no explanation): median {statistics.median(lat):.3f} ms, p90 "
        f"{pct(lat, 90):.3f} ms, p99 {pct(lat, 99):.3f} ms, max {max(lat):.1f} ms",
        f"  (process CPU time per query: mean {statistics.mean(cpu):.3f} ms, p99 "
        f"{pct(cpu, 99):.3f} ms)",
        f"- single query with explanation (500 queries): median "
        f"{statistics.median(explain_lat):.3f} ms, p99 {pct(explain_lat, 99):.3f} ms",
        f"- bulk `search_many` ({len(bulk)} names, one core): {len(bulk) / bulk_s:.0f} names/s "
        f"wall, {len(bulk) / bulk_cpu:.0f} names/s of CPU time",
        f"- machine load average when run: {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} CPUs (other work shares this machine: wall figures are upper "
        "bounds)",
    ]
    text = "\n".join(lines) + "\n"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
