"""The workshop as an iCalendar file (.ics) for one attendee."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from icalendar import Calendar, Event, Timezone
from icalendar.parser import Contentline

from ..content import Workshop
from .models import Registration

CALENDAR_CONTENT_TYPE = "text/calendar"

# Everything in the file but the event's UID and DTSTAMP is the same for every attendee, so
# the caller builds it once (building it costs more than the rest of a registration's mail)
# and those two lines are filled in per file.
_UID_MARK = "fastpath-uid-to-fill-in"
_STAMP_MARK = datetime(1900, 1, 1, tzinfo=UTC)
_STAMP_LINE = "DTSTAMP:19000101T000000Z"


def calendar_filename(workshop: Workshop) -> str:
    """A file name from the workshop's short name, e.g. 'fastpath-2020.ics'."""
    slug = "".join(c if c.isalnum() else "-" for c in workshop.short_name.lower()).strip("-")
    return f"{slug or 'workshop'}.ics"


def attendee_calendar(
    template: str, registration: Registration, public_base_url: str, stamp: datetime
) -> bytes:
    """The .ics file for one attendee, from the workshop's calendar_template."""
    host = urlsplit(public_base_url).hostname or "localhost"
    # Stable per registration, so importing a resent file updates the entry instead of
    # adding a second one; random, so no other registration anywhere has it.
    uid = Contentline(f"UID:{registration.calendar_uid}@{host}").to_ical().decode()
    text = template.replace(f"UID:{_UID_MARK}", uid, 1)
    text = text.replace(_STAMP_LINE, f"DTSTAMP:{stamp.astimezone(UTC):%Y%m%dT%H%M%SZ}", 1)
    return text.encode()


def calendar_template(workshop: Workshop, public_base_url: str) -> str:
    """A PUBLISH calendar with one event, the workshop day in the workshop's own time zone,
    with marks where each attendee's UID and DTSTAMP go (see attendee_calendar)."""
    calendar = Calendar()
    calendar.add("prodid", f"-//{workshop.short_name}//Registration//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("calscale", "GREGORIAN")
    # The zone's rules for the year around the workshop: a short VTIMEZONE that every
    # calendar program can read, instead of one listing every change since 1970.
    calendar.add_component(
        Timezone.from_tzinfo(
            workshop.zone,
            tzid=str(workshop.zone),
            first_date=workshop.day - timedelta(days=366),
            last_date=workshop.day + timedelta(days=366),
        )
    )
    event = Event()
    event.add("uid", _UID_MARK)
    event.add("dtstamp", _STAMP_MARK)
    event.add("dtstart", workshop.starts)  # aware, in workshop.zone: written with TZID
    event.add("dtend", workshop.ends)
    event.add("summary", workshop.short_name)
    event.add("location", workshop.place)
    event.add("url", f"{public_base_url}/program")
    # No private link here: calendars are often shared with colleagues.
    event.add(
        "description",
        f"{workshop.name}, held with {workshop.conference_short_name} "
        f"({workshop.conference_url}). Program: {public_base_url}/program",
    )
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    return calendar.to_ical().decode()
