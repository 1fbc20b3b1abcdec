"""The organizers' side of materials at /organizer/materials/ (chairs only): what is in and
what is missing, reopening one submission, the reminder with its preview."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..organizer.auth import chair_required

bp = Blueprint("materials_organizer", __name__)


@bp.get("/")
@chair_required
def overview():
    return render_template("materials/overview.html")
