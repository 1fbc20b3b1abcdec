"""Claims under a slow mail server and dead senders: every mail arrives exactly once, and what
a dead sender held is sent at once instead of after the claim timeout."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from fastpath.config import ROOT_DIR
from fastpath.core.extensions import db
from fastpath.mail import deliver_pending
from fastpath.mail.delivery import _host_name
from fastpath.mail.models import OutboxMail, OutboxStatus
from tests.conftest import SmtpServer
from tests.helpers.mail import outbox, queue_many


def arrivals(smtp: SmtpServer) -> Counter[str]:
    """How often each Message-ID arrived."""
    return Counter(str(m.message["Message-ID"]) for m in smtp.recorder.received)


def claim_as(app: Flask, mail_id: int, claimed_by: str, claimed_ago: timedelta) -> None:
    with app.app_context():
        row = db.session.get(OutboxMail, mail_id)
        assert row is not None
        row.status, row.attempts, row.claimed_by = OutboxStatus.SENDING, 1, claimed_by
        row.claimed_at = datetime.now(UTC) - claimed_ago
        db.session.commit()


@pytest.mark.app_config(MAIL_CLAIM_TIMEOUT_SECONDS=1)
def test_server_slower_than_the_claim_timeout_still_delivers_each_mail_once(
    mail_app: Flask, smtp: SmtpServer
) -> None:
    queue_many(mail_app, 6)
    smtp.recorder.delay_seconds = 0.4  # six mails take 2.4 s, over twice the claim timeout
    errors: list[BaseException] = []

    def sender() -> None:
        try:
            with mail_app.app_context():
                deliver_pending()
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)

    first = threading.Thread(target=sender)
    first.start()
    time.sleep(1.3)  # the first sender's batch claim has gone stale by now
    second = threading.Thread(target=sender)
    second.start()
    first.join(30)
    second.join(30)

    assert errors == []
    assert arrivals(smtp) == Counter({row.message_id: 1 for row in outbox(mail_app)})
    assert {row.status for row in outbox(mail_app)} == {OutboxStatus.SENT}


def test_claim_of_a_dead_process_on_this_host_is_released_at_once(
    mail_app: Flask, smtp: SmtpServer
) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    queue_many(mail_app, 1)
    claim_as(mail_app, 1, f"{_host_name()}:{gone.stdout.strip()}:0123456789ab", timedelta(0))

    with mail_app.app_context():
        assert deliver_pending() == 1

    [row] = outbox(mail_app)
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 2)
    assert arrivals(smtp) == Counter({row.message_id: 1})


def test_claim_of_a_live_process_on_this_host_is_left_alone(
    mail_app: Flask, smtp: SmtpServer
) -> None:
    queue_many(mail_app, 1)
    claim_as(mail_app, 1, f"{_host_name()}:{os.getpid()}:0123456789ab", timedelta(seconds=5))

    with mail_app.app_context():
        assert deliver_pending() == 0

    [row] = outbox(mail_app)
    assert (row.status, row.attempts) == (OutboxStatus.SENDING, 1)
    assert smtp.recorder.received == []


def test_worker_killed_mid_burst_leaves_its_mail_to_the_next_sender_at_once(
    mail_app: Flask, smtp: SmtpServer
) -> None:
    queue_many(mail_app, 10)
    smtp.recorder.delay_seconds = 0.3
    env = {
        **os.environ,
        "FASTPATH_INSTANCE_PATH": mail_app.instance_path,
        "FASTPATH_SECRET_KEY": "test-only-secret",
        "FASTPATH_SQLALCHEMY_DATABASE_URI": mail_app.config["SQLALCHEMY_DATABASE_URI"],
        "FASTPATH_MAIL_SERVER": smtp.host,
        "FASTPATH_MAIL_PORT": str(smtp.port),
        "FASTPATH_MAIL_BACKGROUND_SENDER": "false",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "mail", "worker"],
        cwd=ROOT_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        smtp.recorder.wait_for(3, timeout=30)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)  # reaped: its pid no longer exists
    smtp.recorder.delay_seconds = 0

    with mail_app.app_context():
        deliver_pending()

    all_rows = outbox(mail_app)
    assert {row.status for row in all_rows} == {OutboxStatus.SENT}
    counts = arrivals(smtp)
    assert set(counts) == {row.message_id for row in all_rows}
    # At most the one mail the worker was sending when it died can arrive twice.
    assert sum(counts.values()) - len(counts) <= 1
