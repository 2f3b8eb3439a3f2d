"""`exportguard batch` and `exportguard synth-trades`: bulk screening of trade records.

Thin over :mod:`exportguard.service.batch`: parse the flags, show a progress
bar with an ETA on stderr, print a summary (or ``--json``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from exportguard.cli.common import (
    console,
    err_console,
    fail,
    print_json,
    run_with_progress,
    user_errors,
)


def _run(label: str, func: Any, **kwargs: Any) -> Any:
    return run_with_progress(label, func, unit="records", **kwargs)


def batch(
    trades: str = typer.Argument(..., help="Trade records: CSV (.csv, .csv.gz) or Parquet "
                                 "(a URI such as hdfs://... with --engine spark).",
                                 show_default=False),
    out: str = typer.Option(..., "--out", "-o", help="Result file (Parquet): one row per "
                            "record with decision, findings and party matches.",
                            show_default=False),
    policy: str | None = typer.Option(
        None, "--policy", "-p", help="Shipped policy name (default, eu-833) or a YAML file."),
    engine: str = typer.Option("local", "--engine", "-e",
                               help="local (DuckDB + processes) or spark."),
    report: Path | None = typer.Option(
        None, "--report", "-r", help="Flow report (HTML, charts inline) with its aggregates as "
        "CSV in REPORT_data/."),
    mapping: Path | None = typer.Option(
        None, "--mapping", "-m", help="Column mapping YAML (columns:, defaults:, date_format:)."),
    column: list[str] | None = typer.Option(
        None, "--column", "-c", help="FIELD=COLUMN, e.g. importer='Consignee Name' (repeat)."),
    default: list[str] | None = typer.Option(
        None, "--default", "-d", help="FIELD=VALUE for a column the file lacks, e.g. "
        "destination_country=RU (repeat)."),
    date_format: str | None = typer.Option(
        None, "--date-format", help="strptime format of the date column, e.g. %d.%m.%Y."),
    allow_stale_lists: bool | None = typer.Option(
        None, "--allow-stale-lists/--no-allow-stale-lists",
        help="Lists older than the policy allows give a warning instead of a hold "
             "(default: EXPORTGUARD_ALLOW_STALE_LISTS).", show_default=False),
    chunk_rows: int | None = typer.Option(
        None, "--chunk-rows", min=100, help="Records per chunk (local; default 25,000): the "
        "unit of memory, parallel work and resumption."),
    workers: int | None = typer.Option(
        None, "--workers", "-w", min=0, help="Worker processes (local; default: one per core; "
        "0: screen in this process)."),
    restart: bool = typer.Option(
        False, "--restart", help="Discard unfinished work for OUT instead of resuming it."),
    master: str | None = typer.Option(
        None, "--master", help="Spark master URL (default local[*]), e.g. spark://host:7077."),
    spark_conf: list[str] | None = typer.Option(
        None, "--spark-conf", help="KEY=VALUE Spark setting (repeat)."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Screen trade records in bulk: one decision per record, same engine and rules as `screen`.

    A killed job resumes from its last committed chunk when run again with the
    same arguments; OUT appears only when complete.
    """
    from exportguard.service import batch as svc

    conf: dict[str, str] = {}
    for item in spark_conf or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            fail(f"--spark-conf must look like KEY=VALUE (got {item!r})")
        conf[key.strip()] = value.strip()
    if engine != "spark" and (master or conf):
        fail("--master and --spark-conf go with --engine spark")
    with user_errors():
        col_map = svc.build_mapping(mapping, column or [], default or [], date_format)
        summary = _run(
            "screening", svc.run_batch, input_path=trades, output=out, policy=policy,
            engine=engine, report=report, mapping=col_map, allow_stale_lists=allow_stale_lists,
            chunk_rows=chunk_rows, workers=workers, restart=restart, spark_master=master,
            spark_conf=conf or None,
        )
    if as_json:
        print_json(summary)
        return
    decisions = ", ".join(f"{k} {v:,}" for k, v in sorted(
        summary.get("decisions", {}).items(), key=lambda kv: -kv[1]))
    rate = summary.get("records_per_second")
    line = (f"screened {summary['rows']:,} records in {summary['seconds']:.1f} s"
            + (f" ({rate:,.0f} records/s)" if rate else "")
            + (f"; {decisions}" if decisions else "")
            + f" → {summary['output']}")
    if summary.get("resumed"):
        line += f" (resumed at record {summary['resumed_from_row']:,})"
    console.print(line, highlight=False, soft_wrap=True)
    for note in summary.get("job_findings", []):
        err_console.print(f"note: {note}", highlight=False, soft_wrap=True)
    if summary.get("report"):
        console.print(f"report: {summary['report']}", highlight=False)


def synth_trades(
    n: int = typer.Argument(..., min=0, help="Number of records."),
    out: Path = typer.Option(Path("trades.parquet"), "--out", "-o",
                             help="Output file (.csv or .parquet)."),
    seed: int = typer.Option(0, "--seed", help="Random seed: same seed, same bytes."),
    truth: Path | None = typer.Option(
        None, "--truth", help="Truth file of the planted cases (default: OUT.truth.csv)."),
    planted_share: float | None = typer.Option(
        None, "--planted-share", help="Share of planted records (default 0.01)."),
    no_name_check: bool = typer.Option(
        False, "--no-name-check", help="Skip vetting names against the name index (faster; "
        "a made-up name may then resemble a listed one)."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Write N synthetic trade records with planted cases of every rule, and their truth."""
    from exportguard.service import batch as svc

    with user_errors():
        summary = _run("generating", svc.synth_trades, n=n, output=out, seed=seed, truth=truth,
                       planted_share=planted_share, check_names=not no_name_check)
    if as_json:
        print_json(summary)
        return
    kinds = ", ".join(f"{k} {v:,}" for k, v in summary["planted_by_kind"].items())
    console.print(f"wrote {summary['rows']:,} records to {summary['path']} "
                  f"({summary['planted']:,} planted: {kinds}); truth in {summary['truth']}",
                  highlight=False, soft_wrap=True)


def batch_report(
    result: Path = typer.Argument(..., help="A batch result (Parquet file or Spark directory).",
                                  show_default=False),
    report: Path = typer.Option(..., "--report", "-r", help="HTML file to write (aggregates "
                                "as CSV in REPORT_data/).", show_default=False),
    top: int = typer.Option(20, "--top", min=1, max=1000, help="Rows in the top-N tables."),
) -> None:
    """Write the flow report (HTML + CSV) of an existing batch result."""
    from exportguard.service import batch as svc

    with user_errors():
        files = svc.write_report(result, report, top=top)
    console.print(f"report: {files[0]} (aggregates in {files[1].parent})", highlight=False)
