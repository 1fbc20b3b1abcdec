"""Several senders on one outbox, and senders that crashed: each mail sent exactly once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from flask import Flask

from fastpath.core.extensions import db
from fastpath.mail import (
    deliver_pending,
)
from fastpath.mail.models import OutboxMail, OutboxStatus
from tests.conftest import SmtpServer
from tests.helpers.mail import deliver, outbox, queue_many, queue_notice


def test_two_senders_draining_one_outbox_deliver_each_mail_exactly_once(
    mail_app: Flask, smtp: SmtpServer
) -> None:
    queue_many(mail_app, 40)
    smtp.recorder.delay_seconds = 0.01  # long enough for the two to interleave
    start = threading.Barrier(2)
    counts: list[int] = []
    errors: list[BaseException] = []

    def sender() -> None:
        try:
            with mail_app.app_context():
                start.wait()
                counts.append(deliver_pending())
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert sum(counts) == 40
    rows = outbox(mail_app)
    received_ids = sorted(str(m.message["Message-ID"]) for m in smtp.recorder.received)
    assert received_ids == sorted(row.message_id for row in rows)
    assert {(row.status, row.attempts) for row in rows} == {(OutboxStatus.SENT, 1)}


def _claim_as_if_by_another_sender(app: Flask, mail_id: int, claimed_ago: timedelta) -> None:
    with app.app_context():
        row = db.session.get(OutboxMail, mail_id)
        assert row is not None
        row.status = OutboxStatus.SENDING
        row.attempts = 1
        row.claimed_at = datetime.now(UTC) - claimed_ago
        row.claimed_by = "crashed-host:4242:0123456789ab"
        db.session.commit()


def test_mail_left_sending_by_a_crashed_sender_is_sent_again(
    mail_app: Flask, smtp: SmtpServer
) -> None:
    mail_id = queue_notice(mail_app)
    _claim_as_if_by_another_sender(mail_app, mail_id, claimed_ago=timedelta(hours=1))

    assert deliver(mail_app) == 1

    [row] = outbox(mail_app)
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 2)
    assert row.claimed_by != "crashed-host:4242:0123456789ab"
    assert [str(m.message["Message-ID"]) for m in smtp.recorder.received] == [row.message_id]


def test_mail_being_sent_by_another_sender_is_left_alone(mail_app: Flask, smtp: SmtpServer) -> None:
    mail_id = queue_notice(mail_app)
    _claim_as_if_by_another_sender(mail_app, mail_id, claimed_ago=timedelta(seconds=5))

    assert deliver(mail_app) == 0

    [row] = outbox(mail_app)
    assert (row.status, row.attempts) == (OutboxStatus.SENDING, 1)
    assert smtp.recorder.received == []
