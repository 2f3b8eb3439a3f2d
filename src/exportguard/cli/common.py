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
    """Print ``error: message`` on stderr and exit with ``code`` (2: invalid input).

    The message is plain text: square brackets in it (``pip install 'x[spark]'``, a file
    named ``[x].json``) are printed as written, never read as markup."""
    from rich.text import Text

    err_console.print(Text.assemble(("error:", "bold red"), " ", message), highlight=False,
                      soft_wrap=True)
    raise typer.Exit(code)


def print_json(data: Any) -> None:
    """JSON on stdout, UTF-8, no Rich markup."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    sys.stdout.write("\n")
    sys.stdout.flush()


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the errors a user can fix into a one-line message and exit 2 (1 when the lists
    needed to answer are missing or broken: nothing is answered then)."""
    from exportguard.service.errors import InputError, ListsUnavailableError

    try:
        yield
    except InputError as exc:
        fail(str(exc))
    except ListsUnavailableError as exc:
        fail(f"cannot screen names: {exc}", code=1)
    except FileNotFoundError as exc:
        fail(f"file not found: {exc.filename or exc}")
    except PermissionError as exc:
        fail(f"permission denied: {exc.filename or exc}")
    except IsADirectoryError as exc:
        fail(f"is a directory, not a file: {exc.filename or exc}")


class _CountColumn:
    """``done/total unit`` that copes with a total not known yet (``None``)."""

    def __init__(self, unit: str) -> None:
        self.unit = unit

    def __call__(self, task: Any) -> str:
        total = f"{int(task.total):,}" if task.total is not None else "?"
        return f"{int(task.completed):,}/{total} {self.unit}"


PLAIN_EVERY_S = 10.0


def run_with_progress(label: str, func: Callable[..., Any], *, unit: str = "rows",
                      callback: str = "progress", **kwargs: Any) -> Any:
    """Call ``func(**kwargs)`` with a progress callback ``(done, total)``.

    On a terminal: a bar with rate and ETA on stderr. Piped or redirected: a plain line
    on stderr every ``PLAIN_EVERY_S`` seconds and one at the end. ``callback`` names the
    keyword ``func`` takes it as. The first report sets the starting point without a
    speed sample, so a job resumed part-way does not show a false rate."""
    import time

    from rich.progress import (
        BarColumn,
        Progress,
        ProgressColumn,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    counter = _CountColumn(unit)

    class CountColumn(ProgressColumn):
        def render(self, task: Any) -> Text:
            return Text(counter(task))

    if not err_console.is_terminal:
        started = time.monotonic()
        last = [started, -1]

        def plain(done: int, total: int | None) -> None:
            now = time.monotonic()
            finished = total is not None and done >= total
            if (now - last[0] >= PLAIN_EVERY_S or finished) and done != last[1]:
                last[0], last[1] = now, done
                of = f"/{total:,}" if total is not None else ""
                sys.stderr.write(f"{label}: {done:,}{of} {unit} ({now - started:.0f} s)\n")
                sys.stderr.flush()

        return func(**{callback: plain}, **kwargs)

    bar = Progress(
        TextColumn("[progress.description]{task.description}"), BarColumn(),
        TaskProgressColumn(), CountColumn(), TimeElapsedColumn(), TextColumn("ETA"),
        TimeRemainingColumn(), console=err_console, transient=False)
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
