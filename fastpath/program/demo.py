"""The program part of the `make run` demo (`flask --app app demo setup`): a draft holding the
content file's program as fixed items and one empty session, "Accepted papers (demo)", where
an accepted demo submission can be placed and published. Not published; the caller commits.

The content file's day is full (09:00-17:00 without a gap) and its facts must not change, so
the demo session runs in parallel, in another room (Room B, 13:00-14:30): items at the same
time in different rooms are no overlap for the checks. Made only while the draft is empty, so
running the setup again (or on a draft someone edited) adds nothing."""

from __future__ import annotations

from datetime import time

from ..core.extensions import db
from . import services
from .models import ProgramEntry, ProgramSession

DEMO_SESSION = "Accepted papers (demo)"
DEMO_ROOM = "Room B"
DEMO_STARTS, DEMO_ENDS = time(13, 0), time(14, 30)


def create_demo_program() -> bool:
    """The demo draft, unless the draft already has anything; whether it was made."""
    has_any = db.session.scalar(db.select(ProgramSession.id).limit(1)) or db.session.scalar(
        db.select(ProgramEntry.id).limit(1)
    )
    if has_any:
        return False
    services.import_content_program(services.draft_row().version, None)
    services.add_session(
        services.draft_row().version,
        None,
        services.SessionInput(DEMO_SESSION, DEMO_STARTS, DEMO_ENDS, room=DEMO_ROOM),
    )
    return True
