"""Issue 18, "keep holding": the probe's 14 address forms that would smuggle a header or a
second recipient (CR/LF, U+2028 and other line breaks, lists, groups, display names) are
refused on every form that takes an address: the form is shown again with the message next to
the address field, and no row and no mail is made."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from fastpath.core import emails
from tests.helpers.forms import Field, post, registration_fields, row_counts, submission_fields

SMUGGLING = [
    "ann@example.org\r\nBcc: eve@example.org",
    "ann@example.org\nBcc: eve@example.org",
    "ann@example.org\rBcc: eve@example.org",
    "ann@example.org\u2028Bcc: eve@example.org",
    "ann@example.org\u2029eve@example.org",
    "ann@example.org\x85Bcc: eve@example.org",
    "ann@example.org\x00eve@example.org",
    "ann@example.org, eve@example.org",
    "ann@example.org; eve@example.org",
    "ann@example.org eve@example.org",
    "Ann <ann@example.org>, eve@example.org",
    "<ann@example.org>",
    '"Ann" ann@example.org',
    "friends: ann@example.org, eve@example.org;",
]


def with_email(fields: list[Field], name: str, address: str) -> list[Field]:
    return [(key, address if key == name else value) for key, value in fields]


def lost_fields() -> list[Field]:
    return [("email", "")]


# path, the address field's name, a valid post (a fresh nonce each time), multipart?
FORMS = {
    "register": ("/register", "email", registration_fields, False),
    "submit": ("/submit", "authors-1-email", submission_fields, True),
    "submit-contact": ("/submit", "authors-0-email", submission_fields, True),
    "registration-lost": ("/registration/lost", "email", lost_fields, False),
    "submission-lost": ("/submission/lost", "email", lost_fields, False),
}


def field_error(html: str, name: str) -> str:
    found = re.search(rf'id="{re.escape(name)}-error"[^>]*>(.*?)</', html, re.S)
    return found.group(1) if found else ""


def test_addresses_are_the_probes_fourteen():
    assert len(set(SMUGGLING)) == 14


@pytest.mark.parametrize("form", FORMS)
def test_address_smuggling_is_refused_on_every_form(app: Flask, client, form):
    path, name, fields, files = FORMS[form]
    # The valid post is accepted (so the refusals below are the address's doing).
    valid = with_email(fields(), name, "ann@example.org")
    assert post(client, path, valid, files=files).status_code == 303
    before = row_counts(app)
    for address in SMUGGLING:
        response = post(client, path, with_email(fields(), name, address), files=files)
        html = response.get_data(as_text=True)
        assert response.status_code == 422, (address, response.status_code)
        message = field_error(html, name)
        assert message.strip(), address
        assert f'name="{name}"' in html, address  # the form, shown again
        assert row_counts(app) == before, address


@pytest.mark.parametrize("address", SMUGGLING[:7])
def test_address_with_a_line_break_gets_the_same_message_on_every_form(client, address):
    seen = {}
    for form, (path, name, fields, files) in FORMS.items():
        response = post(client, path, with_email(fields(), name, address), files=files)
        seen[form] = field_error(response.get_data(as_text=True), name)
    assert seen == {form: emails.MESSAGE_SEVERAL_LINES for form in FORMS}


def test_address_refused_form_is_shown_again_with_one_status_code(client):
    seen = {}
    for form, (path, name, fields, files) in FORMS.items():
        response = post(client, path, with_email(fields(), name, "<ann@example.org>"), files=files)
        seen[form] = response.status_code
    assert len(set(seen.values())) == 1, seen
