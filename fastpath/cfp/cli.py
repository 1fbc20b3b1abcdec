"""`flask --app app cfp ...` commands."""

from datetime import timedelta

import click
from flask.cli import AppGroup

from . import services

cfp_cli = AppGroup("cfp", help="Abstract submissions.")


@cfp_cli.command("purge-uploads")
@click.option(
    "--older-than-hours",
    default=48,
    show_default=True,
    help="Only files at least this old (a form may still be open with a kept PDF).",
)
def purge_uploads(older_than_hours: int) -> None:
    """Delete stored PDFs that no submission uses (from forms never sent)."""
    removed = services.purge_unused_uploads(timedelta(hours=older_than_hours))
    click.echo(f"Removed {removed} unused upload(s).")


commands: list[AppGroup] = [cfp_cli]
