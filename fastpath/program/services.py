"""Editing the program draft: sessions, talks and fixed items, the draft's version and its
change log, publishing and withdrawing. HTTP-free; the caller commits.

Every edit names the draft version the organizer's page showed: a different version (someone
saved in between) refuses the edit with StaleDraft, carrying what changed since; a successful
edit bumps the version, writes one ProgramChange in words and audits PROGRAM_EDITED."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from ..cfp.models import Submission, SubmissionStatus
from ..clock import as_utc, now
from ..content import Workshop, current_workshop
from ..core.audit import AuditAction, record
from ..core.extensions import db
from ..organizer.models import Organizer
from .models import (
    EntryKind,
    ProgramChange,
    ProgramDraft,
    ProgramEntry,
    ProgramPublication,
    ProgramSession,
)

MINUTES_MIN = 1
MINUTES_MAX = 600
FIXED_KINDS = (
    EntryKind.WELCOME,
    EntryKind.KEYNOTE,
    EntryKind.INVITED,
    EntryKind.BREAK,
    EntryKind.MEAL,
    EntryKind.OTHER,
)
# The content file's kinds as draft kinds (a historical "paper" of the content file is a
# fixed item: publishing gives it the content item's own kind back, see publish.py).
CONTENT_KINDS = {
    "welcome": EntryKind.WELCOME,
    "invited": EntryKind.INVITED,
    "break": EntryKind.BREAK,
    "meal": EntryKind.MEAL,
}
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class StaleDraft(Exception):
    """The page's draft version is not the draft's: someone saved in between."""

    def __init__(self, changes: list[ProgramChange]) -> None:
        super().__init__("The program was changed since this page was opened.")
        self.changes = changes


class EditRefused(Exception):
    """An edit the rules refuse; `field` names the form field the message belongs next to
    ("" for the whole form)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# --- Times ----------------------------------------------------------------------------------


def parse_hhmm(text: str) -> time | None:
    """'09:30' -> time(9, 30); None unless exactly HH:MM on a 24-hour clock."""
    match = _HHMM.match((text or "").strip())
    return time(int(match.group(1)), int(match.group(2))) if match else None


def day_moment(workshop: Workshop, clock: time) -> datetime:
    """That time of the workshop's day in its zone, as UTC."""
    return as_utc(datetime.combine(workshop.day, clock, tzinfo=workshop.zone))


def hhmm(workshop: Workshop, moment: datetime | None) -> str:
    """A stored moment as HH:MM in the workshop's zone ('' for none)."""
    return as_utc(moment).astimezone(workshop.zone).strftime("%H:%M") if moment else ""


# --- The draft as the editor shows it -------------------------------------------------------


@dataclass(frozen=True)
class TimedEntry:
    entry: ProgramEntry
    starts: datetime  # aware, in the workshop's zone
    ends: datetime

    @property
    def title(self) -> str:
        return entry_title(self.entry)


@dataclass(frozen=True)
class TimedSession:
    session: ProgramSession
    starts: datetime
    ends: datetime
    entries: list[TimedEntry] = field(default_factory=list)


@dataclass(frozen=True)
class Draft:
    version: int
    sessions: list[TimedSession]
    fixed: list[TimedEntry]  # entries outside sessions, in time order
    unplaced: list[Submission]  # accepted talks not placed yet


def entry_title(entry: ProgramEntry) -> str:
    if entry.kind == EntryKind.TALK and entry.submission is not None:
        return f"{entry.submission.reference} {entry.submission.title}"
    return entry.title


def draft_row() -> ProgramDraft:
    """The draft's one row (id 1), made on first use."""
    row = db.session.get(ProgramDraft, 1)
    if row is None:
        row = ProgramDraft(id=1, version=0)
        db.session.add(row)
        db.session.flush()
    return row


def timed_session(session: ProgramSession, workshop: Workshop) -> TimedSession:
    """A session with each entry's time: the session's start plus the entries before it."""
    starts = as_utc(session.starts).astimezone(workshop.zone)
    moment = starts
    entries = []
    for entry in session.entries:
        ends = moment + timedelta(minutes=entry.minutes)
        entries.append(TimedEntry(entry, moment, ends))
        moment = ends
    return TimedSession(session, starts, as_utc(session.ends).astimezone(workshop.zone), entries)


