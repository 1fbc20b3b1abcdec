"""Organizer pages of groupmail (filled in by the feature's work)."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..organizer.area import organizer_area
from ..organizer.auth import chair_required

bp = organizer_area(Blueprint("groupmail", __name__))


@bp.get("/")
@chair_required
def index():
    return render_template("groupmail/index.html")
