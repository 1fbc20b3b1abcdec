"""Fixtures of the registration tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from fastpath.core.extensions import db
from tests.conftest import make_app
from tests.helpers.registrations import content_copy


@pytest.fixture
def content_app(tmp_path: Path, smtp):
    """Make apps on edited content whose mail goes to the test's SMTP server."""
    apps: list[Flask] = []

    def make(registration_lines: str, name: str = "site", **config: object) -> Flask:
        folder = content_copy(tmp_path, registration_lines, f"content-{name}")
        # These tests are about the waiting list itself: places at once, no address to
        # confirm first (tests/registration/test_address_confirmation.py covers that step).
        config = {"REGISTRATION_CONFIRM_ADDRESS": False, **config}
        app = make_app(tmp_path / name, CONTENT_DIR=str(folder), **smtp.app_config(), **config)
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.engine.dispose()
