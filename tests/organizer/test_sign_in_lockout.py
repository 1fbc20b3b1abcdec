"""Sign-in pauses are per account and client address (plus a limit per address over every
account): a stranger's wrong passwords never lock the organizer out from their own address."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fastpath.core.extensions import db
from fastpath.organizer.models import SignInThrottle
from tests.helpers.organizers import EMAIL, PASSWORD, audit_actions, make_organizer, sign_in

STRANGER = "203.0.113.9"
CHAIR = "198.51.100.2"


def _from(app, address: str):
    """A browser at this client address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _signed_in(response) -> bool:
    return response.status_code == 302 and response.location == "/organizer/"


def _time_passes(app) -> None:
    """Every pause ends (the timers run on real time, so the test moves the rows back)."""
    with app.app_context():
        for row in db.session.scalars(db.select(SignInThrottle)):
            if row.locked_until is not None:
                row.locked_until = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()


def test_wrong_passwords_from_one_address_leave_the_account_open_elsewhere(app):
    make_organizer(app)
    stranger, chair = _from(app, STRANGER), _from(app, CHAIR)

    for _ in range(5):
        assert not _signed_in(sign_in(stranger, password="a wrong guess"))

    assert not _signed_in(sign_in(stranger))  # the right password, but paused for this address
    assert _signed_in(sign_in(chair))
    assert audit_actions(app).count(("lockout", EMAIL, "organizer:1")) == 1
    _time_passes(app)
    assert _signed_in(sign_in(stranger))


def test_repeating_the_lockout_never_reaches_the_organizer(app):
    make_organizer(app)
    stranger = _from(app, STRANGER)

    for _round in range(3):
        for _ in range(6):
            sign_in(stranger, password="a wrong guess")
        assert _signed_in(sign_in(_from(app, CHAIR)))
        _time_passes(app)


def test_a_success_starts_the_count_again(app):
    make_organizer(app)
    chair = _from(app, CHAIR)

    for _ in range(4):
        sign_in(chair, password="a typo")
    assert _signed_in(sign_in(chair))
    chair.post("/organizer/logout")
    for _ in range(4):
        sign_in(chair, password="a typo")

    assert _signed_in(sign_in(chair))


@pytest.mark.app_config(ORGANIZER_LOCKOUT_CLIENT_ATTEMPTS=8)
def test_one_address_guessing_many_accounts_is_paused_for_all(app):
    make_organizer(app)
    make_organizer(app, "treasurer@fastpath.test", PASSWORD)
    stranger = _from(app, STRANGER)
    guesses = [EMAIL] * 4 + ["treasurer@fastpath.test"] * 2 + ["nobody@fastpath.test"] * 2

    for email in guesses:  # never five for one account, eight from this address in all
        assert not _signed_in(sign_in(stranger, email=email, password="a wrong guess"))

    assert not _signed_in(sign_in(stranger, email="treasurer@fastpath.test"))
    assert _signed_in(sign_in(_from(app, CHAIR), email="treasurer@fastpath.test"))
    assert ("lockout", STRANGER, None) in audit_actions(app)
    _time_passes(app)
    assert _signed_in(sign_in(stranger, email="treasurer@fastpath.test"))


def test_new_password_lifts_the_pauses_on_the_account(app, runner):
    make_organizer(app)
    stranger = _from(app, STRANGER)
    for _ in range(5):
        sign_in(stranger, password="a wrong guess")

    result = runner.invoke(args=["organizer", "list"])
    assert f"(paused from {STRANGER} until " in result.output
    new = "another long passphrase"
    assert (
        runner.invoke(args=["organizer", "set-password", EMAIL], input=f"{new}\n{new}\n").exit_code
        == 0
    )

    assert _signed_in(sign_in(stranger, password=new))


def test_failures_older_than_the_window_are_forgotten(app):
    make_organizer(app)
    stranger = _from(app, STRANGER)
    for _ in range(5):
        sign_in(stranger, password="a wrong guess")
    with app.app_context():  # an hour passes: the pause and its count are over
        for row in db.session.scalars(db.select(SignInThrottle)):
            row.counting_since = datetime.now(UTC) - timedelta(hours=1)
            row.locked_until = row.locked_until and datetime.now(UTC) - timedelta(minutes=45)
        db.session.commit()

    assert not _signed_in(sign_in(stranger, password="a wrong guess"))

    with app.app_context():
        counts = sorted(db.session.scalars(db.select(SignInThrottle.failures)))
    assert counts == [1, 1]  # the old rows are gone; this failure starts a new count
    assert _signed_in(sign_in(stranger))
