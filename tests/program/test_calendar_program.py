"""/program.ics and /program/<key>.ics: the program's entries as calendar events."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar

from tests.helpers.program import PUBLISHED_AT, publish, sample_snapshot, store_slides

NEW_YORK = ZoneInfo("America/New_York")


def parse(response) -> Calendar:
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    return Calendar.from_ical(response.get_data())


def test_published_program_calendar_has_one_event_per_entry_with_zone_and_times(app, client):
    name, _ = store_slides(app)
    publish(app, sample_snapshot(slides=name))
    response = client.get("/program.ics")
    assert response.headers["Content-Disposition"] == 'inline; filename="fastpath-2020-program.ics"'
    calendar = parse(response)
    events = calendar.events
    # Every item but the session header "Papers I".
    assert [str(e["uid"]) for e in events] == [
        "welcome-0900@fastpath.test",
        "fp20-007@fastpath.test",
        "fp20-008@fastpath.test",
        "break-1015@fastpath.test",
    ]
    assert [str(z["tzid"]) for z in calendar.timezones] == ["America/New_York"]
    talk = events[1]
    assert talk["dtstart"].params["TZID"] == "America/New_York"
    assert talk.decoded("dtstart") == datetime(2020, 4, 5, 9, 15, tzinfo=NEW_YORK)
    assert talk.decoded("dtend") == datetime(2020, 4, 5, 9, 45, tzinfo=NEW_YORK)
    assert talk.decoded("dtstamp") == PUBLISHED_AT
    assert str(talk["summary"]) == "Roofline models for transformer inference (Ada Lovelace)"
    assert str(talk["location"]) == "Boston, Massachusetts, USA, Ballroom B"
    assert str(talk["url"]) == "http://fastpath.test/speakers/ada-lovelace"
    description = str(talk["description"])
    assert "Presented by Ada Lovelace (University of London)" in description
    assert "Authors: Ada Lovelace (University of London); Grace Hopper (Yale University)" in (
        description
    )
    assert "Session: Papers I, chair: Parijat Dube" in description
    assert "We measure.\n\nThen we model <everything>." in description
    assert "Slides: http://fastpath.test/program/slides/fp20-007.pdf" in description
    assert "Video: https://video.example.org/fp20-007" in description
    welcome = events[0]
    assert str(welcome["summary"]) == "Welcome (Erik Altman)"
    assert str(welcome["location"]) == "Boston, Massachusetts, USA, Hall A"
    assert str(welcome["url"]) == "http://fastpath.test/program"


def test_program_calendar_is_the_same_bytes_on_every_request(app, client):
    publish(app, sample_snapshot())
    first = client.get("/program.ics").get_data()
    assert client.get("/program.ics").get_data() == first
    # Built anew (as a fresh process or a frozen copy would): still the same bytes.
    app.extensions.pop("fastpath.program_calendars")
    assert client.get("/program.ics").get_data() == first


def test_content_file_calendar_has_every_item_with_unique_stable_uids(app, client):
    with app.app_context():
        from fastpath.content import current_workshop

        workshop = current_workshop()
        items = workshop.program
    events = parse(client.get("/program.ics")).events
    assert len(events) == len(items)
    uids = [str(e["uid"]) for e in events]
    assert len(set(uids)) == len(uids)
    assert uids == [f"{item.key}@fastpath.test" for item in items]
    assert [e.decoded("dtstart") for e in events] == [item.starts for item in items]
    assert [e.decoded("dtend") for e in events] == [item.ends for item in items]
    # DTSTAMP of the content file's program: the workshop's start, stable across processes.
    assert {e.decoded("dtstamp") for e in events} == {workshop.starts.astimezone(UTC)}
    again = parse(client.get("/program.ics")).events
    assert [str(e["uid"]) for e in again] == uids


def test_item_calendar_has_that_one_entry(app, client):
    publish(app, sample_snapshot())
    response = client.get("/program/fp20-008.ics")
    assert (
        response.headers["Content-Disposition"] == 'inline; filename="fastpath-2020-fp20-008.ics"'
    )
    calendar = parse(response)
    (event,) = calendar.events
    assert str(event["uid"]) == "fp20-008@fastpath.test"
    assert str(event["summary"]) == "Sparse kernels & friends (Alan Turing)"
    assert event.decoded("dtstart") == datetime(2020, 4, 5, 9, 45, tzinfo=NEW_YORK)
    assert [str(z["tzid"]) for z in calendar.timezones] == ["America/New_York"]


def test_item_calendar_of_unknown_key_or_session_header_is_404(app, client):
    publish(app, sample_snapshot())
    assert client.get("/program/nothing-here.ics").status_code == 404
    assert client.get("/program/session-papers-i.ics").status_code == 404
    # A content-file key is not part of the published program.
    assert client.get("/program/lunch-1215.ics").status_code == 404


def test_calendar_follows_a_publish(app, client):
    before = parse(client.get("/program.ics")).events
    assert "fp20-007@fastpath.test" not in [str(e["uid"]) for e in before]
    assert client.get("/program/lunch-1215.ics").status_code == 200
    publish(app, sample_snapshot())
    after = parse(client.get("/program.ics")).events
    assert len(after) == 4
    assert client.get("/program/fp20-007.ics").status_code == 200
