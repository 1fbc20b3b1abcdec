"""The program the public sees: the latest published copy, or the content file's program.

Publishing (program/services.py) writes a complete copy of the program as JSON
(ProgramPublication.snapshot, format below); everything public (the program page, the
speakers, each speaker page, /program.ics, the slides, the frozen site) reads it through
current_program(). While nothing was ever published, or the last publication was withdrawn,
the content file's program is the program: FastPath 2020's historical record keeps working
unchanged from workshop.toml.

Snapshot format (version 1)::

    {"format": 1,
     "items": [{"key": "fp20-007", "kind": "paper", "title": "...",
                "starts": "2020-04-05T11:00:00-04:00", "ends": "...",
                "session": "Papers I", "room": "...", "chair": "...",
                "speakers": ["jane-doe"], "presenters": "",
                "authors": [{"name": "...", "affiliation": "..."}],
                "abstract": "plain text", "abstract_html": "<p>..</p>" (content items),
                "slides": "<stored file name under UPLOAD_DIR>" or null,
                "slides_url": "https://..." (content items) or null,
                "video_url": "https://..." or null, "submission_id": 7 or null}],
     "speakers": [{"key": "jane-doe", "name": "...", "affiliation": "...",
                   "bio": "plain text" or null, "bio_html": "<p>..</p>" or null,
                   "url": "https://..." or null}]}

Items are in time order; a session is an item of kind "session" (its title, times, room and
chair) followed by its entries, each naming it in "session". "slides" is only set when the
authors consented to publishing them; the public address of the file is slides_path(key).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from markupsafe import Markup, escape
from sqlalchemy.exc import SQLAlchemyError

from ..content import Person, ProgramItem, Speaker, Workshop, current_workshop
from ..core.database import reading
from ..core.extensions import db
from ..web.state import site_state
from .models import ProgramPublication

SNAPSHOT_FORMAT = 1
CONTENT_FILE = 0  # program_version() while the content file's program is the public one


@dataclass(frozen=True)
class PublicProgram:
    """What the public pages show of the program, whichever source it came from."""

    items: tuple[ProgramItem, ...]
    speakers: tuple[Speaker, ...]
    version: int = CONTENT_FILE  # the publication's id, 0 for the content file
    published_at: datetime | None = None
    # item key -> stored name of its slides PDF under UPLOAD_DIR (published talks only)
    slides_files: dict[str, str] = field(default_factory=dict)

    @property
    def from_content_file(self) -> bool:
        return self.version == CONTENT_FILE

    def speaker(self, key: str) -> Speaker | None:
        return next((s for s in self.speakers if s.key == key), None)

    def talks_by(self, speaker: Speaker) -> list[ProgramItem]:
        return [item for item in self.items if speaker in item.speakers]

    def item(self, key: str) -> ProgramItem | None:
        return next((i for i in self.items if i.key == key and i.kind != "session"), None)


def slides_path(key: str) -> str:
    """The public address of a published talk's slides (served by program/views.py)."""
    return f"/program/slides/{key}.pdf"


def plain_paragraphs(text: str) -> Markup:
    """Plain text someone typed (a bio, an abstract) as escaped HTML paragraphs."""
    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n")]
    return Markup("").join(
        Markup("<p>{}</p>").format(Markup("<br>").join(escape(line) for line in b.split("\n")))
        for b in blocks
        if b
    )


def program_version() -> int:
    """The id of the publication the public sees (CONTENT_FILE if none); part of the site
    state, so a cached page is rendered again once a program is published.

    Asked of the database at most once per PROGRAM_VERSION_CHECK_SECONDS per process (and at
    once in the process that publishes, see forget_program_version): the query would cost
    every public page ~0.85 ms on SQLite, more than the page itself (1.42 ms against 0.58 ms
    for GET /call-for-papers in-process, 3,000 requests, 2026-12-03)."""
    memo = current_app.extensions.get(_VERSION_MEMO_KEY)
    moment = time.monotonic()
    if memo is not None and memo[0] > moment:
        return memo[1]
    version = _published_version()
    seconds = current_app.config.get("PROGRAM_VERSION_CHECK_SECONDS", 1.0)
    current_app.extensions[_VERSION_MEMO_KEY] = (moment + seconds, version)
    return version


