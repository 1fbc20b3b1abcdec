"""Capacity under real concurrency: 50 threads register at once against a live server."""

from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.parse
import urllib.request

from sqlalchemy import select

from fastpath.core.extensions import db
from fastpath.mail.models import OutboxMail
from fastpath.registration.models import Registration, RegistrationStatus
from tests.conftest import make_app, start_live_server
from tests.helpers.editions import edition_with_capacity

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
    barrier = threading.Barrier(PEOPLE, timeout=30)
    results: dict[int, tuple[int, str, str]] = {}
    errors: list[BaseException] = []

    def person(number: int) -> None:
        try:
            # Each person is their own browser: own cookies, own copy of the form.
            opener = urllib.request.build_opener(
                urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
            )
            with opener.open(f"{server.url}/register", timeout=30) as response:
                form = response.read().decode()
            nonce = re.search(r'name="nonce" type="hidden" value="([^"]+)"', form).group(1)
            body = urllib.parse.urlencode(
                {
                    "name": f"Person {number}",
                    "email": f"person{number}@example.org",
                    "affiliation": "Concurrency Lab",
                    "position": "industry",
                    "consent": "y",
                    "nonce": nonce,
                }
            ).encode()
            barrier.wait()  # everyone posts at the same moment
            with opener.open(f"{server.url}/register", data=body, timeout=60) as response:
                results[number] = (response.status, response.url, response.read().decode())
        except BaseException as error:  # noqa: BLE001 (reported by the assertion below)
            errors.append(error)

    threads = [threading.Thread(target=person, args=(n,)) for n in range(PEOPLE)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
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
