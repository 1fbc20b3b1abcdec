"""Cancelling a registration through its private link: asked first, once, and never after the
workshop started."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import select

from fastpath.core.extensions import db
from fastpath.mail.models import OutboxMail
from fastpath.registration.models import RegistrationStatus
from tests.helpers.registrations import (
    LINK,
    NEW_YORK,
    deliver,
    events,
    form_data,
    html_of,
    link_in,
    outbox,
    parse_calendar,
    register,
    registrations,
)


def test_cancel_asks_first_then_promotes_first_waiting_and_mails(content_app, smtp):
    app = content_app("capacity = 1")
    client = app.test_client()
    for who in ("a", "b", "c"):
        register(client, email=f"{who}@example.org", name=who.upper())
    deliver(app)
    smtp.recorder.wait_for(3)
    link_a = link_in(smtp.recorder.to("a@example.org")[0])
    link_c = link_in(smtp.recorder.to("c@example.org")[0])

    confirm = client.get(f"{link_a}/cancel")
    assert confirm.status_code == 200
    assert "Yes, cancel my registration" in html_of(confirm)
    assert registrations(app)[0].status == RegistrationStatus.REGISTERED  # GET changes nothing

    response = client.post(f"{link_a}/cancel")
    assert response.status_code == 303
    assert response.headers["Location"] == link_a
    a, b, c = registrations(app)
    assert (a.status, a.active_email, a.cancelled_at is not None) == (
        RegistrationStatus.CANCELLED,
        None,
        True,
    )
    assert (b.status, b.promoted_at is not None) == (RegistrationStatus.REGISTERED, True)
    assert c.status == RegistrationStatus.WAITING
    assert events(app, a.id) == ["registered", "cancelled"]
    assert events(app, b.id) == ["waitlisted", "promoted"]

    assert deliver(app) == 2
    smtp.recorder.wait_for(5)
    cancelled = smtp.recorder.to("a@example.org")[-1]
    assert cancelled.subject == "[FastPath 2020] Registration cancelled"
    assert "your registration for FastPath 2020 is cancelled" in cancelled.text
    (promoted,) = smtp.recorder.to("b@example.org")[1:]
    assert promoted.subject == "[FastPath 2020] A place is free: you are registered"
    assert "You are now registered." in promoted.text
    (attachment,) = promoted.attachments()
    _, event = parse_calendar(attachment.get_payload(decode=True))
    assert str(event["LOCATION"]) == "Boston, Massachusetts, USA"
    assert len(smtp.recorder.to("c@example.org")) == 1  # moved up, no mail needed

    assert "This registration is cancelled." in html_of(client.get(link_a))
    assert "you are number 1 on the waiting list" in html_of(client.get(link_c))


def test_cancel_posted_twice_cancels_once(mail_app, smtp):
    client = mail_app.test_client()
    register(client)
    deliver(mail_app)
    link = link_in(smtp.recorder.wait_for(1)[0])

    first = client.post(f"{link}/cancel")
    second = client.post(f"{link}/cancel")

    assert first.headers["Location"] == second.headers["Location"] == link
    assert "already cancelled" in html_of(client.get(link))
    assert [t for _, t, _ in outbox(mail_app)] == [
        "registration_confirmed",
        "registration_cancelled",
    ]


def test_cancel_after_workshop_started_is_refused(content_app):
    app = content_app("capacity = 1")
    client = app.test_client()
    register(client, email="a@example.org")
    register(client, email="b@example.org")
    with app.app_context():
        outbox_text = db.session.scalars(select(OutboxMail.body_text)).first()
    link = LINK.search(outbox_text).group(1)
    app.config["NOW"] = datetime(2020, 4, 5, 9, 30, tzinfo=NEW_YORK)

    response = client.post(f"{link}/cancel")

    assert response.headers["Location"] == link
    assert [r.status for r in registrations(app)] == [
        RegistrationStatus.REGISTERED,
        RegistrationStatus.WAITING,
    ]
    page = html_of(client.get(link))
    assert "registrations can no longer be changed" in page
    assert 'action="' + link + '"' not in page  # no update form any more


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_cancel_with_expired_form_changes_nothing_and_says_so(client, app):
    html = html_of(client.get("/register"))
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    client.post("/register", data=form_data(csrf_token=csrf))
    with app.app_context():
        text = db.session.scalars(select(OutboxMail.body_text)).one()
    link = LINK.search(text).group(1)

    refused = client.post(f"{link}/cancel", data={"csrf_token": "stale"})

    assert refused.status_code == 303
    assert refused.headers["Location"] == link
    assert "This form had expired" in html_of(client.get(link))
    assert registrations(app)[0].status == RegistrationStatus.REGISTERED

    confirm = html_of(client.get(f"{link}/cancel"))
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', confirm).group(1)
    client.post(f"{link}/cancel", data={"csrf_token": csrf})
    assert registrations(app)[0].status == RegistrationStatus.CANCELLED


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_expired_form_on_an_unknown_link_is_a_plain_400(client):
    response = client.post("/registration/" + "A" * 43 + "/cancel", data={"csrf_token": "x"})
    assert response.status_code == 400
