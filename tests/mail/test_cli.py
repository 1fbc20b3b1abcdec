"""The mail commands: deliver, status, retry-failed and the worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from flask import Flask

from fastpath.config import ROOT_DIR
from fastpath.mail.models import OutboxStatus
from tests.conftest import SmtpServer
from tests.helpers.mail import outbox, queue_notice


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
