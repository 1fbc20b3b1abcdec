"""Issue 18, "keep holding": the probe's 8 script payloads, typed into every free-text field of
a registration and a submission, come out as text everywhere they are shown: the public and
private pages, the organizers' pages, the mails (HTML escaped, plain text as typed) and the
CSV exports (parsed back, the value as typed; a formula start quoted)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from flask import Flask
from markupsafe import escape

from fastpath.cfp.models import Submission
from fastpath.core.extensions import db
from fastpath.mail.delivery import deliver_pending
from fastpath.mail.models import OutboxMail
from fastpath.registration.models import Registration
from tests.conftest import SmtpServer
from tests.helpers.forms import LINK, post, registration_fields, submission_fields
from tests.helpers.organizers import make_organizer, sign_in

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    '"><svg/onload=alert(3)>',
    "'><body onload=alert(4)>",
    "</textarea></title><script>alert(5)</script>",
    '<a href="javascript:alert(6)">x</a>',
    "{{7*7}}${7*7}<%= 7*7 %>",
    '=HYPERLINK("javascript:alert(8)")',
]
# What would run if any payload got through as markup.
ACTIVE = re.compile(r"<script>alert|<img src=x|<svg/onload|<body onload|<a href=\"javascript:")


def registration_with(payload: str, i: int) -> list:
    values = {
        "name": f"Eve{i} {payload}",
        "email": f"eve{i}@example.org",
        "affiliation": payload,
        "dietary": payload,
        "accessibility": payload,
    }
    fields = [(k, values.get(k, v)) for k, v in registration_fields()]
    return [*fields, ("public_listing", "y")]


def submission_with(payload: str, i: int) -> list:
    values = {
        "title": f"Title{i} {payload}",
        "abstract": payload,
        "note": payload,
        "authors-0-name": f"Ann{i} {payload}",
        "authors-0-email": f"ann{i}@example.org",
        "authors-0-affiliation": payload,
        "authors-1-name": f"Bob{i} {payload}",
        "authors-1-email": f"bob{i}@example.org",
        "authors-1-affiliation": payload,
    }
    return [(k, values.get(k, v)) for k, v in submission_fields()]


def assert_text_only(html: str, shown: list[str], where: str) -> None:
    """No payload as markup; each of `shown` present as escaped text."""
    for payload in PAYLOADS:
        assert payload not in html, (where, payload)
    assert not ACTIVE.search(html), (where, ACTIVE.search(html))
    for payload in shown:
        assert str(escape(payload)) in html, (where, payload)


@pytest.fixture
def filled(mail_app: Flask) -> dict[int, dict[str, str]]:
    """Each payload registered and submitted by its own visitor; their pages, by payload."""
    pages: dict[int, dict[str, str]] = {}
    for i, payload in enumerate(PAYLOADS):
        client = mail_app.test_client()
        assert post(client, "/register", registration_with(payload, i)).status_code == 303
        got = {"register/thanks": client.get("/register/thanks").get_data(as_text=True)}
        response = post(client, "/submit", submission_with(payload, i), files=True)
        assert response.status_code == 303, response.get_data(as_text=True)
        got["submit/thanks"] = client.get("/submit/thanks").get_data(as_text=True)
        for kind, token in set(LINK.findall(outbox_text(mail_app))):
            html = client.get(f"/{kind}/{token}").get_data(as_text=True)
            if f"Eve{i}" in html or f"Title{i}" in html:
                got[kind] = html
                # The forms that show the values again, in inputs and textareas.
                more = "edit" if kind == "submission" else "cancel"
                got[f"{kind}/{more}"] = client.get(f"/{kind}/{token}/{more}").get_data(as_text=True)
        assert set(got) == {
            "register/thanks",
            "submit/thanks",
            "registration",
            "registration/cancel",
            "submission",
            "submission/edit",
        }
        pages[i] = got
    return pages


def outbox_text(app: Flask) -> str:
    with app.app_context():
        return "\n".join(db.session.scalars(db.select(OutboxMail.body_text)))


def test_xss_public_and_private_pages_show_payloads_as_text(mail_app: Flask, filled):
    for i, payload in enumerate(PAYLOADS):
        for where, html in filled[i].items():
            assert_text_only(html, [payload], f"{where} #{i}")
    attendees = mail_app.test_client().get("/attendees").get_data(as_text=True)
    assert_text_only(attendees, PAYLOADS, "attendees")


def test_xss_mails_escape_html_and_keep_plain_text(mail_app: Flask, smtp: SmtpServer, filled):
    with mail_app.app_context():
        deliver_pending()
    mails = smtp.recorder.wait_for(3 * len(PAYLOADS))
    for i, payload in enumerate(PAYLOADS):
        about = [m for m in mails if f"Eve{i} " in m.text or f"Title{i} " in m.text]
        assert len(about) == 3, (i, [m.subject for m in mails])
        for mail in about:
            assert payload in mail.text, (mail.subject, payload)
            assert_text_only(mail.html, [payload], mail.subject)


def test_xss_organizer_pages_show_payloads_as_text(mail_app: Flask, filled):
    client = mail_app.test_client()
    make_organizer(mail_app)
    assert sign_in(client).status_code == 302
    with mail_app.app_context():
        rows = db.session.execute(db.select(Registration.id, Registration.email)).all()
        shown = {f"/organizer/registrations/{n}": [payload_of(email)] for n, email in rows}
        rows = db.session.execute(db.select(Submission.id, Submission.title)).all()
        shown |= {f"/organizer/submissions/{n}": [payload_of(title)] for n, title in rows}
        mails = list(db.session.scalars(db.select(OutboxMail.id)))
    shown |= {f"/organizer/mail/{n}": [] for n in mails}
    ids = "&".join(f"ids={n}" for n, _ in rows)
    shown[f"/organizer/decisions/preview?outcome=accepted&{ids}"] = PAYLOADS
    for path in ("/organizer/registrations", "/organizer/submissions", "/organizer/mail"):
        shown[path] = PAYLOADS if "mail" not in path else []
    shown |= {"/organizer/": [], "/organizer/activity": []}
    for path, payloads in shown.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert_text_only(response.get_data(as_text=True), payloads, path)


def payload_of(text: str) -> str:
    """The payload of the visitor whose name, address or title this is (Eve3, eve3@...)."""
    return PAYLOADS[int(re.search(r"\d+", text).group())]


def test_xss_csv_exports_give_every_value_back_as_typed(mail_app: Flask, filled):
    client = mail_app.test_client()
    make_organizer(mail_app)
    assert sign_in(client).status_code == 302

    def rows(kind: str) -> list[dict[str, str]]:
        data = client.get(f"/organizer/export/{kind}.csv").data.decode("utf-8-sig")
        return list(csv.DictReader(io.StringIO(data, newline="")))

    def cell(value: str) -> str:
        return "'" + value if value.startswith("=") else value  # a formula start is quoted

    registrations = {row["Email"]: row for row in rows("registrations")}
    submissions = rows("submissions")
    authors = {row["Email"]: row for row in rows("authors")}
    for i, payload in enumerate(PAYLOADS):
        row = registrations[f"eve{i}@example.org"]
        assert row["Name"] == f"Eve{i} {payload}"
        for name in ("Affiliation", "Dietary needs", "Accessibility needs"):
            assert row[name] == cell(payload), (name, payload)
        (sub,) = [r for r in submissions if r["Title"] == f"Title{i} {payload}"]
        assert (sub["Abstract"], sub["Note to the organizers"]) == (cell(payload), cell(payload))
        assert f"Ann{i} {payload}" in sub["Authors"] and f"Bob{i} {payload}" in sub["Authors"]
        for who in ("ann", "bob"):
            author = authors[f"{who}{i}@example.org"]
            assert author["Name"] == f"{who.title()}{i} {payload}"
            assert (author["Affiliation"], author["Title"]) == (cell(payload), sub["Title"])
