"""No mail server configured: each mail is written to the .eml spool folder."""

from __future__ import annotations

import email.policy
import logging
from email.parser import BytesParser
from pathlib import Path

import pytest
from flask import Flask

from fastpath.mail.models import OutboxStatus
from tests.helpers.mail import BODY, NAME, SUBJECT, deliver, outbox, queue_notice


def test_mail_without_a_server_is_written_to_the_spool(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    mail_id = queue_notice(app, to=f"{NAME} <zoe@example.org>", subject=SUBJECT, body=BODY)

    with caplog.at_level(logging.INFO, logger="fastpath.mail"):
        assert deliver(app) == 1

    [path] = sorted(Path(app.config["MAIL_SPOOL_DIR"]).iterdir())
    assert path.name.endswith(f"-{mail_id:06d}.eml")
    message = BytesParser(policy=email.policy.default).parsebytes(path.read_bytes())
    [row] = outbox(app)
    assert str(message["Subject"]) == f"[FastPath 2020] {SUBJECT}"
    assert str(message["To"]) == f"{NAME} <zoe@example.org>"
    assert message["Message-ID"] == row.message_id
    text = message.get_body(preferencelist=("plain",))
    assert text is not None
    # The spool holds the exact bytes SMTP would carry, so lines end in CRLF.
    assert text.get_content().replace("\r\n", "\n") == row.body_text + "\n"
    assert BODY in row.body_text
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 1)
    assert [r.getMessage() for r in caplog.records if r.name == "fastpath.mail"] == [
        f"mail {mail_id} to {NAME} <zoe@example.org> written to {path}: [FastPath 2020] {SUBJECT}"
    ]