def load_draft(workshop: Workshop | None = None) -> Draft:
    """The whole draft with computed times, and the accepted talks not placed yet."""
    workshop = workshop or current_workshop()
    version = draft_row().version
    sessions = sorted(
        (
            timed_session(s, workshop)
            for s in db.session.scalars(db.select(ProgramSession).order_by(ProgramSession.id))
        ),
        key=lambda t: (t.starts, t.session.id),
    )
    fixed = sorted(
        (
            TimedEntry(
                e,
                as_utc(e.starts).astimezone(workshop.zone),
                as_utc(e.ends).astimezone(workshop.zone),
            )
            for e in db.session.scalars(
                db.select(ProgramEntry).where(ProgramEntry.session_id.is_(None))
            )
            if e.starts is not None and e.ends is not None
        ),
        key=lambda t: (t.starts, t.entry.id),
    )
    placed = set(
        db.session.scalars(
            db.select(ProgramEntry.submission_id).where(ProgramEntry.submission_id.is_not(None))
        )
    )
    unplaced = [s for s in accepted_submissions() if s.id not in placed]
    return Draft(version, sessions, fixed, unplaced)


def accepted_submissions() -> list[Submission]:
    return list(
        db.session.scalars(
            db.select(Submission)
            .where(Submission.status == SubmissionStatus.ACCEPTED)
            .order_by(Submission.number)
        )
    )


def changes_since(version: int) -> list[ProgramChange]:
    return list(
        db.session.scalars(
            db.select(ProgramChange)
            .where(ProgramChange.version > version)
            .order_by(ProgramChange.version)
        )
    )


# --- The version and the change log ---------------------------------------------------------


def begin_edit(expected_version: int) -> ProgramDraft:
    """Lock the draft row and compare versions (StaleDraft when someone saved in between)."""
    draft_row()
    row = db.session.scalars(
        db.select(ProgramDraft).where(ProgramDraft.id == 1).with_for_update()
    ).one()
    if row.version != expected_version:
        raise StaleDraft(changes_since(expected_version))
    return row


def _finish(row: ProgramDraft, organizer: Organizer | None, summary: str) -> ProgramChange:
    moment = now()
    row.version += 1
    row.updated_at = moment
    change = ProgramChange(
        version=row.version,
        at=moment,
        organizer_id=organizer.id if organizer else None,
        summary=summary,
    )
    db.session.add(change)
    record(
        AuditAction.PROGRAM_EDITED,
        organizer=organizer,
        target=f"program v{row.version}",
        details=summary,
    )
    db.session.flush()
    return change


def _check_minutes(minutes: int, field_name: str = "minutes") -> None:
    if not MINUTES_MIN <= minutes <= MINUTES_MAX:
        raise EditRefused(
            f"The length is a whole number of minutes from {MINUTES_MIN} to {MINUTES_MAX}.",
            field_name,
        )


def _session(session_id: int) -> ProgramSession:
    session = db.session.get(ProgramSession, session_id)
    if session is None:
        raise EditRefused("That session is no longer in the program.", "session_id")
    return session


def _entry(entry_id: int) -> ProgramEntry:
    entry = db.session.get(ProgramEntry, entry_id)
    if entry is None:
        raise EditRefused("That item is no longer in the program.")
    return entry


def _next_position(session: ProgramSession) -> int:
    return max((e.position for e in session.entries), default=0) + 1


def _speaker_keys(workshop: Workshop, text: str) -> str:
    keys = [k.strip() for k in (text or "").split(",") if k.strip()]
    unknown = [k for k in keys if workshop.speaker(k) is None]
    if unknown:
        raise EditRefused(
            "Not a speaker of the content file: " + ", ".join(unknown) + ". Use the keys of "
            "its [[speakers]] (such as " + ", ".join(s.key for s in workshop.speakers[:2]) + ").",
            "speaker_keys",
        )
    return ",".join(keys)


def _interval(workshop: Workshop, starts: time, ends: time) -> tuple[datetime, datetime]:
    start, end = day_moment(workshop, starts), day_moment(workshop, ends)
    if end <= start:
        raise EditRefused("The end must be after the start.", "ends")
    return start, end


# --- Sessions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionInput:
    title: str
    starts: time
    ends: time
    chair: str = ""
    room: str = ""


