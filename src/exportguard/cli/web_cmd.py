"""Web UI commands: ``exportguard users passwd NAME`` sets a user's web sign-in password.

Mount :func:`passwd_command` in the ``users`` group
(``users_app.command("passwd")(web_cmd.passwd_command)``). The password is
read from the terminal twice (hidden), or from one line of stdin with
``--password-stdin`` (scripts, CI); only its scrypt hash is stored.
"""

from __future__ import annotations

import sys

import typer

from exportguard.cli.common import fail, user_errors


def passwd_command(
    name: str = typer.Argument(..., help="The user (see `exportguard users list`)."),
    password_stdin: bool = typer.Option(False, "--password-stdin",
                                        help="Read the password from the first line of stdin."),
    db: str | None = typer.Option(None, "--db", metavar="URL",
                                  help="Store URL or SQLite file; default: EXPORTGUARD_DB or "
                                       "the home's SQLite file."),
) -> None:
    """Set a user's password for the web UI (stored as an scrypt hash)."""
    from exportguard.service.errors import NotFoundError
    from exportguard.service.passwords import MIN_LENGTH, set_password

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt(f"New web password for {name} (at least {MIN_LENGTH} characters)",
                                hide_input=True, confirmation_prompt=True)
    with user_errors():
        try:
            user = set_password(name, password, db_url=db)
        except NotFoundError as exc:
            fail(str(exc))
    typer.echo(f"password set for {user['name']} ({user['role']}): sign in at /login")
