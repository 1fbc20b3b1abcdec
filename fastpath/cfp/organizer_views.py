"""The organizers' corrections of submissions (filled in by the feature's work)."""

from __future__ import annotations

from flask import Blueprint

from ..organizer.area import organizer_area

bp = organizer_area(Blueprint("cfp_organizer", __name__))
