"""Decide now, notify later: a decision recorded without mail, the page of decisions not yet
told, and their notification as one batch of mails (one-time nonce, edited text)."""

from __future__ import annotations

import re

import pytest

from fastpath.cfp.models import Submission, SubmissionEvent, SubmissionStatus
from fastpath.core.audit import AuditEvent
from fastpath.core.extensions import db
from fastpath.core.tokens import new_token
from fastpath.groupmail.models import BatchKind, MailBatch
from fastpath.mail.delivery import deliver_pending
from fastpath.mail.models import OutboxMail
from tests.helpers.notify import form_data
from tests.helpers.organizers import add_submission, make_organizer, sign_in

ANNA = ("Anna Müller", "anna@example.de", "ETH Zürich")
LI = ("李雷", "li@example.cn", "北京大学")
BOB = ("Bob Example", "bob@example.org", "Example Corp")


@pytest.fixture
def mail_client(mail_app):
    """A signed-in client of the app whose mail goes to the test's SMTP server."""
    make_organizer(mail_app)
    client = mail_app.test_client()
    assert sign_in(client).status_code == 302
    return client


def _mails(app) -> list[tuple[str, str, int | None]]:
    with app.app_context():
        rows = db.session.scalars(db.select(OutboxMail).order_by(OutboxMail.id))
        return [(m.recipients, m.subject, m.batch_id) for m in rows]


def _row(app, submission_id: int) -> dict:
    with app.app_context():
        s = db.session.get(Submission, submission_id)
        return {
            "status": s.status.value,
            "notified": s.decision_notified_at is not None,
            "notified_outcome": s.notified_outcome,
            "for_authors": s.status_for_authors.value,
            "version": s.version,
        }


def _record(client, outcome: str, *ids: int):
    return client.post("/organizer/decisions/record", data={"outcome": outcome, "ids": list(ids)})


def _actions(app, *names: str) -> list[tuple[str, str | None, str]]:
    with app.app_context():
        rows = db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action.in_(names)).order_by(AuditEvent.id)
        )
        return [(e.action.value, e.target, e.details) for e in rows]


def _preview(client, outcome: str, **changes: str):
    """Post the notify page's editor of `outcome`, with `changes` to its fields."""
    page = client.get("/organizer/decisions/notify").get_data(as_text=True)
    return client.post(
        "/organizer/decisions/notify/preview", data=_outcome_form(page, outcome, **changes)
    )


def _outcome_form(page: str, outcome: str, **changes: str) -> dict[str, list[str]]:
    """The notify page's editor of one outcome (its fields carry the outcome as prefix)."""
    start = page.index(f'id="group-{outcome}"')
    return form_data(page[start:], "/organizer/decisions/notify/preview", **changes)


def _send_data(preview_page: str) -> dict[str, list[str]]:
    return form_data(preview_page, "/organizer/decisions/notify/send")


def test_record_only_changes_the_status_and_sends_nothing(app, organizer_client):
    first = add_submission(app, "First", authors=[ANNA, LI])
    second = add_submission(app, "Second", authors=[BOB])

    response = _record(organizer_client, "accepted", first, second)

    assert response.status_code == 303
    assert response.location == "/organizer/submissions?status=accepted"
    assert _mails(app) == []
    assert _row(app, first) == {
        "status": "accepted",
        "notified": False,
        "notified_outcome": None,
        "for_authors": "submitted",
        "version": 2,
    }
    with app.app_context():
        events = db.session.scalars(
            db.select(SubmissionEvent.details)
            .where(SubmissionEvent.submission_id == first)
            .where(SubmissionEvent.kind == "decision_recorded")
        ).all()
        assert db.session.get(Submission, first).decided_at is not None
    assert events == ["FP20-001: accepted (was submitted); not told yet"]
    assert _actions(app, "decision_recorded", "decision", "notification") == [
        (
            "decision_recorded",
            f"submission:{first}",
            "FP20-001: accepted (was submitted); not told yet",
        ),
        (
            "decision_recorded",
            f"submission:{second}",
            "FP20-002: accepted (was submitted); not told yet",
        ),
    ]


def test_recording_the_same_outcome_again_is_a_no_op_with_a_message(app, organizer_client):
    submission_id = add_submission(app, "Only")
    _record(organizer_client, "rejected", submission_id)

    again = _record(organizer_client, "rejected", submission_id)
    page = organizer_client.get(again.location).get_data(as_text=True)

    assert "FP20-001 unchanged: already rejected, not yet told." in page
    assert _row(app, submission_id)["version"] == 2
    assert len(_actions(app, "decision_recorded")) == 1


