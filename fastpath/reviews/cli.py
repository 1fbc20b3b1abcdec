"""`flask --app app review ...`: the committee's review from the command line."""

from __future__ import annotations

from flask.cli import AppGroup

review_cli = AppGroup("review", help="The committee's review: assignments, digests.")


commands = [review_cli]
