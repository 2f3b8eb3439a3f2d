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

By default the generator keeps only spelling variants of listed names that the
name index links to their entity (so every planted listed consignee is one the
matcher can find); ``--no-name-check`` plants every variant it makes, which
measures the matcher on them too. ``--markdown FILE`` writes the figures.
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
    from _lists import ensure_lists

    ensure_lists()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--planted-share", type=float, default=None)
    ap.add_argument("--result", type=Path, default=None, help="score this existing result")
    ap.add_argument("--truth", type=Path, default=None)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--no-name-check", action="store_true",
                    help="plant every spelling variant, not only those the index links")
    ap.add_argument("--markdown", type=Path, default=None,
                    help="also write the figures as Markdown to this file")
    args = ap.parse_args()
    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    from exportguard.batch.synth import generator_fingerprint, score_planted
    from exportguard.service.batch import run_batch, synth_trades

    if args.result is not None:
        if args.truth is None:
            ap.error("--result needs --truth")
        result, truth = args.result, args.truth
    else:
        OUT.mkdir(parents=True, exist_ok=True)
        vetted = "all" if args.no_name_check else "vetted"
        stem = f"planted_{args.rows}_{args.seed}_{vetted}_{generator_fingerprint()}"
        trades = OUT / f"{stem}.parquet"
        truth = trades.with_name(f"{stem}.truth.csv")
        if not trades.exists() or not truth.exists():
            s = synth_trades(args.rows, trades, seed=args.seed, truth=truth,
                             planted_share=args.planted_share,
                             check_names=not args.no_name_check)
            print(f"generated {s['rows']:,} records, {s['planted']:,} planted: "
                  f"{s['planted_by_kind']}", flush=True)
        result = OUT / f"{stem}.result.parquet"
        t0 = time.perf_counter()
        summary = run_batch(trades, result, allow_stale_lists=True, restart=True,
                            workers=args.workers)
        say(f"{summary['rows']:,} records (seed {args.seed}; listed-name variants: "
            f"{'every one made' if args.no_name_check else 'those the index links'}) "
            f"screened in {time.perf_counter() - t0:.1f} s: {summary['decisions']}")
    score = score_planted(result, truth)
    say("")
    say("| expected | planted | found | exact | recall |")
    say("|---|---|---|---|---|")
    for key, s in sorted(score["recall_by_expected"].items()):
        say(f"| {key} | {s['planted']:,} | {s['found']:,} | {s['exact']:,} | "
            f"{s['recall']:.2%} |")
    say("")
    say("| kind | planted | found | recall |")
    say("|---|---|---|---|")
    for key, s in sorted(score["recall_by_kind"].items()):
        say(f"| {key} | {s['planted']:,} | {s['found']:,} | {s['recall']:.2%} |")
    say("")
    say(f"Clean records: {score['clean_records']:,}, not CLEAR: "
        f"{score['clean_not_clear']:,} {score['clean_flagged_by_rule']}")
    if score["missed"]:
        say("")
        say("Missed (first 10):")
        for m in score["missed"][:10]:
            say("- `" + json.dumps(m, ensure_ascii=False) + "`")
    deny = score["recall_by_expected"].get("DENY", {"recall": 1.0})["recall"]
    hold = score["recall_by_expected"].get("HOLD", {"recall": 1.0})["recall"]
    ok = deny == 1.0 and hold >= 0.99 and score["absent_from_result"] == 0
    say("")
    say(f"Targets: DENY recall 100% ({deny:.2%}), HOLD recall ≥ 99% ({hold:.2%}): "
        + ("met" if ok else "MISSED"))
    if args.markdown:
        head = ["# Planted cases found by batch screening: `benchmarks/batch_planted.py`", "",
                "Command: `" + " ".join(["benchmarks/batch_planted.py", *sys.argv[1:]]) + "`",
                "", "A case is *found* when its expected rule fired and the decision is at "
                "least as strict as expected; *exact* when the decision is the expected one.",
                ""]
        args.markdown.write_text("\n".join(head + lines) + "\n", encoding="utf-8")
        print(f"wrote {args.markdown}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
