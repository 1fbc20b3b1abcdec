"""The progress page against the real SMTP server: counts read from the outbox, the JSON
the page polls, "all sent", failed mails and their retry, a mail server that is down."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from fastpath.core.audit import AuditEvent
from fastpath.core.extensions import db
from fastpath.groupmail.models import BatchKind, MailBatch
from fastpath.mail.models import OutboxStatus
from tests.conftest import SmtpServer
from tests.groupmail.conftest import compose_and_send
from tests.helpers.mail import deliver, outbox
from tests.helpers.organizers import add_registration, make_organizer, sign_in
from tests.helpers.registrations import html_of


@pytest.fixture
def chair(mail_app: Flask) -> FlaskClient:
    make_organizer(mail_app)
    client = mail_app.test_client()
    assert sign_in(client).status_code == 302
    return client


def status(client: FlaskClient, batch_id: int) -> dict:
    response = client.get(f"/organizer/group-mail/batches/{batch_id}/status.json")
    assert response.status_code == 200
    return response.get_json()


def test_progress_counts_follow_delivery_to_all_sent(
    mail_app: Flask, smtp: SmtpServer, chair: FlaskClient
) -> None:
    add_registration(mail_app, "Ada Lovelace", email="ada@example.org")
    add_registration(mail_app, "Alan Turing", email="alan@example.org")
    batch_id = compose_and_send(chair, "registered", "Badges", "Dear {name},\n\nbring it.")
    assert status(chair, batch_id) == {
        "total": 2, "queued": 2, "sending": 0, "sent": 0, "failed": 0, "done": False
    }  # fmt: skip
    assert "Sending…" in html_of(chair.get(f"/organizer/group-mail/batches/{batch_id}"))

    assert deliver(mail_app) == 2
    assert status(chair, batch_id) == {
        "total": 2, "queued": 0, "sending": 0, "sent": 2, "failed": 0, "done": True
    }  # fmt: skip
    html = html_of(chair.get(f"/organizer/group-mail/batches/{batch_id}"))
    assert '<p class="groupmail-state" aria-live="polite" id="batch-state">All sent.</p>' in html
    received = sorted(smtp.recorder.received, key=lambda m: m.envelope_to)
    assert [(m.envelope_to, m.subject) for m in received] == [
        (["ada@example.org"], "[FastPath 2020] Badges"),
        (["alan@example.org"], "[FastPath 2020] Badges"),
    ]
    text, html = (part.replace("\r\n", "\n") for part in (received[0].text, received[0].html))
    assert text.startswith("Dear Ada Lovelace,\n\nbring it.\n\n-- \n")
    assert "<p>Dear <bdi>Ada Lovelace</bdi>,</p>\n<p>bring it.</p>" in html


@pytest.mark.app_config(MAIL_MAX_ATTEMPTS=1)
def test_failed_mails_are_listed_and_retried(
    mail_app: Flask, smtp: SmtpServer, chair: FlaskClient
) -> None:
    add_registration(mail_app, "Ada Lovelace", email="ada@example.org")
    other = compose_and_send(chair, "registered", "Other", "x")
    smtp.recorder.reply = "550 5.7.1 Message rejected"
    batch_id = compose_and_send(chair, "registered", "Badges", "Dear {name}")
    deliver(mail_app)
    assert status(chair, batch_id)["failed"] == 1
    assert status(chair, other)["failed"] == 1
    html = html_of(chair.get(f"/organizer/group-mail/batches/{batch_id}"))
    assert "Finished: 1 failed." in html
    assert '<td class="error-text">550 5.7.1 Message rejected</td>' in html

    smtp.recorder.reply = None
    response = chair.post(f"/organizer/group-mail/batches/{batch_id}/retry")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/organizer/group-mail/batches/{batch_id}"
    # Only this batch's failed mail was queued again.
    assert status(chair, batch_id)["queued"] == 1
    assert status(chair, other)["failed"] == 1
    assert deliver(mail_app) == 1
    assert status(chair, batch_id) == {
        "total": 1, "queued": 0, "sending": 0, "sent": 1, "failed": 0, "done": True
    }  # fmt: skip
    assert [m.subject for m in smtp.recorder.received] == ["[FastPath 2020] Badges"]
    with mail_app.app_context():
        event = db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == "mail_retry")
        ).one()
        assert (event.target, event.details) == (
            f"batch:{batch_id}",
            "1 failed mail(s) of “Badges” (Registered attendees) queued again",
        )


@pytest.mark.app_config(MAIL_RETRY_BASE_SECONDS=0)
def test_mail_server_down_keeps_mails_queued_then_sends_them(
    mail_app: Flask, smtp: SmtpServer, chair: FlaskClient
) -> None:
    add_registration(mail_app, "Ada Lovelace", email="ada@example.org")
    add_registration(mail_app, "Alan Turing", email="alan@example.org")
    smtp.stop()
    batch_id = compose_and_send(chair, "registered", "Badges", "Dear {name}")
    assert deliver(mail_app) == 0
    assert status(chair, batch_id)["queued"] == 2
    assert [m.status for m in outbox(mail_app)] == [OutboxStatus.QUEUED] * 2
    smtp.start()
    assert deliver(mail_app) == 2
    assert status(chair, batch_id)["sent"] == 2
    assert sorted(m.envelope_to[0] for m in smtp.recorder.received) == [
        "ada@example.org",
        "alan@example.org",
    ]


def test_progress_page_shows_any_batch_kind(mail_app: Flask, chair: FlaskClient) -> None:
    with mail_app.app_context():
        batch = MailBatch(
            kind=BatchKind.DECISIONS, group="accepted", label="Accepted submissions",
            subject="Your submission", body="", recipient_count=0,
            created_at=datetime(2020, 3, 2, tzinfo=UTC), nonce="n" * 22,
        )  # fmt: skip
        db.session.add(batch)
        db.session.commit()
        batch_id = batch.id
    html = html_of(chair.get(f"/organizer/group-mail/batches/{batch_id}"))
    assert "<dt>Kind</dt><dd>Decision notifications</dd>" in html
    assert status(chair, batch_id)["total"] == 0


def test_unknown_batch_is_404(mail_app: Flask, chair: FlaskClient) -> None:
    assert chair.get("/organizer/group-mail/batches/999").status_code == 404
    assert chair.get("/organizer/group-mail/batches/999/status.json").status_code == 404
    assert chair.post("/organizer/group-mail/batches/999/retry").status_code == 404
