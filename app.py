"""WSGI entry point: `flask --app app ...` and `gunicorn app:app` both find `app` here."""

import sys

from fastpath import ConfigError, ContentError, create_app

# gunicorn's exit status for "the worker failed to boot": its arbiter then stops with this
# status. Any other status counts as a crash, and a new worker would fail the same way, forever.
BOOT_ERROR_STATUS = 3

try:
    app = create_app()
except (ConfigError, ContentError) as error:
    # A clear one-line reason instead of a traceback: this is a setup mistake, not a bug.
    print(f"fastpath cannot start: {error}", file=sys.stderr, flush=True)
    sys.exit(BOOT_ERROR_STATUS)
