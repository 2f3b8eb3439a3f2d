"""Store commands: serve, audit, users, tokens, rescreen, licences and cases.

Every command takes ``--db URL`` (a SQLAlchemy URL or a SQLite file path) to
override ``EXPORTGUARD_DB``; the store is created and migrated on first use.
The CLI acts as ``cli:<login>`` with the admin role: whoever can open the
database can already change it.

Mounted by ``cli/app.py``: ``serve_command`` and ``rescreen_command`` as
commands, ``audit_app``, ``users_app``, ``tokens_app``, ``licences_app`` and
``cases_app`` as groups.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import typer

from exportguard.cli.common import fail, print_json, user_errors

DbOption = typer.Option(None, "--db", metavar="URL",
                        help="Store URL (sqlite:///path, postgresql+psycopg://...) or a "
                             "SQLite file; default: EXPORTGUARD_DB or the home's SQLite file.")
JsonOption = typer.Option(False, "--json", help="Print JSON.")


@contextmanager
def _errors() -> Iterator[None]:
    from exportguard.service.auth import ForbiddenError
    from exportguard.service.errors import ConflictError, NotFoundError

    with user_errors():
        try:
            yield
        except (NotFoundError, ConflictError, ForbiddenError) as exc:
            fail(str(exc.args[0]) if exc.args else str(exc))


def _dump(data: Any) -> Any:
    if hasattr(data, "model_dump"):
        return data.model_dump(mode="json")
    if isinstance(data, list):
        return [_dump(x) for x in data]
    return data


def _parse_date(value: str, what: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{what}: {value!r} is not a date (YYYY-MM-DD)")


# ---------------------------------------------------------------------------
# serve


def serve_command(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
    db: str | None = DbOption,
    workers: int = typer.Option(1, min=1, max=64, help="Worker processes (uvicorn)."),
) -> None:
    """Serve the web UI at / and the HTTP API at /api/v1 (OpenAPI at /openapi.json)."""
    import dataclasses
    import os
    import sys

    import uvicorn

    from exportguard.api.app import create_app
    from exportguard.settings import get_settings
    from exportguard.store.db import normalize_url, redact

    settings = get_settings()
    if db:
        settings = dataclasses.replace(settings, db_url=normalize_url(db))
    with _errors():
        app = create_app(settings)
    typer.echo(f"exportguard web UI on http://{host}:{port}/ and API on "
               f"http://{host}:{port}/api/v1 (docs: /docs), store {redact(settings.db_url)}")
    # Request handling hops between the event loop and the thread pool; a shorter GIL
    # switch interval (default 5 ms) makes each hop cheaper.
    sys.setswitchinterval(0.0005)
    if workers > 1:  # each worker process builds its own app from the environment
        os.environ["EXPORTGUARD_DB"] = settings.db_url
        uvicorn.run("exportguard.api.app:create_app", factory=True, host=host, port=port,
                    workers=workers, log_level="info")
        return
    uvicorn.run(app, host=host, port=port, log_level="info")


# ---------------------------------------------------------------------------
# audit

audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


@audit_app.command("verify")
def audit_verify(
    head: str | None = typer.Option(
        None, "--head", metavar="SEQ:HASH",
        help="A head exported earlier with `audit head`: fail when the log no longer holds "
             "it (entries removed from its end, or the log rewritten)."),
    db: str | None = DbOption, as_json: bool = JsonOption,
) -> None:
    """Recompute the hash chain, and every stored screening's, review action's and case's
    hash against its entry; exit 1 and say what does not hold."""
    from exportguard.store import audit
    from exportguard.store.db import get_database

    if head is not None:
        try:
            audit.parse_head(head)
        except ValueError as exc:
            fail(f"--head: {exc}")
    with _errors(), get_database(db).session() as s:
        result = audit.verify(s, head=head)
    if as_json:
        print_json(result.to_dict())
    elif result.ok:
        n = result.records
        typer.echo(f"audit log OK: {result.entries} entries, head {result.head_seq}:"
                   f"{result.head_hash}; records match their entries: {n.get('screenings', 0)} "
                   f"screenings, {n.get('review_actions', 0)} review actions, "
                   f"{n.get('cases', 0)} cases"
                   + (f"; exported head {head.strip()} present" if head else ""))
    else:
        if not result.chain_ok:
            typer.echo(f"audit log BROKEN at entry seq {result.first_broken_seq} "
                       f"(id {result.first_broken_id}): {result.reason}")
        if result.head_ok is False:
            typer.echo(f"exported head NOT in the log: {result.head_reason}")
        if result.problems:
            typer.echo(f"{len(result.problems)} record(s) do not match the audit log:")
            for p in result.problems[:50]:
                typer.echo(f"  {p.reason}" + (f" [audit entry seq {p.seq}]"
                                              if p.seq is not None else ""))
            if len(result.problems) > 50:
                typer.echo(f"  ... and {len(result.problems) - 50} more (--json lists all)")
    if not result.ok:
        raise typer.Exit(1)


@audit_app.command("head")
def audit_head(db: str | None = DbOption, as_json: bool = JsonOption) -> None:
    """Print the last entry's SEQ:HASH: keep it elsewhere, and check it later with
    `audit verify --head SEQ:HASH` (a log whose tail was removed no longer holds it)."""
    from exportguard.store import audit
    from exportguard.store.db import get_database

    with _errors(), get_database(db).session() as s:
        h = audit.head(s)
    if as_json:
        print_json(h.to_dict())
    elif h.hash is None:
        typer.echo("the audit log is empty: no head to export yet")
    else:
        typer.echo(f"{h.seq}:{h.hash}  (entry {h.seq}, written {h.at}; check later with "
                   f"`exportguard audit verify --head {h.seq}:{h.hash}`)")


@audit_app.command("log")
def audit_log(
    object_type: str | None = typer.Option(None, "--type", help="screening, case, licence, ..."),
    object_id: str | None = typer.Option(None, "--id", help="The object's id."),
    limit: int = typer.Option(100, min=1),
    db: str | None = DbOption,
) -> None:
    """Print audit entries (JSON lines), oldest first."""
    from exportguard.service.records import audit_trail

    with _errors():
        for entry in audit_trail(object_type, object_id, limit, db):
            typer.echo(json.dumps(entry, ensure_ascii=False))


# ---------------------------------------------------------------------------
# users and tokens

users_app = typer.Typer(help="API users and their roles.", no_args_is_help=True)


@users_app.command("add")
def users_add(
    name: str = typer.Argument(..., help="User name (no spaces)."),
    role: str = typer.Option("screener", help="screener, reviewer or admin."),
    db: str | None = DbOption,
) -> None:
    """Add a user."""
    from exportguard.service.auth import add_user

    with _errors():
        user = add_user(name, role, db_url=db)
    typer.echo(f"user {user['name']} ({user['role']}) added; create a token with "
                  f"`exportguard tokens create {user['name']}`")


@users_app.command("list")
def users_list(db: str | None = DbOption, as_json: bool = JsonOption) -> None:
    """List users."""
    from exportguard.service.auth import list_users

    with _errors():
        users = list_users(db)
    if as_json:
        print_json(users)
        return
    for u in users:
        typer.echo(f"{u['name']}\t{u['role']}{'  (disabled)' if u['disabled'] else ''}")


tokens_app = typer.Typer(help="API tokens (stored hashed; shown once).", no_args_is_help=True)


@tokens_app.command("create")
def tokens_create(
    user: str = typer.Argument(..., help="The user the token acts as."),
    label: str | None = typer.Option(None, help="What the token is for."),
    expires: str | None = typer.Option(None, help="Expiry date (YYYY-MM-DD)."),
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Create a token; it is printed once and only its hash is stored."""
    from exportguard.service.auth import create_token

    expires_at = None
    if expires:
        d = _parse_date(expires, "--expires")
        expires_at = datetime(d.year, d.month, d.day, tzinfo=UTC)
    with _errors():
        out = create_token(user, label=label, expires_at=expires_at, db_url=db)
    if as_json:
        print_json(out)
    else:
        typer.echo(out["token"])
        typer.echo(f"(token {out['id']} for {out['user']}, role {out['role']}: store it now, "
                   "it cannot be shown again)", err=True)


