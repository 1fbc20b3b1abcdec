"""Organizers cancel registrations from their pages, one or a selection (issue 18 item 4)."""

from __future__ import annotations

import pytest
from flask import Flask

from fastpath.core.audit import AuditEvent
from fastpath.core.extensions import db
from fastpath.mail.models import OutboxMail
from fastpath.registration.models import Registration
from tests.conftest import make_app
from tests.helpers.editions import edition_with_capacity
from tests.helpers.organizers import make_organizer, sign_in
from tests.helpers.registrations import register_unconfirmed


@pytest.fixture
def site(tmp_path) -> Flask:
    """One place: a has it, b and c wait (each confirmed in the order they registered)."""
    app = make_app(tmp_path, CONTENT_DIR=str(edition_with_capacity(tmp_path, 1)))
    client = app.test_client()
    for who in ("a", "b", "c"):
        client.post(register_unconfirmed(client, f"{who}@example.org") + "/confirm")
    make_organizer(app)
    return app


def states(app: Flask) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.scalars(db.select(Registration).order_by(Registration.id))
        return [(row.email, str(row.status)) for row in rows]


def last_mail(app: Flask, email: str) -> OutboxMail:
    with app.app_context():
        query = db.select(OutboxMail).where(OutboxMail.recipients == email)
        mail = db.session.scalars(query.order_by(OutboxMail.id.desc())).first()
        db.session.expunge(mail)
        return mail


def test_organizer_cancels_one_registration_and_the_waiting_list_moves(site):
    client = site.test_client()
    sign_in(client)
    assert states(site) == [
        ("a@example.org", "registered"),
        ("b@example.org", "waiting"),
        ("c@example.org", "waiting"),
    ]

    response = client.post("/organizer/registrations/1/cancel")

    assert response.status_code == 303
    assert response.headers["Location"] == "/organizer/registrations/1"
    assert [s for _, s in states(site)] == ["cancelled", "registered", "waiting"]
    cancelled = last_mail(site, "a@example.org")
    assert cancelled.subject == "[FastPath 2020] Your registration was cancelled by the organizers"
    assert "the organizers have cancelled your registration" in cancelled.body_text
    assert last_mail(site, "b@example.org").template == "registration_promoted"
    with site.app_context():
        actions = db.session.scalars(db.select(AuditEvent.action).order_by(AuditEvent.id))
        assert list(actions)[-1] == "registration_cancelled"
    again = client.post("/organizer/registrations/1/cancel", follow_redirects=True)
    assert "This registration was cancelled already." in again.text


def test_organizer_cancels_a_selection_from_the_list(site):
    client = site.test_client()
    sign_in(client)
    assert 'name="ids" value="2"' in client.get("/organizer/registrations").text

    response = client.post("/organizer/registrations/cancel", data={"ids": ["2", "3", "x"]})

    assert response.headers["Location"] == "/organizer/registrations"
    assert [s for _, s in states(site)] == ["registered", "cancelled", "cancelled"]
    assert last_mail(site, "c@example.org").template == "registration_cancelled"
    page = client.get("/organizer/registrations").text
    assert "Cancelled 2 registrations; each gets the usual mail." in page
    assert 'name="ids" value="2"' not in page  # cancelled rows cannot be chosen again


def test_cancelling_needs_an_organizer(site):
    response = site.test_client().post("/organizer/registrations/cancel", data={"ids": ["1"]})
    assert response.status_code in (302, 303)
    assert [s for _, s in states(site)][0] == "registered"
