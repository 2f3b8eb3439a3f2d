"""`exportguard match` and `exportguard compare`: the name-screening contract of PRODUCT.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from exportguard.cli.common import (
    console,
    fail,
    print_json,
    run_with_progress,
    user_errors,
)

TYPES = ("person", "organization", "vessel", "aircraft", "any")
TYPE_HELP = "person|organization|vessel|aircraft|any"


def _check_type(value: str) -> str:
    value = value.strip().lower()
    if value not in TYPES:
        fail(f"--type must be one of {', '.join(TYPES)} (got {value!r})")
    return value


def _check_threshold(value: float | None) -> float | None:
    if value is not None and not 0.0 <= value <= 1.0:
        fail(f"--threshold must be between 0 and 1 (got {value})")
    return value


def _run_with_progress(label: str, func: Any, **kwargs: Any) -> Any:
    return run_with_progress(label, func, callback="progress_callback", **kwargs)


def match(
    name: str | None = typer.Argument(None, help="Name to screen (omit with --input)."),
    type_: str = typer.Option("any", "--type", "-t", help=TYPE_HELP),
    limit: int = typer.Option(10, "--limit", "-n", min=1, max=1000, help="Most matches per name."),
    threshold: float | None = typer.Option(
        None, "--threshold", help="Minimum score in [0, 1] (default: the matcher's default)."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print JSON on stdout."),
    explain: bool = typer.Option(False, "--explain", help="Include the score's features."),
    input_path: Path | None = typer.Option(None, "--input", "-i", help="CSV or Parquet of names."),
    column: str | None = typer.Option(None, "--column", "-c", help="Column holding the names."),
    output_path: Path | None = typer.Option(None, "--output", "-o", help="CSV or Parquet out."),
) -> None:
    """Screen a name (or a file of names) against every loaded list."""
    from exportguard.service import names as svc

    type_ = _check_type(type_)
    threshold = _check_threshold(threshold)
    if input_path is not None or output_path is not None or column is not None:
        if name is not None:
            fail("give either NAME or --input/--column/--output, not both")
        if input_path is None or column is None or output_path is None:
            fail("bulk matching needs --input FILE, --column COL and --output FILE")
        with user_errors():
            summary = _run_with_progress(
                "matching", svc.match_file, input_path=input_path, column=column,
                output_path=output_path, type=type_, threshold=threshold, limit=limit,
            )
        if json_out:
            print_json(summary)
        else:
            console.print(_summary_line(summary, output_path))
        return
    if name is None:
        fail("give a NAME to screen, or --input FILE --column COL --output FILE")
    with user_errors():
        result = svc.match_name(name, type=type_, limit=limit, threshold=threshold,
                                explain=explain)
    if json_out:
        print_json(result)
        return
    _print_matches(result)


def _summary_line(summary: Any, output_path: Path) -> str:
    if isinstance(summary, dict):
        parts = [f"{k.replace('_', ' ')}: {v:,}" if isinstance(v, int) else f"{k}: {v}"
                 for k, v in summary.items()]
        return f"wrote {output_path} (" + ", ".join(parts) + ")"
    return f"wrote {output_path}"


def _print_matches(result: dict[str, Any]) -> None:
    matches = result.get("matches", [])
    if not matches:
        console.print(f"No match at or above the threshold for [bold]{result['query']}[/].")
        return
    table = Table(title=f"Matches for {result['query']!r}", show_lines=False)
    for col in ("score", "list", "entity", "name", "matched name", "type"):
        table.add_column(col, overflow="fold")
    for m in matches:
        table.add_row(f"{m['score']:.3f}", m["list"], m["entity_id"], m["name"],
                      m["matched_name"], m["type"])
    console.print(table)
    for m in matches:
        if m.get("features"):
            feats = ", ".join(f"{f['name']}={f['value']:.2f}" for f in m["features"])
            console.print(f"  [dim]{m['entity_id']}: {feats}[/]")


def compare(
    name1: str | None = typer.Argument(None, help="First name."),
    name2: str | None = typer.Argument(None, help="Second name."),
    type_: str = typer.Option("any", "--type", "-t", help=TYPE_HELP),
    json_out: bool = typer.Option(False, "--json", help="Print JSON on stdout."),
    input_path: Path | None = typer.Option(None, "--input", "-i",
                                           help="CSV with columns name1,name2[,type]."),
    output_path: Path | None = typer.Option(None, "--output", "-o", help="CSV out."),
) -> None:
    """Score two names against each other: {"score": 0..1, "match": true|false}."""
    from exportguard.service import names as svc

    type_ = _check_type(type_)
    if input_path is not None or output_path is not None:
        if name1 is not None or name2 is not None:
            fail("give either NAME1 NAME2 or --input/--output, not both")
        if input_path is None or output_path is None:
            fail("bulk comparing needs --input PAIRS.csv and --output OUT.csv")
        with user_errors():
            summary = _run_with_progress("comparing", svc.compare_file,
                                         input_path=input_path, output_path=output_path)
        if json_out:
            print_json(summary)
        else:
            console.print(_summary_line(summary, output_path))
        return
    if name1 is None or name2 is None:
        fail("give two names: exportguard compare NAME1 NAME2")
    with user_errors():
        result = svc.compare_names(name1, name2, type=type_)
    if json_out:
        print_json(result)
        return
    verdict = "[bold red]match[/]" if result["match"] else "[green]no match[/]"
    console.print(f"score {result['score']:.3f}: {verdict}")
