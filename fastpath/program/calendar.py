"""The public program as iCalendar files: the whole day (/program.ics) and one item each
(/program/<key>.ics), built from program.public.current_program().

One VEVENT per program entry (talks, breaks, meals, the welcome); a session header is not an
event of its own, its title, room and chair are written into each of its entries instead, so
a calendar shows no two overlapping blocks for one talk. Everything in a file follows from
the program alone (DTSTAMP is the publication's moment, or the workshop's start for the
content file's program), so two requests, or two frozen copies, give the same bytes.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import current_app
from icalendar import Calendar, Event
from markupsafe import Markup

from ..content import ProgramItem, Workshop, current_workshop
from ..core.urls import public_url
from ..registration.calendar import CALENDAR_CONTENT_TYPE, zone_block
from .public import PublicProgram, current_program

__all__ = ["CALENDAR_CONTENT_TYPE", "item_calendar", "program_calendar", "program_filename"]

_CACHE_KEY = "fastpath.program_calendars"  # in app.extensions: (version, {key: bytes})
_WHOLE_DAY = ""  # the cache's key for /program.ics


def program_filename(workshop: Workshop, key: str = "") -> str:
    """'fastpath-2020-program.ics', or 'fastpath-2020-<key>.ics' for one item."""
    slug = "".join(c if c.isalnum() else "-" for c in workshop.short_name.lower()).strip("-")
    return f"{slug or 'workshop'}-{key or 'program'}.ics"


def program_calendar() -> bytes:
    """The whole day of the current program, one event per entry (cached per version)."""
    return _cached(_WHOLE_DAY)


def item_calendar(key: str) -> bytes | None:
    """One entry of the current program as a calendar; None for an unknown key or a
    session header (not an event, see the module's docstring)."""
    return _cached(key)


def _cached(key: str) -> bytes | None:
    program = current_program()
    cached = current_app.extensions.get(_CACHE_KEY)
    if cached is None or cached[0] != program.version:
        # A publish made a new version: the old version's files are never asked for again.
        cached = current_app.extensions[_CACHE_KEY] = (program.version, {})
    files: dict[str, bytes | None] = cached[1]
    if key not in files:
        if key == _WHOLE_DAY:
            files[key] = build_calendar(program, current_workshop(), list(events_of(program)))
        else:
            item = program.item(key)
            # Bounded: only keys of this program's entries get an entry here.
            if item is None:
                return None
            files[key] = build_calendar(program, current_workshop(), [item])
    return files[key]


def events_of(program: PublicProgram) -> list[ProgramItem]:
    """The items that are calendar events: every item but the session headers."""
    return [item for item in program.items if item.kind != "session"]


def build_calendar(program: PublicProgram, workshop: Workshop, items: list[ProgramItem]) -> bytes:
    """A PUBLISH calendar with the workshop zone's VTIMEZONE and one VEVENT per item."""
    base = current_app.config["PUBLIC_BASE_URL"]
    host = urlsplit(base).hostname or "localhost"
    stamp = (program.published_at or workshop.starts).astimezone(UTC)
    sessions = {i.title: i for i in program.items if i.kind == "session"}
    calendar = Calendar()
    calendar.add("prodid", f"-//{workshop.short_name}//Program//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{workshop.short_name} program")
    calendar.add("x-wr-timezone", str(workshop.zone))
    calendar.add_component(zone_block(workshop))
    for item in items:
        calendar.add_component(_event(item, workshop, sessions.get(item.session), host, stamp))
    return calendar.to_ical()


def _event(
    item: ProgramItem,
    workshop: Workshop,
    session: ProgramItem | None,
    host: str,
    stamp: datetime,
) -> Event:
    event = Event()
    # Stable per item across requests and publications: re-importing updates the entry.
    event.add("uid", f"{item.key}@{host}")
    event.add("dtstamp", stamp)
    event.add("dtstart", item.starts.astimezone(workshop.zone))  # written with TZID
    event.add("dtend", item.ends.astimezone(workshop.zone))
    presenter = presenter_names(item)
    event.add("summary", f"{item.title} ({presenter})" if presenter else item.title)
    room = item.room or (session.room if session else "")
    event.add("location", f"{workshop.place}, {room}" if room else workshop.place)
    event.add("url", _item_url(item))
    event.add("description", _description(item, workshop, session))
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def presenter_names(item: ProgramItem) -> str:
    """Who presents the item, as one line: its speakers' names, else the free text."""
    if item.speakers:
        return ", ".join(s.name for s in item.speakers)
    return item.presenters


def _item_url(item: ProgramItem) -> str:
    if item.speakers:
        return public_url("site.speaker", key=item.speakers[0].key)
    return public_url("site.program")


def _description(item: ProgramItem, workshop: Workshop, session: ProgramItem | None) -> str:
    lines = []
    if item.speakers:
        lines.append(
            "Presented by "
            + "; ".join(
                f"{s.name} ({s.affiliation})" if s.affiliation else s.name for s in item.speakers
            )
        )
    elif item.presenters:
        lines.append(f"Presented by {item.presenters}")
    if item.authors:
        lines.append(
            "Authors: "
            + "; ".join(
                f"{a.name} ({a.affiliation})" if a.affiliation else a.name for a in item.authors
            )
        )
    if session is not None:
        chair = f", chair: {session.chair}" if session.chair else ""
        lines.append(f"Session: {session.title}{chair}")
    if item.abstract:
        lines.append("")
        lines.append(_plain(item.abstract))
    if item.slides_url:
        slides = item.slides_url
        if slides.startswith("/"):
            slides = current_app.config["PUBLIC_BASE_URL"] + slides
        lines.append(f"Slides: {slides}")
    if item.video_url:
        lines.append(f"Video: {item.video_url}")
    lines.append(f"{workshop.name}. Program: {public_url('site.program')}")
    return "\n".join(lines)


def _plain(html: Markup) -> str:
    """An abstract's HTML as plain text for the calendar: paragraphs kept, tags dropped."""
    text = re.sub(r"<br\s*/?>", "\n", re.sub(r"</p>\s*", "\n\n", str(html)))
    return Markup(re.sub(r"<[^>]+>", "", text)).unescape().strip()
