"""The organizers' program editor at /organizer/program/ (chairs only): sessions, talks and
fixed items, the checks before publishing, publishing."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..organizer.auth import chair_required

bp = Blueprint("program_editor", __name__)


@bp.get("/")
@chair_required
def index():
    return render_template("program/editor.html")
