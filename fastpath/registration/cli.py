"""`flask --app app registration ...` commands."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from ..content import current_workshop
from ..core.extensions import db
from .models import Registration, RegistrationStatus
from .services import fill_free_places, newcomer_answer, release_unconfirmed

registration_cli = AppGroup("registration", help="Attendee registration.")


@registration_cli.command("status")
def status() -> None:
    """How many are registered and waiting, against the content's capacity."""
    counts = dict(
        db.session.execute(
            select(Registration.status, func.count()).group_by(Registration.status)
        ).all()
    )
    capacity = current_workshop().registration.capacity
    click.echo(f"capacity:   {capacity if capacity is not None else 'unlimited'}")
    for state in RegistrationStatus:
        click.echo(f"{state.value + ':':<11} {counts.get(state, 0)}")
    answer = newcomer_answer()
    click.echo(f"a new registration now gets: {answer.status.value}")


@registration_cli.command("promote")
def promote() -> None:
    """Give free places to the waiting list (run after raising the capacity)."""
    promoted = fill_free_places()
    db.session.commit()
    for registration in promoted:
        click.echo(f"promoted #{registration.id} (arrival {registration.arrival})")
    click.echo(f"{len(promoted)} promoted; their mails are in the outbox.")


@registration_cli.command("release-unconfirmed")
def release_unconfirmed_command() -> None:
    """Release registrations whose address was not confirmed in time (run it from cron)."""
    released = release_unconfirmed()
    db.session.commit()
    for registration in released:
        click.echo(f"released #{registration.id} (not confirmed in time)")
    click.echo(f"{len(released)} released.")


commands: list[AppGroup] = [registration_cli]
