"""Program-editor helpers: the draft's version, sessions and placed talks made through the
editor's services, presenters chosen as the materials page would."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime

from flask import Flask

from fastpath.cfp.models import Submission
from fastpath.core.extensions import db
from fastpath.materials.models import FinalMaterials
from fastpath.program import services
from fastpath.program.models import ProgramPublication

EDITOR = "/organizer/program/"


def draft_version(app: Flask) -> int:
    with app.app_context():
        version = services.draft_row().version
        db.session.commit()
        return version


def add_session(
    app: Flask,
    title: str = "Papers I",
    starts: str = "11:00",
    ends: str = "12:00",
    *,
    room: str = "Room A",
    chair: str = "",
) -> int:
    with app.app_context():
        session = services.add_session(
            services.draft_row().version,
            None,
            services.SessionInput(
                title, services.parse_hhmm(starts), services.parse_hhmm(ends), chair, room
            ),
        )
        db.session.commit()
        return session.id


def place_talk(app: Flask, submission_id: int, session_id: int, minutes: int = 20) -> int:
    with app.app_context():
        entry = services.add_talk(
            services.draft_row().version, None, submission_id, session_id, minutes
        )
        db.session.commit()
        return entry.id


def add_fixed(
    app: Flask, title: str, starts: str, ends: str, kind: str = "break", speaker_keys: str = ""
) -> int:
    with app.app_context():
        entry = services.add_fixed_item(
            services.draft_row().version,
            None,
            services.FixedInput(
                kind=services.EntryKind(kind),
                title=title,
                speaker_keys=speaker_keys,
                starts=services.parse_hhmm(starts),
                ends=services.parse_hhmm(ends),
            ),
        )
        db.session.commit()
        return entry.id


def choose_presenter(
    app: Flask,
    submission_id: int,
    *,
    author_position: int = 1,
    bio: str = "",
    slides: str | None = None,
    video_url: str | None = None,
    consent: bool = False,
) -> None:
    """FinalMaterials as the authors' materials page leaves them."""
    with app.app_context():
        submission = db.session.get(Submission, submission_id)
        author = next(a for a in submission.authors if a.position == author_position)
        row = db.session.get(FinalMaterials, submission_id) or FinalMaterials(
            submission_id=submission_id, updated_at=datetime(2020, 3, 20, tzinfo=UTC)
        )
        row.presenter_id = author.id
        row.bio = bio
        row.slides_stored_name = slides
        row.video_url = video_url
        row.consent_publish = consent
        db.session.add(row)
        db.session.commit()


def publications(app: Flask) -> list[tuple[int, dict | None]]:
    """(draft version, parsed snapshot or None when withdrawn) of each publication."""
    with app.app_context():
        rows = db.session.scalars(db.select(ProgramPublication).order_by(ProgramPublication.id))
        return [(r.draft_version, json.loads(r.snapshot) if r.snapshot else None) for r in rows]


def page_text(response) -> str:  # type: ignore[no-untyped-def]
    """A page's words without tags, spaces collapsed: what a reader sees."""
    text = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(text))
