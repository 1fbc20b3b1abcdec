"""`flask --app app ...` commands. Each feature keeps its commands next to its code
(`fastpath/<feature>/cli.py`, a list named `commands`); this module only attaches them."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="Set up the local demo that `make run` serves.")


@demo_cli.command("setup")
def demo_setup() -> None:
    """Prepare the local demo (folders for uploads and the mail spool)."""
    for key in ("UPLOAD_DIR", "MAIL_SPOOL_DIR"):
        Path(current_app.config[key]).mkdir(parents=True, exist_ok=True)
    click.echo("Demo ready.")


def init_app(app: Flask) -> None:
    from . import backup
    from .cfp.cli import commands as cfp_commands
    from .mail.cli import commands as mail_commands
    from .organizer.cli import commands as organizer_commands
    from .registration.cli import commands as registration_commands

    app.cli.add_command(demo_cli)
    backup.init_app(app)
    for group in (*mail_commands, *cfp_commands, *registration_commands, *organizer_commands):
        app.cli.add_command(group)
