"""Fixtures and steps of the group-mail tests: a signed-in chair, composing and sending."""

from __future__ import annotations

import re
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers.organizers import make_organizer, sign_in


@pytest.fixture
def chair_client(app: Flask, client: FlaskClient) -> FlaskClient:
    """A client signed in as a chair."""
    make_organizer(app)
    assert sign_in(client).status_code == 302
    return client


def hidden_fields(html: str) -> dict[str, str]:
    """The preview form's hidden fields (the group, subject, body and what was shown)."""
    fields = {}
    for name, value in re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', html):
        fields[name] = unescape(value)
    for value, name in re.findall(r'<input[^>]*value="([^"]*)"[^>]*name="(\w+)"', html):
        fields.setdefault(name, unescape(value))
    return fields


def preview(client: FlaskClient, group: str, subject: str, body: str, **extra):
    return client.post(
        "/organizer/group-mail/preview",
        data={"group": group, "subject": subject, "body": body, **extra},
    )


def send_form(client: FlaskClient, group: str, subject: str, body: str) -> dict[str, str]:
    """Preview the mail and return the Send form as the preview page carries it."""
    response = preview(client, group, subject, body)
    assert response.status_code == 200, response.get_data(as_text=True)
    fields = hidden_fields(response.get_data(as_text=True))
    assert fields["nonce"] and fields["count"] and fields["fingerprint"]
    return fields


def send(client: FlaskClient, fields: dict[str, str]):
    return client.post("/organizer/group-mail/send", data=fields)


def compose_and_send(client: FlaskClient, group: str, subject: str, body: str) -> int:
    """Preview then send; the batch id the send redirected to."""
    response = send(client, send_form(client, group, subject, body))
    assert response.status_code == 303, response.get_data(as_text=True)
    match = re.fullmatch(r"/organizer/group-mail/batches/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))
