"""Registering: the form, the stored row, the answer page and the mail with its calendar."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from flask import Flask, before_render_template

from fastpath.core.extensions import db
from fastpath.core.tokens import hash_token
from fastpath.registration.models import RegistrationStatus
from tests.helpers.registrations import (
    NEW_YORK,
    deliver,
    events,
    form_data,
    html_of,
    link_in,
    parse_calendar,
    register,
    registrations,
)


def test_form_shows_fields_from_content_with_required_marked(client):
    html = html_of(client.get("/register"))

    def label(field: str) -> str:
        return re.search(rf'<label for="{field}">(.*?)</label>', html, re.S).group(1)

    for field in ("name", "email", "affiliation", "position", "consent"):
        assert 'class="required"' in label(field), field
    for field in ("dietary", "accessibility", "public_listing"):
        assert 'class="required"' not in label(field), field
    options = re.findall(r'<option value="([^"]*)"', html)
    assert options == ["", "student", "academia", "industry", "other"]
    assert re.search(r'<input[^>]*id="public_listing"[^>]*>', html).group(0).count("checked") == 0
    assert 'name="nonce"' in html
    assert 'class="honeypot"' in html


def test_form_page_renders_after_its_database_read_has_ended(app, client):
    # On SQLite every transaction holds the write lock: the page must not keep one open
    # while its template renders (every registration would wait for it).
    open_while_rendering: list[bool] = []

    def note(_app: Flask, template: object, context: dict, **extra: object) -> None:
        open_while_rendering.append(db.session().in_transaction())

    with before_render_template.connected_to(note, app):
        response = client.get("/register")
    assert (response.status_code, open_while_rendering) == (200, [False])


def _register_ada(client):
    return register(client, dietary="no nuts\r\nvegetarian", accessibility="step-free")


def _registered_and_mailed(mail_app, smtp):
    """Ada registers; her row and the confirmation mail the SMTP server received."""
    _register_ada(mail_app.test_client())
    (row,) = registrations(mail_app)
    assert deliver(mail_app) == 1
    (mail,) = smtp.recorder.wait_for(1)
    return row, mail


def test_register_answers_with_a_thanks_page_and_stores_the_row(mail_app):
    client = mail_app.test_client()
    response = _register_ada(client)

    assert response.status_code == 303
    assert response.headers["Location"] == "/register/thanks"
    page = html_of(client.get("/register/thanks"))
    assert "Thank you, <bdi>Ada Lovelace</bdi>" in page
    assert "You have a place at the workshop." in page
    assert "ada@example.org" in page

    (row,) = registrations(mail_app)
    assert row.name == "Ada Lovelace"
    assert row.email == "ada@example.org"
    assert row.email_normalized == "ada@example.org"
    assert row.active_email == "ada@example.org"
    assert row.affiliation == "Analytical Engines Ltd"
    assert row.position == "academia"
    assert row.dietary == "no nuts\nvegetarian"  # the browser's CRLF stored as LF
    assert row.accessibility == "step-free"
    assert row.public_listing is False
    assert row.consent is True
    assert row.status == RegistrationStatus.REGISTERED
    assert row.arrival == 1
    assert len(row.token_hash) == 64
    assert events(mail_app, row.id) == ["registered"]


def test_register_mails_the_details_and_the_private_link(mail_app, smtp):
    row, mail = _registered_and_mailed(mail_app, smtp)
    assert mail.envelope_to == ["ada@example.org"]
    assert mail.subject == "[FastPath 2020] Registration confirmed"
    text = mail.text.replace("\r\n", "\n")  # SMTP carries CRLF line ends
    for expected in (
        "Dear Ada Lovelace",
        "You have a place.",
        "Sunday, April 5, 2020, 9:00-17:00 (America/New_York, EDT)",
        "Boston, Massachusetts, USA",
        "Name:        Ada Lovelace",
        "Email:       ada@example.org",
        "Affiliation: Analytical Engines Ltd",
        "Position:    Academia (faculty, researcher, postdoc)",
        "Dietary needs: no nuts\n    vegetarian",
        "Accessibility needs: step-free",
        "Public attendee list: no",
    ):
        assert expected in text, expected
    path = link_in(mail)
    assert hash_token(path.rsplit("/", 1)[1]) == row.token_hash
    assert f'href="http://fastpath.test{path}"' in mail.html


def test_register_mail_carries_the_workshop_as_a_calendar_event(mail_app, smtp):
    row, mail = _registered_and_mailed(mail_app, smtp)
    (attachment,) = mail.attachments()
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == "fastpath-2020.ics"
    calendar, event = parse_calendar(attachment.get_payload(decode=True))
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == datetime(2020, 4, 5, 9, 0, tzinfo=NEW_YORK)
    assert end == datetime(2020, 4, 5, 17, 0, tzinfo=NEW_YORK)
    assert str(start.tzinfo) == "America/New_York"
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert str(event["LOCATION"]) == "Boston, Massachusetts, USA"
    assert str(event["SUMMARY"]) == "FastPath 2020"
    assert str(event["URL"]) == "http://fastpath.test/program"
    assert str(event["UID"]) == f"{row.calendar_uid}@fastpath.test"


def test_thanks_without_a_registration_redirects_to_form(client):
    response = client.get("/register/thanks")
    assert response.status_code == 302
    assert response.headers["Location"] == "/register"


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_cached_form_page_gives_each_visitor_their_own_token_and_nonce(app):
    pattern = r'name="{}" type="hidden" value="([^"]+)"'
    visitors = []
    for email in ("ada@example.org", "grace@example.org"):
        client = app.test_client()
        html = html_of(client.get("/register"))
        csrf = re.search(pattern.format("csrf_token"), html).group(1)
        nonce = re.search(pattern.format("nonce"), html).group(1)
        visitors.append((client, email, csrf, nonce))
    assert ("register", "open", False, None) in app.extensions["form_page_cache"]
    assert visitors[0][2] != visitors[1][2]
    assert visitors[0][3] != visitors[1][3]

    for client, email, csrf, nonce in visitors:
        data = form_data(email=email, csrf_token=csrf, nonce=nonce)
        assert client.post("/register", data=data).headers["Location"] == "/register/thanks"
    rows = registrations(app)
    assert [(r.email, r.form_nonce) for r in rows] == [(v[1], v[3]) for v in visitors]