def test_record_only_skips_a_withdrawn_submission(app, organizer_client):
    submission_id = add_submission(app, "Gone", status=SubmissionStatus.WITHDRAWN)

    page = organizer_client.get(
        _record(organizer_client, "accepted", submission_id).location
    ).get_data(as_text=True)

    assert "FP20-001 unchanged: withdrawn by its authors." in page
    assert _row(app, submission_id)["status"] == "withdrawn"


def test_decision_preview_offers_record_only_next_to_send(app, organizer_client):
    submission_id = add_submission(app, "Only")

    page = organizer_client.get(
        f"/organizer/decisions/preview?outcome=accepted&ids={submission_id}"
    ).get_data(as_text=True)

    data = form_data(page, "/organizer/decisions/record")
    assert data["outcome"] == ["accepted"] and data["ids"] == [str(submission_id)]
    assert "Record the decision only (notify later)" in page
    response = organizer_client.post("/organizer/decisions/record", data=data)
    assert response.location == f"/organizer/submissions/{submission_id}"
    assert _mails(app) == []


def test_notify_page_lists_exactly_the_decisions_not_notified(app, organizer_client):
    told = add_submission(app, "Told already")
    organizer_client.post("/organizer/decisions", data={"outcome": "accepted", "ids": [told]})
    waiting_accept = add_submission(app, "Waiting accept")
    waiting_reject = add_submission(app, "Waiting reject")
    add_submission(app, "Undecided")
    add_submission(app, "Withdrawn", status=SubmissionStatus.WITHDRAWN)
    _record(organizer_client, "accepted", waiting_accept)
    _record(organizer_client, "rejected", waiting_reject)

    page = organizer_client.get("/organizer/decisions/notify").get_data(as_text=True)

    assert "Decisions recorded but not yet told to their authors: 2." in page
    assert "Accepted, not notified: 1" in page and "Rejected, not notified: 1" in page
    listed = re.findall(r'<li><a href="/organizer/submissions/(\d+)">(FP20-\d+)</a>', page)
    assert listed == [(str(waiting_accept), "FP20-002"), (str(waiting_reject), "FP20-003")]
    accepted_form = _outcome_form(page, "accepted")
    assert accepted_form["accepted-subject"] == ["Submission {submission_number} accepted"]
    assert accepted_form["accepted-text"][0].startswith("Dear {name},\n\nwe are glad")


def test_notify_batch_mails_each_author_once_with_the_edited_text(mail_app, mail_client, smtp):
    first = add_submission(mail_app, "Roofline <models>", authors=[ANNA, LI])
    second = add_submission(mail_app, "Second paper", authors=[BOB])
    _record(mail_client, "accepted", first, second)
    text = (
        "Hello {name},\n\n{submission_number} ({title}) by {authors} is in.\n\nBraces: {{literal}}."
    )

    preview = _preview(mail_client, "accepted", subject="{submission_number}: yes", text=text)
    page = preview.get_data(as_text=True)

    assert preview.status_code == 200
    assert "3 mails to the authors of 2 submissions (only those not notified)" in page
    assert "FP20-001 to anna@example.de" in page and "FP20-002 to bob@example.org" in page
    assert "Hello 李雷,\n\nFP20-001 (Roofline &lt;models&gt;) by Anna Müller, 李雷 is in." in page
    assert _mails(mail_app) == []  # the preview sends nothing

    response = mail_client.post("/organizer/decisions/notify/send", data=_send_data(page))

    with mail_app.app_context():
        batch = db.session.scalars(db.select(MailBatch)).one()
        batch_fields = (batch.kind, batch.group, batch.label, batch.subject, batch.body)
        count = batch.recipient_count
    assert response.status_code == 303
    assert response.location == f"/organizer/group-mail/batches/{batch.id}"
    assert batch_fields == (
        BatchKind.DECISIONS,
        "accepted",
        "Acceptance notifications",
        "{submission_number}: yes",
        text,
    )
    assert count == 3
    assert sorted(_mails(mail_app)) == [
        ("anna@example.de", "[FastPath 2020] FP20-001: yes", batch.id),
        ("bob@example.org", "[FastPath 2020] FP20-002: yes", batch.id),
        ("li@example.cn", "[FastPath 2020] FP20-001: yes", batch.id),
    ]
    with mail_app.app_context():
        assert deliver_pending() == 3
    received = {m.envelope_to[0]: m for m in smtp.recorder.wait_for(3)}
    to_li = received["li@example.cn"].text.replace("\r\n", "\n")
    assert to_li.startswith(
        "Hello 李雷,\n\nFP20-001 (Roofline <models>) by Anna Müller, 李雷 is in.\n\n"
        "Braces: {literal}.\n\nThe contact author (Anna Müller) can now hand in"
    )
    html = received["li@example.cn"].html
    assert "<p>Hello <bdi>李雷</bdi>,</p>" in html
    assert "(<bdi>Roofline &lt;models&gt;</bdi>)" in html
    assert _row(mail_app, first) | {"version": 0} == {
        "status": "accepted",
        "notified": True,
        "notified_outcome": "accepted",
        "for_authors": "accepted",
        "version": 0,
    }
    summary = _actions(mail_app, "group_mail")
    assert summary == [
        (
            "group_mail",
            f"mail_batch:{batch.id}",
            "Acceptance notifications: 3 mail(s) about FP20-001, FP20-002",
        )
    ]
    assert [a[1] for a in _actions(mail_app, "notification")] == [
        f"submission:{first}",
        f"submission:{second}",
    ]


