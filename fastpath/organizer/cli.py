"""`flask --app app organizer ...` (accounts) and `flask --app app export ...` (CSV files).

There is no sign-up page: organizer accounts exist only because someone with shell access to
the server made them here.
"""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup, with_appcontext

from ..core.audit import AuditAction, record
from ..core.extensions import db
from . import exports, services
from .models import OrganizerRole

organizer_cli = AppGroup("organizer", help="Organizer accounts (there is no sign-up page).")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        # One line; the trailing newline is not part of the password.
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt="Repeat the password")


@organizer_cli.command("create")
@click.argument("email")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input (scripts)."
)
@click.option(
    "--role",
    type=click.Choice([role.value for role in OrganizerRole]),
    default=OrganizerRole.CHAIR.value,
    show_default=True,
    help="chair: the whole organizers' area; reviewer: only their assigned submissions.",
)
@click.option("--name", default="", help="Shown to the chairs; used to suggest conflicts.")
@click.option("--affiliation", default="", help="Used to suggest conflicts of interest.")
def create_command(
    email: str, password_stdin: bool, role: str, name: str, affiliation: str
) -> None:
    """Create an organizer account (a chair unless --role reviewer); asks for the password
    twice."""
    password = _read_password(password_stdin)
    try:
        organizer = services.create_organizer(
            email, password, role=OrganizerRole(role), name=name, affiliation=affiliation
        )
    except services.AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    what = "Organizer" if organizer.is_chair else "Reviewer"
    click.echo(f"{what} {organizer.email} created. Sign in at /organizer/login.")


@organizer_cli.command("set-password")
@click.argument("email")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input (scripts)."
)
def set_password_command(email: str, password_stdin: bool) -> None:
    """Set a new password (ends the organizer's sessions and lifts a lockout)."""
    organizer = services.find_organizer(email)
    if organizer is None:
        raise click.ClickException(f"no organizer with the address {email.strip()}")
    password = _read_password(password_stdin)
    try:
        services.set_password(organizer, password)
    except services.AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Password of {organizer.email} changed; their sessions have ended.")


@organizer_cli.command("list")
def list_command() -> None:
    """List the organizer accounts."""
    organizers = services.list_organizers()
    if not organizers:
        click.echo("No organizers yet. Create one with: flask --app app organizer create EMAIL")
        return
    for organizer in organizers:
        last = organizer.last_sign_in_at
        seen = f"last signed in {exports.iso_time(last)}" if last else "never signed in"
        paused = services.sign_in_pauses(organizer)
        locked = "".join(
            f" (paused from {client} until {exports.iso_time(until)})" for client, until in paused
        )
        created = exports.iso_time(organizer.created_at)
        # The role after the columns scripts already read; the name last (it may be empty).
        click.echo(
            f"{organizer.email}\tcreated {created}\t{seen}{locked}"
            f"\t{organizer.role.value}\t{organizer.name}".rstrip("\t")
        )


@click.command("export")
@with_appcontext
@click.argument("kind", type=click.Choice(sorted(exports.EXPORTS)))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, allow_dash=True),
    required=True,
    help="The CSV file to write (- for standard output).",
)
def export_command(kind: str, output: str) -> None:
    """Write registrations, submissions, authors, reviews or assignments as CSV (UTF-8 with
    BOM, RFC 4180)."""
    data, count = exports.export_csv(kind, {})
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        with open(output, "wb") as file:
            file.write(data)
    record(AuditAction.EXPORT, target=f"export:{kind}", details=f"{count} rows to {output}")
    db.session.commit()
    if output != "-":
        click.echo(f"{count} {kind} rows written to {output}", err=True)


commands = [organizer_cli, export_command]
