"""`flask --app app ...` commands for organizer."""

from flask.cli import AppGroup

commands: list[AppGroup] = []
