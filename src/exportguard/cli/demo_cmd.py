"""`exportguard demo`: a tour on the loaded official lists, for a first run.

Shows the loaded lists, screens a few names (one in Cyrillic), and screens
every example shipment in ``examples/`` against the policy it names, printing
the decision beside the one the example expects.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from exportguard.cli.common import console, fail

DEMO_NAMES = ("Vladimir Putin", "Владимир Путин", "Rosoboronexport JSC", "Jane Example Doe")
DECISION_STYLE = {"DENY": "bold red", "HOLD": "bold yellow", "LICENSE_REQUIRED": "bold blue",
                  "LICENSED": "bold cyan", "CLEAR": "bold green"}


def demo(
    examples: Path = typer.Option(Path("examples"), "--examples",
                                  help="Folder with example shipments and manifest.json."),
) -> None:
    """Run a short tour: list status, name matches, and every example shipment."""
    from exportguard.cli.lists_cmd import HOW_TO_GET_LISTS
    from exportguard.service import lists as lists_svc
    from exportguard.service import names as names_svc
    from exportguard.service import screening as screening_svc

    status = [r for r in lists_svc.list_status() if r["id"] != "*"]
    if not status:
        fail(HOW_TO_GET_LISTS + " The demo needs them: e.g. `exportguard lists import "
             "../shared/data/lists` in the project's repository.", code=1)
    table = Table(title="Loaded lists")
    for col in ("list", "date", "age (days)", "entities", "orphans"):
        table.add_column(col)
    for row in status:
        table.add_row(row["id"], str(row["publication_date"]), str(row["age_days"]),
                      f"{row['entity_count']:,}", f"{row['orphan_count']:,}")
    console.print(table)

    for name in DEMO_NAMES:
        result = names_svc.match_name(name, limit=3)
        hits = ", ".join(f"{m['list']}:{m['name']} ({m['score']:.2f})" for m in result["matches"])
        console.print(f"match [bold]{name}[/] → {hits or 'no match'}")

    manifest = examples / "manifest.json"
    if not manifest.is_file():
        fail(f"{manifest} not found: run the demo from the repository root or pass --examples")
    console.print(
        "\nLists older than the policies allow make a real screening HOLD (fail closed); the "
        "demo passes --allow-stale-lists to show each rule."
    )
    shown = Table(title="Example shipments")
    for col in ("file", "policy", "decision", "expected", "rules that fired"):
        shown.add_column(col, overflow="fold")
    mismatches = 0
    for case in json.loads(manifest.read_text(encoding="utf-8")):
        data = screening_svc.read_shipment_file(examples / case["file"])
        decision = screening_svc.screen_shipment(data, case["policy"], allow_stale_lists=True)
        got = str(decision.decision.value if hasattr(decision.decision, "value")
                  else decision.decision)
        mismatches += got != case["decision"]
        rules = sorted({f.rule for f in decision.findings if f.rule != "list_freshness"})
        style = DECISION_STYLE.get(got, "")
        shown.add_row(case["file"], case["policy"], f"[{style}]{got}[/]", case["decision"],
                      ", ".join(rules))
    console.print(shown)
    if mismatches:
        fail(f"{mismatches} example(s) did not get their expected decision", code=1)
    console.print("[green]All examples got their expected decision.[/]")
