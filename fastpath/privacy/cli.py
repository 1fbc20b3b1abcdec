"""`flask --app app privacy export|erase|retention`; see README, "Privacy"."""

from __future__ import annotations

import json
import math
import sys
from datetime import timedelta

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from ..clock import now
from ..core.extensions import db
from .services import (
    apply_retention,
    delete_files,
    erase_person,
    export_person,
    find_person,
    record_export,
    retention_cutoff,
)

privacy_cli = AppGroup("privacy", help="What is stored about a person: export, erase, retention.")


def _address_argument(email: str) -> str:
    if "@" not in email:
        raise click.BadParameter(f"not a mail address: {email!r}", param_hint="EMAIL")
    return email


@privacy_cli.command("export")
@click.argument("email")
def export_command(email: str) -> None:
    """Print everything stored about EMAIL as JSON (UTF-8)."""
    person = find_person(_address_argument(email))
    data = export_person(person)
    record_export(person)
    db.session.commit()
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    sys.stdout.buffer.write(text.encode("utf-8"))  # UTF-8 whatever the terminal's locale
    sys.stdout.flush()


@privacy_cli.command("erase")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask before erasing.")
def erase_command(email: str, yes: bool) -> None:
    """Erase or anonymise everything stored about EMAIL (rows and counts stay)."""
    person = find_person(_address_argument(email))
    if not yes:
        click.echo(f"Stored about {person.address}: {person.counts()}.")
        if person.organizer is not None:
            click.echo("Their organizer account will be deleted.")
        click.confirm("Erase it? This cannot be undone", abort=True)
    report = erase_person(person)
    db.session.commit()
    delete_files(report.files)
    click.echo(f"Erased {person.address}: {report.summary()}.")
    if report.promoted:
        click.echo("The mails to the people promoted from the waiting list are in the outbox.")


@privacy_cli.command("retention")
@click.option(
    "--days",
    type=click.IntRange(min=0),
    default=None,
    help="Days after the workshop (default: RETENTION_DAYS_AFTER_WORKSHOP).",
)
@click.option("--dry-run", is_flag=True, help="Say what would be anonymised; change nothing.")
def retention_command(days: int | None, dry_run: bool) -> None:
    """Anonymise attendee data once the retention time after the workshop has passed."""
    if days is None:
        days = int(current_app.config["RETENTION_DAYS_AFTER_WORKSHOP"])
    cutoff = retention_cutoff(days)
    moment = now()
    if moment < cutoff:
        remaining = math.ceil((cutoff - moment) / timedelta(days=1))
        click.echo(
            f"Attendee data is kept until {cutoff.isoformat()} ({days} days after the "
            f"workshop): {remaining} day(s) remain. Nothing done."
        )
        return
    report = apply_retention(days)
    if not report.changed:
        db.session.rollback()
        click.echo("Nothing left to anonymise.")
        return
    if dry_run:
        db.session.rollback()
        click.echo(f"Would be done (dry run, nothing changed): {report.summary()}.")
        return
    db.session.commit()
    delete_files(report.files)
    click.echo(f"Done: {report.summary()}.")


def init_app(app: Flask) -> None:
    app.cli.add_command(privacy_cli)
