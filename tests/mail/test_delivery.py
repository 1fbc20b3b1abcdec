"""Mail is delivered after commit, exactly as queued, to a real SMTP server (aiosmtpd on
127.0.0.1); headers with a line break are refused before queueing."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from flask import Flask

from fastpath.core.extensions import db
from fastpath.mail import (
    HeaderInjectionError,
    deliver_pending,
    queue_mail,
)
from fastpath.mail.models import OutboxStatus
from tests.conftest import SmtpRecorder, SmtpServer, free_port, make_app
from tests.helpers.mail import (
    BODY,
    MAIL_CONFIG,
    NAME,
    REPLY_TO,
    SENDER,
    SUBJECT,
    deliver,
    outbox,
    queue_notice,
)


@pytest.mark.app_config(**MAIL_CONFIG)
def test_committed_mail_is_delivered_once_with_exact_headers_and_parts(
    mail_app: Flask, smtp: SmtpServer
) -> None:
    mail_id = queue_notice(
        mail_app,
        to=[f"{NAME} <zoe@example.org>", "ops@example.org"],
        subject=SUBJECT,
        name=NAME,
        body=BODY,
    )

    assert deliver(mail_app) == 1
    assert deliver(mail_app) == 0

    [row] = outbox(mail_app)
    [received] = smtp.recorder.received
    assert received.envelope_from == "desk@fastpath.example"
    assert sorted(received.envelope_to) == ["ops@example.org", "zoe@example.org"]
    message = received.message
    assert received.subject == f"[FastPath 2020] {SUBJECT}"
    assert str(message["From"]) == SENDER
    assert str(message["Reply-To"]) == REPLY_TO
    assert sorted(str(address) for address in message["To"].addresses) == [
        f"{NAME} <zoe@example.org>",
        "ops@example.org",
    ]
    assert message["Message-ID"] == row.message_id
    assert message["Auto-Submitted"] == "auto-generated"
    # SMTP carries lines ending in CRLF, the last one too; the stored text uses LF.
    assert received.text.replace("\r\n", "\n") == (
        f"Dear {NAME},\n\n"
        "Your abstract “Ümlaut” was received.\n\n"
        "Thank you — 谢谢 🎉 <b>not bold</b>\n\n"
        "-- \n"
        "The organizers of FastPath 2020\n"
        "International Workshop on Performance Analysis of Machine Learning Systems\n"
        "Sunday, April 5, 2020, Boston, Massachusetts, USA\n"
        "http://fastpath.test/\n"
    )
    assert received.html.replace("\r\n", "\n") == row.body_html + "\n"
    assert f"<p>Dear <bdi>{NAME}</bdi>,</p>" in received.html  # isolated (issue 18 item 12)
    assert (
        '<p style="white-space: pre-line;">Thank you — 谢谢 🎉 &lt;b&gt;not bold&lt;/b&gt;</p>'
        in received.html
    )
    assert (row.id, row.status, row.attempts, row.last_error) == (
        mail_id,
        OutboxStatus.SENT,
        1,
        None,
    )
    assert row.sent_at is not None


@pytest.mark.app_config(**MAIL_CONFIG)
def test_display_name_in_any_script_arrives_intact(mail_app: Flask, smtp: SmtpServer) -> None:
    queue_notice(mail_app, to=f"{NAME} <zoe@example.org>")

    assert deliver(mail_app) == 1

    [address] = smtp.recorder.received[0].message["To"].addresses
    assert (address.display_name, address.addr_spec) == (NAME, "zoe@example.org")


def test_rolled_back_mail_is_never_delivered(mail_app: Flask, smtp: SmtpServer) -> None:
    with mail_app.app_context():
        queue_mail(to="ada@example.org", template="notice", subject="Hi", context={"body": "x"})
        db.session.flush()  # the row existed inside the transaction
        db.session.rollback()

    assert deliver(mail_app) == 0
    assert outbox(mail_app) == []
    assert smtp.recorder.received == []


def test_delivery_refuses_to_commit_the_callers_unfinished_work(
    mail_app: Flask, smtp: SmtpServer
) -> None:
    with mail_app.app_context():
        queue_mail(to="ada@example.org", template="notice", subject="Hi", context={"body": "x"})
        with pytest.raises(RuntimeError, match="commit or roll back"):
            deliver_pending()
        db.session.rollback()

    assert outbox(mail_app) == []
    assert smtp.recorder.received == []


@pytest.mark.parametrize(
    ("password", "logins", "status", "last_error"),
    [
        ("right-password", [b"fastpath"], OutboxStatus.SENT, None),
        ("wrong-password", [], OutboxStatus.QUEUED, "535 5.7.8 Authentication credentials invalid"),
    ],
)
def test_sender_logs_in_with_the_configured_username_and_password(
    tmp_path: Path,
    password: str,
    logins: list[bytes],
    status: OutboxStatus,
    last_error: str | None,
) -> None:
    accepted: list[bytes] = []

    def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            b"fastpath",
            b"right-password",
        )
        if ok:
            accepted.append(auth_data.login)
        return AuthResult(success=ok, handled=False)

    recorder = SmtpRecorder()
    # Plain-text AUTH is fine on 127.0.0.1; a real deployment sets MAIL_USE_TLS or _SSL.
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=authenticator,
        auth_require_tls=False,
    )
    controller.start()
    try:
        app = make_app(
            tmp_path,
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=controller.port,
            MAIL_USERNAME="fastpath",
            MAIL_PASSWORD=password,
        )
        queue_notice(app)
        deliver(app)
        [row] = outbox(app)
        with app.app_context():
            db.engine.dispose()
    finally:
        controller.stop()

    assert accepted == logins
    assert (row.status, row.last_error) == (status, last_error)
    assert len(recorder.received) == (1 if status == OutboxStatus.SENT else 0)


@pytest.mark.parametrize(
    ("to", "subject"),
    [
        ("ada@example.org", "Hello\r\nBcc: eve@example.org"),
        ("ada@example.org\nBcc: eve@example.org", "Hello"),
    ],
)
def test_header_with_a_line_break_is_rejected_before_queueing(
    app: Flask, to: str, subject: str
) -> None:
    with app.app_context():
        with pytest.raises(HeaderInjectionError):
            queue_mail(to=to, template="notice", subject=subject, context={"body": "x"})
        db.session.commit()

    assert deliver(app) == 0
    assert outbox(app) == []
    assert not Path(app.config["MAIL_SPOOL_DIR"]).exists()
