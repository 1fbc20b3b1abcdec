"""Signing in: the same answer for a wrong password and an unknown address, lockouts,
the `next` address, a new session."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta

import pytest

from fastpath.core.extensions import db
from fastpath.organizer.auth import SESSION_KEY
from fastpath.organizer.models import Organizer, OrganizerSession, SignInThrottle
from tests.helpers.organizers import EMAIL, SIGN_IN_FAILED, audit_actions, make_organizer, sign_in


def test_sign_in_with_right_password_opens_the_dashboard(app, client):
    organizer_id = make_organizer(app)

    response = sign_in(client, email="  Chair@FastPath.test ")

    assert response.status_code == 302
    assert response.location == "/organizer/"
    assert client.get("/organizer/").status_code == 200
    with app.app_context():
        sessions = db.session.scalars(db.select(OrganizerSession)).all()
        assert [s.organizer_id for s in sessions] == [organizer_id]
        assert db.session.get(Organizer, organizer_id).last_sign_in_at is not None
    assert audit_actions(app)[-1] == ("sign_in", EMAIL, f"organizer:{organizer_id}")


def test_sign_in_wrong_password_and_unknown_email_get_the_same_answer(app, client):
    organizer_id = make_organizer(app)

    wrong = sign_in(client, password="not the password")
    unknown = sign_in(client, email="nobody@fastpath.test", password="not the password")

    assert wrong.status_code == unknown.status_code == 422
    assert SIGN_IN_FAILED in wrong.get_data(as_text=True)
    # Same page, except the echoed email address.
    assert wrong.get_data(as_text=True).replace(EMAIL, "X") == unknown.get_data(
        as_text=True
    ).replace("nobody@fastpath.test", "X")
    assert client.get("/organizer/").status_code == 302
    with app.app_context():
        pair = db.session.scalars(
            db.select(SignInThrottle).where(SignInThrottle.organizer_id == organizer_id)
        ).one()
        assert pair.failures == 1
    assert audit_actions(app)[-2:] == [
        ("sign_in_failed", EMAIL, f"organizer:{organizer_id}"),
        ("sign_in_failed", "nobody@fastpath.test", None),
    ]


def test_failed_sign_in_never_records_a_password_typed_as_email(app, client):
    sign_in(client, email="my secret passphrase", password="x")

    assert audit_actions(app) == [("sign_in_failed", "(not a mail address)", None)]


def test_sign_in_unknown_email_takes_as_long_as_a_wrong_password(app, client):
    make_organizer(app)
    sign_in(client, email="warm@fastpath.test", password="x")  # the stand-in hash is made once

    def seconds(email: str) -> float:
        started = time.perf_counter()
        sign_in(client, email=email, password="not the password")
        return time.perf_counter() - started

    known = statistics.median(seconds(EMAIL) for _ in range(3))
    unknown = statistics.median(seconds(f"nobody{i}@fastpath.test") for i in range(3))

    # Without the stand-in argon2 check an unknown address would answer ~50x faster.
    assert unknown > known * 0.5


def test_sign_in_locks_the_account_after_repeated_failures(app, client):
    organizer_id = make_organizer(app)

    for _ in range(5):
        assert SIGN_IN_FAILED in sign_in(client, password="wrong").get_data(as_text=True)
    refused = sign_in(client)  # the right password, but the account is paused

    assert refused.status_code == 422
    assert SIGN_IN_FAILED in refused.get_data(as_text=True)
    assert client.get("/organizer/").status_code == 302
    with app.app_context():
        pair = db.session.scalars(
            db.select(SignInThrottle).where(SignInThrottle.organizer_id == organizer_id)
        ).one()
        assert pair.locked_until is not None
        pair.locked_until = datetime.now(UTC) - timedelta(seconds=1)  # time passes
        db.session.commit()
    assert [a for a, _, _ in audit_actions(app)].count("lockout") == 1

    assert sign_in(client).location == "/organizer/"


@pytest.mark.app_config(RATELIMIT_ENABLED=True, ORGANIZER_SIGN_IN_LIMIT="3 per minute")
def test_sign_in_attempts_are_limited_per_address(app, client):
    make_organizer(app)
    for i in range(3):
        assert sign_in(client, email=f"guess{i}@fastpath.test").status_code == 422

    limited = sign_in(client)

    assert limited.status_code == 429
    assert "Too many sign-in attempts" in limited.get_data(as_text=True)
    assert client.get("/organizer/").status_code == 302


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "https://evil.example/organizer/",
        "http:evil.example",
        "javascript:alert(1)",
        "/\t/evil.example",
        " //evil.example",
        "evil.example",
    ],
)
def test_sign_in_next_never_leaves_the_site(app, client, target):
    make_organizer(app)

    response = sign_in(client, next=target)

    assert response.status_code == 302
    assert response.location == "/organizer/"


def test_sign_in_next_inside_the_site_is_followed(app, client):
    make_organizer(app)

    page = client.get("/organizer/mail?status=failed")
    assert page.location == "/organizer/login?next=/organizer/mail?status%3Dfailed"
    form = client.get(page.location).get_data(as_text=True)
    assert 'value="/organizer/mail?status=failed"' in form

    response = sign_in(client, next="/organizer/mail?status=failed")

    assert response.location == "/organizer/mail?status=failed"


def test_sign_in_starts_a_new_session(app, client):
    make_organizer(app)
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
        session[SESSION_KEY] = "a token an attacker chose"

    sign_in(client)

    with client.session_transaction() as session:
        assert "planted" not in session
        token = session[SESSION_KEY]
    assert token != "a token an attacker chose" and len(token) >= 40
