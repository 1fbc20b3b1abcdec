"""WSGI entry point: `flask --app app ...` and `gunicorn app:app` both find `app` here."""

import sys

from fastpath import ConfigError, ContentError, create_app

try:
    app = create_app()
except (ConfigError, ContentError) as error:
    # A clear one-line reason instead of a traceback: this is a setup mistake, not a bug.
    sys.exit(f"fastpath cannot start: {error}")
