"""What is true at the moment of a request: the state every time-dependent page word reads.

Pages say "Submit an abstract" or "Submissions closed", "Register" or "Join the waiting
list", "will take place" or "took place" from this one value, and the page cache keys on it,
so a page rendered before a deadline passed is never served after it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, has_request_context, request
from sqlalchemy.exc import SQLAlchemyError

from ..clock import now
from ..content import NewsItem, Workshop, current_workshop
from ..core.extensions import db
from ..core.windows import TimeWindow, Window


@dataclass(frozen=True)
class SiteState:
    submissions: Window
    registration: Window
    registration_full: bool  # only ever True while registration is open
    workshop: Window  # NOT_YET: before the day's start, OPEN: under way, CLOSED: over
    authors_notified: bool  # the notification day is over (in the deadline's zone)
    # Which program the public sees: the latest publication's id, 0 for the content file's
    # (fastpath/program/public.py). Part of the state so a published program shows at once.
    program_version: int = 0

    def holds(self, condition: str) -> bool:
        """Whether a named condition (a news item's `while`, see content.SHOWN_WHILE) holds."""
        return {
            "submissions_not_yet": self.submissions == Window.NOT_YET,
            "submissions_open": self.submissions == Window.OPEN,
            "submissions_closed": self.submissions == Window.CLOSED,
            "registration_not_yet": self.registration == Window.NOT_YET,
            "registration_open": self.registration == Window.OPEN,
            "registration_full": self.registration_full,
            "registration_closed": self.registration == Window.CLOSED,
            "before_workshop": self.workshop == Window.NOT_YET,
            "during_workshop": self.workshop == Window.OPEN,
            "after_workshop": self.workshop == Window.CLOSED,
        }[condition]

    def shows(self, item: NewsItem) -> bool:
        return item.shown_while is None or self.holds(item.shown_while)


_REQUEST_KEY = "fastpath.site_state"  # in the WSGI environ: one request, not one app context


def site_state() -> SiteState:
    """The state at this request's moment (read once per request: "full" asks the database)."""
    if has_request_context() and _REQUEST_KEY in request.environ:
        return request.environ[_REQUEST_KEY]
    state = _state_now()
    if has_request_context():
        request.environ[_REQUEST_KEY] = state
    return state


def _state_now() -> SiteState:
    workshop: Workshop = current_workshop()
    moment = now()
    rules = workshop.submission
    registration = workshop.registration.window.at(moment)
    notification_passed = moment.astimezone(rules.deadline.at.tzinfo).date() > rules.notification
    return SiteState(
        submissions=rules.window.at(moment),
        registration=registration,
        registration_full=registration == Window.OPEN and _room_full(),
        workshop=TimeWindow(workshop.starts, workshop.ends).at(moment),
        authors_notified=notification_passed,
        program_version=current_app.extensions[_PROGRAM_VERSION_KEY](),
    )


def _room_full() -> bool:
    try:
        return current_app.extensions[_ROOM_FULL_KEY]()
    except SQLAlchemyError as error:
        # The public pages (and the error pages) need no database: without one they still
        # say what the clock decides, and the register page itself tells about the room.
        db.session.rollback()
        current_app.logger.warning("site state: cannot tell whether the room is full: %s", error)
        return False


_ROOM_FULL_KEY = "fastpath.room_full"
_PROGRAM_VERSION_KEY = "fastpath.program_version"


def init_app(app: Flask, room_full: Callable[[], bool], program_version: Callable[[], int]) -> None:
    """`room_full` answers whether a newcomer would join the waiting list (registration's
    question), `program_version` which program is public (the program's): handed in by
    create_app so that this shared layer imports no feature."""
    app.extensions[_ROOM_FULL_KEY] = room_full
    app.extensions[_PROGRAM_VERSION_KEY] = program_version
