"""Batch screening speed: records per second, wall time and peak memory of the process tree.

Usage::

    .venv/bin/python benchmarks/batch_speed.py                 # 1,000,000 records, local engine
    .venv/bin/python benchmarks/batch_speed.py --rows 200000   # a smaller file
    .venv/bin/python benchmarks/batch_speed.py --spark --spark-rows 200000 --spark-master local[2]

The trade file is generated once (``exportguard synth-trades``, seed 42) under
``benchmarks/out/`` and reused. The batch runs in a child process; its whole
process tree (driver, worker processes, a Spark JVM) is sampled from ``/proc``
every 0.2 s for the peak resident memory. Targets (issue): 1,000,000 records
end to end on 2 cores in at most 3 minutes, peak memory at most 2 GB.
Lists older than the policy allows are accepted with a warning
(``--allow-stale-lists``): the embedded lists are older than 45 days.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (Linux /proc)."""
    total = 0
    stack = [pid]
    seen: set[int] = set()
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            with open(f"/proc/{p}/status", encoding="ascii", errors="replace") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children", encoding="ascii") as fh:
                    stack += [int(c) for c in fh.read().split()]
        except (OSError, ValueError):
            continue
    return total


def run_measured(code: str, env: dict[str, str]) -> dict[str, float | str]:
    """Run ``code`` in a child Python; wall time, CPU time and peak tree RSS."""
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as fh:
        fh.write(code)
        script = fh.name
    peak = 0
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, script], env=env, stdout=subprocess.PIPE, text=True)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.2):
            peak = max(peak, _tree_rss(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    wall = time.perf_counter() - t0
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    os.unlink(script)
    if proc.returncode != 0:
        raise SystemExit(f"batch failed (exit {proc.returncode})")
    summary = json.loads(out.strip().splitlines()[-1])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
            "peak_rss_mb": round(peak / 2**20), "summary": summary}


_BATCH = """
import json, sys
from pathlib import Path
from exportguard.service.batch import run_batch
if __name__ == "__main__":
    s = run_batch(Path({src!r}), Path({out!r}), engine={engine!r}, allow_stale_lists=True,
                  restart=True, workers={workers!r}, chunk_rows={chunk!r},
                  spark_master={master!r})
    s.pop("job_findings", None)
    print(json.dumps(s, default=str))
"""


def ensure_trades(rows: int, seed: int = 42) -> Path:
    from exportguard.batch.synth import generator_fingerprint

    # a generator that writes other columns or plants other kinds makes another file
    path = OUT / f"trades_{rows}_s{seed}_{generator_fingerprint()}.parquet"
    if path.exists():
        return path
    from exportguard.service.batch import synth_trades

    OUT.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    s = synth_trades(rows, path, seed=seed)
    print(f"generated {rows:,} records ({s['planted']:,} planted) in "
          f"{time.perf_counter() - t0:.1f} s → {path}", flush=True)
    return path


def bench(src: Path, engine: str, rows: int, workers: int | None, chunk: int | None,
          master: str | None) -> dict[str, object]:
    out = OUT / f"result_{engine}_{src.stem}.parquet"
    code = _BATCH.format(src=str(src), out=str(out), engine=engine, workers=workers,
                         chunk=chunk, master=master)
    env = dict(os.environ)
    env.setdefault("EXPORTGUARD_ALLOW_STALE_LISTS", "1")
    m = run_measured(code, env)
    summary = m["summary"]
    assert isinstance(summary, dict)
    wall = float(m["wall_s"])
    result = {
        "engine": engine, "records": summary["rows"], "wall_s": wall,
        "records_per_s_end_to_end": round(summary["rows"] / wall, 1),
        "records_per_s_screening": summary.get("records_per_second"),
        "screening_s": summary.get("seconds"),
        # a Spark JVM is not reaped as our grandchild: its CPU time is not counted
        "cpu_s": m["cpu_s"] if engine == "local" else None,
        "peak_rss_mb": m["peak_rss_mb"], "decisions": summary.get("decisions"),
        "workers": summary.get("workers"), "master": summary.get("master"),
        "cores": os.cpu_count(), "load_avg_1m_at_end": round(os.getloadavg()[0], 2),
    }
    return result


def compare_engines(local_out: Path, spark_out: Path) -> str:
    """Decision and rules per record of the two results; a line saying how many agree."""
    import pyarrow.parquet as pq

    cols = ["row_number", "decision", "rules", "findings", "party_matches"]
    a = pq.read_table(local_out, columns=cols).sort_by("row_number").to_pylist()
    b = pq.read_table(spark_out, columns=cols).sort_by("row_number").to_pylist()
    same = sum(1 for x, y in zip(a, b, strict=False) if x == y)
    verdict = "identical" if same == len(a) == len(b) else "DIFFERENT"
    return (f"spark vs local on the same file: {same:,} of {len(a):,} records identical "
            f"(decision, rules, findings, party matches; spark has {len(b):,}) → {verdict}")


def write_markdown(path: Path, results: list[dict[str, object]], lines: list[str]) -> None:
    head = ["# Batch screening speed: `benchmarks/batch_speed.py`", "",
            "Synthetic customs records (`exportguard synth-trades`, seed 42), the default policy "
            "and the embedded lists (`--allow-stale-lists`), on this machine: "
            f"{os.cpu_count()} cores. Peak memory is the whole process tree's resident set "
            "(driver, worker processes, Spark JVM), sampled every 0.2 s.", "",
            "| engine | records | wall (s) | records/s end to end | records/s screening | "
            "CPU (s) | peak RSS (MB) | decisions |", "|---|---|---|---|---|---|---|---|"]
    for r in results:
        label = r["engine"] if r["engine"] == "local" else f"spark {r['master']}"
        head.append(f"| {label} | {r['records']:,} | {r['wall_s']} | "
                    f"{r['records_per_s_end_to_end']:,} | {r['records_per_s_screening']} | "
                    f"{r['cpu_s'] if r['cpu_s'] is not None else '-'} | {r['peak_rss_mb']:,} | "
                    f"{r['decisions']} |")
    head += ["", *[f"- {line}" for line in lines], ""]
    path.write_text("\n".join(head), encoding="utf-8")


def main() -> None:
    from _lists import ensure_lists

    ensure_lists()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--chunk-rows", type=int, default=None)
    ap.add_argument("--spark", action="store_true", help="also run the Spark engine")
    ap.add_argument("--spark-only", action="store_true")
    ap.add_argument("--spark-rows", type=int, default=None,
                    help="records for the Spark run (default: --rows)")
    ap.add_argument("--spark-master", default="local[2]")
    ap.add_argument("--markdown", type=Path, default=None,
                    help="also write the figures as a Markdown table to this file")
    args = ap.parse_args()
    notes: list[str] = []
    from exportguard.service.screening import load_list_state

    t0 = time.perf_counter()
    state = load_list_state()  # builds the list snapshots and the name index cache once
    print(f"lists and name index ready in {time.perf_counter() - t0:.1f} s "
          f"({len(state.metas)} lists; not part of the timings)", flush=True)
    results = []
    if not args.spark_only:
        src = ensure_trades(args.rows)
        r = bench(src, "local", args.rows, args.workers, args.chunk_rows, None)
        results.append(r)
        print(f"local: {r['records']:,} records in {r['wall_s']} s end to end "
              f"({r['records_per_s_end_to_end']:,} records/s; screening "
              f"{r['records_per_s_screening']:,} records/s), CPU {r['cpu_s']} s, "
              f"peak RSS of the process tree {r['peak_rss_mb']:,} MB "
              f"[targets: 1M ≤ 180 s, ≤ 2048 MB]", flush=True)
    if args.spark or args.spark_only:
        src = ensure_trades(args.spark_rows or args.rows)
        r = bench(src, "spark", args.spark_rows or args.rows, None, None, args.spark_master)
        results.append(r)
        print(f"spark ({r['master']}): {r['records']:,} records in {r['wall_s']} s end to end "
              f"({r['records_per_s_end_to_end']:,} records/s), "
              f"peak RSS of the process tree {r['peak_rss_mb']:,} MB", flush=True)
        local_out = OUT / f"result_local_{src.stem}.parquet"
        if local_out.exists() and not args.spark_only:
            line = compare_engines(local_out, OUT / f"result_spark_{src.stem}.parquet")
            print(line, flush=True)
            notes.append(line)
    print(json.dumps(results, indent=1, default=str))
    if args.markdown:
        notes.append(f"load average (1 min) at the end: {os.getloadavg()[0]:.2f}")
        write_markdown(args.markdown, results, notes)
        print(f"wrote {args.markdown}")


if __name__ == "__main__":
    main()
