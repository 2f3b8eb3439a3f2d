"""The `exportguard` command line: a thin face over the service layer.

Each command lives in its own module beside this one; this module only mounts
them. Commands import their heavy dependencies lazily so `--help` stays fast.
"""

from __future__ import annotations

import importlib

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
    from exportguard.cli import match_cmd

    app.command("match")(match_cmd.match)
    app.command("compare")(match_cmd.compare)
    # Parts that land in their own modules; each is mounted when present.
    for module_name, mounts in _OPTIONAL.items():
        try:
            module = importlib.import_module(f"exportguard.cli.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"exportguard.cli.{module_name}":
                raise
            continue
        for kind, attr, cli_name in mounts:
            obj = getattr(module, attr)
            if kind == "command":
                app.command(cli_name)(obj)
            else:
                app.add_typer(obj, name=cli_name)


_OPTIONAL: dict[str, list[tuple[str, str, str]]] = {
    "lists_cmd": [("group", "app", "lists")],
    "screen_cmd": [("command", "screen", "screen")],
    "demo_cmd": [("command", "demo", "demo")],
}

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
