"""`flask --app app review ...`: the committee's review from the command line."""

from __future__ import annotations

from flask.cli import AppGroup

review_cli = AppGroup("review", help="The committee's review: assignments, digests.")


commands = [review_cli]


@review_cli.command("digest")
def digest_command() -> None:
    """Mail each committee member the discussion comments since their last digest."""
    import click

    from ..core.extensions import db
    from .services import send_digests

    mails = send_digests()
    db.session.commit()
    click.echo(f"{mails} digest mail{'s' if mails != 1 else ''} queued.")
