"""`flask --app app ...` commands. Each feature keeps its commands next to its code
(`fastpath/<feature>/cli.py`, a list named `commands`); this module only attaches them."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from . import backup, privacy
from .cfp.cli import commands as cfp_commands
from .core.extensions import db
from .mail.cli import commands as mail_commands
from .organizer.cli import commands as organizer_commands
from .organizer.services import DEMO_ORGANIZER_EMAIL, create_demo_organizer
from .program import demo as program_demo
from .registration import demo as registration_demo
from .registration.cli import commands as registration_commands
from .reviews import demo as review_demo
from .reviews.cli import commands as review_commands
from .site.cli import commands as site_commands

demo_cli = AppGroup("demo", help="Set up the local demo that `make run` serves.")


@demo_cli.command("setup")
def demo_setup() -> None:
    """Prepare the local demo (folders for uploads and the mail spool)."""
    for key in ("UPLOAD_DIR", "MAIL_SPOOL_DIR"):
        Path(current_app.config[key]).mkdir(parents=True, exist_ok=True)
    _demo_organizer()
    _demo_reviewers()
    _demo_submissions()
    _demo_program()
    _demo_registrations()
    click.echo("Demo ready.")


def _demo_organizer() -> None:
    """On the first run only: an organizer account with a random password, printed once."""
    created = create_demo_organizer()
    db.session.commit()
    login = f"{current_app.config['PUBLIC_BASE_URL']}/organizer/login"
    if created is None:
        click.echo(
            f"Demo organizer: {DEMO_ORGANIZER_EMAIL} at {login} (password shown on the first "
            f"run; set a new one: flask --app app organizer set-password {DEMO_ORGANIZER_EMAIL})"
        )
        return
    organizer, password = created
    click.echo("")
    click.echo(f"  Demo organizer created. Sign in at {login}")
    click.echo(f"    email:    {organizer.email}")
    click.echo(f"    password: {password}")
    click.echo("  The password is shown only this once; note it now.")
    click.echo("")


def _demo_reviewers() -> None:
    """On the first run only: two reviewer accounts (the program committee), each with a
    random password printed once, like the demo organizer's."""
    accounts = review_demo.create_demo_reviewers()
    db.session.commit()
    login = f"{current_app.config['PUBLIC_BASE_URL']}/organizer/login"
    for reviewer, password in accounts:
        if password is None:
            click.echo(
                f"Demo reviewer: {reviewer.email} already there (password shown on the first "
                f"run; set a new one: flask --app app organizer set-password {reviewer.email})"
            )
            continue
        click.echo(f"  Demo reviewer created ({reviewer.name}). Sign in at {login}")
        click.echo(f"    email:    {reviewer.email}")
        click.echo(f"    password: {password}")
    if any(password for _, password in accounts):
        click.echo("  These passwords are shown only this once; note them now.")
        click.echo("")


def _demo_submissions() -> None:
    """On the first run only (an empty database): a handful of fictional submissions with
    their PDFs, so the committee's review can be tried."""
    made = review_demo.create_demo_submissions()
    db.session.commit()
    if made:
        click.echo(
            f"Demo submissions created: {len(made)} (numbers 1-{len(made)}; one author shares "
            f"{review_demo.DEMO_REVIEWERS[0].email}'s domain, so a conflict is suggested)"
        )
    else:
        click.echo(
            f"Demo submissions: already there ({review_demo.submission_count()} submissions "
            "in the database; none added)"
        )


def _demo_program() -> None:
    """On the first run only (an empty draft): the program draft with a session to place an
    accepted demo talk in (not published)."""
    made = program_demo.create_demo_program()
    db.session.commit()
    if made:
        click.echo(
            f"Demo program draft: the content file's program and the session "
            f"“{program_demo.DEMO_SESSION}” ({program_demo.DEMO_ROOM}) at /organizer/program/"
        )
    else:
        click.echo("Demo program draft: already there (nothing added)")


def _demo_registrations() -> None:
    """On the first run only (no registration yet): a full room with people waiting."""
    made = registration_demo.create_demo_registrations()
    db.session.commit()
    if made:
        waiting = len(made) - registration_demo.DEMO_CAPACITY
        click.echo(
            f"Demo registrations created: {len(made)} ({registration_demo.DEMO_CAPACITY} with "
            f"a place, {waiting} waiting; capacity {registration_demo.DEMO_CAPACITY}, set on "
            "/organizer/registrations/capacity)"
        )
    else:
        click.echo("Demo registrations: already there (none added)")


def init_app(app: Flask) -> None:
    app.cli.add_command(demo_cli)
    backup.init_app(app)
    privacy.init_app(app)
    for group in (
        *mail_commands,
        *cfp_commands,
        *registration_commands,
        *organizer_commands,
        *review_commands,
        *site_commands,
    ):
        app.cli.add_command(group)
