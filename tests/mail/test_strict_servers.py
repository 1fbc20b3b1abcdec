"""Mail from the longest inputs the forms allow, against a server that enforces RFC 5321's line
limit and offers neither 8BITMIME nor SMTPUTF8: every mail is accepted and arrives intact."""

from __future__ import annotations

from collections.abc import Iterator
from email.header import decode_header
from pathlib import Path

import pytest
from flask import Flask

from fastpath.cfp.forms import MAX_AUTHORS
from fastpath.cfp.models import AFFILIATION_MAX, NAME_MAX, NOTE_MAX, SubmissionStatus
from fastpath.core.extensions import db
from fastpath.mail import deliver_pending, queue_mail
from fastpath.mail.models import OutboxMail, OutboxStatus
from fastpath.organizer.decisions import decide, submissions_by_id
from fastpath.registration.models import NEEDS_MAX
from tests.conftest import SmtpRecorder, SmtpServer, _start_controller, make_app
from tests.helpers.editions import edition_with_capacity
from tests.helpers.forms import LINK, latest_token, post, registration_fields, submission_fields

# A normal abstract written as one paragraph: 300 words (the form's limit), 1,898+ characters.
ABSTRACT = " ".join(f"Überlastung{n}" for n in range(300))


class StrictRecorder(SmtpRecorder):
    """Offers no 8BITMIME or SMTPUTF8, so refuses 8-bit data; refuses lines over 998 octets
    (aiosmtpd itself answers "500 Line too long" for the longest, with its default limit)."""

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        session.host_name = hostname
        return [r for r in responses if r[4:] not in ("8BITMIME", "SMTPUTF8")]

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        content: bytes = envelope.original_content
        if not content.isascii():
            return "554 5.6.1 8-bit data without 8BITMIME"
        if any(len(line) > 998 for line in content.split(b"\r\n")):
            return "554 5.6.0 Line longer than 998 octets"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def strict_app(tmp_path: Path) -> Iterator[tuple[Flask, SmtpServer]]:
    recorder = StrictRecorder()
    controller = _start_controller(recorder)
    server = SmtpServer("127.0.0.1", controller.port, recorder, controller)
    yield make_app(tmp_path, **server.app_config()), server
    controller.stop()


def deliver_all(app: Flask) -> list[OutboxMail]:
    """Deliver, and return every outbox row afterwards."""
    with app.app_context():
        deliver_pending()
        rows = list(db.session.scalars(db.select(OutboxMail).order_by(OutboxMail.id)))
        db.session.expunge_all()
    return rows


def longest_submission_fields() -> list[tuple[str, object]]:
    """A /submit post at every limit: 20 authors, one-paragraph abstract, longest note."""
    fields = [f for f in submission_fields() if not f[0].startswith("authors-")]
    fields = [(k, ABSTRACT if k == "abstract" else v) for k, v in fields]
    fields = [(k, "ß" * NOTE_MAX if k == "note" else v) for k, v in fields]
    for n in range(MAX_AUTHORS):
        fields += [
            (f"authors-{n}-name", f"李明{n:02d}" + "é" * (NAME_MAX - 4)),
            (f"authors-{n}-email", f"{'a' * 60}{n:02d}@example.org"),
            (f"authors-{n}-affiliation", "Université " + "x" * (AFFILIATION_MAX - 11)),
        ]
    return fields


CONTACT = f"{'a' * 60}00@example.org"


def test_longest_submission_mails_are_accepted_by_a_strict_server_and_arrive_intact(
    strict_app: tuple[Flask, SmtpServer],
) -> None:
    app, smtp = strict_app
    client = app.test_client()
    assert post(client, "/submit", longest_submission_fields(), files=True).status_code == 303
    token = latest_token(app, "submission")
    assert client.post(f"/submission/{token}/withdraw").status_code == 303

    rows = deliver_all(app)

    assert [(r.template, r.status, r.last_error) for r in rows] == [
        ("submission_received", OutboxStatus.SENT, None)
    ] + [("submission_coauthor", OutboxStatus.SENT, None)] * (MAX_AUTHORS - 1) + [
        ("submission_withdrawn", OutboxStatus.SENT, None)
    ]
    received = smtp.recorder.received
    assert len(received) == MAX_AUTHORS + 1
    contact = smtp.recorder.to(CONTACT)[0]
    assert ABSTRACT in contact.text.replace("\r\n", "\n")
    assert "ß" * NOTE_MAX in contact.text
    assert f"李明19{'é' * (NAME_MAX - 4)}" in contact.html


def test_longest_edit_link_and_decision_mails_are_accepted_by_a_strict_server(
    strict_app: tuple[Flask, SmtpServer],
) -> None:
    app, smtp = strict_app
    client = app.test_client()
    assert post(client, "/submit", longest_submission_fields(), files=True).status_code == 303
    token = latest_token(app, "submission")
    edited = [
        (k, ABSTRACT.upper() if k == "abstract" else v)
        for k, v in longest_submission_fields()
        if k not in ("form_nonce", "consent", "pdf")
    ]
    response = post(client, f"/submission/{token}/edit", [*edited, ("version", "1")], files=True)
    assert response.status_code == 303
    lost = post(client, "/submission/lost", [("email", CONTACT)])
    assert lost.status_code == 303
    lost.close()  # the look-up and its mail run after the response
    with app.app_context():
        decide(submissions_by_id([1]), SubmissionStatus.ACCEPTED, by=None)
        db.session.commit()

    rows = deliver_all(app)

    later = [(r.template, r.status, r.last_error) for r in rows[MAX_AUTHORS:]]
    assert (
        later
        == [
            ("submission_edited", OutboxStatus.SENT, None),
            ("submission_links", OutboxStatus.SENT, None),
        ]
        + [("decision_accepted", OutboxStatus.SENT, None)] * MAX_AUTHORS
    )
    edited_mail = [m for m in smtp.recorder.to(CONTACT) if m.subject.endswith("changed")][0]
    assert ABSTRACT.upper() in edited_mail.text.replace("\r\n", "\n")


