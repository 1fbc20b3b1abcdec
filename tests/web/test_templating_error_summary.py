"""The error summary on every form lists each error as a link to its field (issue 12 item 17)."""

from __future__ import annotations

import re

from tests.helpers.forms import Upload, post, registration_fields, submission_fields
from tests.helpers.organizers import make_organizer, sign_in
from tests.helpers.pdfs import png_bytes


def summary_links(html: str) -> list[tuple[str, str]]:
    box = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    assert box is not None, "no error summary"
    return re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', box.group(0))


def test_error_summary_submission_links_every_error_to_its_field(client):
    fields = [
        (name, value)
        for name, value in submission_fields()
        if name not in ("abstract", "topics", "authors-1-email", "pdf")
    ]
    fields.append(("pdf", Upload("picture.pdf", "image/png", png_bytes())))
    response = post(client, "/submit", fields, files=True)
    assert response.status_code == 422
    links = summary_links(response.get_data(as_text=True))
    assert links == [
        ("authors-1-email", "Enter the author&#39;s email address."),
        ("topics-0", "Choose at least one topic."),
        ("abstract", "Enter the abstract."),
        (
            "pdf",
            "This file is not a PDF (it is a PNG image). Export your abstract as PDF and "
            "choose that file.",
        ),
    ]
    html = response.get_data(as_text=True)
    for anchor, _ in links:
        assert f'id="{anchor}"' in html


def test_error_summary_contact_links_to_its_radio_buttons(client):
    fields = [(n, "7" if n == "contact" else v) for n, v in submission_fields()]
    response = post(client, "/submit", fields, files=True)
    assert summary_links(response.get_data(as_text=True)) == [
        ("contact-0", "Choose the contact author: one of the authors listed.")
    ]


def test_error_summary_registration_links_its_fields(client):
    fields = [(n, "" if n in ("name", "email") else v) for n, v in registration_fields()]
    response = post(client, "/register", fields)
    assert summary_links(response.get_data(as_text=True)) == [
        ("name", "Please enter your name."),
        ("email", "Please enter your email address."),
    ]


def test_error_summary_organizer_password_links_its_fields(app, client):
    make_organizer(app)
    assert sign_in(client).status_code == 302
    response = client.post("/organizer/password", data={"current_password": "x"})
    links = summary_links(response.get_data(as_text=True))
    assert [anchor for anchor, _ in links] == ["new_password", "repeat_password"]


def test_error_summary_organizer_sign_in_shows_the_message(client):
    response = sign_in(client, password="wrong")
    html = response.get_data(as_text=True)
    assert '<div class="error-summary" role="alert" tabindex="-1"' in html
    assert "That email and password do not match an organizer account" in html
