"""One address policy and one normaliser on every form and every look-up (issue 12 items 10
and 18, issue 18 item 13)."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask

from fastpath.cfp.models import Submission
from fastpath.core import emails
from fastpath.core.extensions import db
from fastpath.mail.models import OutboxMail
from fastpath.organizer import services as organizer_services
from tests.helpers.forms import post, registration_fields, submission_fields

UNAL = "Ünal@example.org"
UNAL_DECOMPOSED = "U\u0308nal@example.org"  # the same address, typed with a combining mark


def mails(app: Flask, template: str) -> list[str]:
    with app.app_context():
        query = db.select(OutboxMail.recipients).where(OutboxMail.template == template)
        return list(db.session.scalars(query.order_by(OutboxMail.id)))


def field_error(page: str, name: str) -> str:
    found = re.search(rf'id="{re.escape(name)}-error"[^>]*>(.*?)</', page, re.S)
    assert found, f"no error shown for {name}"
    return html.unescape(found.group(1)).strip()


def error_for(client, path: str, fields, field: str, *, files: bool = False) -> str:
    response = post(client, path, fields, files=files)
    assert response.status_code == 422
    return field_error(response.get_data(as_text=True), field)


def test_normalize_email_folds_unicode_case_and_composition():
    assert emails.normalize_email(" ÜNAL@Example.ORG ") == "ünal@example.org"
    assert emails.normalize_email(UNAL_DECOMPOSED) == emails.normalize_email(UNAL)
    assert emails.normalize_email("Straße@example.org") == "strasse@example.org"


@pytest.mark.app_config(MAIL_SMTPUTF8=True)
def test_submission_lost_link_finds_non_ascii_address_in_any_case(app, client):
    assert post(client, "/submit", submission_fields(email=UNAL), files=True).status_code == 303

    for typed in ("ünal@EXAMPLE.org", UNAL_DECOMPOSED.upper()):
        response = client.post("/submission/lost", data={"email": typed})
        response.close()  # the look-up runs once the answer is sent
        assert response.status_code == 303

    assert mails(app, "submission_links") == [UNAL, UNAL]
    with app.app_context():
        submission = db.session.scalars(db.select(Submission)).one()
        assert organizer_services.resend_submission_link(submission, by=None) == 1


@pytest.mark.app_config(MAIL_SMTPUTF8=True)
def test_registration_accepts_non_ascii_address_and_finds_it_in_any_case(app, client):
    assert post(client, "/register", registration_fields(email=UNAL)).status_code == 303

    response = client.post("/registration/lost", data={"email": "ÜNAL@example.org"})
    response.close()  # the look-up runs once the answer is sent
    assert response.status_code == 303

    assert mails(app, "registration_link") == [UNAL]
    again = post(client, "/register", registration_fields(email=UNAL_DECOMPOSED))
    assert again.status_code == 303
    assert mails(app, "registration_already") == [UNAL]  # the same person, not a second row


FORMS = [
    ("/submit", "authors-0-email", True),
    ("/submission/lost", "email", False),
    ("/register", "email", False),
    ("/registration/lost", "email", False),
]


def fields_for(path: str, email: str):
    if path == "/submit":
        return submission_fields(email=email)
    if path == "/register":
        return registration_fields(email=email)
    return [("email", email)]


@pytest.mark.parametrize(("path", "field", "files"), FORMS)
def test_non_ascii_local_part_is_refused_without_smtputf8(client, path, field, files):
    response = post(client, path, fields_for(path, "ünal@example.org"), files=files)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(page, field) == emails.MESSAGE_NON_ASCII_LOCAL_PART
    assert 'value="ünal@example.org"' in page


@pytest.mark.parametrize(("path", "field", "files"), FORMS)
def test_internationalised_domain_is_accepted_without_smtputf8(client, path, field, files):
    response = post(client, path, fields_for(path, "ana@bücher.example"), files=files)
    assert response.status_code == 303


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("ada@example", emails.MESSAGE_INVALID),
        ("not-an-address", emails.MESSAGE_INVALID),
        ("Ada <ada@example.org>", emails.MESSAGE_WITH_NAME),
        ("a" * 250 + "@example.org", emails.MESSAGE_TOO_LONG),
    ],
)
def test_same_mistake_gets_the_same_message_on_every_form(client, typed, message):
    seen = {
        path: error_for(client, path, fields_for(path, typed), field, files=files)
        for path, field, files in FORMS
    }
    assert seen == {path: message for path, _, _ in FORMS}


def test_registration_affiliation_hint_says_what_to_type_when_there_is_none(client):
    page = html.unescape(client.get("/register").get_data(as_text=True))
    assert "write “Independent” if you have none" in page