def test_longest_registration_mails_are_accepted_by_a_strict_server_and_arrive_intact(
    strict_app: tuple[Flask, SmtpServer],
) -> None:
    app, smtp = strict_app
    client = app.test_client()
    needs = "Sans gluten, sans lactose, " + "ü" * (NEEDS_MAX - 27)
    fields = [
        (k, needs if k in ("dietary", "accessibility") else v)
        for k, v in registration_fields(name="Zoë " + "Ł" * 196)
    ]
    assert post(client, "/register", fields).status_code == 303
    token = latest_token(app, "registration")
    page = client.get(f"/registration/{token}/cancel")
    assert page.status_code == 200
    assert client.post(f"/registration/{token}/cancel").status_code == 303

    rows = deliver_all(app)

    assert [(r.template, r.status, r.last_error) for r in rows] == [
        ("registration_confirmed", OutboxStatus.SENT, None),
        ("registration_cancelled", OutboxStatus.SENT, None),
    ]
    confirmed, cancelled = smtp.recorder.received
    assert needs in confirmed.text
    assert f"Dear Zoë {'Ł' * 196}," in cancelled.text
    [calendar] = confirmed.attachments()
    assert calendar.get_content_type() == "text/calendar"


def test_longest_waiting_list_mails_are_accepted_by_a_strict_server(
    tmp_path: Path, strict_app: tuple[Flask, SmtpServer]
) -> None:
    _, smtp = strict_app
    content = edition_with_capacity(tmp_path, 1)
    app = make_app(
        tmp_path / "full",
        CONTENT_DIR=str(content),
        REGISTRATION_CONFIRM_ADDRESS=False,
        **smtp.app_config(),
    )
    client = app.test_client()
    needs = "Sans gluten, sans lactose, " + "ü" * (NEEDS_MAX - 27)
    for email in ("first@example.org", "second@example.org", "second@example.org"):
        fields = [
            (k, needs if k in ("dietary", "accessibility") else v)
            for k, v in registration_fields(email=email, name="Zoë " + "Ł" * 196)
        ]
        assert post(client, "/register", fields).status_code == 303
    lost = post(client, "/registration/lost", [("email", "second@example.org")])
    assert lost.status_code == 303
    lost.close()  # the look-up and its mail run after the response
    with app.app_context():
        first = db.session.scalars(db.select(OutboxMail.body_text)).first()
    token = LINK.search(first).group(2)
    assert client.post(f"/registration/{token}/cancel").status_code == 303

    rows = deliver_all(app)

    assert [(r.template, r.status, r.last_error) for r in rows] == [
        ("registration_confirmed", OutboxStatus.SENT, None),
        ("registration_confirmed", OutboxStatus.SENT, None),
        ("registration_already", OutboxStatus.SENT, None),
        ("registration_link", OutboxStatus.SENT, None),
        ("registration_cancelled", OutboxStatus.SENT, None),
        ("registration_promoted", OutboxStatus.SENT, None),
    ]
    assert all(needs in m.text for m in smtp.recorder.received[:2])


def test_longest_confirm_address_mail_is_accepted_by_a_strict_server(
    tmp_path: Path, strict_app: tuple[Flask, SmtpServer]
) -> None:
    _, smtp = strict_app
    content = edition_with_capacity(tmp_path, 1)
    app = make_app(tmp_path / "confirm", CONTENT_DIR=str(content), **smtp.app_config())
    needs = "Sans gluten, sans lactose, " + "ü" * (NEEDS_MAX - 27)
    fields = [
        (k, needs if k in ("dietary", "accessibility") else v)
        for k, v in registration_fields(name="Zoë " + "Ł" * 196)
    ]
    assert post(app.test_client(), "/register", fields).status_code == 303

    rows = deliver_all(app)

    assert [(r.template, r.status, r.last_error) for r in rows] == [
        ("registration_confirm_address", OutboxStatus.SENT, None)
    ]
    assert "Zoë " + "Ł" * 196 in smtp.recorder.received[0].text


def test_longest_headers_are_folded_for_a_strict_server(
    strict_app: tuple[Flask, SmtpServer],
) -> None:
    app, smtp = strict_app
    subject = "x" * (998 - len("[FastPath 2020] "))  # the longest the outbox stores, one word
    name = "Zoë Łukasiewicz, " * 12
    with app.app_context():
        queue_mail(
            to=f'"{name}" <zoe@example.org>',
            template="notice",
            subject=subject,
            context={"body": "x"},
        )
        db.session.commit()

    [row] = deliver_all(app)

    assert (row.status, row.last_error) == (OutboxStatus.SENT, None)
    [received] = smtp.recorder.received
    assert received.subject == f"[FastPath 2020] {subject}"
    # Decoded by RFC 2047's rule (the stdlib's header parser puts spaces between the words).
    raw_to = dict(received.message.raw_items())["To"]
    [(display_name, charset), (address, _)] = decode_header(raw_to)
    assert (display_name.decode(charset), address.strip()) == (name.strip(), b"<zoe@example.org>")
