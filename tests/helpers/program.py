"""Published programs for tests: a sample snapshot (program/public.py's format) and the rows
that make it, or withdraw it as, the public program."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask

from fastpath.core.extensions import db
from fastpath.program.models import ProgramPublication
from tests.helpers.pdfs import pdf_bytes

PUBLISHED_AT = datetime(2020, 3, 20, 14, 0, tzinfo=UTC)


def sample_snapshot(*, slides: str | None = None) -> dict:
    """A small published day: a welcome in its own room, a session 'Papers I' (room, chair)
    with two talks, a break. Only the first talk may have published slides (`slides`, a
    stored name); the second talk's authors did not consent, so it has none."""
    return {
        "format": 1,
        "items": [
            {
                "key": "welcome-0900",
                "kind": "welcome",
                "title": "Welcome",
                "starts": "2020-04-05T09:00:00-04:00",
                "ends": "2020-04-05T09:15:00-04:00",
                "room": "Hall A",
                "presenters": "Erik Altman",
            },
            {
                "key": "session-papers-i",
                "kind": "session",
                "title": "Papers I",
                "starts": "2020-04-05T09:15:00-04:00",
                "ends": "2020-04-05T10:15:00-04:00",
                "room": "Ballroom B",
                "chair": "Parijat Dube",
            },
            {
                "key": "fp20-007",
                "kind": "paper",
                "title": "Roofline models for transformer inference",
                "starts": "2020-04-05T09:15:00-04:00",
                "ends": "2020-04-05T09:45:00-04:00",
                "session": "Papers I",
                "room": "Ballroom B",
                "chair": "Parijat Dube",
                "speakers": ["ada-lovelace"],
                "authors": [
                    {"name": "Ada Lovelace", "affiliation": "University of London"},
                    {"name": "Grace Hopper", "affiliation": "Yale University"},
                ],
                "abstract": "We measure.\n\nThen we model <everything>.",
                "slides": slides,
                "video_url": "https://video.example.org/fp20-007",
                "submission_id": 7,
            },
            {
                "key": "fp20-008",
                "kind": "paper",
                "title": "Sparse kernels & friends",
                "starts": "2020-04-05T09:45:00-04:00",
                "ends": "2020-04-05T10:15:00-04:00",
                "session": "Papers I",
                "room": "Ballroom B",
                "chair": "Parijat Dube",
                "speakers": ["alan-turing"],
                "authors": [{"name": "Alan Turing", "affiliation": "Bletchley Park"}],
                "abstract": "",
                "slides": None,
                "video_url": None,
                "submission_id": 8,
            },
            {
                "key": "break-1015",
                "kind": "break",
                "title": "Break",
                "starts": "2020-04-05T10:15:00-04:00",
                "ends": "2020-04-05T10:30:00-04:00",
            },
        ],
        "speakers": [
            {
                "key": "ada-lovelace",
                "name": "Ada Lovelace",
                "affiliation": "University of London",
                "bio": "Ada writes programs.\n\nShe likes <engines>.",
                "url": None,
            },
            {
                "key": "alan-turing",
                "name": "Alan Turing",
                "affiliation": "Bletchley Park",
                "bio": None,
                "url": "https://turing.example.org",
            },
        ],
    }


def publish(app: Flask, snapshot: dict, *, published_at: datetime = PUBLISHED_AT) -> int:
    """A publication row with `snapshot`, the newest (so the public one); returns its id."""
    with app.app_context():
        row = ProgramPublication(
            published_at=published_at,
            organizer_id=None,
            draft_version=1,
            snapshot=json.dumps(snapshot),
        )
        db.session.add(row)
        db.session.commit()
        return row.id


def withdraw(app: Flask, *, at: datetime = PUBLISHED_AT) -> int:
    """A withdrawal (empty snapshot): the content file's program is public again."""
    with app.app_context():
        row = ProgramPublication(published_at=at, organizer_id=None, draft_version=1, snapshot="")
        db.session.add(row)
        db.session.commit()
        return row.id


def store_slides(app: Flask, pages: int = 2) -> tuple[str, bytes]:
    """A PDF stored where the materials page stores slides; returns (stored name, bytes)."""
    data = pdf_bytes(pages)
    name = secrets.token_hex(16) + ".pdf"
    folder = Path(app.config["UPLOAD_DIR"]) / "materials"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return name, data
