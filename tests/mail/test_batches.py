"""Delivery in batches: stopping between mails when asked, more mail than one batch, a server
gone in the middle of one."""

from __future__ import annotations

import threading

import pytest
from flask import Flask

from fastpath.mail.delivery import CLAIM_BATCH, deliver_due
from fastpath.mail.models import OutboxStatus
from tests.conftest import SmtpServer
from tests.helpers.mail import MAIL_CONFIG, outbox, queue_notice


def test_deliver_due_stops_between_mails_when_asked(mail_app: Flask, smtp: SmtpServer) -> None:
    queue_notice(mail_app)
    stop = threading.Event()
    stop.set()

    with mail_app.app_context():
        report = deliver_due(stop=stop)

    assert (report.sent, report.failed) == (0, 0)
    assert [row.status for row in outbox(mail_app)] == [OutboxStatus.QUEUED]


@pytest.mark.app_config(**MAIL_CONFIG)
def test_more_mail_than_one_batch_goes_out_in_one_run_each_exactly_once(
    mail_app: Flask, smtp: SmtpServer
) -> None:
    count = CLAIM_BATCH * 2 + 5
    for number in range(count):
        queue_notice(mail_app, to=f"person-{number}@example.org")

    with mail_app.app_context():
        report = deliver_due()

    assert (report.sent, report.failed) == (count, 0)
    received = sorted(address for m in smtp.recorder.received for address in m.envelope_to)
    assert received == sorted(f"person-{number}@example.org" for number in range(count))
    rows = outbox(mail_app)
    assert {(row.status, row.attempts, row.claimed_by is not None) for row in rows} == {
        (OutboxStatus.SENT, 1, True)
    }


@pytest.mark.app_config(**MAIL_CONFIG)
def test_server_gone_mid_batch_leaves_the_rest_queued_without_an_attempt(
    mail_app: Flask, smtp: SmtpServer
) -> None:
    for number in range(3):
        queue_notice(mail_app, to=f"person-{number}@example.org")
    smtp.recorder.reply = "421 4.3.2 Going down"  # about the connection: stop this run

    with mail_app.app_context():
        report = deliver_due()

    assert (report.sent, report.failed) == (0, 1)
    first, *rest = outbox(mail_app)
    assert (first.status, first.attempts, first.last_error) == (
        OutboxStatus.QUEUED,
        1,
        "421 4.3.2 Going down",
    )
    assert [(row.status, row.attempts, row.claimed_by) for row in rest] == [
        (OutboxStatus.QUEUED, 0, None)
    ] * 2