@tokens_app.command("list")
def tokens_list(user: str | None = typer.Option(None, "--user", help="Only this user's tokens."),
                db: str | None = DbOption, as_json: bool = JsonOption) -> None:
    """List tokens (id, user, prefix, label, dates, state); never the token itself."""
    from exportguard.service.auth import list_tokens

    with _errors():
        rows = list_tokens(user=user, db_url=db)
    if as_json:
        print_json(rows)
        return
    for t in rows:
        typer.echo("\t".join([str(t["id"]), t["user"], t["prefix"] + "…", t["label"] or "-",
                              t["created_at"][:19], (t["expires_at"] or "never")[:19],
                              t["state"]]))


@tokens_app.command("revoke")
def tokens_revoke(token_id: int = typer.Argument(..., help="The token's id."),
                  db: str | None = DbOption) -> None:
    """Revoke a token."""
    from exportguard.service.auth import revoke_token

    with _errors():
        out = revoke_token(token_id, db_url=db)
    typer.echo(f"token {out['id']} ({out['prefix']}…) revoked")


# ---------------------------------------------------------------------------
# rescreen


def rescreen_command(
    since: str = typer.Option(..., "--since", help="Rescreen shipments recorded since this "
                                                   "date (YYYY-MM-DD)."),
    policy: str | None = typer.Option(None, help="Policy name or YAML file."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Report only; store nothing."),
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Screen stored shipments again (after a list update) and report every changed decision."""
    from exportguard.service.records import rescreen_since

    day = _parse_date(since, "--since")
    with _errors():
        report = rescreen_since(day, policy=policy, dry_run=dry_run, db_url=db)
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    typer.echo(f"rescreened {report.screened} shipment(s) recorded since {day}; "
                  f"{len(report.changed)} decision(s) changed"
                  f"{' (dry run: nothing stored)' if dry_run else ''}")
    for c in report.changed:
        typer.echo(f"  {c.shipment_id or '?'}\t{c.before} -> {c.after}\t"
                      f"screening {c.screening_id}"
                      + (f" -> {c.new_screening_id}" if c.new_screening_id else ""))
    for e in report.errors:
        typer.echo(f"  error: screening {e['screening_id']}: {e['error']}")


# ---------------------------------------------------------------------------
# licences

licences_app = typer.Typer(help="The licence register.", no_args_is_help=True)


def _split(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out += [x.strip() for x in v.split(",") if x.strip()]
    return out


@licences_app.command("add")
def licences_add(
    number: str | None = typer.Argument(None, help="Licence number."),
    holder: str | None = typer.Option(None, help="Licence holder (the exporter)."),
    control_code: list[str] | None = typer.Option(None, "--control-code",
                                                  help="Control-list code (repeat or comma)."),
    hs_code: list[str] | None = typer.Option(None, "--hs-code",
                                             help="HS code or prefix (repeat or comma)."),
    destination: list[str] | None = typer.Option(None, "--destination",
                                                 help="ISO alpha-2 country (repeat or comma)."),
    end_user: str | None = typer.Option(None, help="End user named on the certificate."),
    quantity_limit: float | None = typer.Option(None, help="Total quantity allowed."),
    value_limit: float | None = typer.Option(None, help="Total value allowed."),
    currency: str | None = typer.Option(None, help="Currency of the value limit."),
    valid_from: str | None = typer.Option(None, help="First valid day (YYYY-MM-DD)."),
    valid_until: str | None = typer.Option(None, help="Last valid day (YYYY-MM-DD)."),
    euc: str | None = typer.Option(None, "--euc", help="End-user certificate reference."),
    authority: str | None = typer.Option(None, help="Issuing authority."),
    from_file: Path | None = typer.Option(None, "--file", help="A licence as a JSON object "
                                                               "(the API's LicenceIn)."),
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Add a licence to the register."""
    from exportguard.service.licences import add_licence

    data: dict[str, Any]
    if from_file is not None:
        with user_errors():
            data = json.loads(from_file.read_text(encoding="utf-8"))
    else:
        data = {"number": number, "holder": holder, "control_codes": _split(control_code),
                "hs_codes": _split(hs_code), "destinations": _split(destination),
                "end_user": end_user, "quantity_limit": quantity_limit,
                "value_limit": value_limit, "currency": currency, "valid_from": valid_from,
                "valid_until": valid_until, "euc_reference": euc, "authority": authority}
        data = {k: v for k, v in data.items() if v is not None}
    with _errors():
        out = add_licence(data, db_url=db)
    if as_json:
        print_json(out.model_dump(mode="json"))
    else:
        typer.echo(f"licence {out.number} added (valid {out.valid_from} to "
                      f"{out.valid_until})")


@licences_app.command("list")
def licences_list(
    status: str | None = typer.Option(None, help="active or revoked."),
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """List the register."""
    from exportguard.service.licences import list_licences

    with _errors():
        items = list_licences(status=status, limit=100_000, db_url=db)
    if as_json:
        print_json(_dump(items))
        return
    for x in items:
        left = "" if x.quantity_remaining is None else f" qty left {x.quantity_remaining:g}"
        typer.echo(f"{x.number}\t{x.status}\t{x.holder}\t{x.valid_from}..{x.valid_until}"
                      f"{left}")


@licences_app.command("show")
def licences_show(number: str, db: str | None = DbOption) -> None:
    """Show one licence (JSON)."""
    from exportguard.service.licences import get_licence

    with _errors():
        print_json(get_licence(number, db_url=db).model_dump(mode="json"))


@licences_app.command("revoke")
def licences_revoke(number: str, reason: str = typer.Option(..., help="Why (mandatory)."),
                    db: str | None = DbOption) -> None:
    """Revoke a licence (licences are never deleted)."""
    from exportguard.service.licences import revoke_licence

    with _errors():
        out = revoke_licence(number, reason, db_url=db)
    typer.echo(f"licence {out.number} revoked")


# ---------------------------------------------------------------------------
# cases

cases_app = typer.Typer(help="Review cases opened by holds.", no_args_is_help=True)


@cases_app.command("list")
def cases_list(
    status: str = typer.Option("open", help="open, released, denied or all."),
    limit: int = typer.Option(50, min=1),
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """List review cases, newest first."""
    from exportguard.service.review import list_cases

    with _errors():
        items = list_cases(None if status == "all" else status, limit=limit, db_url=db)
    if as_json:
        print_json(_dump(items))
        return
    for c in items:
        typer.echo(f"{c.id}\t{c.status}\t{c.shipment_id or '-'}\tscreening {c.screening_id}"
                      f"\topened {c.opened_at:%Y-%m-%d %H:%M}")


@cases_app.command("show")
def cases_show(case_id: int, db: str | None = DbOption) -> None:
    """Show one case with its actions (JSON)."""
    from exportguard.service.review import get_case

    with _errors():
        print_json(get_case(case_id, db_url=db).model_dump(mode="json"))


@cases_app.command("release")
def cases_release(
    case_id: int,
    reason: str = typer.Option(..., help="Why (mandatory)."),
    outcome: str = typer.Option("CLEAR", help="CLEAR or LICENSED."),
    expires: str | None = typer.Option(
        None, help="The release holds through this date (YYYY-MM-DD, UTC), then lapses."),
    db: str | None = DbOption,
) -> None:
    """Release a hold."""
    from exportguard.service.review import release
    from exportguard.service.schemas import ReleaseIn

    with _errors():
        body = _validated(ReleaseIn, {"reason": reason, "outcome": outcome.upper(),
                                      "expires_at": expires})
        out = release(case_id, body, db_url=db)
    typer.echo(f"case {out.id} released as {out.outcome}")


@cases_app.command("confirm")
def cases_confirm(case_id: int, reason: str = typer.Option(..., help="Why (mandatory)."),
                  db: str | None = DbOption) -> None:
    """Confirm a hold: the shipment is denied."""
    from exportguard.service.review import confirm
    from exportguard.service.schemas import ConfirmIn

    with _errors():
        out = confirm(case_id, _validated(ConfirmIn, {"reason": reason}), db_url=db)
    typer.echo(f"case {out.id} confirmed: DENY")


@cases_app.command("false-positive")
def cases_false_positive(
    case_id: int,
    party: str = typer.Option(..., help="'party[i]' or the party name as screened."),
    entity_id: str = typer.Option(..., "--entity", help="The list entry (e.g. ofac_sdn:1234)."),
    reason: str = typer.Option(..., help="Why this party is not that entry (mandatory)."),
    db: str | None = DbOption,
) -> None:
    """Mark a party match as a false positive (remembered for that name and list entry)."""
    from exportguard.service.review import mark_false_positive
    from exportguard.service.schemas import FalsePositiveIn

    with _errors():
        body = _validated(FalsePositiveIn, {"reason": reason, "entity_id": entity_id,
                                            "party": party})
        out = mark_false_positive(case_id, body, db_url=db)
    typer.echo(f"{out.party_name!r} is not {out.entity_id}: remembered as false positive "
               f"{out.id} (void if the list entry changes)")


def _validated(model: Any, data: dict[str, Any]) -> Any:
    from pydantic import ValidationError

    from exportguard.service.errors import InputError

    try:
        return model.model_validate({k: v for k, v in data.items() if v is not None})
    except ValidationError as exc:
        from exportguard.api.errors import validation_message

        raise InputError(validation_message(list(exc.errors()))[0]) from None
