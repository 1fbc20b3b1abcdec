"""Tables for program: the draft organizers edit, its change log, and each published copy.

The draft is sessions holding ordered entries (accepted talks and fixed items); an entry
outside a session is a fixed item with its own times (a welcome, a break). The public site
never reads the draft: publishing writes a complete copy (ProgramPublication.snapshot), and
the public pages, speaker pages, calendars and the frozen site read the latest copy, or the
content file's program while nothing was ever published.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DateTime, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..cfp.models import Submission
from ..core.extensions import db

TITLE_MAX = 300
NAME_MAX = 200
ROOM_MAX = 120


class EntryKind(enum.StrEnum):
    """What a program entry is; the public kinds are content.PROGRAM_KINDS."""

    TALK = "talk"  # an accepted submission (shown as kind "paper")
    WELCOME = "welcome"
    KEYNOTE = "keynote"  # shown as kind "invited" with the word Keynote
    INVITED = "invited"
    BREAK = "break"
    MEAL = "meal"
    OTHER = "other"


class ProgramSession(db.Model):
    __tablename__ = "program_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    starts: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # stored in UTC
    ends: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    chair: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    room: Mapped[str] = mapped_column(String(ROOM_MAX), default="")

    entries: Mapped[list[ProgramEntry]] = relationship(
        back_populates="session", order_by="ProgramEntry.position", passive_deletes=True
    )


class ProgramEntry(db.Model):
    """A talk or fixed item. In a session its time follows from the session's start and the
    lengths of the entries before it; outside one it has its own starts and ends."""

    __tablename__ = "program_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("program_session.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)  # order inside the session
    minutes: Mapped[int] = mapped_column(Integer, default=30)  # length inside a session
    kind: Mapped[EntryKind] = mapped_column(
        Enum(EntryKind, native_enum=False, length=16, validate_strings=True)
    )
    # Talks: the accepted submission (not UNIQUE: placing a talk twice is one of the checks
    # before publishing, with a link to the places, rather than a refused save).
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    # Fixed items: what the program shows.
    title: Mapped[str] = mapped_column(String(TITLE_MAX), default="")
    presenters: Mapped[str] = mapped_column(String(TITLE_MAX), default="")  # free text
    # Speakers of the content file ([[speakers]] keys, comma-separated), for fixed items
    # taken from the content file's program: they keep their speaker pages.
    speaker_keys: Mapped[str] = mapped_column(String(TITLE_MAX), default="")
    # An item taken from the content file's program, by its key ("break-1045"): publishing
    # copies what the content file says of it (speakers, authors, abstract, links); its
    # times are this entry's.
    content_key: Mapped[str] = mapped_column(String(64), default="")
    starts: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # outside a session
    ends: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    session: Mapped[ProgramSession | None] = relationship(back_populates="entries")
    submission: Mapped[Submission | None] = relationship()


class ProgramDraft(db.Model):
    """One row (id 1): the draft's version, bumped by every edit, so a form posted from an
    older page (another organizer saved in between) is refused with what changed."""

    __tablename__ = "program_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ProgramChange(db.Model):
    """One edit of the draft, in words: what "the second save is refused" shows."""

    __tablename__ = "program_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, index=True)  # the draft's version after it
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    organizer_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizer.id", ondelete="SET NULL")
    )
    summary: Mapped[str] = mapped_column(Text)  # "Moved FP20-003 to Papers I, 11:30"


class ProgramPublication(db.Model):
    """A published program: a complete copy, in the JSON program.public reads."""

    __tablename__ = "program_publication"

    id: Mapped[int] = mapped_column(primary_key=True)  # the newest row is the public program
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    organizer_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizer.id", ondelete="SET NULL")
    )
    draft_version: Mapped[int] = mapped_column(Integer)
    # Empty ("withdrawn"): the public site shows the content file's program again.
    snapshot: Mapped[str] = mapped_column(Text)
