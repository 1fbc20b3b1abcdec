"""The .ics time zone block: only the zone's real changes, or its one rule when it has none."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import icalendar

from fastpath.config import PACKAGE_DIR
from fastpath.content import load_workshop
from fastpath.registration.calendar import attendee_calendar, calendar_template

BASE = "http://fastpath.test"
ATTENDEE = SimpleNamespace(calendar_uid="registration-" + "0" * 32)
STAMP = datetime(2020, 1, 20, 12, 0, tzinfo=UTC)


def zone_rules(workshop) -> list[tuple[str, str, str, str]]:
    data = attendee_calendar(calendar_template(workshop, BASE), ATTENDEE, BASE, STAMP)
    (zone,) = icalendar.Calendar.from_ical(data).walk("VTIMEZONE")
    return [
        (
            rule.name,
            rule["DTSTART"].to_ical().decode(),
            *(rule[k].to_ical() for k in ("TZOFFSETFROM", "TZOFFSETTO")),
        )
        for rule in zone.subcomponents
    ]


def test_zone_block_lists_only_real_changes_around_the_workshop():
    workshop = load_workshop(PACKAGE_DIR / "editions" / "fastpath2020")
    assert zone_rules(workshop) == [
        ("STANDARD", "20191103T020000", "-0400", "-0500"),
        ("DAYLIGHT", "20200308T030000", "-0500", "-0400"),
    ]


def test_zone_block_of_a_zone_without_changes_keeps_its_one_rule():
    workshop = load_workshop(PACKAGE_DIR / "editions" / "fastpath2020")
    tokyo = ZoneInfo("Asia/Tokyo")
    workshop = dataclasses.replace(
        workshop,
        zone=tokyo,
        starts=workshop.starts.replace(tzinfo=tokyo),
        ends=workshop.ends.replace(tzinfo=tokyo),
    )
    assert zone_rules(workshop) == [("STANDARD", "20190405T000000", "+0900", "+0900")]
