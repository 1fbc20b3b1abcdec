"""Fixtures of the organizer tests."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers.organizers import make_organizer, sign_in


@pytest.fixture
def organizer_client(app: Flask, client: FlaskClient) -> FlaskClient:
    """A client signed in as an organizer."""
    make_organizer(app)
    response = sign_in(client)
    assert response.status_code == 302
    return client
