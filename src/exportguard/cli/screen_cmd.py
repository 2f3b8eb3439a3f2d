"""`exportguard screen`: screen a shipment (or a JSON-lines file of them) against policy and lists.

``exportguard screen SHIPMENT.json [--policy NAME|FILE] [--allow-stale-lists] --json``
prints the decision as JSON; without ``--json`` a readable report. Exit 0
whatever the decision; exit 2 with a message on stderr for invalid input.
``exportguard screen --input SHIPMENTS.jsonl --output DECISIONS.jsonl`` screens
many; a bad line becomes an error record naming the line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.panel import Panel
from rich.table import Table

from exportguard.cli.common import console, err_console, fail, print_json, user_errors

_DECISION_STYLE = {
    "DENY": "bold white on red",
    "HOLD": "bold black on yellow",
    "LICENSE_REQUIRED": "bold white on blue",
    "LICENSED": "bold white on dark_green",
    "CLEAR": "bold white on green",
}
_SEVERITY_STYLE = {
    "deny": "bold red",
    "hold": "yellow",
    "license_required": "blue",
    "licensed": "green",
    "warning": "magenta",
    "info": "dim",
}


def screen(
    shipment: Path | None = typer.Argument(
        None, help="Shipment JSON file (omit with --input).", show_default=False
    ),
    policy: str | None = typer.Option(
        None, "--policy", "-p", help="Shipped policy name (default, eu-833) or a YAML file."
    ),
    allow_stale_lists: bool | None = typer.Option(
        None, "--allow-stale-lists/--no-allow-stale-lists",
        help="Lists older than the policy allows give a warning instead of a hold "
             "(default: EXPORTGUARD_ALLOW_STALE_LISTS).",
        show_default=False,
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the decision as JSON."),
    input_file: Path | None = typer.Option(
        None, "--input", "-i", help="JSON-lines file, one shipment per line."
    ),
    output_file: Path | None = typer.Option(
        None, "--output", "-o", help="Where to write decisions as JSON lines (with --input)."
    ),
) -> None:
    """Screen a shipment: decision (DENY, HOLD, LICENSE_REQUIRED, LICENSED, CLEAR) with findings."""
    from exportguard.service import screening

    if input_file is not None:
        if shipment is not None:
            fail("give either SHIPMENT.json or --input FILE, not both")
        if output_file is None:
            fail("--input needs --output FILE for the decisions")
        with user_errors():
            summary = screening.screen_file(input_file, output_file, policy, allow_stale_lists)
        counts = ", ".join(f"{k} {v}" for k, v in sorted((summary.decisions or {}).items()))
        err_console.print(
            f"screened {summary.screened} of {summary.total} shipments"
            + (f" ({counts})" if counts else "")
            + (f"; {summary.errors} invalid (see error records)" if summary.errors else "")
            + f" → {output_file}",
            highlight=False,
        )
        if as_json:
            print_json({"total": summary.total, "screened": summary.screened,
                        "errors": summary.errors, "decisions": summary.decisions,
                        "output": str(output_file)})
        return
    if output_file is not None:
        fail("--output goes with --input")
    if shipment is None:
        fail("give a SHIPMENT.json file (or --input FILE.jsonl --output FILE.jsonl)")
    with user_errors():
        data = screening.read_shipment_file(shipment)
        decision = screening.screen_shipment(data, policy, allow_stale_lists)
    if as_json:
        print_json(decision.to_dict())
    else:
        render(decision.to_dict())


def render(d: dict[str, Any]) -> None:
    """A readable report of a decision dict."""
    kind = d["decision"]
    pol = d["policy"]
    header = (
        f"[{_DECISION_STYLE.get(kind, 'bold')}] {kind} [/]  shipment "
        f"[bold]{d.get('shipment_id') or '?'}[/]\n"
        f"policy {pol['id']} {pol['version']} (sha256 {pol['sha256'][:12]}) · "
        f"screened {d['screened_at']} · engine {d['engine_version']}"
    )
    console.print(Panel(header, title="exportguard screen", expand=False))
    findings = d["findings"]
    if findings:
        table = Table(show_lines=False, title="Findings", title_justify="left")
        table.add_column("severity", no_wrap=True)
        table.add_column("rule", no_wrap=True)
        table.add_column("subject", no_wrap=True)
        table.add_column("finding", overflow="fold", ratio=1)
        for f in findings:
            style = _SEVERITY_STYLE.get(f["severity"], "")
            table.add_row(f"[{style}]{f['severity']}[/]", f["rule"], f["subject"], f["message"])
        console.print(table)
    else:
        console.print("No findings: uncontrolled goods, no list matches.")
    matches = d["party_matches"]
    if matches:
        mt = Table(title="Party matches", title_justify="left")
        for col in ("party", "role", "list", "entity", "matched name", "score"):
            mt.add_column(col)
        for m in matches:
            mt.add_row(f"{m['party']} {m['party_name']}", m["role"], m["list"],
                       f"{m['name']} ({m['entity_id']})", m["matched_name"], f"{m['score']:.2f}")
        console.print(mt)
    lists = ", ".join(f"{x['id']} {x['date'] or '?'}" for x in d["lists"]) or "none"
    console.print(f"[dim]lists: {lists}[/]", highlight=False)
