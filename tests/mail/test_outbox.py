"""The outbox against a real SMTP server (aiosmtpd on 127.0.0.1): what arrives, and when."""

from __future__ import annotations

import email.policy
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.parser import BytesParser
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from flask import Flask

from fastpath.config import ROOT_DIR
from fastpath.core.extensions import db
from fastpath.mail import (
    HeaderInjectionError,
    deliver_pending,
    queue_mail,
    retry_failed,
    retry_mail,
)
from fastpath.mail.delivery import CLAIM_BATCH, deliver_due
from fastpath.mail.models import OutboxMail, OutboxStatus
from fastpath.mail.sender import EXTENSION_KEY
from tests.conftest import SmtpRecorder, SmtpServer, _free_port, make_app

SENDER = "FastPath 2020 Desk <desk@fastpath.example>"
REPLY_TO = "Program Chairs <chairs@fastpath.example>"
MAIL_CONFIG = {"MAIL_DEFAULT_SENDER": SENDER, "MAIL_REPLY_TO": REPLY_TO}

NAME = "Zoë Łukasiewicz 中文 🎉"
SUBJECT = "Grüße, ł, 中文 🎉"
BODY = "Your abstract “Ümlaut” was received.\n\nThank you — 谢谢 🎉 <b>not bold</b>"


def queue_notice(app: Flask, *, to: str | list[str] = "ada@example.org", **context: str) -> int:
    """Queue the generic notice in a committed transaction; return the mail's id."""
    with app.app_context():
        mail = queue_mail(
            to=to,
            template="notice",
            subject=context.pop("subject", "A notice"),
            context={"body": "Hello there.", **context},
        )
        db.session.commit()
        return mail.id


def outbox(app: Flask) -> list[OutboxMail]:
    """Every outbox row, detached for assertions."""
    with app.app_context():
        rows = list(db.session.scalars(db.select(OutboxMail).order_by(OutboxMail.id)))
        db.session.expunge_all()
        return rows


def as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def wait_until(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(0.05)


def deliver(app: Flask) -> int:
    with app.app_context():
        return deliver_pending()


# --- Delivered after commit, exactly as queued ---------------------------------------------


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


# --- Failures, retries and giving up --------------------------------------------------------


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
        port=_free_port(),
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


# --- Claims: several senders, crashed senders -----------------------------------------------


def test_two_senders_draining_one_outbox_deliver_each_mail_exactly_once(
    mail_app: Flask, smtp: SmtpServer
) -> None:
    with mail_app.app_context():
        for number in range(40):
            queue_mail(
                to=f"person{number}@example.org",
                template="notice",
                subject=f"Notice {number}",
                context={"body": "x"},
            )
        db.session.commit()
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


# --- The background sender ------------------------------------------------------------------


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


# --- No mail server: the .eml spool ---------------------------------------------------------


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


# --- Commands ---------------------------------------------------------------------------------


def test_deliver_command_sends_due_mail_and_prints_a_summary(
    mail_app: Flask, smtp: SmtpServer
) -> None:
    queue_notice(mail_app, subject="By cron")

    result = mail_app.test_cli_runner().invoke(args=["mail", "deliver", "--due-only"])

    assert result.exit_code == 0, result.output
    assert (
        result.output == "Sent 1 mail, 0 failed. Outbox: 0 queued, 0 sending, 1 sent, 0 failed.\n"
    )
    assert [m.subject for m in smtp.recorder.received] == ["[FastPath 2020] By cron"]


def test_deliver_command_sends_mail_still_waiting_for_its_retry(
    mail_app: Flask, smtp: SmtpServer
) -> None:
    smtp.stop()
    queue_notice(mail_app)
    runner = mail_app.test_cli_runner()
    result = runner.invoke(args=["mail", "deliver", "--due-only"])
    assert result.output == (
        "Sent 0 mails, 1 failed. Outbox: 1 queued, 0 sending, 0 sent, 0 failed.\n"
        "1 queued mail wait for a retry; send them now with: flask --app app mail deliver\n"
    )
    smtp.start()

    # cron keeps the backoff; a person who just restarted the mail server sends it all now
    assert runner.invoke(args=["mail", "deliver", "--due-only", "--quiet"]).output == ""
    result = runner.invoke(args=["mail", "deliver"])

    assert (
        result.output == "Sent 1 mail, 0 failed. Outbox: 0 queued, 0 sending, 1 sent, 0 failed.\n"
    )
    assert len(smtp.recorder.received) == 1


@pytest.mark.app_config(MAIL_MAX_ATTEMPTS=1)
def test_status_and_retry_failed_commands(mail_app: Flask, smtp: SmtpServer) -> None:
    smtp.recorder.reply = "550 5.1.1 No such user"
    mail_id = queue_notice(mail_app, to="nobody@example.org", subject="Lost")
    runner = mail_app.test_cli_runner()
    runner.invoke(args=["mail", "deliver"])

    status = runner.invoke(args=["mail", "status"])
    assert status.output == (
        "queued   0\n"
        "sending  0\n"
        "sent     0\n"
        "failed   1\n"
        f"failed #{mail_id} to nobody@example.org: [FastPath 2020] Lost"
        " (after 1 attempt: 550 5.1.1 No such user)\n"
    )
    smtp.recorder.reply = None
    assert runner.invoke(args=["mail", "retry-failed"]).output == "Queued 1 failed mail again.\n"
    runner.invoke(args=["mail", "deliver"])
    assert [m.envelope_to for m in smtp.recorder.received] == [["nobody@example.org"]]


def test_worker_command_delivers_until_sigterm(mail_app: Flask, smtp: SmtpServer) -> None:
    queue_notice(mail_app, subject="Before the worker")
    config = mail_app.config
    env = {
        **os.environ,
        "FASTPATH_INSTANCE_PATH": mail_app.instance_path,
        "FASTPATH_SECRET_KEY": "test-only-secret",
        "FASTPATH_SQLALCHEMY_DATABASE_URI": config["SQLALCHEMY_DATABASE_URI"],
        "FASTPATH_MAIL_SERVER": smtp.host,
        "FASTPATH_MAIL_PORT": str(smtp.port),
        "FASTPATH_MAIL_SPOOL_DIR": config["MAIL_SPOOL_DIR"],
        "FASTPATH_MAIL_BACKGROUND_SENDER": "false",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "mail", "worker", "--interval", "0.2"],
        cwd=ROOT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        smtp.recorder.wait_for(1, timeout=30)
        queue_notice(mail_app, subject="While it runs")
        smtp.recorder.wait_for(2, timeout=15)
    finally:
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=30)

    assert worker.returncode == 0, err
    assert out.splitlines()[0] == "Mail worker started; looking for due mail every 0.2 s."
    assert out.splitlines()[-1] == "Mail worker stopped."
    assert [m.subject for m in smtp.recorder.received] == [
        "[FastPath 2020] Before the worker",
        "[FastPath 2020] While it runs",
    ]
    assert [row.status for row in outbox(mail_app)] == [OutboxStatus.SENT] * 2


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
