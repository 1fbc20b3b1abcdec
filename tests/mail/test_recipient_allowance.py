"""Many clients together cannot flood one person with the mails anyone may ask for: lost
links and "already registered" go to an address at most RATELIMIT_RECIPIENT_MAILS times, and
the link mailed last keeps working."""

from __future__ import annotations

import pytest

from fastpath.core.extensions import db
from fastpath.mail.models import OutboxMail
from tests.helpers.forms import (
    LINK,
    client_from,
    latest_token,
    post,
    registration_fields,
    submission_fields,
)

LIMITS = {"RATELIMIT_ENABLED": True, "RATELIMIT_RECIPIENT_MAILS": "2 per hour"}


def mails_to(app, address: str, template: str) -> list[str]:
    with app.app_context():
        query = db.select(OutboxMail.body_text).where(
            OutboxMail.recipients == address, OutboxMail.template == template
        )
        return list(db.session.scalars(query.order_by(OutboxMail.id)))


@pytest.mark.app_config(**LIMITS)
def test_lost_link_requests_from_many_clients_mail_one_address_twice(app):
    submitter = client_from(app, "192.0.2.1")
    assert post(submitter, "/submit", submission_fields(), files=True).status_code == 303
    for n in range(5):
        answer = post(
            client_from(app, f"198.51.100.{n}"), "/submission/lost", [("email", "ada@example.org")]
        )
        assert answer.status_code == 303  # the same answer for everyone
        answer.close()  # the look-up and the mail run after the response
    links = mails_to(app, "ada@example.org", "submission_links")
    assert len(links) == 2
    newest = LINK.search(links[-1]).group(0)
    assert app.test_client().get(newest.removeprefix("http://fastpath.test")).status_code == 200


@pytest.mark.app_config(**LIMITS)
def test_registering_again_from_many_clients_mails_the_owner_twice(app):
    def fields() -> list:  # each post a new form (its own nonce), not a replay
        return registration_fields(email="ada@example.org")

    assert post(client_from(app, "192.0.2.1"), "/register", fields()).status_code == 303
    for n in range(4):
        assert post(client_from(app, f"198.51.100.{n}"), "/register", fields()).status_code == 303
    assert len(mails_to(app, "ada@example.org", "registration_already")) == 2
    token = latest_token(app, "registration")
    assert app.test_client().get(f"/registration/{token}").status_code == 200
