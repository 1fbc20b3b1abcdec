"""What every blueprint of the organizers' area shares (organizer, reviews, materials'
and the program editor's pages): private answers, the signed-in organizer in templates, and
an expired form explained instead of a bare 400."""

from __future__ import annotations

from flask import Blueprint, Response, render_template
from flask_wtf.csrf import CSRFError

from ..web.forms import EXPIRED
from .auth import current_organizer


def private_response(response: Response) -> Response:
    # Organizer pages show personal data and unpublished papers: never stored by a browser
    # or proxy cache, never indexed.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def organizer_values() -> dict:
    return {"organizer": current_organizer()}


def form_expired(_error: CSRFError):
    # Nothing was changed; say so.
    return render_template("organizer/form_expired.html"), EXPIRED


def organizer_area(bp: Blueprint) -> Blueprint:
    """Attach the shared hooks to one of the area's blueprints (its own CSRF handler, if it
    needs one, is registered after this and wins)."""
    bp.after_request(private_response)
    bp.context_processor(organizer_values)
    bp.register_error_handler(CSRFError, form_expired)
    return bp
