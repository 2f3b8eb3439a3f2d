"""`exportguard lists status|load|import|update|history|remove`: list snapshots on the command
line."""

from __future__ import annotations

from pathlib import Path

import typer

from exportguard.cli.common import console, err_console, fail, print_json, run_with_progress

app = typer.Typer(
    help="Sanctions and export-control lists: status, load official files, import a folder of "
    "them, update from the publishers when online.",
    no_args_is_help=True,
)

HOW_TO_GET_LISTS = ("No list is loaded, so every screening is held. Get the lists with "
                    "`exportguard lists update` (online: downloads each from its publisher) or "
                    "`exportguard lists import DIR` (a folder of the publishers' files).")


@app.command("status")
def status(
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    max_age: int | None = typer.Option(
        None, "--max-age", help="Days after which a list counts as stale (default: the "
        "default policy's maximum list age, after which screening holds)."),
) -> None:
    """Show the active snapshot of every list: source, date, age, entities, licence."""
    from exportguard.service.errors import InputError
    from exportguard.service.lists import list_status

    try:
        rows = list_status(max_age_days=max_age)
    except InputError as exc:
        fail(str(exc))
    if json_out:
        print_json(rows)
        return
    if not rows or all(r["id"] == "*" for r in rows):
        console.print(HOW_TO_GET_LISTS, highlight=False, markup=False, soft_wrap=True)
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
    table.add_column("licence", overflow="ellipsis", max_width=24, no_wrap=True)
    table.add_column("source", overflow="ellipsis", max_width=30, no_wrap=True)
    from rich.text import Text

    for r in rows:
        age = Text("" if r["age_days"] is None else f"{r['age_days']} d")
        if r["stale"]:
            age = Text(f"{age} stale", style="yellow")
        source = Text(r.get("source_files") or "")
        if r["problem"]:
            source = Text(r["problem"], style="red")
        table.add_row(r["id"], r["title"] or "", r["publication_date"] or "", age,
                      f"{r['entity_count']:,}", str(r["skipped_count"]), str(r["orphan_count"]),
                      r.get("licence") or "", source)
    from rich.console import Console

    out = console if console.is_terminal else Console(width=170)
    out.print(table)


@app.command("import")
def import_(
    folder: Path = typer.Argument(..., help="A folder of the publishers' list files, searched "
                                  "recursively (e.g. ../shared/data/lists)."),
    force: bool = typer.Option(False, "--force", help="Load even if a list shrank by half, "
                               "and reload lists whose files are unchanged."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON results."),
) -> None:
    """Load every list file found in a folder, each as a snapshot (format found by content).

    Exit 0 when every list found loaded (or was unchanged), 1 when some list failed to
    load (its previous snapshot stays), 2 when the folder holds no list file."""
    from exportguard.service.errors import InputError
    from exportguard.service.lists import import_lists

    try:
        out = run_with_progress("importing lists", import_lists, unit="lists",
                                folder=folder, force=force)
    except InputError as exc:
        fail(str(exc))
    failed = [r for r in out["lists"] if r["status"] == "failed"]
    if json_out:
        print_json(out)
    else:
        style = {"loaded": "green", "unchanged": "dim", "failed": "red"}
        for r in out["lists"]:
            console.print(f"[{style[r['status']]}]{r['status']:>9}[/] ", end="", highlight=False)
            console.print(f"{r['list_id']:<10} {r['message']}  <- {', '.join(r['files'])}",
                          highlight=False, markup=False, soft_wrap=True)
        for s in out["superseded"]:
            console.print(f"   older  {s['list_id']:<10} not loaded: {', '.join(s['files'])} "
                          f"(a newer set was: {', '.join(s['instead'])})",
                          highlight=False, markup=False, style="dim", soft_wrap=True)
        for u in out["skipped_files"]:
            console.print(f"  skipped {u['file']}: {u['reason']}", highlight=False,
                          markup=False, style="dim")
    if failed:
        raise typer.Exit(1)


@app.command("load")
def load(
    format: str = typer.Argument(..., help="un, ofac, ofac-enhanced, csl, bis-dpl, uk-ofsi, "
                                 "eu-fsf, eu-oj, cn-lists or ftm"),
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
    lists: list[str] = typer.Argument(None, help="List ids (default: every loaded list and "
                                      "every list with an official download)."),
    token: str | None = typer.Option(None, "--token", help="Download token (EU FSF)."),
    force: bool = typer.Option(False, "--force", help="Load even if a list shrank by half."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON results."),
) -> None:
    """Download the official files and load them; a list that cannot be reached keeps its
    snapshot. Exit 1 when some list could not be updated."""
    from exportguard.service.errors import InputError
    from exportguard.service.lists import update_lists

    try:
        results = run_with_progress("updating lists", update_lists, unit="lists",
                                    list_ids=lists or None, token=token, force=force)
    except InputError as exc:
        fail(str(exc))
    if json_out:
        print_json(results)
    else:
        for r in results:
            style = {"updated": "green", "unchanged": "dim", "failed": "red"}.get(r["status"],
                                                                                 "yellow")
            console.print(f"[{style}]{r['status']:>9}[/] ", end="", highlight=False)
            console.print(r["message"], highlight=False, markup=False)
        not_done = [r["list_id"] for r in results if r["status"] in ("failed", "skipped")]
        if not_done:
            err_console.print(f"not updated: {', '.join(not_done)} (see above); "
                              "`exportguard lists import DIR` loads files you downloaded "
                              "yourself", highlight=False, markup=False)
    if any(r["status"] == "failed" for r in results):
        raise typer.Exit(1)


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
        console.print(f"{r['version']}  loaded {r['loaded_at']}  {r['entity_count']:,} entities",
                      highlight=False)


@app.command("remove")
def remove(list_id: str = typer.Argument(..., help="List id of a user-loaded list.")) -> None:
    """Remove a loaded list (screening then goes without it)."""
    from exportguard.service.errors import InputError
    from exportguard.service.lists import remove_list

    try:
        removed = remove_list(list_id)
    except InputError as exc:
        fail(str(exc))
    if not removed:
        fail(f"no loaded snapshot of list {list_id!r}")
    console.print(f"removed {list_id}", highlight=False)
