"""The retry backoff doubles after each failed attempt and stops at its ceiling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from fastpath.core.extensions import db
from fastpath.mail import queue_mail
from fastpath.mail.delivery import deliver_due
from fastpath.mail.models import OutboxMail, OutboxStatus
from tests.conftest import SmtpServer


@pytest.mark.app_config(MAIL_RETRY_BASE_SECONDS=10, MAIL_RETRY_MAX_SECONDS=50, MAIL_MAX_ATTEMPTS=10)
def test_retry_delay_doubles_after_each_failure_up_to_the_ceiling(
    mail_app: Flask, smtp: SmtpServer
) -> None:
    smtp.recorder.reply = "451 4.3.0 Try again later"
    with mail_app.app_context():
        queue_mail(to="ada@example.org", template="notice", subject="Hi", context={"body": "x"})
        db.session.commit()

    waits = []
    for _ in range(5):
        with mail_app.app_context():
            before = datetime.now(UTC)
            deliver_due(include_waiting=True)  # try again now, whatever the backoff says
            after = datetime.now(UTC)
            row = db.session.scalars(db.select(OutboxMail)).one()
            due = row.next_attempt_at.replace(tzinfo=UTC)
            assert row.status == OutboxStatus.QUEUED
            db.session.rollback()
        assert after - before < timedelta(seconds=0.5)  # so rounding gives the delay
        waits.append(round((due - before).total_seconds()))

    assert waits == [10, 20, 40, 50, 50]
