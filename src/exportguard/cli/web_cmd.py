"""Web UI commands: ``users passwd NAME`` and the ``sessions`` group (``list``, ``end``).

Mount :func:`passwd_command` in the ``users`` group
(``users_app.command("passwd")(web_cmd.passwd_command)``) and
:data:`sessions_app` as ``sessions``. The password is read from the terminal
twice (hidden), or from one line of stdin with ``--password-stdin`` (scripts,
CI); only its scrypt hash is stored, and every web session of the user ends.
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
    ended = user.get("sessions_ended", 0)
    typer.echo(f"password set for {user['name']} ({user['role']}): sign in at /login; "
               f"{ended} session{'' if ended == 1 else 's'} ended")


sessions_app = typer.Typer(help="Web UI sessions: list them, end a user's sessions.",
                           no_args_is_help=True)

_DB = typer.Option(None, "--db", metavar="URL",
                   help="Store URL or SQLite file; default: EXPORTGUARD_DB or the home's "
                        "SQLite file.")


@sessions_app.command("list")
def sessions_list(
    user: str | None = typer.Option(None, "--user", help="Only this user's sessions."),
    include_ended: bool = typer.Option(False, "--all",
                                       help="Also ended and expired sessions (newest first)."),
    db: str | None = _DB,
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List web sessions: user, signed in, last seen, address, expiry (active ones by default)."""
    from exportguard.cli.common import print_json
    from exportguard.service.sessions import list_sessions

    with user_errors():
        rows = list_sessions(user=user, include_ended=include_ended, db_url=db)
    if as_json:
        print_json(rows)
        return
    if not rows:
        typer.echo("no active sessions" if not include_ended else "no sessions")
        return
    typer.echo("id\tuser\trole\tsigned in\tlast seen\taddress\texpires\tstate")
    for r in rows:
        state = r["state"] + (f" ({r['revoked_reason']})" if r["revoked_reason"] else "")
        typer.echo("\t".join([str(r["id"]), r["user"], r["role"], r["created_at"][:19],
                              r["last_seen_at"][:19], r["client_address"] or "-",
                              r["expires_at"][:19], state]))


@sessions_app.command("end")
def sessions_end(
    user: str = typer.Argument(..., help="The user whose web sessions end now."),
    db: str | None = _DB,
) -> None:
    """End every web session of a user at once (recorded in the audit log)."""
    from exportguard.service.errors import NotFoundError
    from exportguard.service.sessions import end_sessions

    with user_errors():
        try:
            n = end_sessions(user, db_url=db)
        except NotFoundError as exc:
            fail(str(exc))
    typer.echo(f"{n} session{'' if n == 1 else 's'} of {user} ended")
