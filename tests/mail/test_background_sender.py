"""The background sender: requests never wait for the mail server, and it retries by itself."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from flask import Flask

from fastpath.core.extensions import db
from fastpath.mail import (
    queue_mail,
)
from fastpath.mail.models import OutboxStatus
from fastpath.mail.sender import EXTENSION_KEY
from tests.conftest import SmtpServer
from tests.helpers.mail import outbox, wait_until


@pytest.fixture
def background_app(mail_app: Flask) -> Iterator[Flask]:
    """mail_app with a route that queues a mail; its background sender stopped afterwards."""

    @mail_app.post("/test-only/queue")
    def queue_for_test() -> str:
        queue_mail(to="ada@example.org", template="notice", subject="Queued", context={"body": "x"})
        db.session.commit()
        return "queued"

    yield mail_app
    sender = mail_app.extensions.get(EXTENSION_KEY)
    if sender is not None:
        sender.stop()


@pytest.mark.app_config(MAIL_BACKGROUND_SENDER=True)
def test_request_that_queues_mail_does_not_wait_for_a_slow_server(
    background_app: Flask, smtp: SmtpServer
) -> None:
    smtp.recorder.delay_seconds = 5
    client = background_app.test_client()

    started = time.monotonic()
    response = client.post("/test-only/queue")
    elapsed = time.monotonic() - started

    assert response.status_code == 200
    assert elapsed < 0.5
    assert smtp.recorder.received == []  # still with the slow server
    [received] = smtp.recorder.wait_for(1, timeout=15)
    assert received.subject == "[FastPath 2020] Queued"
    wait_until(lambda: outbox(background_app)[0].status == OutboxStatus.SENT)


@pytest.mark.app_config(
    MAIL_BACKGROUND_SENDER=True, MAIL_SENDER_INTERVAL_SECONDS=0.2, MAIL_RETRY_BASE_SECONDS=0
)
def test_background_sender_retries_by_itself_when_the_server_is_back(
    background_app: Flask, smtp: SmtpServer
) -> None:
    smtp.stop()
    assert background_app.test_client().post("/test-only/queue").status_code == 200
    # attempts counts from the claim; last_error is written when the attempt has failed.
    wait_until(lambda: outbox(background_app)[0].last_error is not None)
    assert smtp.recorder.received == []

    smtp.start()  # no request, no commit: only the periodic wake-up can send it now

    [received] = smtp.recorder.wait_for(1, timeout=15)
    assert received.message["Message-ID"] == outbox(background_app)[0].message_id
    wait_until(lambda: outbox(background_app)[0].status == OutboxStatus.SENT)
