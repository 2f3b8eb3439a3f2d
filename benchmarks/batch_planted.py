"""Planted-case recall of batch screening: every planted DENY found, at least 99% of planted HOLD.

Usage::

    .venv/bin/python benchmarks/batch_planted.py                  # 200,000 records, seed 7
    .venv/bin/python benchmarks/batch_planted.py --rows 1000000 --seed 42
    .venv/bin/python benchmarks/batch_planted.py \
        --result benchmarks/out/result_local_trades_1000000.parquet \
        --truth benchmarks/out/trades_1000000.truth.csv          # score an existing run

Generates a synthetic trade file with planted cases (``exportguard synth-trades``),
screens it with the local engine under the default policy, and compares the
result with the truth file: per expected decision and per kind of planted
case, how many were found (expected rule fired, decision at least as strict as
expected). It also counts clean records that were not CLEAR (false alarms).
Exit status 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--planted-share", type=float, default=None)
    ap.add_argument("--result", type=Path, default=None, help="score this existing result")
    ap.add_argument("--truth", type=Path, default=None)
    ap.add_argument("--workers", type=int, default=None)
    args = ap.parse_args()

    from exportguard.batch.synth import score_planted
    from exportguard.service.batch import run_batch, synth_trades

    if args.result is not None:
        if args.truth is None:
            ap.error("--result needs --truth")
        result, truth = args.result, args.truth
    else:
        OUT.mkdir(parents=True, exist_ok=True)
        trades = OUT / f"planted_{args.rows}_{args.seed}.parquet"
        truth = trades.with_name(trades.name.replace(".parquet", ".truth.csv"))
        if not trades.exists() or not truth.exists():
            s = synth_trades(args.rows, trades, seed=args.seed, truth=truth,
                             planted_share=args.planted_share)
            print(f"generated {s['rows']:,} records, {s['planted']:,} planted: "
                  f"{s['planted_by_kind']}", flush=True)
        result = OUT / f"planted_{args.rows}_{args.seed}.result.parquet"
        t0 = time.perf_counter()
        summary = run_batch(trades, result, allow_stale_lists=True, restart=True,
                            workers=args.workers)
        print(f"screened {summary['rows']:,} records in {time.perf_counter() - t0:.1f} s: "
              f"{summary['decisions']}", flush=True)
    score = score_planted(result, truth)
    print(f"{'expected':<10} {'planted':>8} {'found':>8} {'exact':>8} {'recall':>8}")
    for key, s in sorted(score["recall_by_expected"].items()):
        print(f"{key:<10} {s['planted']:>8,} {s['found']:>8,} {s['exact']:>8,} "
              f"{s['recall']:>8.2%}")
    print(f"\n{'kind':<24} {'planted':>8} {'found':>8} {'recall':>8}")
    for key, s in sorted(score["recall_by_kind"].items()):
        print(f"{key:<24} {s['planted']:>8,} {s['found']:>8,} {s['recall']:>8.2%}")
    print(f"\nclean records: {score['clean_records']:,}, not CLEAR: {score['clean_not_clear']:,} "
          f"{score['clean_flagged_by_rule']}")
    if score["missed"]:
        print("missed (first 10):")
        for m in score["missed"][:10]:
            print("  " + json.dumps(m, ensure_ascii=False))
    deny = score["recall_by_expected"].get("DENY", {"recall": 1.0})["recall"]
    hold = score["recall_by_expected"].get("HOLD", {"recall": 1.0})["recall"]
    ok = deny == 1.0 and hold >= 0.99 and score["absent_from_result"] == 0
    print(f"\ntargets: DENY recall 100% ({deny:.2%}), HOLD recall ≥ 99% ({hold:.2%}): "
          + ("met" if ok else "MISSED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