def add_session(version: int, organizer: Organizer | None, data: SessionInput) -> ProgramSession:
    """A new, empty session."""
    workshop = current_workshop()
    row = begin_edit(version)
    starts, ends = _interval(workshop, data.starts, data.ends)
    session = ProgramSession(
        title=data.title, starts=starts, ends=ends, chair=data.chair, room=data.room
    )
    db.session.add(session)
    db.session.flush()
    _finish(
        row,
        organizer,
        f"Added the session “{data.title}”, {data.starts:%H:%M}–{data.ends:%H:%M}"
        + (f", {data.room}" if data.room else ""),
    )
    return session


def edit_session(
    version: int, organizer: Organizer | None, session_id: int, data: SessionInput
) -> ProgramSession:
    workshop = current_workshop()
    row = begin_edit(version)
    session = _session(session_id)
    starts, ends = _interval(workshop, data.starts, data.ends)
    session.title, session.starts, session.ends = data.title, starts, ends
    session.chair, session.room = data.chair, data.room
    _finish(
        row,
        organizer,
        f"Changed the session “{data.title}”: {data.starts:%H:%M}–{data.ends:%H:%M}"
        + (f", {data.room}" if data.room else "")
        + (f", chair {data.chair}" if data.chair else ""),
    )
    return session


def delete_session(version: int, organizer: Organizer | None, session_id: int) -> None:
    """The session and its entries (its talks go back to "not placed yet")."""
    row = begin_edit(version)
    session = _session(session_id)
    count = len(session.entries)
    title = session.title
    for entry in list(session.entries):
        db.session.delete(entry)
    db.session.delete(session)
    _finish(row, organizer, f"Deleted the session “{title}” and its {count} item(s)")


# --- Entries --------------------------------------------------------------------------------


def add_talk(
    version: int, organizer: Organizer | None, submission_id: int, session_id: int, minutes: int
) -> ProgramEntry:
    """An accepted submission placed at the end of a session."""
    row = begin_edit(version)
    submission = db.session.get(Submission, submission_id)
    if submission is None:
        raise EditRefused("That submission does not exist.", "submission_id")
    if submission.status != SubmissionStatus.ACCEPTED:
        raise EditRefused(
            f"{submission.reference} is {submission.status.value}, not accepted: only accepted "
            "talks can be placed.",
            "submission_id",
        )
    _check_minutes(minutes)
    session = _session(session_id)
    entry = ProgramEntry(
        session_id=session.id,
        position=_next_position(session),
        minutes=minutes,
        kind=EntryKind.TALK,
        submission_id=submission.id,
    )
    db.session.add(entry)
    db.session.flush()
    _finish(
        row,
        organizer,
        f"Placed {submission.reference} in “{session.title}” ({minutes} min)",
    )
    return entry


@dataclass(frozen=True)
class FixedInput:
    kind: EntryKind
    title: str
    presenters: str = ""
    speaker_keys: str = ""
    session_id: int | None = None  # in a session (with minutes) or outside (starts, ends)
    minutes: int | None = None
    starts: time | None = None
    ends: time | None = None


def _place(workshop: Workshop, entry: ProgramEntry, session_id, minutes, starts, ends) -> str:
    """Put an entry in a session (at its end, unless already there) or outside one; where."""
    if session_id:
        session = _session(session_id)
        if minutes is None:
            raise EditRefused("Give the length in minutes for an item in a session.", "minutes")
        _check_minutes(minutes)
        if entry.session_id != session.id:
            entry.position = _next_position(session)
        entry.session_id, entry.minutes = session.id, minutes
        entry.starts = entry.ends = None
        return f"in “{session.title}” ({minutes} min)"
    if starts is None:
        raise EditRefused("Give the start (HH:MM) for an item outside a session.", "starts")
    if ends is None:
        raise EditRefused("Give the end (HH:MM) for an item outside a session.", "ends")
    entry.starts, entry.ends = _interval(workshop, starts, ends)
    entry.session_id, entry.position = None, 0
    return f"at {starts:%H:%M}–{ends:%H:%M}"


