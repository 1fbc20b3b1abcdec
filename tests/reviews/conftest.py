"""Fixtures of the committee-review tests: a signed-in chair, and reviewers to sign in."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers.organizers import make_organizer, sign_in
from tests.helpers.reviews import REVIEWER_PASSWORD, make_reviewer


@pytest.fixture
def chair_client(app: Flask, client: FlaskClient) -> FlaskClient:
    """A client signed in as a chair."""
    make_organizer(app)
    assert sign_in(client).status_code == 302
    return client


@pytest.fixture
def reviewer_id(app: Flask) -> int:
    return make_reviewer(
        app, "grace@reviewers.test", name="Grace Hopper", affiliation="Yale University"
    )


@pytest.fixture
def reviewer_client(app: Flask, reviewer_id: int) -> FlaskClient:
    """A second client, signed in as the reviewer `reviewer_id`."""
    client = app.test_client()
    assert sign_in(client, "grace@reviewers.test", REVIEWER_PASSWORD).status_code == 302
    return client
