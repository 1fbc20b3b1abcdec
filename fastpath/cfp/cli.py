"""`flask --app app ...` commands for cfp."""

from flask.cli import AppGroup

commands: list[AppGroup] = []
