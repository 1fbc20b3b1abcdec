"""Addresses beyond ASCII: SMTPUTF8 when the server offers it, IDNA for domains, and a mail
that needs SMTPUTF8 on a server without it failed at once with the reason, not retried."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

from fastpath.core.extensions import db
from fastpath.mail import queue_mail
from fastpath.mail.models import OutboxStatus
from tests.conftest import ReceivedMail, SmtpRecorder, SmtpServer, free_port, make_app
from tests.helpers.mail import deliver, outbox

LOCAL_UTF8 = "ünï-cödé@example.org"


def queue(app: Flask, to: str) -> None:
    with app.app_context():
        queue_mail(to=to, template="notice", subject="Grüße", context={"body": "Hallo."})
        db.session.commit()


class Utf8Recorder(SmtpRecorder):
    """Keeps each mail parsed as UTF-8 (the bytes parser reads headers as ASCII only)."""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        text = envelope.original_content.decode("utf-8")
        message = email.message_from_string(text, policy=email.policy.default)
        with self.lock:
            self.received.append(ReceivedMail(envelope.mail_from, envelope.rcpt_tos, message))
        return "250 Message accepted for delivery"


def start_server(smtputf8: bool) -> SmtpServer:
    recorder = Utf8Recorder()
    controller = Controller(
        recorder, hostname="127.0.0.1", port=free_port(), enable_SMTPUTF8=smtputf8
    )
    controller.start()
    return SmtpServer("127.0.0.1", controller.port, recorder, controller)


@pytest.fixture
def utf8_smtp() -> Iterator[SmtpServer]:
    """A real SMTP server that offers SMTPUTF8."""
    server = start_server(smtputf8=True)
    yield server
    server.stop()


@pytest.fixture
def ascii_app(tmp_path: Path) -> Iterator[tuple[Flask, SmtpServer]]:
    """An app whose SMTP server offers no SMTPUTF8."""
    server = start_server(smtputf8=False)
    yield make_app(tmp_path, **server.app_config()), server
    server.stop()


def test_non_ascii_local_part_goes_out_with_smtputf8_when_offered(
    tmp_path: Path, utf8_smtp: SmtpServer
) -> None:
    app = make_app(tmp_path, **utf8_smtp.app_config())
    queue(app, f"Ünï Cödé <{LOCAL_UTF8}>")

    assert deliver(app) == 1

    [received] = utf8_smtp.recorder.received
    assert received.envelope_to == [LOCAL_UTF8]
    [address] = received.message["To"].addresses
    assert (address.display_name, address.addr_spec) == ("Ünï Cödé", LOCAL_UTF8)
    assert "Hallo." in received.text
    assert [(r.status, r.attempts) for r in outbox(app)] == [(OutboxStatus.SENT, 1)]


def test_non_ascii_local_part_fails_at_once_when_server_lacks_smtputf8(
    ascii_app: tuple[Flask, SmtpServer],
) -> None:
    mail_app, smtp = ascii_app
    queue(mail_app, LOCAL_UTF8)
    queue(mail_app, "ada@example.org")

    assert deliver(mail_app) == 1
    assert deliver(mail_app) == 0  # failed for good: not tried again by itself

    first, second = outbox(mail_app)
    assert (first.status, first.attempts, first.last_error) == (
        OutboxStatus.FAILED,
        1,
        f"the mail server does not offer SMTPUTF8, which the address {LOCAL_UTF8} needs;"
        " not retried",
    )
    assert second.status == OutboxStatus.SENT
    assert [m.envelope_to for m in smtp.recorder.received] == [["ada@example.org"]]


def test_internationalised_domain_is_sent_in_idna_without_smtputf8(
    ascii_app: tuple[Flask, SmtpServer],
) -> None:
    mail_app, smtp = ascii_app
    queue(mail_app, "Jürgen <juergen@bücher.example>")

    assert deliver(mail_app) == 1

    [received] = smtp.recorder.received
    assert received.envelope_to == ["juergen@xn--bcher-kva.example"]
    assert str(received.message["To"]) == "Jürgen <juergen@xn--bcher-kva.example>"
