"""Public views for program: /program.ics, each item's .ics, a published talk's slides.

(/program, /speakers/ and /speakers/<key> are site pages, fastpath/site/views.py; they read
the same program through program.public.current_program.)"""

from __future__ import annotations

from flask import Blueprint, Response, abort, send_file

from ..content import current_workshop
from ..core.text import slug
from ..materials.services import stored_path
from .calendar import CALENDAR_CONTENT_TYPE, item_calendar, program_calendar, program_filename
from .public import current_program

bp = Blueprint("program", __name__)


@bp.get("/program.ics")
def calendar():
    return _calendar_response(program_calendar(), program_filename(current_workshop()))


@bp.get("/program/<key>.ics")
def item_ics(key: str):
    body = item_calendar(key)
    if body is None:
        abort(404)
    return _calendar_response(body, program_filename(current_workshop(), slug(key)))


@bp.get("/program/slides/<key>.pdf")
def slides(key: str):
    # Only what the current publication lists: a draft's file, an unconsented one, or one
    # of a withdrawn publication is never reachable, whatever its stored name.
    stored = current_program().slides_files.get(key)
    if stored is None:
        abort(404)
    try:
        path = stored_path(stored)  # where the materials page stored it
        response = send_file(
            path,
            mimetype="application/pdf",
            as_attachment=False,
            download_name=f"{slug(key) or 'talk'}-slides.pdf",
            max_age=0,
        )
    except (ValueError, FileNotFoundError):
        abort(404)
    response.headers["X-Content-Type-Options"] = "nosniff"
    # A PDF may carry scripts: served from the site's own origin, it runs sandboxed.
    response.headers["Content-Security-Policy"] = "sandbox"
    return response


def _calendar_response(body: bytes, filename: str) -> Response:
    return Response(
        body,
        mimetype=CALENDAR_CONTENT_TYPE,
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )
