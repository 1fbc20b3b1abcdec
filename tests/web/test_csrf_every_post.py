"""Every POST endpoint in the URL map refuses a form without its CSRF token (or with a forged
one) and changes nothing: the public forms, the private links and the organizers' area."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from fastpath.cfp.models import Submission
from fastpath.core.extensions import db
from fastpath.mail.models import OutboxMail, OutboxStatus
from fastpath.organizer import services
from fastpath.registration.models import Registration
from fastpath.reviews import invitations
from tests.helpers.accepted import add_accepted
from tests.helpers.forms import (
    Field,
    latest_token,
    post,
    registration_fields,
    snapshot,
    submission_fields,
)
from tests.helpers.organizers import EMAIL, PASSWORD, make_organizer, sign_in

pytestmark = pytest.mark.app_config(WTF_CSRF_ENABLED=True)

CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
# What the features' friendly CSRF pages say (the rest answer a plain 400).
NOTICES = ("Your session ran out", "This form had expired", "had expired", "Nothing was changed")


def csrf_token(client, path: str) -> str:
    return CSRF_FIELD.search(client.get(path).get_data(as_text=True)).group(1)


def post_rules(app: Flask) -> list:
    """Every rule in the URL map that accepts POST."""
    return sorted(
        (rule for rule in app.url_map.iter_rules() if "POST" in rule.methods),
        key=lambda rule: rule.endpoint,
    )


def forms_by_endpoint(ids: dict[str, object]) -> dict[str, list[Field]]:
    """A form each endpoint would accept (if only it had its token): refusing must be the
    CSRF check's doing, not a validation error."""
    return {
        "cfp.submit": submission_fields(),
        "cfp.edit": [*submission_fields(title="Changed by a forged post"), ("version", "1")],
        "cfp.lost": [("email", "ada@example.org")],
        "registration.register": registration_fields(email="forged@example.org"),
        "registration.manage": [
            (name, value)
            for name, value in registration_fields(name="Changed By Forgery")
            if name != "email"
        ],
        "registration.lost": [("email", "ada@example.org")],
        "organizer.login": [("email", EMAIL), ("password", PASSWORD)],
        "organizer.password": [
            ("current_password", PASSWORD),
            ("new_password", "a forged new passphrase"),
            ("repeat_password", "a forged new passphrase"),
        ],
        "organizer.decide": [("outcome", "accepted"), ("ids", str(ids["submission_id"]))],
    }


def test_every_post_without_a_csrf_token_is_refused_and_changes_nothing(app: Flask, client):
    # The forms work with their tokens (so the refusals below are about the token alone).
    response = post(
        client,
        "/submit",
        [*submission_fields(), ("csrf_token", csrf_token(client, "/submit"))],
        files=True,
    )
    assert response.status_code == 303
    fields = [*registration_fields(), ("csrf_token", csrf_token(client, "/register"))]
    assert post(client, "/register", fields).status_code == 303
    make_organizer(app)
    assert sign_in(client).status_code == 302
    with app.app_context():
        submission_id = db.session.scalar(db.select(Submission.id))
        registration_id = db.session.scalar(db.select(Registration.id))
        mail = db.session.scalars(db.select(OutboxMail)).first()
        mail.status = OutboxStatus.FAILED  # so that "retry" would change it
        mail_id = mail.id
        submission_number = db.session.scalar(db.select(Submission.number))
        chair = services.find_organizer(EMAIL)
        _invitation, invitation_token = invitations.invite_reviewer(
            "Grace Hopper", "grace@reviewers.test", "Yale University", by=chair
        )
        db.session.commit()
    values = {
        "submission_id": submission_id,
        "registration_id": registration_id,
        "mail_id": mail_id,
        "number": submission_number,
        "session_id": 1,  # the program editor's (refused before it is looked up)
        "entry_id": 1,
        "batch_id": 1,  # group mail (refused before it is looked up)
    }
    tokens = {
        "cfp": latest_token(app, "submission"),
        "registration": latest_token(app, "registration"),
        "reviews": invitation_token,
        "materials": add_accepted(app)[1],
    }
    forms = forms_by_endpoint(values)
    rules = post_rules(app)
    assert len(rules) >= 16

    for rule in rules:
        endpoint = rule.endpoint
        arguments = {}
        for name in rule.arguments:
            if name == "token":
                arguments[name] = tokens[endpoint.split(".")[0]]
            else:
                assert name in values, f"give {name} of {rule.rule} a value in this test"
                arguments[name] = values[name]
        path = app.url_map.bind("localhost").build(endpoint, arguments)
        form = forms.get(endpoint, [])
        # No token, a made-up one, and a real one from another browser's session.
        for forged in (None, "forged-token", csrf_token(app.test_client(), "/register")):
            before = snapshot(app)
            extra = [] if forged is None else [("csrf_token", forged)]
            response = post(client, path, [*form, *extra], files=endpoint.startswith("cfp."))
            where = (endpoint, path, forged)
            if response.status_code == 303:
                # The friendly answer: back to the page, which says what happened.
                follow = client.get(response.location)
                assert any(notice in follow.get_data(as_text=True) for notice in NOTICES), where
            else:
                assert response.status_code == 400, where
            assert snapshot(app) == before, where

    assert client.get("/organizer/").status_code == 200  # the forged sign-out did nothing
