"""A lost registration link: a fresh link mailed, the same answer either way."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fastpath.core.extensions import db
from fastpath.mail.models import OutboxMail
from tests.helpers.registrations import (
    LINK,
    deliver,
    events,
    field_error,
    html_of,
    link_in,
    outbox,
    register,
    registrations,
)


def test_lost_link_mails_a_fresh_link_and_answers_the_same_either_way(mail_app, smtp):
    client = mail_app.test_client()
    register(client)
    deliver(mail_app)
    old_link = link_in(smtp.recorder.wait_for(1)[0])

    known = client.post("/registration/lost", data={"email": " ADA@example.org "})
    known.close()  # the look-up runs once the answer is sent
    known_page = html_of(client.get("/registration/lost/sent"))
    unknown = client.post("/registration/lost", data={"email": "nobody@example.org"})
    unknown.close()
    unknown_page = html_of(client.get("/registration/lost/sent"))

    assert known.status_code == unknown.status_code == 303
    assert known.headers["Location"] == unknown.headers["Location"] == "/registration/lost/sent"
    assert known_page.replace("ADA@example.org", "nobody@example.org") == unknown_page
    assert deliver(mail_app) == 1
    mails = smtp.recorder.wait_for(2)
    assert mails[1].envelope_to == ["ada@example.org"]
    assert mails[1].subject == "[FastPath 2020] Your registration link"
    new_link = link_in(mails[1])
    assert client.get(old_link).status_code == 200  # until the new link is used
    assert client.get(new_link).status_code == 200
    assert client.get(old_link).status_code == 404
    (row,) = registrations(mail_app)
    assert events(mail_app, row.id) == ["registered", "link_resent"]


def test_lost_link_for_cancelled_registration_sends_nothing(client, app):
    register(client)
    with app.app_context():
        text = db.session.scalars(select(OutboxMail.body_text)).one()
    client.post(LINK.search(text).group(1) + "/cancel")

    client.post("/registration/lost", data={"email": "ada@example.org"})

    assert [t for _, t, _ in outbox(app)] == ["registration_confirmed", "registration_cancelled"]


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Please enter your email address."),
        ("Ann <ann@example.org>", "without a name or angle brackets"),
        ("ann@example.org\nBcc: x@example.org", "on a single line"),
    ],
)
def test_lost_link_bad_address_is_explained(client, email, message):
    response = client.post("/registration/lost", data={"email": email})
    assert response.status_code == 422  # a form shown again to correct, as everywhere
    assert message in field_error(html_of(response), "email")


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_FORM_POSTS="1 per hour")
def test_lost_link_posts_are_rate_limited_with_input_kept(client):
    assert client.post("/registration/lost", data={"email": "a@example.org"}).status_code == 303

    response = client.post("/registration/lost", data={"email": "b@example.org"})

    html = html_of(response)
    assert response.status_code == 429
    assert "Too many forms were sent from your network" in html
    assert 'value="b@example.org"' in html