def forget_program_version() -> None:
    """After a publish is committed: this process shows the new program from the next request."""
    current_app.extensions.pop(_VERSION_MEMO_KEY, None)


_VERSION_MEMO_KEY = "fastpath.program_version_memo"


def _published_version() -> int:
    try:
        # A read-only transaction, ended at once: no page keeps the write lock while it renders.
        with reading():
            row = db.session.execute(
                db.select(ProgramPublication.id, ProgramPublication.snapshot)
                .order_by(ProgramPublication.id.desc())
                .limit(1)
            ).first()
    except SQLAlchemyError as error:
        # Like the room-full check: without a database the public pages still render (the
        # content file's program).
        db.session.rollback()
        current_app.logger.warning("program: cannot read the published program: %s", error)
        return CONTENT_FILE
    if row is None or not row.snapshot:
        return CONTENT_FILE
    return row.id


_CACHE_KEY = "fastpath.public_program"


def current_program(version: int | None = None) -> PublicProgram:
    """The public program at this moment (parsed once per publication and process)."""
    if version is None:
        version = site_state().program_version
    cached: PublicProgram | None = current_app.extensions.get(_CACHE_KEY)
    if cached is not None and cached.version == version:
        return cached
    workshop = current_workshop()
    if version == CONTENT_FILE:
        program = PublicProgram(workshop.program, workshop.speakers)
    else:
        with reading():
            row = db.session.execute(
                db.select(ProgramPublication.snapshot, ProgramPublication.published_at).where(
                    ProgramPublication.id == version
                )
            ).first()
        if row is None or not row.snapshot:
            program = PublicProgram(workshop.program, workshop.speakers)
        else:
            program = from_snapshot(json.loads(row.snapshot), workshop, version, row.published_at)
    current_app.extensions[_CACHE_KEY] = program
    return program


def from_snapshot(
    data: dict, workshop: Workshop, version: int, published_at: datetime | None
) -> PublicProgram:
    """A PublicProgram from a snapshot (format above)."""
    speakers = {
        s["key"]: Speaker(
            key=s["key"],
            name=s["name"],
            affiliation=s.get("affiliation") or "",
            bio=_html(s.get("bio_html")) or (plain_paragraphs(s["bio"]) if s.get("bio") else None),
            url=s.get("url"),
        )
        for s in data.get("speakers", [])
    }
    items = []
    slides_files = {}
    for entry in data.get("items", []):
        if entry.get("slides"):
            slides_files[entry["key"]] = entry["slides"]
        abstract = _html(entry.get("abstract_html"))
        if abstract is None and entry.get("abstract"):
            abstract = plain_paragraphs(entry["abstract"])
        items.append(
            ProgramItem(
                starts=datetime.fromisoformat(entry["starts"]).astimezone(workshop.zone),
                ends=datetime.fromisoformat(entry["ends"]).astimezone(workshop.zone),
                title=entry["title"],
                kind=entry["kind"],
                speakers=tuple(speakers[k] for k in entry.get("speakers", []) if k in speakers),
                presenters=entry.get("presenters") or "",
                authors=tuple(
                    Person(a["name"], a.get("affiliation") or "") for a in entry.get("authors", [])
                ),
                abstract=abstract,
                slides_url=slides_path(entry["key"])
                if entry.get("slides")
                else entry.get("slides_url"),
                video_url=entry.get("video_url"),
                key=entry["key"],
                room=entry.get("room") or "",
                chair=entry.get("chair") or "",
                session=entry.get("session") or "",
            )
        )
    return PublicProgram(
        tuple(items), tuple(speakers.values()), version, published_at, slides_files
    )


def _html(value: str | None) -> Markup | None:
    # HTML in a snapshot was made by the site itself (the content file's Markdown, already
    # cleaned when the content was loaded), never typed by a visitor.
    return Markup(value) if value else None
