"""The `exportguard` command line: a thin face over the service layer.

Each command lives in its own module beside this one; this module only mounts
them. Commands import their heavy dependencies lazily so `--help` stays fast.
"""

from __future__ import annotations

import typer

from exportguard import __version__

app = typer.Typer(
    name="exportguard",
    help="Export-control screening: parties, items, routes and policy, with reasons.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"exportguard {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """exportguard."""


def _mount() -> None:
    from exportguard.cli import (
        batch_cmd,
        demo_cmd,
        lists_cmd,
        match_cmd,
        records_cmd,
        screen_cmd,
        web_cmd,
    )

    app.command("match")(match_cmd.match)
    app.command("compare")(match_cmd.compare)
    app.command("screen")(screen_cmd.screen)
    app.command("demo")(demo_cmd.demo)
    app.add_typer(lists_cmd.app, name="lists")
    app.command("batch")(batch_cmd.batch)
    app.command("batch-report")(batch_cmd.batch_report)
    app.command("synth-trades")(batch_cmd.synth_trades)
    app.command("serve")(records_cmd.serve_command)
    app.command("rescreen")(records_cmd.rescreen_command)
    records_cmd.users_app.command("passwd")(web_cmd.passwd_command)
    for name, group in [("cases", records_cmd.cases_app),
                        ("licences", records_cmd.licences_app),
                        ("audit", records_cmd.audit_app),
                        ("users", records_cmd.users_app),
                        ("tokens", records_cmd.tokens_app),
                        ("sessions", web_cmd.sessions_app)]:
        app.add_typer(group, name=name)


_mount()


def main() -> None:
    """Entry point: unexpected errors become one line on stderr (exit 1), not a traceback.

    Set ``EXPORTGUARD_DEBUG=1`` to see the traceback.
    """
    from exportguard.settings import get_settings

    try:
        app()
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        raise SystemExit(130) from None
    except Exception as exc:
        if get_settings().debug:
            raise
        typer.echo(f"error: {type(exc).__name__}: {exc} (set EXPORTGUARD_DEBUG=1 for details)",
                   err=True)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
