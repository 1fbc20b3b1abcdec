"""Sending: one batch and one outbox mail per recipient in one transaction, placeholders
filled, new private links that work, no double send, a changed group shown again, the audit
row, and the batch on the person's page."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from fastpath.core.audit import AuditEvent
from fastpath.core.extensions import db
from fastpath.groupmail.models import BatchKind, MailBatch
from fastpath.registration.models import Registration, RegistrationStatus
from tests.groupmail.conftest import compose_and_send, send, send_form
from tests.helpers.accepted import add_accepted
from tests.helpers.mail import outbox
from tests.helpers.organizers import add_registration, add_submission
from tests.helpers.registrations import html_of

BODY = "Dear {name},\n\nthe **room** is B1.\n\nYour registration: {private_link}\n\n{{braces}}"


def batches(app: Flask) -> list[MailBatch]:
    with app.app_context():
        rows = list(db.session.scalars(db.select(MailBatch).order_by(MailBatch.id)))
        db.session.expunge_all()
        return rows


def test_send_queues_one_mail_per_recipient_with_values_filled(
    app: Flask, chair_client: FlaskClient
) -> None:
    ada = add_registration(app, "Ada Lovelace", email="ada@example.org")
    alan = add_registration(app, "Alan Turing", email="alan@example.org")
    add_registration(app, "Wait", email="wait@example.org", status=RegistrationStatus.WAITING)
    batch_id = compose_and_send(chair_client, "registered", "Room for {name}", BODY)

    [batch] = batches(app)
    assert (batch.id, batch.kind, batch.group, batch.label) == (
        batch_id,
        BatchKind.GROUP,
        "registered",
        "Registered attendees",
    )
    assert (batch.subject, batch.body, batch.recipient_count) == ("Room for {name}", BODY, 2)
    mails = outbox(app)
    assert [(m.recipients, m.subject, m.registration_id, m.batch_id) for m in mails] == [
        ("ada@example.org", "[FastPath 2020] Room for Ada Lovelace", ada, batch_id),
        ("alan@example.org", "[FastPath 2020] Room for Alan Turing", alan, batch_id),
    ]
    assert len({m.message_id for m in mails}) == 2
    link = re.search(r"http://fastpath.test/registration/\S+", mails[0].body_text).group(0)
    assert mails[0].body_text.startswith(
        "Dear Ada Lovelace,\n\nthe **room** is B1.\n\n"
        f"Your registration: {link}\n\n{{braces}}\n\n-- \n"
    )
    assert (
        f"<p>Dear <bdi>Ada Lovelace</bdi>,</p>\n<p>the <strong>room</strong> is B1.</p>\n"
        f'<p>Your registration: <a href="{link}">{link}</a></p>\n<p>{{braces}}</p>'
    ) in mails[0].body_html
    # The new link works; the one Ada had keeps working until she uses the new one.
    assert chair_client.get(link.removeprefix("http://fastpath.test")).status_code == 200
    with app.app_context():
        row = db.session.get(Registration, ada)
        assert [e.kind for e in row.events][-1] == "link_resent"


def test_contact_authors_get_their_submission_and_a_new_link(
    app: Flask, chair_client: FlaskClient
) -> None:
    first = add_submission(
        app, "One", authors=[("Ada", "ada@example.org", "X"), ("G", "g@e.org", "Y")]
    )
    add_submission(app, "Two", authors=[("Ada", "ada@example.org", "X")])
    compose_and_send(
        chair_client,
        "contact_authors",
        "{submission_number}: news",
        "Dear {name}, about “{title}”: {private_link}",
    )
    mails = outbox(app)
    assert [(m.recipients, m.subject, m.submission_id) for m in mails] == [
        ("ada@example.org", "[FastPath 2020] FP20-001: news", first),
        ("ada@example.org", "[FastPath 2020] FP20-002: news", first + 1),
    ]
    assert mails[1].body_text.startswith("Dear Ada, about “Two”: http://fastpath.test/submission/")
    link = re.search(r"http://fastpath.test(/submission/\S+)", mails[0].body_text).group(1)
    page = chair_client.get(link)
    assert page.status_code == 200
    assert "One" in page.get_data(as_text=True)


def test_values_are_never_read_as_markdown_or_markup(app: Flask, chair_client: FlaskClient) -> None:
    add_accepted(app, "*Not* <script>x</script> [l](http://evil.example)")
    compose_and_send(chair_client, "accepted_authors", "About {title}", "Title: {title}")
    mail = outbox(app)[0]
    assert (
        "<p>Title: <bdi>*Not* &lt;script&gt;x&lt;/script&gt; [l](http[:]//evil[.]example)</bdi></p>"
        in mail.body_html
    )
    assert mail.body_text.startswith("Title: *Not* <script>x</script> [l](http[:]//evil[.]example)")


def test_same_form_twice_sends_once_and_lands_on_the_batch(
    app: Flask, chair_client: FlaskClient
) -> None:
    add_registration(app, "Ada Lovelace")
    add_registration(app, "Alan Turing")
    fields = send_form(chair_client, "registered", "Hello", "Dear {name}")
    first = send(chair_client, fields)
    second = send(chair_client, fields)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert len(batches(app)) == 1
    assert len(outbox(app)) == 2
    page = chair_client.get(second.headers["Location"])
    assert "This mail had been sent already; nothing was sent twice." in html_of(page)


def test_group_changed_since_preview_is_shown_again_not_sent(
    app: Flask, chair_client: FlaskClient
) -> None:
    add_registration(app, "Ada Lovelace")
    fields = send_form(chair_client, "registered", "Hello", "Dear {name}")
    add_registration(app, "Alan Turing", email="alan@example.org")
    response = send(chair_client, fields)
    assert response.status_code == 409
    html = html_of(response)
    assert "The group changed since your preview (1 then, 2 now)" in html
    assert "<td><bdi>alan@example.org</bdi></td>" in html
    assert batches(app) == []
    assert outbox(app) == []


def test_send_is_audited(app: Flask, chair_client: FlaskClient) -> None:
    add_registration(app, "Ada Lovelace")
    batch_id = compose_and_send(chair_client, "registered", "Hello", "Dear {name}")
    with app.app_context():
        event = db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == "group_mail")
        ).one()
        assert (event.actor, event.target, event.details) == (
            "chair@fastpath.test",
            f"batch:{batch_id}",
            "Registered attendees: 1 mail(s), subject “Hello”",
        )


def test_person_pages_list_the_group_mail(app: Flask, chair_client: FlaskClient) -> None:
    ada = add_registration(app, "Ada Lovelace")
    submission = add_submission(app)
    first = compose_and_send(chair_client, "registered", "Badges", "Dear {name}")
    second = compose_and_send(chair_client, "all_authors", "Slides", "Dear {name}")
    html = html_of(chair_client.get(f"/organizer/registrations/{ada}"))
    assert (
        f'<a href="/organizer/group-mail/batches/{first}">Registered attendees: Badges</a>' in html
    )
    html = html_of(chair_client.get(f"/organizer/submissions/{submission}"))
    assert f'<a href="/organizer/group-mail/batches/{second}">All authors: Slides</a>' in html


def test_batch_list_on_the_compose_page(app: Flask, chair_client: FlaskClient) -> None:
    add_registration(app, "Ada Lovelace")
    first = compose_and_send(chair_client, "registered", "First", "x")
    second = compose_and_send(chair_client, "registered", "Second", "y")
    html = html_of(chair_client.get("/organizer/group-mail/"))
    assert html.index(f'/batches/{second}">Second') < html.index(f'/batches/{first}">First')
    assert "<td>0 of 1</td>" in html
