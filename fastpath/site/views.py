"""Public pages: read from the content folder loaded at start-up and, for the program and
its speakers, from the published program (program/public.py)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for

from .. import health
from ..content import current_workshop
from ..program.public import current_program
from ..web.page_cache import cached_page
from ..web.state import site_state

bp = Blueprint("site", __name__)


@bp.get("/")
@cached_page
def home():
    state = site_state()
    news = [item for item in current_workshop().news if state.shows(item)]
    return render_template("site/home.html", page=current_workshop().pages["background"], news=news)


@bp.get("/call-for-papers")
@cached_page
def call_for_papers():
    return render_template(
        "site/call_for_papers.html", page=current_workshop().pages["call-for-papers"]
    )


@bp.get("/program")
@cached_page
def program():
    return render_template("site/program.html", program=current_program(), zone=zone_label())


@bp.get("/speakers/")
@cached_page
def speakers():
    return render_template("site/speakers.html", program=current_program())


@bp.get("/speakers/<key>")
@cached_page
def speaker(key: str):
    program = current_program()
    found = program.speaker(key)
    if found is None:
        abort(404)
    return render_template(
        "site/speaker.html",
        speaker=found,
        talks=program.talks_by(found),
        sessions={i.title: i for i in program.items if i.kind == "session"},
        zone=zone_label(),
    )


def zone_label() -> str:
    """The zone the program's times are in, named for people and for machines:
    'Boston time, America/New_York (EDT)' (the place's city, the zone, its abbreviation
    on the day)."""
    workshop = current_workshop()
    city = workshop.place.split(",")[0].strip()
    named = f"{city} time, {workshop.zone}" if city else str(workshop.zone)
    return f"{named} ({workshop.starts.tzname()})"


@bp.get("/people")
@cached_page
def people():
    return render_template("site/people.html")


@bp.get("/venue")
@cached_page
def venue():
    return render_template("site/venue.html", page=current_workshop().pages["venue"])


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
