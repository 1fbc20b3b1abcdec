"""`flask --app app mail ...` commands."""

from flask.cli import AppGroup

commands: list[AppGroup] = []
