"""Failures, retries and giving up: a server down, refusing or slow."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from fastpath.core.extensions import db
from fastpath.mail import (
    retry_failed,
    retry_mail,
)
from fastpath.mail.models import OutboxStatus
from tests.conftest import SmtpServer
from tests.helpers.mail import as_utc, deliver, outbox, queue_notice


def test_server_down_keeps_mail_queued_with_error_and_retry_within_a_minute(
    mail_app: Flask, smtp: SmtpServer
) -> None:
    smtp.stop()
    queue_notice(mail_app)
    before = datetime.now(UTC)

    assert deliver(mail_app) == 0
    assert deliver(mail_app) == 0  # not due again yet: the backoff is respected

    [row] = outbox(mail_app)
    assert (row.status, row.attempts, row.claimed_by) == (OutboxStatus.QUEUED, 1, None)
    assert row.last_error is not None
    assert row.last_error.startswith("ConnectionRefusedError: ")
    wait = as_utc(row.next_attempt_at) - before
    assert timedelta(seconds=29) < wait < timedelta(seconds=60)


@pytest.mark.app_config(MAIL_RETRY_BASE_SECONDS=0)
def test_mail_queued_while_server_is_down_goes_out_when_it_is_back(
    mail_app: Flask, smtp: SmtpServer
) -> None:
    smtp.stop()
    queue_notice(mail_app, subject="Registration received")
    assert deliver(mail_app) == 0
    [waiting] = outbox(mail_app)

    smtp.start()
    assert deliver(mail_app) == 1

    [row] = outbox(mail_app)
    [received] = smtp.recorder.received
    assert received.subject == "[FastPath 2020] Registration received"
    assert received.message["Message-ID"] == waiting.message_id  # stable across attempts
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 2)
    assert row.last_error == waiting.last_error  # the history stays readable


@pytest.mark.app_config(MAIL_MAX_ATTEMPTS=3, MAIL_RETRY_BASE_SECONDS=0)
def test_mail_refused_until_the_attempt_limit_is_marked_failed(
    mail_app: Flask, smtp: SmtpServer
) -> None:
    smtp.recorder.reply = "550 5.7.1 Message rejected"
    queue_notice(mail_app)

    assert [deliver(mail_app) for _ in range(2)] == [0, 0]
    [row] = outbox(mail_app)
    assert (row.status, row.attempts) == (OutboxStatus.QUEUED, 2)

    assert deliver(mail_app) == 0
    assert deliver(mail_app) == 0  # failed mail is not tried again by itself

    [row] = outbox(mail_app)
    assert (row.status, row.attempts, row.last_error) == (
        OutboxStatus.FAILED,
        3,
        "550 5.7.1 Message rejected",
    )
    assert smtp.recorder.received == []


@pytest.mark.app_config(MAIL_RETRY_BASE_SECONDS=0)
def test_temporary_refusal_is_retried(mail_app: Flask, smtp: SmtpServer) -> None:
    smtp.recorder.reply = "451 4.3.0 Try again later"
    queue_notice(mail_app)
    assert deliver(mail_app) == 0
    [row] = outbox(mail_app)
    assert (row.status, row.attempts, row.last_error) == (
        OutboxStatus.QUEUED,
        1,
        "451 4.3.0 Try again later",
    )

    smtp.recorder.reply = None
    assert deliver(mail_app) == 1
    assert len(smtp.recorder.received) == 1


@pytest.mark.app_config(MAIL_TIMEOUT_SECONDS=1)
def test_server_slower_than_the_timeout_counts_as_a_failed_attempt(
    mail_app: Flask, smtp: SmtpServer
) -> None:
    smtp.recorder.delay_seconds = 3
    queue_notice(mail_app)

    started = time.monotonic()
    assert deliver(mail_app) == 0
    assert time.monotonic() - started < 2.5

    [row] = outbox(mail_app)
    assert (row.status, row.attempts) == (OutboxStatus.QUEUED, 1)
    assert row.last_error is not None
    assert row.last_error == ("timed out after 1 s (Connection unexpectedly closed: timed out)")


@pytest.mark.app_config(MAIL_MAX_ATTEMPTS=1)
def test_retrying_failed_mail_sends_it_and_never_resends_sent_mail(
    mail_app: Flask, smtp: SmtpServer
) -> None:
    smtp.recorder.reply = "554 5.0.0 No"
    first = queue_notice(mail_app, subject="First")
    second = queue_notice(mail_app, subject="Second")
    assert deliver(mail_app) == 0
    assert [row.status for row in outbox(mail_app)] == [OutboxStatus.FAILED] * 2
    smtp.recorder.reply = None

    with mail_app.app_context():
        assert retry_mail(first) is True
        db.session.commit()
    assert deliver(mail_app) == 1
    with mail_app.app_context():
        assert retry_mail(first) is False  # sent: a retry would send it twice
        assert retry_failed() == 1
        db.session.commit()
    assert deliver(mail_app) == 1

    assert [m.subject for m in smtp.recorder.received] == [
        "[FastPath 2020] First",
        "[FastPath 2020] Second",
    ]
    rows = outbox(mail_app)
    assert [(r.id, r.status, r.attempts) for r in rows] == [
        (first, OutboxStatus.SENT, 1),
        (second, OutboxStatus.SENT, 1),
    ]
