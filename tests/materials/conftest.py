"""Fixtures of the materials tests: an accepted submission (authors told) and its private
link's token, and a signed-in chair."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers.accepted import add_accepted
from tests.helpers.organizers import make_organizer, sign_in


@pytest.fixture
def accepted(app: Flask) -> tuple[int, str]:
    """(submission id, token) of "Roofline models…" by Ada Lovelace (contact) and Grace Hopper."""
    return add_accepted(app)


@pytest.fixture
def chair_client(app: Flask) -> FlaskClient:
    """A second client, signed in as a chair."""
    make_organizer(app)
    client = app.test_client()
    assert sign_in(client).status_code == 302
    return client
