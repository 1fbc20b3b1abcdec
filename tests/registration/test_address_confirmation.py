"""With limited places, a place is held only once the address is confirmed (issue 18 item 4)."""

from __future__ import annotations

import threading
import urllib.request
from datetime import UTC, datetime

import pytest
from flask import Flask

from fastpath.core.extensions import db
from fastpath.mail.models import OutboxMail
from fastpath.registration.models import Registration, RegistrationStatus
from tests.conftest import make_app, start_live_server
from tests.helpers.editions import edition_with_capacity
from tests.helpers.forms import post, registration_fields
from tests.helpers.registrations import register_unconfirmed


@pytest.fixture
def small(tmp_path) -> Flask:
    return make_app(tmp_path, CONTENT_DIR=str(edition_with_capacity(tmp_path, 1)))


def rows(app: Flask) -> dict[str, RegistrationStatus]:
    with app.app_context():
        found = db.session.scalars(db.select(Registration).order_by(Registration.id))
        return {row.email: row.status for row in found}


def subjects(app: Flask, email: str) -> list[str]:
    with app.app_context():
        query = db.select(OutboxMail.subject).where(OutboxMail.recipients == email)
        return [s.removeprefix("[FastPath 2020] ") for s in db.session.scalars(query)]


def test_registration_holds_no_place_until_the_address_is_confirmed(small):
    client = small.test_client()
    assert "confirm your address" in client.get("/register").text
    link_a = register_unconfirmed(client, "a@example.org")
    assert "confirm your address within 24 hours" in client.get("/register/thanks").text
    link_b = register_unconfirmed(client, "b@example.org")
    assert rows(small) == {"a@example.org": "unconfirmed", "b@example.org": "unconfirmed"}
    assert client.get(link_a).status_code == 200  # opening the link confirms nothing
    assert rows(small)["a@example.org"] == RegistrationStatus.UNCONFIRMED

    assert client.post(f"{link_b}/confirm").headers["Location"] == link_b
    assert client.post(f"{link_a}/confirm").headers["Location"] == link_a

    assert rows(small) == {"a@example.org": "waiting", "b@example.org": "registered"}
    assert subjects(small, "b@example.org") == [
        "Please confirm your address to complete your registration",
        "Registration confirmed",
    ]
    assert subjects(small, "a@example.org")[-1] == "You are on the waiting list (number 1)"
    assert "you are number 1 on the waiting list" in client.get(link_a).text


def test_made_up_addresses_take_no_place(small):
    client = small.test_client()
    for number in range(30):
        register_unconfirmed(client, f"x{number}@invented.example")

    link = register_unconfirmed(client, "real@example.org")
    client.post(f"{link}/confirm")

    assert rows(small)["real@example.org"] == RegistrationStatus.REGISTERED
    assert list(rows(small).values()).count(RegistrationStatus.UNCONFIRMED) == 30


def test_lapsed_confirmation_is_released_and_the_address_is_free(small):
    client = small.test_client()
    link = register_unconfirmed(client, "a@example.org")
    register_unconfirmed(client, "b@example.org")
    with small.app_context():  # the deadline is real time, so move it instead of the clock
        db.session.execute(
            db.update(Registration).values(confirm_by=datetime(2020, 1, 1, tzinfo=UTC))
        )
        db.session.commit()

    client.post(f"{link}/confirm")
    assert "The time to confirm this registration had passed" in client.get(link).text
    result = small.test_cli_runner().invoke(args=["registration", "release-unconfirmed"])

    assert result.exit_code == 0, result.output
    assert result.output.endswith("1 released.\n")  # b; a was released when it tried
    assert rows(small) == {"a@example.org": "cancelled", "b@example.org": "cancelled"}
    again = register_unconfirmed(client, "a@example.org")  # the address may register again
    client.post(f"{again}/confirm")
    with small.app_context():
        statuses = db.session.scalars(db.select(Registration.status).order_by(Registration.id))
        assert list(statuses) == ["cancelled", "cancelled", "registered"]


def test_unlimited_capacity_needs_no_confirmation(app, client):
    assert post(client, "/register", registration_fields()).status_code == 303
    assert rows(app) == {"ada@example.org": RegistrationStatus.REGISTERED}
    assert "confirm your address" not in client.get("/register").text.lower()


def test_simultaneous_confirmations_fill_the_places_exactly(tmp_path):
    people, capacity = 24, 5
    app = make_app(tmp_path, CONTENT_DIR=str(edition_with_capacity(tmp_path, capacity)))
    client = app.test_client()
    links = [register_unconfirmed(client, f"p{n}@example.org") for n in range(people)]
    server = start_live_server(app)
    barrier = threading.Barrier(people, timeout=30)
    errors: list[BaseException] = []

    def confirm(link: str) -> None:
        try:
            barrier.wait()
            request = urllib.request.Request(f"{server.url}{link}/confirm", data=b"")
            urllib.request.urlopen(request, timeout=60).read()
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=confirm, args=(link,)) for link in links]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        server.stop()

    assert errors == []
    with app.app_context():
        found = db.session.scalars(db.select(Registration).order_by(Registration.arrival)).all()
        statuses = [row.status for row in found]
        assert statuses == ["registered"] * capacity + ["waiting"] * (people - capacity)
        waiting_subjects = db.session.scalars(
            db.select(OutboxMail.subject).where(OutboxMail.subject.contains("waiting list"))
        ).all()
        assert sorted(waiting_subjects) == sorted(
            f"[FastPath 2020] You are on the waiting list (number {n})"
            for n in range(1, people - capacity + 1)
        )


def test_registering_again_before_confirming_mails_the_request_again(small):
    client = small.test_client()
    first = register_unconfirmed(client, "a@example.org")

    second = register_unconfirmed(
        client, "a@example.org"
    )  # the same person, or someone using the address

    assert second != first
    assert (
        subjects(small, "a@example.org")
        == ["Please confirm your address to complete your registration"] * 2
    )
    assert client.post(f"{second}/confirm").status_code == 303
    assert rows(small) == {"a@example.org": RegistrationStatus.REGISTERED}
