"""Lost links answer the same, in the same time, whatever the address, and asking for someone
else's link locks nobody out (issue 18 item 9)."""

from __future__ import annotations

import re

import pytest
from flask import Flask, request_finished
from sqlalchemy import event

from fastpath.core.extensions import db
from fastpath.mail.models import OutboxMail
from tests.helpers.forms import post, registration_fields, submission_fields

LINK = re.compile(r"http://fastpath\.test(/(?:submission|registration)/[A-Za-z0-9_-]{43})\b")
LOST = {"submission": "/submission/lost", "registration": "/registration/lost"}


def links(app: Flask, template: str) -> list[str]:
    with app.app_context():
        query = db.select(OutboxMail.body_text).where(OutboxMail.template == template)
        return [LINK.search(body).group(1) for body in db.session.scalars(query)]


def make(client, kind: str, email: str = "ada@example.org") -> None:
    if kind == "submission":
        assert post(client, "/submit", submission_fields(email=email), files=True).status_code
    else:
        assert post(client, "/register", registration_fields(email=email)).status_code == 303


def ask_for_link(client, kind: str, email: str) -> None:
    response = client.post(LOST[kind], data={"email": email})
    assert response.status_code == 303
    response.close()  # as the server does once the answer is sent: the work runs now


@pytest.mark.parametrize("kind", ["submission", "registration"])
def test_lost_link_answer_reads_no_data_before_the_response(app, client, kind):
    make(client, kind)
    statements: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))

    def answered_now(sender: Flask, response: object, **extra: object) -> None:
        statements.append("-- answered --")

    with request_finished.connected_to(answered_now, app):
        response = client.post(LOST[kind], data={"email": "ada@example.org"})
    answered = list(statements)
    response.close()

    assert answered[-1] == "-- answered --"
    assert [s for s in answered[:-1] if "submission" in s or "registration" in s] == []
    assert any(kind in s for s in statements[len(answered) :])  # the look-up, afterwards
    assert len(links(app, "submission_links" if kind == "submission" else "registration_link"))


@pytest.mark.parametrize("kind", ["submission", "registration"])
def test_old_link_works_until_the_new_link_is_used(app, client, kind):
    make(client, kind)
    first = "submission_received" if kind == "submission" else "registration_confirmed"
    [old] = links(app, first)

    ask_for_link(client, kind, "ADA@example.org")  # anyone can ask: nothing changes yet
    ask_for_link(client, kind, "ada@example.org")

    again = "submission_links" if kind == "submission" else "registration_link"
    unused, new = links(app, again)
    assert client.get(old).status_code == 200
    assert client.get(new).status_code == 200  # the owner opens the latest link
    assert client.get(new).status_code == 200
    assert client.get(old).status_code == 404
    assert client.get(unused).status_code == 404


def test_registering_again_keeps_the_owners_link_until_the_new_one_is_used(app, client):
    make(client, "registration")
    [old] = links(app, "registration_confirmed")

    make(client, "registration")  # someone registers with Ada's address

    [new] = links(app, "registration_already")
    assert client.get(old).status_code == 200
    assert client.get(new).status_code == 200
    assert client.get(old).status_code == 404