def test_second_post_with_the_same_nonce_sends_nothing(app, organizer_client):
    submission_id = add_submission(app, "Only", authors=[ANNA, BOB])
    _record(organizer_client, "rejected", submission_id)
    page = _preview(organizer_client, "rejected").get_data(as_text=True)
    data = _send_data(page)

    first = organizer_client.post("/organizer/decisions/notify/send", data=data)
    again = organizer_client.post("/organizer/decisions/notify/send", data=data)

    assert first.status_code == again.status_code == 303
    assert again.location == first.location
    assert len(_mails(app)) == 2
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(MailBatch)) == 1
    shown = organizer_client.get("/organizer/decisions/notify").get_data(as_text=True)
    assert "These notifications were sent already; nothing was sent again." in shown


def test_a_fresh_preview_after_sending_finds_nothing_to_send(app, organizer_client):
    submission_id = add_submission(app, "Only")
    _record(organizer_client, "accepted", submission_id)
    stale = _preview(organizer_client, "accepted").get_data(as_text=True)
    organizer_client.post("/organizer/decisions/notify/send", data=_send_data(stale))

    # The same text, previewed again in another tab: a new nonce, but nobody waits any more.
    other_tab = _send_data(stale)
    other_tab["accepted-nonce"] = [re.sub(r".$", "x", other_tab["accepted-nonce"][0])]
    response = organizer_client.post("/organizer/decisions/notify/send", data=other_tab)

    assert response.location == "/organizer/decisions/notify"
    assert len(_mails(app)) == 1
    page = organizer_client.get(response.location).get_data(as_text=True)
    assert "FP20-001 skipped: its authors were told already." in page


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("text", "Dear {nmae},\n\nYes.", "{nmae} is not a placeholder"),
        ("text", "Dear {name},\n\nYour link: {private_link}", "{private_link} is not available"),
        ("subject", "About {titel", "a brace that is not part of a placeholder"),
    ],
)
def test_a_typo_placeholder_is_refused_and_the_text_kept(
    app, organizer_client, field, typed, message
):
    submission_id = add_submission(app, "Only")
    _record(organizer_client, "accepted", submission_id)

    response = _preview(organizer_client, "accepted", **{field: typed})
    page = response.get_data(as_text=True)

    assert response.status_code == 422
    error = re.search(rf'<p class="field-error" id="accepted-{field}-error">([^<]*)</p>', page)
    assert error and message in error.group(1).replace("&#39;", "'"), page
    assert 'class="error-summary"' in page
    kept = _outcome_form(page, "accepted")[f"accepted-{field}"]
    assert kept == [typed]
    assert _mails(app) == []
    assert _row(app, submission_id)["notified"] is False


