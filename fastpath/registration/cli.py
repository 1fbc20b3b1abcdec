"""`flask --app app ...` commands for registration."""

from flask.cli import AppGroup

commands: list[AppGroup] = []
