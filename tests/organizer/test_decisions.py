"""Submissions in the organizers' area: list, detail, PDF, decisions and their mail (received
by a real SMTP server), and sending private links again."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from fastpath.cfp.models import Submission, SubmissionStatus
from fastpath.core.audit import AuditEvent
from fastpath.core.extensions import db
from fastpath.mail.delivery import deliver_pending
from fastpath.mail.models import OutboxMail
from fastpath.registration.models import Registration, RegistrationStatus
from tests.helpers.organizers import (
    EMAIL,
    add_registration,
    add_submission,
    csrf_token_of,
    make_organizer,
    sign_in,
)

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


def outbox(app) -> list[tuple[str, str, str | None]]:
    with app.app_context():
        rows = db.session.scalars(db.select(OutboxMail).order_by(OutboxMail.id))
        return [(m.recipients, m.subject, m.about) for m in rows]


def statuses(app) -> dict[str, str]:
    with app.app_context():
        rows = db.session.scalars(db.select(Submission).order_by(Submission.number))
        return {s.reference: s.status.value for s in rows}


def actions(app) -> list[tuple[str, str | None, str]]:
    with app.app_context():
        rows = db.session.scalars(
            db.select(AuditEvent)
            .where(AuditEvent.action.in_(["decision", "notification", "link_resent"]))
            .order_by(AuditEvent.id)
        )
        return [(e.action, e.target, e.details) for e in rows]


# --- The list and the detail page ---------------------------------------------------------


def test_submissions_list_searches_filters_and_sorts(app, organizer_client):
    add_submission(app, "Zebra profiling", authors=[ANNA], topics=("accelerators",))
    add_submission(app, "Alpaca inference", authors=[LI, BOB], topics=("memory-io",))
    add_submission(
        app, "Mongoose", authors=[BOB], topics=("accelerators",), status=SubmissionStatus.WITHDRAWN
    )

    def titles(query: str) -> list[str]:
        page = organizer_client.get(f"/organizer/submissions{query}").get_data(as_text=True)
        return re.findall(r"</a></td>\s*<td>([^<]+)</td>", page)

    assert titles("") == ["Zebra profiling", "Alpaca inference", "Mongoose"]
    assert titles("?sort=title") == ["Alpaca inference", "Mongoose", "Zebra profiling"]
    assert titles("?q=example+corp&sort=title") == ["Alpaca inference", "Mongoose"]
    assert titles("?q=北京") == ["Alpaca inference"]
    assert titles("?q=ANNA%40EXAMPLE") == ["Zebra profiling"]
    assert titles("?q=zebra") == ["Zebra profiling"]
    assert titles("?topic=accelerators") == ["Zebra profiling", "Mongoose"]
    assert titles("?topic=accelerators&status=withdrawn") == ["Mongoose"]


@pytest.mark.app_config(ORGANIZER_PAGE_SIZE=5)
def test_submissions_list_has_pages(app, organizer_client):
    for i in range(12):
        add_submission(app, f"Paper {i + 1:02d}")

    page = organizer_client.get("/organizer/submissions?page=3").get_data(as_text=True)

    assert re.findall(r">(FP20-\d+)</a>", page) == ["FP20-011", "FP20-012"]
    assert "Showing 11–12 of 12." in page


def test_submission_detail_shows_everything_as_text(app, organizer_client):
    submission_id = add_submission(
        app,
        "<img src=x onerror=alert(1)> Fast paths",
        authors=[ANNA, LI],
        topics=("co-design", "accelerators"),
        abstract="First paragraph.\n\n<script>alert('abstract')</script>",
        note="Please schedule us in the morning.",
    )

    page = organizer_client.get(f"/organizer/submissions/{submission_id}").get_data(as_text=True)

    assert "&lt;img src=x onerror=alert(1)&gt; Fast paths" in page
    assert "<img src=x" not in page and "<script>alert('abstract')" not in page
    assert "&lt;script&gt;alert(&#39;abstract&#39;)&lt;/script&gt;" in page
    assert "Please schedule us in the morning." in page
    assert "GPUs, FPGAs, ASIC accelerators" in page and "Hardware/software co-design" in page
    assert "李雷" in page and "anna@example.de" in page and "contact author" in page
    assert 'href="/organizer/submissions/1/pdf"' in page
    assert "my abstract.pdf" in page
    assert "<strong>submitted</strong>" in page  # the submission's own history


def test_submission_pdf_is_a_download(app, organizer_client):
    submission_id = add_submission(app)

    response = organizer_client.get(f"/organizer/submissions/{submission_id}/pdf")
    data = response.get_data()
    response.close()  # the file it streamed from

    assert response.status_code == 200
    assert data.startswith(b"%PDF-")
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == "attachment; filename=FP20-001.pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert organizer_client.get("/organizer/submissions/99/pdf").status_code == 404


# --- Decisions ----------------------------------------------------------------------------


def test_decision_preview_shows_each_mail_and_changes_nothing(app, organizer_client):
    first = add_submission(app, "Roofline <models>", authors=[ANNA, LI])
    second = add_submission(app, "Second paper", authors=[BOB])

    page = organizer_client.get(
        f"/organizer/decisions/preview?outcome=accepted&ids={first}&ids={second}"
    )
    text = page.get_data(as_text=True)

    assert page.status_code == 200
    assert "Accept 2 submissions?" in text
    assert "Accept and send 3 mails" in text
    previews = re.findall(r"<h3>To ([^<]+)</h3>\s*<p><strong>Subject:</strong> ([^<]+)</p>", text)
    assert previews == [
        ("anna@example.de", "[FastPath 2020] Submission FP20-001 accepted"),
        ("li@example.cn", "[FastPath 2020] Submission FP20-001 accepted"),
        ("bob@example.org", "[FastPath 2020] Submission FP20-002 accepted"),
    ]
    assert "Dear 李雷," in text
    assert "FP20-001: Roofline &lt;models&gt;" in text
    assert statuses(app) == {"FP20-001": "submitted", "FP20-002": "submitted"}
    assert outbox(app) == []
    assert actions(app) == []


def test_decision_preview_without_a_choice_goes_back(organizer_client):
    response = organizer_client.get(
        "/organizer/decisions/preview?outcome=accepted&back=/organizer/submissions?status=submitted"
    )
    assert response.location == "/organizer/submissions?status=submitted"
    bad_back = organizer_client.get("/organizer/decisions/preview?outcome=x&back=//evil.example")
    assert bad_back.location == "/organizer/submissions"


def test_accepting_mails_every_author_through_smtp(mail_app, mail_client, smtp):
    first = add_submission(mail_app, "Roofline models", authors=[ANNA, LI])
    second = add_submission(mail_app, "Second paper", authors=[BOB])

    response = mail_client.post(
        "/organizer/decisions", data={"outcome": "accepted", "ids": [first, second]}
    )

    assert response.status_code == 303
    assert response.location == "/organizer/submissions?status=accepted"
    assert statuses(mail_app) == {"FP20-001": "accepted", "FP20-002": "accepted"}
    with mail_app.app_context():
        decided = db.session.get(Submission, first)
        assert decided.decided_at is not None and decided.decision_notified_at is not None
        assert deliver_pending() == 3
    received = smtp.recorder.wait_for(3)
    assert sorted((m.envelope_to[0], m.subject) for m in received) == [
        ("anna@example.de", "[FastPath 2020] Submission FP20-001 accepted"),
        ("bob@example.org", "[FastPath 2020] Submission FP20-002 accepted"),
        ("li@example.cn", "[FastPath 2020] Submission FP20-001 accepted"),
    ]
    to_li = smtp.recorder.to("li@example.cn")[0]
    text = to_li.text.replace("\r\n", "\n")
    assert text.startswith("Dear 李雷,\n\nwe are glad to tell you")
    assert "  FP20-001: Roofline models\n  Authors: Anna Müller, 李雷\n\nIt will be" in text
    assert "Dear <bdi>李雷</bdi>," in to_li.html  # names isolated (issue 18 item 12)
    # How the final materials are handed in, and until when (issue 15).
    assert (
        "The contact author (Anna Müller) can now hand in the final version, the slides,\n"
        "who presents and a short speaker bio on the submission's private page" in text
    )
    assert "until April 5, 2020, 09:00 America/New_York" in text
    assert "/submission/lost" in text
    assert actions(mail_app) == [
        ("decision", f"submission:{first}", "FP20-001: accepted (was submitted)"),
        (
            "notification",
            f"submission:{first}",
            "Submission FP20-001 accepted: mailed to anna@example.de, li@example.cn",
        ),
        ("decision", f"submission:{second}", "FP20-002: accepted (was submitted)"),
        (
            "notification",
            f"submission:{second}",
            "Submission FP20-002 accepted: mailed to bob@example.org",
        ),
    ]


def test_rejecting_sends_a_mail_with_a_different_subject(mail_app, mail_client, smtp):
    submission_id = add_submission(mail_app, "Not this time", authors=[BOB])

    response = mail_client.post(
        "/organizer/decisions", data={"outcome": "rejected", "ids": [submission_id]}
    )

    assert response.location == f"/organizer/submissions/{submission_id}"
    with mail_app.app_context():
        deliver_pending()
    [mail] = smtp.recorder.wait_for(1)
    assert mail.subject == "[FastPath 2020] Submission FP20-001 not accepted"
    assert "this submission was not accepted for presentation" in mail.text
    assert statuses(mail_app) == {"FP20-001": "rejected"}


def test_sending_twice_mails_nobody_twice(app, organizer_client):
    submission_id = add_submission(app, authors=[ANNA, LI])
    data = {"outcome": "accepted", "ids": [submission_id]}

    organizer_client.post("/organizer/decisions", data=data)
    again = organizer_client.post("/organizer/decisions", data=data)

    assert again.status_code == 303
    assert len(outbox(app)) == 2
    page = organizer_client.get(again.location).get_data(as_text=True)
    assert "FP20-001 skipped: already accepted, and its authors were told." in page
    assert [a for a, _, _ in actions(app)] == ["decision", "notification"]


def test_changing_a_decision_tells_the_authors_again(app, organizer_client):
    submission_id = add_submission(app, authors=[BOB])

    organizer_client.post("/organizer/decisions", data={"outcome": "accepted", "ids": [1]})
    organizer_client.post("/organizer/decisions", data={"outcome": "rejected", "ids": [1]})

    assert [subject for _, subject, _ in outbox(app)] == [
        "[FastPath 2020] Submission FP20-001 accepted",
        "[FastPath 2020] Submission FP20-001 not accepted",
    ]
    assert [ref for _, _, ref in outbox(app)] == [f"submission:{submission_id}"] * 2
    assert actions(app)[2][2] == "FP20-001: rejected (was accepted)"


def test_withdrawn_submissions_are_skipped(app, organizer_client):
    withdrawn = add_submission(app, "Gone", status=SubmissionStatus.WITHDRAWN)
    kept = add_submission(app, "Kept", authors=[BOB])

    preview = organizer_client.get(
        f"/organizer/decisions/preview?outcome=rejected&ids={withdrawn}&ids={kept}"
    ).get_data(as_text=True)
    organizer_client.post(
        "/organizer/decisions", data={"outcome": "rejected", "ids": [withdrawn, kept]}
    )

    assert "skipped: withdrawn by its authors." in preview
    assert "Reject and send 1 mail<" in preview
    assert statuses(app) == {"FP20-001": "withdrawn", "FP20-002": "rejected"}
    assert [to for to, _, _ in outbox(app)] == ["bob@example.org"]


def test_decision_without_choice_or_with_unknown_outcome_is_refused(app, organizer_client):
    add_submission(app)

    assert (
        organizer_client.post("/organizer/decisions", data={"outcome": "accepted"}).status_code
        == 400
    )
    assert (
        organizer_client.post(
            "/organizer/decisions", data={"outcome": "maybe", "ids": [1]}
        ).status_code
        == 400
    )
    assert statuses(app) == {"FP20-001": "submitted"}


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_decision_needs_the_csrf_token(app, client):
    make_organizer(app)
    sign_in(client)
    submission_id = add_submission(app)
    preview = f"/organizer/decisions/preview?outcome=accepted&ids={submission_id}"

    refused = client.post("/organizer/decisions", data={"outcome": "accepted", "ids": [1]})
    token = csrf_token_of(client, preview)
    accepted = client.post(
        "/organizer/decisions",
        data={"outcome": "accepted", "ids": [submission_id], "csrf_token": token},
    )

    assert refused.status_code == 400
    assert accepted.status_code == 303
    assert statuses(app) == {"FP20-001": "accepted"}


def test_detail_page_lists_the_mail_and_the_decision(app, organizer_client):
    submission_id = add_submission(app, authors=[ANNA])
    organizer_client.post(
        "/organizer/decisions", data={"outcome": "accepted", "ids": [submission_id]}
    )

    page = organizer_client.get(f"/organizer/submissions/{submission_id}").get_data(as_text=True)

    assert "[FastPath 2020] Submission FP20-001 accepted" in page
    assert "anna@example.de" in page
    assert "FP20-001: accepted (was submitted)" in page
    assert f"{EMAIL}" in page


# --- Private links sent again -------------------------------------------------------------


def test_resend_registration_link_mails_a_new_link(mail_app, mail_client, smtp):
    registration_id = add_registration(mail_app, "Grace Hopper", email="grace@example.org")
    with mail_app.app_context():
        old_hash = db.session.get(Registration, registration_id).token_hash

    response = mail_client.post(f"/organizer/registrations/{registration_id}/resend-link")

    assert response.location == f"/organizer/registrations/{registration_id}"
    with mail_app.app_context():
        row = db.session.get(Registration, registration_id)
        # A new link waits until it is used; the one the person has keeps working till then.
        assert (row.token_hash, row.pending_token_hash is not None) == (old_hash, True)
        deliver_pending()
    [mail] = smtp.recorder.wait_for(1)
    assert mail.envelope_to == ["grace@example.org"]
    assert mail.subject == "[FastPath 2020] Your registration link"
    assert re.search(r"http://fastpath\.test/registration/[\w-]{40,}", mail.text)
    assert actions(mail_app) == [
        (
            "link_resent",
            f"registration:{registration_id}",
            "new private link mailed to grace@example.org",
        )
    ]


def test_resend_link_for_a_cancelled_registration_sends_nothing(app, organizer_client):
    registration_id = add_registration(app, "Gone Person", status=RegistrationStatus.CANCELLED)

    response = organizer_client.post(f"/organizer/registrations/{registration_id}/resend-link")

    assert response.status_code == 303
    assert outbox(app) == []
    page = organizer_client.get(response.location).get_data(as_text=True)
    assert "This registration is cancelled; there is no link to send." in page


def test_resend_submission_link_mails_the_contact_author(mail_app, mail_client, smtp):
    submission_id = add_submission(mail_app, authors=[ANNA, LI])
    with mail_app.app_context():
        old_hash = db.session.get(Submission, submission_id).token_hash

    response = mail_client.post(f"/organizer/submissions/{submission_id}/resend-link")

    assert response.location == f"/organizer/submissions/{submission_id}"
    with mail_app.app_context():
        row = db.session.get(Submission, submission_id)
        # A new link waits until it is used; the one the person has keeps working till then.
        assert (row.token_hash, row.pending_token_hash is not None) == (old_hash, True)
        deliver_pending()
    [mail] = smtp.recorder.wait_for(1)
    assert mail.envelope_to == ["anna@example.de"]
    assert re.search(r"http://fastpath\.test/submission/[\w-]{40,}", mail.text)
    assert [a for a, _, _ in actions(mail_app)] == ["link_resent"]


# --- The dashboard with submissions -------------------------------------------------------


def test_dashboard_counts_submissions_by_status_and_topic(app, organizer_client):
    add_submission(app, topics=("accelerators", "memory-io"))
    add_submission(app, topics=("accelerators",), created_at=datetime(2020, 1, 19, tzinfo=UTC))
    add_submission(app, topics=("accelerators",), status=SubmissionStatus.WITHDRAWN)
    add_registration(app, created_at=datetime(2020, 1, 19, 8, tzinfo=UTC))

    page = organizer_client.get("/organizer/").get_data(as_text=True)

    assert re.search(r'status=submitted">Submitted</a></th><td>2</td>', page)
    assert re.search(r'status=withdrawn">Withdrawn</a></th><td>1</td>', page)
    assert re.search(r'status=accepted">Accepted</a></th><td>0</td>', page)
    assert re.search(r'topic=accelerators">GPUs, FPGAs, ASIC accelerators</a></th><td>2</td>', page)
    assert re.search(r'topic=memory-io">[^<]+</a></th><td>1</td>', page)
    assert (
        "From 2020-01-18 to 2020-01-19 (UTC days): 3 submissions in all, most on 2020-01-18 (2); "
        "1 registrations in all, most on 2020-01-19 (1)." in page
    )


def test_decision_mails_skip_an_author_erased_on_request(app, organizer_client):
    add_submission(app, authors=[ANNA, LI])
    result = app.test_cli_runner().invoke(args=["privacy", "erase", LI[1], "--yes"])
    assert result.exit_code == 0, result.output

    organizer_client.post("/organizer/decisions", data={"outcome": "accepted", "ids": [1]})

    assert [recipients for recipients, _, _ in outbox(app)] == [ANNA[1]]
