"""The registration part of the `make run` demo (`flask --app app demo setup`): a small room
that is full, with people waiting, so group mail, corrections, raising the capacity, badges
and check-in can all be tried at once. Nothing here mails anyone; the caller commits.

The names are fictional and use every script the badges must print (Latin with accents,
Chinese, Korean, Cyrillic, Greek), plus one very long name. The addresses are at reserved
.test domains. Made only while the database has no registration at all, so real
registrations are never mixed with demo ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from ..core.extensions import db
from ..core.tokens import new_token
from .models import (
    CapacitySetting,
    Registration,
    RegistrationCounter,
    RegistrationEvent,
    RegistrationEventKind,
    RegistrationStatus,
)
from .services import RegistrationDetails, new_registration_row

# The room of the demo: the content file sets no capacity (FastPath 2020 had none), so the
# demo stores one, as an organizer would on the capacity page; "use the content file's
# value" there removes it again.
DEMO_CAPACITY = 8
DEMO_FIRST_ARRIVAL = datetime(2020, 1, 8, 15, 0, tzinfo=UTC)


@dataclass(frozen=True)
class DemoAttendee:
    name: str
    email: str
    affiliation: str
    position: str
    dietary: str = ""
    accessibility: str = ""


DEMO_ATTENDEES = (
    DemoAttendee(
        "José Müller-Łukasiewicz",
        "jose@northwind.test",
        "Northwind University",
        "academia",
        "vegetarian",
    ),
    DemoAttendee("王小明", "wang@eastbay.test", "East Bay Institute of Technology", "student"),
    DemoAttendee("김민준", "minjun@hanriver.test", "Han River University", "student", "vegan"),
    DemoAttendee(
        "Анна Смирнова", "anna@volga.test", "Volga Systems", "industry", "", "wheelchair access"
    ),
    DemoAttendee(
        "Ελένη Παπαδοπούλου",
        "eleni@aegean.test",
        "Aegean Research Centre",
        "academia",
        "Vegetarian",
    ),
    DemoAttendee(
        "Chloé Dubois",
        "chloe@southgate.test",
        "Southgate Institute",
        "academia",
        "no nuts (allergy)",
    ),
    DemoAttendee(
        "Maximilian Alexander Friedrich von Hohenzollern-Sigmaringen-Wittelsbach",
        "max@alpine.test",
        "Alpine Institute for Large-Scale Machine Learning Systems Performance",
        "industry",
    ),
    DemoAttendee(
        "Søren Kierkegaard Nørgaard",
        "soren@fjord.test",
        "Fjord Computing",
        "other",
        "",
        "sign-language interpreter",
    ),
    # the waiting list, in arrival order
    DemoAttendee("李华", "lihua@pearl.test", "Pearl River Laboratory", "student", "halal"),
    DemoAttendee("Zoë Ångström", "zoe@nordic.test", "Nordic Data Systems", "industry"),
    DemoAttendee("Дмитрий Иванов", "dmitry@ural.test", "Ural State University", "academia"),
)


def registration_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Registration)) or 0


def create_demo_registrations() -> list[Registration]:
    """The demo attendees: the first DEMO_CAPACITY with a place, the rest waiting, and the
    demo capacity stored; none (an empty list) when any registration exists already."""
    if registration_count():
        return []
    if db.session.get(CapacitySetting, 1) is None:
        db.session.add(CapacitySetting(id=1, capacity=DEMO_CAPACITY, changed_at=DEMO_FIRST_ARRIVAL))
    made = []
    for index, person in enumerate(DEMO_ATTENDEES):
        arrival = index + 1
        moment = DEMO_FIRST_ARRIVAL + timedelta(hours=7 * index)
        has_place = index < DEMO_CAPACITY
        details = RegistrationDetails(
            name=person.name,
            email=person.email,
            affiliation=person.affiliation,
            position=person.position,
            dietary=person.dietary,
            accessibility=person.accessibility,
            consent=True,
        )
        registration = new_registration_row(
            details,
            token_hash=new_token()[1],  # nobody holds the private link of a demo attendee
            moment=moment,
            status=RegistrationStatus.REGISTERED if has_place else RegistrationStatus.WAITING,
            arrival=arrival,
            confirmed_at=moment,
        )
        kind = RegistrationEventKind.REGISTERED if has_place else RegistrationEventKind.WAITLISTED
        registration.events.append(RegistrationEvent(at=moment, kind=kind, details="demo"))
        db.session.add(registration)
        made.append(registration)
    counter = db.session.get(RegistrationCounter, 1)
    if counter is None:
        db.session.add(RegistrationCounter(id=1, last_arrival=len(made)))
    else:
        counter.last_arrival = max(counter.last_arrival, len(made))
    return made
