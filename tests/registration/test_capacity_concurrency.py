"""Capacity under real concurrency: 50 threads register at once against a live server."""

from __future__ import annotations

from sqlalchemy import select

from fastpath.core.extensions import db
from fastpath.mail.models import OutboxMail
from fastpath.registration.models import Registration, RegistrationStatus
from tests.conftest import make_app, start_live_server
from tests.helpers.editions import edition_with_capacity
from tests.helpers.servers import register_all_at_once

PEOPLE = 50
CAPACITY = 10


def test_fifty_simultaneous_registrations_fill_ten_places_exactly(tmp_path):
    # The race at registration itself (tests/registration/test_address_confirmation.py races
    # confirmations).
    app = make_app(
        tmp_path,
        CONTENT_DIR=str(edition_with_capacity(tmp_path, CAPACITY)),
        REGISTRATION_CONFIRM_ADDRESS=False,
    )
    server = start_live_server(app)
    people = {n: (f"Person {n}", f"person{n}@example.org") for n in range(PEOPLE)}
    try:
        results, errors = register_all_at_once(server.url, people)
    finally:
        server.stop()

    assert errors == []
    assert len(results) == PEOPLE
    for status, url, page in results.values():
        assert (status, url) == (200, f"{server.url}/register/thanks")
        assert "Thank you, <bdi>Person" in page  # the name isolated (issue 18 item 12)

    with app.app_context():
        rows = db.session.scalars(select(Registration).order_by(Registration.arrival)).all()
        registered = [r for r in rows if r.status == RegistrationStatus.REGISTERED]
        waiting = [r for r in rows if r.status == RegistrationStatus.WAITING]
        assert (len(registered), len(waiting), len(rows)) == (CAPACITY, PEOPLE - CAPACITY, PEOPLE)
        assert len({r.email_normalized for r in rows}) == PEOPLE
        assert len({r.arrival for r in rows}) == PEOPLE
        # Arrival order decides: the first ten to get the lock have the places, and the
        # waiting list is everyone after them, in the order they arrived.
        assert max(r.arrival for r in registered) < min(r.arrival for r in waiting)
        assert [r.arrival for r in rows] == sorted(r.arrival for r in rows)

        # What each person was told matches their row: places 1-10, waiting numbers 1-40.
        for position, row in enumerate(waiting, start=1):
            number = int(row.name.removeprefix("Person "))
            assert f"you are number {position} on the waiting list" in results[number][2]
        for row in registered:
            number = int(row.name.removeprefix("Person "))
            assert "You have a place at the workshop." in results[number][2]

        subjects = sorted(db.session.scalars(select(OutboxMail.subject)))
        expected = ["[FastPath 2020] Registration confirmed"] * CAPACITY + [
            f"[FastPath 2020] You are on the waiting list (number {n})"
            for n in range(1, PEOPLE - CAPACITY + 1)
        ]
        assert subjects == sorted(expected)
