"""Public pages: everything here is read from the content folder loaded at start-up."""

from __future__ import annotations

import errno

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from sqlalchemy.exc import OperationalError

from .. import health
from ..extensions import db
from ..page_cache import cached_page
from .state import site_state

bp = Blueprint("site", __name__)

# What a 503 says, here and on the form pages that come back filled in instead.
DATABASE_REASON = "Our database is not accepting changes at the moment."
STORAGE_REASON = "Our file storage is full or not writable at the moment."
FULL_ERRNOS = (errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EFBIG, errno.EACCES)


def _workshop():
    return current_app.extensions["workshop"]


@bp.get("/")
@cached_page
def home():
    state = site_state()
    news = [item for item in _workshop().news if state.shows(item)]
    return render_template("site/home.html", page=_workshop().pages["background"], news=news)


@bp.get("/call-for-papers")
@cached_page
def call_for_papers():
    return render_template("site/call_for_papers.html", page=_workshop().pages["call-for-papers"])


@bp.get("/program")
@cached_page
def program():
    return render_template("site/program.html")


@bp.get("/speakers/")
@cached_page
def speakers():
    return render_template("site/speakers.html")


@bp.get("/speakers/<key>")
@cached_page
def speaker(key: str):
    found = _workshop().speaker(key)
    if found is None:
        abort(404)
    return render_template("site/speaker.html", speaker=found, talks=_workshop().talks_by(found))


@bp.get("/people")
@cached_page
def people():
    return render_template("site/people.html")


@bp.get("/venue")
@cached_page
def venue():
    return render_template("site/venue.html", page=_workshop().pages["venue"])


@bp.get("/previous-editions")
@cached_page
def previous_editions():
    return render_template("site/previous_editions.html")


@bp.get("/privacy")
@cached_page
def privacy():
    return render_template("site/privacy.html")


@bp.get("/favicon.ico")
def favicon():
    return redirect(url_for("static", filename="img/favicon.svg"), code=301)


@bp.get("/healthz")
def healthz():
    states = {"database": health.database_state(), "storage": health.storage_state()}
    if all(state == "ok" for state in states.values()):
        return {"status": "ok", **states}, 200
    return {"status": "unavailable", **states}, 503


@bp.app_errorhandler(404)
def not_found(_error):
    return render_template("errors/404.html"), 404


@bp.app_errorhandler(405)
def method_not_allowed(_error):
    return render_template("errors/405.html"), 405


@bp.app_errorhandler(413)
def too_large(_error):
    limit_mb = round((current_app.config.get("MAX_CONTENT_LENGTH") or 0) / 1048576)
    return render_template("errors/413.html", limit_mb=limit_mb), 413


@bp.app_errorhandler(OperationalError)
def database_unavailable(error: OperationalError):
    # A read-only, locked-out or unreachable database: the transaction was rolled back.
    db.session.rollback()
    current_app.logger.error("database write failed: %s", error)
    return render_template("errors/503.html", reason=DATABASE_REASON), 503


@bp.app_errorhandler(OSError)
def storage_unavailable(error: OSError):
    if error.errno not in FULL_ERRNOS:
        raise error
    db.session.rollback()
    current_app.logger.error("storage write failed: %s", error)
    return render_template("errors/503.html", reason=STORAGE_REASON), 503


@bp.app_errorhandler(500)
def server_error(_error):
    return render_template("errors/500.html"), 500
