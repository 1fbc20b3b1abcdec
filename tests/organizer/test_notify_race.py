"""Notifying recorded decisions while something else commits, on PostgreSQL: the same
notify form posted twice at once sends one batch, and a decision recorded while the batch is
being sent is not told as the old one."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text

from fastpath.cfp.models import Submission, SubmissionStatus
from fastpath.core.extensions import db
from fastpath.core.tokens import new_nonce
from fastpath.groupmail.models import MailBatch
from fastpath.mail.models import OutboxMail
from fastpath.organizer import decisions
from fastpath.organizer.decision_letters import default_letter
from tests.conftest import TEST_DATABASE
from tests.helpers.organizers import add_submission, make_organizer, sign_in

pytestmark = pytest.mark.skipif(
    TEST_DATABASE != "postgresql", reason="SQLite serialises writers (BEGIN IMMEDIATE)"
)


def _hold_open(app, work, release: threading.Event, done: threading.Event) -> threading.Thread:
    """Run `work` in a transaction of its own and commit only once `release` is set."""

    def run() -> None:
        with app.test_request_context():
            work()
            db.session.flush()
            done.set()
            release.wait(30)
            db.session.commit()

    thread = threading.Thread(target=run)
    thread.start()
    assert done.wait(30)
    return thread


def _in_thread(call) -> tuple[threading.Thread, list]:
    answers: list = []
    thread = threading.Thread(target=lambda: answers.append(call()))
    thread.start()
    return thread, answers


def _wait_until_blocked(app) -> None:
    with app.app_context():
        engine = db.engine
    deadline = time.monotonic() + 30
    with engine.connect() as connection:
        while time.monotonic() < deadline:
            waiting = connection.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
            ).scalar()
            connection.rollback()
            if waiting:
                return
            time.sleep(0.02)
    raise AssertionError("the second request never waited for the first")


def _recorded(app, client, outcome: str) -> int:
    make_organizer(app)
    assert sign_in(client).status_code == 302
    submission_id = add_submission(app, authors=[("Bob Example", "bob@example.org", "")])
    client.post("/organizer/decisions/record", data={"outcome": outcome, "ids": [submission_id]})
    return submission_id


def _send_form(app, submission_id: int, nonce: str) -> dict:
    with app.test_request_context():
        letter = default_letter(SubmissionStatus.ACCEPTED)
    return {
        "accepted-outcome": "accepted",
        "accepted-subject": letter.subject,
        "accepted-text": letter.text,
        "accepted-ids": [submission_id],
        "accepted-nonce": nonce,
    }


def test_the_same_notify_form_posted_twice_at_once_sends_one_batch(app, client):
    submission_id = _recorded(app, client, "accepted")
    nonce = new_nonce()
    release, done = threading.Event(), threading.Event()

    def first_post() -> None:
        chosen = decisions.submissions_by_id([submission_id])
        letter = default_letter(SubmissionStatus.ACCEPTED)
        decisions.notify(chosen, SubmissionStatus.ACCEPTED, by=None, letter=letter, nonce=nonce)

    sending = _hold_open(app, first_post, release, done)
    data = _send_form(app, submission_id, nonce)
    second, answers = _in_thread(lambda: client.post("/organizer/decisions/notify/send", data=data))
    _wait_until_blocked(app)
    release.set()
    sending.join(30)
    second.join(30)

    with app.app_context():
        [batch_id] = db.session.scalars(db.select(MailBatch.id)).all()
        recipients = db.session.scalars(db.select(OutboxMail.recipients)).all()
    assert answers[0].status_code == 303
    assert answers[0].location == f"/organizer/group-mail/batches/{batch_id}"
    assert recipients == ["bob@example.org"]


def test_a_decision_recorded_while_notifying_is_not_told_as_the_old_one(app, client):
    submission_id = _recorded(app, client, "accepted")
    release, done = threading.Event(), threading.Event()

    def reverse() -> None:
        chosen = decisions.submissions_by_id([submission_id])
        decisions.record_decision(chosen, SubmissionStatus.REJECTED, by=None)

    recording = _hold_open(app, reverse, release, done)
    data = _send_form(app, submission_id, new_nonce())
    sending, answers = _in_thread(
        lambda: client.post("/organizer/decisions/notify/send", data=data)
    )
    _wait_until_blocked(app)
    release.set()
    recording.join(30)
    sending.join(30)

    assert answers[0].location == "/organizer/decisions/notify"
    page = client.get(answers[0].location).get_data(as_text=True)
    assert "FP20-001 skipped: now rejected, not accepted. Nothing was sent for it." in page
    with app.app_context():
        row = db.session.get(Submission, submission_id)
        assert (row.status, row.decision_notified_at) == (SubmissionStatus.REJECTED, None)
        assert db.session.scalars(db.select(OutboxMail)).all() == []
        assert db.session.scalars(db.select(MailBatch)).all() == []