def add_fixed_item(version: int, organizer: Organizer | None, data: FixedInput) -> ProgramEntry:
    """A welcome, keynote, break, ...: in a session with minutes, or outside with times."""
    workshop = current_workshop()
    row = begin_edit(version)
    if data.kind not in FIXED_KINDS:
        raise EditRefused("Choose one of the kinds shown.", "kind")
    if not data.title.strip():
        raise EditRefused("Give the item a title.", "title")
    entry = ProgramEntry(
        kind=data.kind,
        title=data.title.strip(),
        presenters=data.presenters.strip(),
        speaker_keys=_speaker_keys(workshop, data.speaker_keys),
    )
    where = _place(workshop, entry, data.session_id, data.minutes, data.starts, data.ends)
    db.session.add(entry)
    db.session.flush()
    _finish(row, organizer, f"Added “{entry.title}” ({data.kind.value}) {where}")
    return entry


@dataclass(frozen=True)
class EntryInput:
    title: str = ""  # fixed items only; a talk's title is its submission's
    presenters: str = ""
    speaker_keys: str = ""
    session_id: int | None = None
    minutes: int | None = None
    starts: time | None = None
    ends: time | None = None


def edit_entry(
    version: int, organizer: Organizer | None, entry_id: int, data: EntryInput
) -> ProgramEntry:
    """Change an entry's length, words or place (into another session, or out of one)."""
    workshop = current_workshop()
    row = begin_edit(version)
    entry = _entry(entry_id)
    if entry.kind != EntryKind.TALK:
        if not data.title.strip():
            raise EditRefused("Give the item a title.", "title")
        entry.title = data.title.strip()
        entry.presenters = data.presenters.strip()
        entry.speaker_keys = _speaker_keys(workshop, data.speaker_keys)
    elif not data.session_id:
        raise EditRefused("A talk is placed in a session.", "session_id")
    where = _place(workshop, entry, data.session_id, data.minutes, data.starts, data.ends)
    _finish(row, organizer, f"Changed “{entry_title(entry)}”: {where}")
    return entry


def move_entry(version: int, organizer: Organizer | None, entry_id: int, step: int) -> None:
    """One place up (step -1) or down (+1) inside its session."""
    row = begin_edit(version)
    entry = _entry(entry_id)
    if entry.session is None:
        raise EditRefused("Only items in a session have an order to change.")
    entries = list(entry.session.entries)
    index = entries.index(entry)
    other = index + step
    if not 0 <= other < len(entries):
        raise EditRefused("That item is already at the edge of its session.")
    entries[index], entries[other] = entries[other], entries[index]
    for position, item in enumerate(entries, start=1):
        item.position = position
    _finish(
        row,
        organizer,
        f"Moved “{entry_title(entry)}” {'up' if step < 0 else 'down'} in "
        f"“{entry.session.title}” (now {other + 1} of {len(entries)})",
    )


def delete_entry(version: int, organizer: Organizer | None, entry_id: int) -> None:
    row = begin_edit(version)
    entry = _entry(entry_id)
    title = entry_title(entry)
    db.session.delete(entry)
    _finish(row, organizer, f"Removed “{title}” from the program")


def import_content_program(version: int, organizer: Organizer | None) -> int:
    """The content file's [[program]] as fixed items outside sessions, once; how many."""
    workshop = current_workshop()
    row = begin_edit(version)
    taken = db.session.scalar(
        db.select(db.func.count()).select_from(ProgramEntry).where(ProgramEntry.content_key != "")
    )
    if taken:
        raise EditRefused(
            f"The content file's program was already taken in ({taken} items in the draft came "
            "from it); it is taken in only once. Delete those items first to take it again."
        )
    for item in workshop.program:
        if item.kind == "session":
            continue
        db.session.add(
            ProgramEntry(
                kind=CONTENT_KINDS.get(item.kind, EntryKind.OTHER),
                title=item.title,
                presenters=item.presenters,
                speaker_keys=",".join(s.key for s in item.speakers),
                content_key=item.key,
                starts=as_utc(item.starts),
                ends=as_utc(item.ends),
            )
        )
    count = sum(1 for item in workshop.program if item.kind != "session")
    db.session.flush()
    _finish(row, organizer, f"Took the content file's program as {count} fixed items")
    return count


# --- Publishing -----------------------------------------------------------------------------


def latest_publication() -> ProgramPublication | None:
    return db.session.scalars(
        db.select(ProgramPublication).order_by(ProgramPublication.id.desc()).limit(1)
    ).first()