def test_reversal_recorded_and_notified_says_it_replaces_the_earlier_mail(app, organizer_client):
    submission_id = add_submission(app, "Only", authors=[BOB])
    _record(organizer_client, "accepted", submission_id)
    organizer_client.post(
        "/organizer/decisions/notify/send",
        data=_send_data(_preview(organizer_client, "accepted").get_data(as_text=True)),
    )
    _record(organizer_client, "rejected", submission_id)

    assert _row(app, submission_id) | {"version": 0} == {
        "status": "rejected",
        "notified": False,
        "notified_outcome": "accepted",  # what the authors were told
        "for_authors": "accepted",
        "version": 0,
    }
    notify_page = organizer_client.get("/organizer/decisions/notify").get_data(as_text=True)
    assert "(told accepted before: the mail says it replaces that)" in notify_page
    preview = _preview(organizer_client, "rejected").get_data(as_text=True)
    assert "replaces the accepted mailed" in preview
    organizer_client.post("/organizer/decisions/notify/send", data=_send_data(preview))

    with app.app_context():
        first, second = db.session.scalars(db.select(OutboxMail).order_by(OutboxMail.id)).all()
        texts = (first.body_text, second.body_text, second.body_html)
    assert "replaces our mail" not in texts[0]
    assert (
        "this mail replaces our mail of January 20, 2020, which told you that this submission "
        "was accepted." in " ".join(texts[1].split())
    )
    assert texts[1].startswith("Dear Bob Example,\n\nthis mail replaces")
    assert "This mail replaces our mail of January 20, 2020" in texts[2]
    assert _row(app, submission_id)["for_authors"] == "rejected"


def test_going_back_to_the_told_outcome_needs_no_mail(app, organizer_client):
    submission_id = add_submission(app, "Only")
    organizer_client.post(
        "/organizer/decisions", data={"outcome": "accepted", "ids": [submission_id]}
    )
    _record(organizer_client, "rejected", submission_id)

    back = _record(organizer_client, "accepted", submission_id)
    page = organizer_client.get(back.location).get_data(as_text=True)

    assert "Accepted again: FP20-001. That is what the authors were told" in page
    assert _row(app, submission_id)["notified"] is True
    notify_page = organizer_client.get("/organizer/decisions/notify").get_data(as_text=True)
    assert "Decisions recorded but not yet told to their authors: 0." in notify_page
    assert len(_mails(app)) == 1


def _with_token(app, submission_id: int) -> str:
    token, token_hash = new_token()
    with app.app_context():
        db.session.get(Submission, submission_id).token_hash = token_hash
        db.session.commit()
    return token


def _private_status(client, token: str) -> str:
    page = client.get(f"/submission/{token}").get_data(as_text=True)
    return re.search(r"Status: <strong>([^<]+)</strong>", page).group(1)


def test_private_link_shows_only_the_told_outcome(app, organizer_client):
    submission_id = add_submission(app, "Only")
    token = _with_token(app, submission_id)
    author = app.test_client()

    _record(organizer_client, "accepted", submission_id)
    recorded = _private_status(author, token)
    organizer_client.post(
        "/organizer/decisions/notify/send",
        data=_send_data(_preview(organizer_client, "accepted").get_data(as_text=True)),
    )
    notified = _private_status(author, token)
    _record(organizer_client, "rejected", submission_id)
    reversal_recorded = _private_status(author, token)
    organizer_client.post(
        "/organizer/decisions/notify/send",
        data=_send_data(_preview(organizer_client, "rejected").get_data(as_text=True)),
    )
    reversal_notified = _private_status(author, token)

    assert (recorded, notified, reversal_recorded, reversal_notified) == (
        "Submitted",
        "Accepted",
        "Accepted",
        "Rejected",
    )


def test_notify_send_skips_a_submission_decided_otherwise_since_the_preview(app, organizer_client):
    stays = add_submission(app, "Stays")
    changes = add_submission(app, "Changes")
    _record(organizer_client, "accepted", stays, changes)
    preview = _preview(organizer_client, "accepted").get_data(as_text=True)
    _record(organizer_client, "rejected", changes)

    response = organizer_client.post("/organizer/decisions/notify/send", data=_send_data(preview))
    page = organizer_client.get("/organizer/decisions/notify").get_data(as_text=True)

    assert response.status_code == 303
    assert [m[0] for m in _mails(app)] == ["ada@example.org"]
    with app.app_context():
        assert [mail.submission_id for mail in db.session.scalars(db.select(OutboxMail))] == [stays]
    assert _row(app, changes)["notified"] is False
    assert "Rejected, not notified: 1" in page
