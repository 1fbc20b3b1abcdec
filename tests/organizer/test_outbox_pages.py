"""The outbox in the organizers' area: failed mail, retrying it, a mail's text."""

from __future__ import annotations

from fastpath.core.extensions import db
from fastpath.mail.delivery import deliver_pending
from fastpath.mail.models import OutboxMail, OutboxStatus
from tests.helpers.organizers import EMAIL, add_mail, audit_actions, make_organizer, sign_in


def test_outbox_shows_failed_mail_with_its_error(app, organizer_client):
    add_mail(app, status=OutboxStatus.SENT)
    add_mail(app, status=OutboxStatus.FAILED, error="550 5.1.1 <x@y>: no such <b>user</b>")

    page = organizer_client.get("/organizer/mail?status=failed").get_data(as_text=True)

    assert "550 5.1.1 &lt;x@y&gt;: no such &lt;b&gt;user&lt;/b&gt;" in page
    assert "Retry all 1 failed" in page
    assert page.count('class="badge badge-failed"') == 1
    assert 'class="badge badge-sent"' not in page


def test_outbox_retry_one_queues_it_again_and_it_is_delivered(mail_app, smtp):
    make_organizer(mail_app)
    client = mail_app.test_client()
    sign_in(client)
    failed_id = add_mail(mail_app, status=OutboxStatus.FAILED, error="421 try later")

    response = client.post(f"/organizer/mail/{failed_id}/retry")

    assert response.status_code == 303
    assert response.location == f"/organizer/mail/{failed_id}"
    with mail_app.app_context():
        mail = db.session.get(OutboxMail, failed_id)
        assert (mail.status, mail.attempts) == (OutboxStatus.QUEUED, 0)
        deliver_pending()
    received = smtp.recorder.wait_for(1)
    assert [m.subject for m in received] == ["[FastPath 2020] A test mail"]
    assert received[0].envelope_to == ["someone@example.org"]
    assert ("mail_retry", EMAIL, f"mail:{failed_id}") in audit_actions(mail_app)


def test_outbox_retry_all_failed_leaves_other_mail_alone(app, organizer_client):
    failed = [add_mail(app, status=OutboxStatus.FAILED, error="timeout") for _ in range(2)]
    sent = add_mail(app, status=OutboxStatus.SENT)

    response = organizer_client.post("/organizer/mail/retry-failed")
    again = organizer_client.post(f"/organizer/mail/{sent}/retry")

    assert response.location == "/organizer/mail?status=queued"
    assert again.status_code == 303
    with app.app_context():
        statuses = {m.id: m.status for m in db.session.scalars(db.select(OutboxMail))}
    assert statuses == {failed[0]: "queued", failed[1]: "queued", sent: "sent"}
    assert [a for a, _, _ in audit_actions(app)].count("mail_retry") == 2


def test_mail_detail_shows_the_text_as_text(app, organizer_client):
    mail_id = add_mail(app, status=OutboxStatus.SENT)
    with app.app_context():
        db.session.get(OutboxMail, mail_id).body_text = "Hi <script>alert(1)</script>"
        db.session.commit()

    page = organizer_client.get(f"/organizer/mail/{mail_id}").get_data(as_text=True)

    assert "Hi &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
