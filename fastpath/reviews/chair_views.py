"""The chairs' review pages: the table, reviewers and invitations, progress, reminders."""

from __future__ import annotations

from flask import render_template

from ..organizer.auth import chair_required
from .views import bp


@bp.get("/table")
@chair_required
def table():
    return render_template("reviews/home.html", org_section="reviews-table", assignments=[])


@bp.get("/reviewers")
@chair_required
def reviewers():
    return render_template("reviews/home.html", org_section="reviewers", assignments=[])
