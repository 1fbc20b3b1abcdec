"""A decision and a withdrawal of the same submission at the same moment, on PostgreSQL:
two connections, one holding its transaction open while the other request runs into it.
Whichever commits first wins, and the other is refused with a message: a submission never
ends withdrawn with acceptance mails queued, nor decided over its authors' withdrawal."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text

from fastpath.cfp import services as cfp_services
from fastpath.cfp.models import Submission, SubmissionStatus
from fastpath.core.extensions import db
from fastpath.core.tokens import new_token
from fastpath.mail.models import OutboxMail
from fastpath.organizer import decisions
from tests.conftest import TEST_DATABASE
from tests.helpers.organizers import add_submission, make_organizer, sign_in
from tests.helpers.submissions import edit_data, submit_and_get_link, text_of

SUBMITTED_TITLE = (
    "Tail latency of recommendation inference on shared GPUs"  # tests/helpers/forms.py
)

pytestmark = pytest.mark.skipif(
    TEST_DATABASE != "postgresql", reason="SQLite serialises writers (BEGIN IMMEDIATE)"
)


def _submission_with_token(app) -> tuple[int, str]:
    submission_id = add_submission(app)
    token, token_hash = new_token()
    with app.app_context():
        db.session.get(Submission, submission_id).token_hash = token_hash
        db.session.commit()
    return submission_id, token


def _hold_open(app, work, release: threading.Event, done: threading.Event) -> threading.Thread:
    """Run `work` in a transaction of its own and commit only once `release` is set."""

    def run() -> None:
        with app.test_request_context():
            work()
            db.session.flush()  # the row is written, so locked, by this connection
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
    """Until some connection waits for a row lock (the second request has run into it)."""
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


def _outcome(app, submission_id: int) -> tuple[str, list[str]]:
    with app.app_context():
        status = db.session.get(Submission, submission_id).status.value
        templates = db.session.scalars(db.select(OutboxMail.template).order_by(OutboxMail.id))
        return status, list(templates)


def test_withdrawal_while_a_decision_is_committing_is_refused(app, client):
    make_organizer(app)
    submission_id, token = _submission_with_token(app)
    release, done = threading.Event(), threading.Event()

    def accept() -> None:
        chosen = decisions.submissions_by_id([submission_id])
        decisions.decide(chosen, SubmissionStatus.ACCEPTED, by=None)

    deciding = _hold_open(app, accept, release, done)
    author = app.test_client()
    withdrawing, answers = _in_thread(lambda: author.post(f"/submission/{token}/withdraw"))
    _wait_until_blocked(app)
    release.set()
    deciding.join(30)
    withdrawing.join(30)

    assert answers[0].status_code == 303
    page = author.get(answers[0].location).get_data(as_text=True)
    assert "This submission is accepted and can no longer be changed." in page
    assert _outcome(app, submission_id) == ("accepted", ["decision_accepted"])


def test_decision_while_a_withdrawal_is_committing_is_refused(app, client):
    make_organizer(app)
    assert sign_in(client).status_code == 302
    submission_id, token = _submission_with_token(app)
    release, done = threading.Event(), threading.Event()

    def withdraw() -> None:
        found = cfp_services.find_submission_by_token(token)
        cfp_services.withdraw_submission(found, token)

    withdrawing = _hold_open(app, withdraw, release, done)
    form = {"outcome": "accepted", "ids": [submission_id]}
    deciding, answers = _in_thread(lambda: client.post("/organizer/decisions", data=form))
    _wait_until_blocked(app)
    release.set()
    withdrawing.join(30)
    deciding.join(30)

    page = client.get(answers[0].location).get_data(as_text=True)
    assert "FP20-001 skipped: withdrawn by its authors. Nothing was sent for it." in page
    assert _outcome(app, submission_id) == ("withdrawn", ["submission_withdrawn"])


def test_edit_while_a_decision_is_committing_is_refused(app):
    author = app.test_client()
    path = submit_and_get_link(app, author)
    form = edit_data(text_of(author.get(f"{path}/edit")), title="Changed after all")
    with app.app_context():
        submission_id = db.session.scalars(db.select(Submission.id)).one()
    release, done = threading.Event(), threading.Event()

    def accept() -> None:
        chosen = decisions.submissions_by_id([submission_id])
        decisions.decide(chosen, SubmissionStatus.ACCEPTED, by=None)

    deciding = _hold_open(app, accept, release, done)

    def save():
        return author.post(f"{path}/edit", data=form, content_type="multipart/form-data")

    editing, answers = _in_thread(save)
    _wait_until_blocked(app)
    release.set()
    deciding.join(30)
    editing.join(30)

    assert (answers[0].status_code, answers[0].location) == (303, path)
    page = text_of(author.get(path))
    assert "This submission is accepted and can no longer be changed." in page
    with app.app_context():
        row = db.session.get(Submission, submission_id)
        assert (row.title, row.version) == (SUBMITTED_TITLE, 2)
    assert _outcome(app, submission_id)[1][-1] == "decision_accepted"
    assert "submission_edited" not in _outcome(app, submission_id)[1]
