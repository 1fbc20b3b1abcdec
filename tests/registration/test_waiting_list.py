"""Capacity and the waiting list: newcomers wait with a position, places are promoted in order."""

from __future__ import annotations

import sqlite3
import time

import pytest

from fastpath.core.extensions import db
from fastpath.registration.models import RegistrationStatus
from tests.conftest import make_app
from tests.helpers.registrations import (
    content_copy,
    deliver,
    events,
    html_of,
    link_in,
    outbox,
    register,
    registrations,
)


def test_full_room_puts_newcomers_on_waiting_list_with_position(content_app, smtp):
    app = content_app("capacity = 2")
    client = app.test_client()
    for number in range(1, 5):
        response = register(client, email=f"p{number}@example.org", name=f"Person {number}")
        assert response.headers["Location"] == "/register/thanks"
        page = html_of(client.get("/register/thanks"))
        if number <= 2:
            assert "You have a place at the workshop." in page
        else:
            assert f"you are number {number - 2} on the waiting list" in page

    rows = registrations(app)
    assert [(r.email, r.status, r.arrival) for r in rows] == [
        ("p1@example.org", RegistrationStatus.REGISTERED, 1),
        ("p2@example.org", RegistrationStatus.REGISTERED, 2),
        ("p3@example.org", RegistrationStatus.WAITING, 3),
        ("p4@example.org", RegistrationStatus.WAITING, 4),
    ]
    assert events(app, rows[2].id) == ["waitlisted"]
    assert "The room is full." in html_of(client.get("/register"))

    deliver(app)
    smtp.recorder.wait_for(4)
    (third,) = smtp.recorder.to("p3@example.org")
    assert third.subject == "[FastPath 2020] You are on the waiting list (number 1)"
    assert "you are number 1" in third.text
    assert third.attachments() == []  # the calendar file comes with a place
    (fourth,) = smtp.recorder.to("p4@example.org")
    assert fourth.subject == "[FastPath 2020] You are on the waiting list (number 2)"

    page = html_of(client.get(link_in(third)))
    assert "you are number 1 on the waiting list" in page
    assert "calendar.ics" not in page
    assert client.get(link_in(third) + "/calendar.ics").status_code == 404


def test_waiting_person_leaves_list_and_nobody_is_promoted(content_app, smtp):
    app = content_app("capacity = 1")
    client = app.test_client()
    for who in ("a", "b", "c"):
        register(client, email=f"{who}@example.org")
    deliver(app)
    smtp.recorder.wait_for(3)
    link_b = link_in(smtp.recorder.to("b@example.org")[0])

    assert "Yes, leave the waiting list" in html_of(client.get(f"{link_b}/cancel"))
    client.post(f"{link_b}/cancel")

    a, b, c = registrations(app)
    assert [a.status, b.status, c.status] == [
        RegistrationStatus.REGISTERED,
        RegistrationStatus.CANCELLED,
        RegistrationStatus.WAITING,
    ]
    assert events(app, b.id) == ["waitlisted", "left_waiting_list"]
    assert deliver(app) == 1
    left = smtp.recorder.wait_for(4)[-1]
    assert left.envelope_to == ["b@example.org"]
    assert left.subject == "[FastPath 2020] You have left the waiting list"
    link_c = link_in(smtp.recorder.to("c@example.org")[0])
    assert "you are number 1 on the waiting list" in html_of(client.get(link_c))


def test_raising_capacity_then_promote_command_fills_places(tmp_path, smtp, content_app):
    small = content_app("capacity = 1", name="site")
    client = small.test_client()
    for who in ("a", "b", "c"):
        register(client, email=f"{who}@example.org")
    # The same database, with the capacity raised in the content.
    folder = content_copy(tmp_path, "capacity = 2", "content-bigger")
    bigger = make_app(
        tmp_path / "site",
        CONTENT_DIR=str(folder),
        REGISTRATION_CONFIRM_ADDRESS=False,
        **smtp.app_config(),
    )

    result = bigger.test_cli_runner().invoke(args=["registration", "promote"])

    assert result.exit_code == 0, result.output
    assert "1 promoted" in result.output
    assert [r.status for r in registrations(bigger)] == [
        RegistrationStatus.REGISTERED,
        RegistrationStatus.REGISTERED,
        RegistrationStatus.WAITING,
    ]
    assert outbox(bigger)[-1] == (
        "b@example.org",
        "registration_promoted",
        "[FastPath 2020] A place is free: you are registered",
    )
    with bigger.app_context():
        db.engine.dispose()


@pytest.mark.sqlite_only
def test_full_room_page_does_not_wait_for_a_transaction_holding_the_write_lock(content_app):
    app = content_app("capacity = 1")  # the page reads whether the room is full
    client = app.test_client()
    register(client)
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # someone saving a registration, say
    try:
        started = time.monotonic()
        response = client.get("/register")
        waited = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert response.status_code == 200
    assert "The room is full." in html_of(response)
    assert waited < 1.0  # a write transaction would wait the busy timeout (15 s)
