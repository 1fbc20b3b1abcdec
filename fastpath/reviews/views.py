"""Views of the committee's review, under /organizer/reviews. Reviewer pages are in this
module; the chairs' pages are in chair_views.py and the assignment pages in
assignment_views.py, on the same blueprint. Every view is behind login_required (reviewer
pages) or chair_required (chair pages), and every submission is looked up through
access.submission_for, so a submission a reviewer may not see answers 404."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template
from flask_wtf.csrf import CSRFError

from ..organizer.auth import current_organizer, login_required
from ..web.forms import EXPIRED
from . import access

bp = Blueprint("reviews", __name__)


@bp.after_request
def private_pages(response: Response) -> Response:
    # As the organizer pages: personal data and unpublished papers, never cached or indexed.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.context_processor
def organizer_values() -> dict:
    return {"organizer": current_organizer()}


@bp.errorhandler(CSRFError)
def form_expired(_error: CSRFError):
    return render_template("organizer/form_expired.html"), EXPIRED


def visible_submission(number: int):
    """The submission for the signed-in committee member, or 404 (also when it exists but
    they may not see it)."""
    person = current_organizer()
    assert person is not None
    try:
        return access.submission_for(person, number)
    except access.NotVisible:
        abort(404)


# --- The reviewer's own page ----------------------------------------------------------------


@bp.get("/")
@login_required
def home():
    person = current_organizer()
    assert person is not None
    return render_template(
        "reviews/home.html", org_section="reviews", assignments=access.assignments_of(person)
    )


@bp.get("/bids")
@login_required
def bids():
    return render_template("reviews/home.html", org_section="bids", assignments=[])


@bp.get("/conflicts")
@login_required
def conflicts():
    return render_template("reviews/home.html", org_section="conflicts", assignments=[])


# The chairs' pages and the assignment pages add their routes to this blueprint.
from . import assignment_views, chair_views  # noqa: E402, F401
