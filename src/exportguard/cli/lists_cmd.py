"""`exportguard lists status|load|update|history|remove`: list snapshots on the command line."""

from __future__ import annotations

from pathlib import Path

import typer

from exportguard.cli.common import console, fail, print_json

app = typer.Typer(
    help="Sanctions and export-control lists: status, load official files, update when online.",
    no_args_is_help=True,
)


@app.command("status")
def status(
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    max_age: int | None = typer.Option(
        None, "--max-age", help="Days after which a list counts as stale (default: the "
        "default policy's maximum list age, after which screening holds)."),
) -> None:
    """Show the active snapshot of every list: date, age, entities, skipped and orphan rows."""
    from exportguard.service.errors import InputError
    from exportguard.service.lists import list_status

    try:
        rows = list_status(max_age_days=max_age)
    except InputError as exc:
        fail(str(exc))
    if json_out:
        print_json(rows)
        return
    from rich.table import Table

    table = Table(title="exportguard lists", show_lines=False)
    table.add_column("list", no_wrap=True)
    table.add_column("title", overflow="ellipsis", max_width=28, no_wrap=True)
    table.add_column("date", no_wrap=True)
    table.add_column("age", justify="right", no_wrap=True)
    table.add_column("entities", justify="right", no_wrap=True)
    table.add_column("skipped", justify="right", no_wrap=True)
    table.add_column("orphans", justify="right", no_wrap=True)
    table.add_column("source", overflow="ellipsis", max_width=30, no_wrap=True)
    for r in rows:
        age = "" if r["age_days"] is None else f"{r['age_days']} d"
        if r["stale"]:
            age = f"[yellow]{age} stale[/]"
        source = "embedded" if r["embedded"] else (r["source"] or "")
        if r["problem"]:
            source = f"[red]{r['problem']}[/]"
        table.add_row(r["id"], r["title"] or "", r["publication_date"] or "", age,
                      f"{r['entity_count']:,}", str(r["skipped_count"]), str(r["orphan_count"]),
                      source)
    from rich.console import Console

    out = console if console.is_terminal else Console(width=170)
    out.print(table)


@app.command("load")
def load(
    format: str = typer.Argument(..., help="un, ofac, ofac-enhanced, csl, bis-dpl, uk-ofsi, "
                                 "eu-fsf or ftm"),
    paths: list[Path] = typer.Argument(..., help="The file(s) as published (OFAC: sdn.csv "
                                       "add.csv alt.csv [sdn_comments.csv])."),
    list_id: str | None = typer.Option(None, "--list-id", help="List id (default per format)."),
    force: bool = typer.Option(False, "--force", help="Load even if the list shrank by half."),
    json_out: bool = typer.Option(False, "--json", help="Print the snapshot metadata as JSON."),
) -> None:
    """Load official list files as a new snapshot (validated; the old one stays on failure)."""
    from exportguard.service.errors import InputError
    from exportguard.service.lists import load_list

    try:
        meta = load_list(format, paths, list_id=list_id, force=force)
    except InputError as exc:
        fail(str(exc))
    if json_out:
        print_json(meta.to_dict())
        return
    console.print(f"loaded [bold]{meta.list_id}[/] {meta.version}: {meta.entity_count:,} entities"
                  f", {meta.skipped_count} skipped, {meta.orphan_count} orphans", highlight=False)
    for w in meta.warnings[:10]:
        console.print(f"  warning: {w}", highlight=False, markup=False)


@app.command("update")
def update(
    lists: list[str] = typer.Argument(None, help="List ids (default: all with a download URL)."),
    token: str | None = typer.Option(None, "--token", help="Download token (EU FSF)."),
    force: bool = typer.Option(False, "--force", help="Load even if a list shrank by half."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON results."),
) -> None:
    """Download the official files and load them; offline, the current snapshots stay."""
    from exportguard.service.errors import InputError
    from exportguard.service.lists import update_lists

    try:
        results = update_lists(lists or None, token=token, force=force)
    except InputError as exc:
        fail(str(exc))
    if json_out:
        print_json(results)
        return
    for r in results:
        style = {"updated": "green", "unchanged": "dim", "failed": "red"}.get(r["status"], "yellow")
        console.print(f"[{style}]{r['status']:>9}[/] ", end="", highlight=False)
        console.print(r["message"], highlight=False, markup=False)


@app.command("history")
def history(list_id: str = typer.Argument(..., help="List id."),
            json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Stored versions of a list, newest first."""
    from exportguard.service.errors import InputError
    from exportguard.service.lists import list_history

    try:
        rows = list_history(list_id)
    except InputError as exc:
        fail(str(exc))
    if json_out:
        print_json(rows)
        return
    if not rows:
        fail(f"no snapshot of list {list_id!r}")
    for r in rows:
        console.print(f"{r['version']}  loaded {r['loaded_at']}  {r['entity_count']:,} entities"
                      f"{'  (embedded)' if r['embedded'] else ''}", highlight=False)


@app.command("remove")
def remove(list_id: str = typer.Argument(..., help="List id of a user-loaded list.")) -> None:
    """Remove a loaded list; its embedded default (if any) becomes active again."""
    from exportguard.service.errors import InputError
    from exportguard.service.lists import remove_list

    try:
        removed = remove_list(list_id)
    except InputError as exc:
        fail(str(exc))
    if not removed:
        fail(f"no loaded snapshot of list {list_id!r}")
    console.print(f"removed {list_id}", highlight=False)
