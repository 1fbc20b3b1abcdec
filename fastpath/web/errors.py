"""The error pages every request may end on (404, 405, 413, 500) and the 503s: a database
that refuses writes or storage that is full. Form pages catch the 503 cases themselves to show
the form again filled in (cfp, registration); the reasons they show come from here."""

from __future__ import annotations

import errno

from flask import Flask, current_app, render_template
from sqlalchemy.exc import OperationalError

from ..core.extensions import db

# What a 503 says, here and on the form pages that come back filled in instead.
DATABASE_REASON = "Our database is not accepting changes at the moment."
STORAGE_REASON = "Our file storage is full or not writable at the moment."
FULL_ERRNOS = (errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EFBIG, errno.EACCES)


def not_found(_error):
    return render_template("errors/404.html"), 404


def method_not_allowed(_error):
    return render_template("errors/405.html"), 405


def too_large(_error):
    limit_mb = round((current_app.config.get("MAX_CONTENT_LENGTH") or 0) / 1048576)
    return render_template("errors/413.html", limit_mb=limit_mb), 413


def database_unavailable(error: OperationalError):
    # A read-only, locked-out or unreachable database: the transaction was rolled back.
    db.session.rollback()
    current_app.logger.error("database write failed: %s", error)
    return render_template("errors/503.html", reason=DATABASE_REASON), 503


def storage_unavailable(error: OSError):
    if error.errno not in FULL_ERRNOS:
        raise error
    db.session.rollback()
    current_app.logger.error("storage write failed: %s", error)
    return render_template("errors/503.html", reason=STORAGE_REASON), 503


def server_error(_error):
    return render_template("errors/500.html"), 500


def init_app(app: Flask) -> None:
    app.register_error_handler(404, not_found)
    app.register_error_handler(405, method_not_allowed)
    app.register_error_handler(413, too_large)
    app.register_error_handler(OperationalError, database_unavailable)
    app.register_error_handler(OSError, storage_unavailable)
    app.register_error_handler(500, server_error)
