"""On PostgreSQL a claim waits for a row another transaction holds, then re-checks it: a mail
that another sender finished meanwhile is not claimed and sent again."""

from __future__ import annotations

import threading
import time

import pytest
from flask import Flask
from sqlalchemy import text

from fastpath.core.extensions import db
from fastpath.mail import deliver_pending, queue_mail
from fastpath.mail.models import OutboxMail, OutboxStatus
from tests.conftest import TEST_DATABASE, SmtpServer

pytestmark = pytest.mark.skipif(TEST_DATABASE != "postgresql", reason="row locks of PostgreSQL")


def test_claim_that_waited_for_a_row_rechecks_it_and_skips_mail_sent_meanwhile(
    mail_app: Flask, smtp: SmtpServer
) -> None:
    with mail_app.app_context():
        queue_mail(to="ada@example.org", template="notice", subject="Hi", context={"body": "x"})
        db.session.commit()
        other = db.engine.connect()  # a second sender, finishing this mail right now
    finished = db.update(OutboxMail).values(status=OutboxStatus.SENT, sent_at=db.func.now())
    other.execute(finished.values(attempts=1))
    sent: list[int] = []

    def sender() -> None:
        with mail_app.app_context():
            sent.append(deliver_pending())

    thread = threading.Thread(target=sender)
    thread.start()
    with mail_app.app_context():
        waiting = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        deadline = time.monotonic() + 10
        while db.session.scalar(text(waiting)) == 0 and time.monotonic() < deadline:
            db.session.rollback()
            time.sleep(0.02)  # until the claim's UPDATE waits for the other's row lock
        db.session.rollback()
    other.commit()
    other.close()
    thread.join(30)

    assert sent == [0]
    assert smtp.recorder.received == []
    with mail_app.app_context():
        row = db.session.scalars(db.select(OutboxMail)).one()
        assert (row.status, row.attempts) == (OutboxStatus.SENT, 1)
