"""Helpers shared by the CLI commands: clean errors, JSON output, the console."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn, TypeVar

import typer
from rich.console import Console

console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``error: message`` on stderr and exit with ``code`` (2: invalid input)."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def print_json(data: Any) -> None:
    """JSON on stdout, UTF-8, no Rich markup."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    sys.stdout.write("\n")
    sys.stdout.flush()


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the errors a user can fix into a one-line message and exit 2."""
    from exportguard.service.errors import InputError

    try:
        yield
    except InputError as exc:
        fail(str(exc))
    except FileNotFoundError as exc:
        fail(f"file not found: {exc.filename or exc}")
    except PermissionError as exc:
        fail(f"permission denied: {exc.filename or exc}")
    except IsADirectoryError as exc:
        fail(f"is a directory, not a file: {exc.filename or exc}")


def run_with_progress(label: str, func: Callable[..., Any], *, unit: str = "rows",
                      callback: str = "progress", **kwargs: Any) -> Any:
    """Call ``func(**kwargs)`` with a progress callback ``(done, total)`` under a bar with an
    ETA on stderr (shown on a terminal only). ``callback`` names the keyword ``func``
    takes it as. The first report sets the starting point without a speed sample, so a
    job resumed part-way does not show a false rate."""
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    bar = Progress(
        TextColumn("[progress.description]{task.description}"), BarColumn(),
        TaskProgressColumn(), TextColumn("{task.completed:,}/{task.total:,} " + unit),
        TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
        console=err_console, transient=False, disable=not err_console.is_terminal)
    with bar:
        task = bar.add_task(label, total=None)
        first = True

        def update(done: int, total: int | None) -> None:
            nonlocal first
            if first:
                bar.reset(task, total=total, completed=done)
                first = False
            else:
                bar.update(task, completed=done, total=total)

        return func(**{callback: update}, **kwargs)
