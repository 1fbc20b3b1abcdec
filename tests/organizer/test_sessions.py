"""Organizer sessions: signing out, expiry, and a password change ending other sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fastpath.core.extensions import db
from fastpath.organizer.models import OrganizerSession
from tests.helpers.organizers import EMAIL, PASSWORD, audit_actions, make_organizer, sign_in


def test_sign_out_ends_the_session_even_for_a_copied_cookie(app, client):
    make_organizer(app)
    sign_in(client)
    with client.session_transaction() as session:
        copied = dict(session)

    response = client.post("/organizer/logout")

    assert response.status_code == 303
    assert response.location == "/organizer/login"
    assert client.get("/organizer/").status_code == 302
    with client.session_transaction() as session:
        session.update(copied)  # replay the cookie from before sign-out
    assert client.get("/organizer/").location.startswith("/organizer/login")
    assert [a for a, _, _ in audit_actions(app)][-1] == "sign_out"


def test_sign_out_by_get_is_refused(organizer_client):
    assert organizer_client.get("/organizer/logout").status_code == 405
    assert organizer_client.get("/organizer/").status_code == 200


def test_session_expires(app, organizer_client):
    with app.app_context():
        row = db.session.scalars(db.select(OrganizerSession)).one()
        row.expires_at = datetime.now(UTC) - timedelta(minutes=1)
        db.session.commit()

    assert organizer_client.get("/organizer/").location == "/organizer/login?next=/organizer/"


@pytest.mark.app_config(ORGANIZER_SESSION_HOURS=8)
def test_session_lasts_the_configured_hours(app, organizer_client):
    with app.app_context():
        row = db.session.scalars(db.select(OrganizerSession)).one()
        lifetime = row.expires_at - row.created_at
    assert lifetime == timedelta(hours=8)


def test_password_change_ends_other_sessions(app, client):
    make_organizer(app)
    other = app.test_client()
    sign_in(client)
    sign_in(other)

    response = client.post(
        "/organizer/password",
        data={
            "current_password": PASSWORD,
            "new_password": "another long passphrase",
            "repeat_password": "another long passphrase",
        },
    )

    assert response.location == "/organizer/"
    assert client.get("/organizer/").status_code == 200
    assert other.get("/organizer/").status_code == 302
    assert sign_in(app.test_client(), password="another long passphrase").location == (
        "/organizer/"
    )
    assert ("password_change", EMAIL) in [(a, who) for a, who, _ in audit_actions(app)]


def test_password_change_needs_the_current_password(app, organizer_client):
    response = organizer_client.post(
        "/organizer/password",
        data={
            "current_password": "wrong",
            "new_password": "another long passphrase",
            "repeat_password": "another long passphrase",
        },
    )

    assert response.status_code == 422
    assert "This is not your current password." in response.get_data(as_text=True)
    assert sign_in(app.test_client()).location == "/organizer/"
