"""Time windows: one rule (inclusive start, exclusive end at the next whole minute) for
submissions, registration and registration changes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from fastpath.cfp import services as cfp_services
from fastpath.core.windows import Window
from fastpath.registration import services as registration_services
from tests.conftest import make_app
from tests.helpers.editions import edition_with


def edited_app(tmp_path: Path, old: str, new: str):
    return make_app(tmp_path, CONTENT_DIR=str(edition_with(tmp_path, old, new)))


@pytest.mark.parametrize(
    ("moment", "window"),
    [
        ("2020-02-22T11:59:59.400000+00:00", Window.OPEN),  # within the deadline's last second
        ("2020-02-22T11:59:59.999999+00:00", Window.OPEN),
        ("2020-02-22T12:00:00+00:00", Window.CLOSED),  # the next whole minute (00:00 AoE)
    ],
)
def test_submission_window_keeps_the_deadlines_last_second(app, moment, window):
    with app.app_context():
        assert cfp_services.submission_window(datetime.fromisoformat(moment)) == window


@pytest.mark.parametrize(
    ("moment", "window"),
    [
        ("2020-02-22T12:29:59.500000+00:00", Window.OPEN),
        ("2020-02-22T12:30:00+00:00", Window.CLOSED),
    ],
)
def test_submission_window_grace_minutes_extend_it(tmp_path, moment, window):
    app = edited_app(tmp_path, "grace_minutes = 0", "grace_minutes = 30")
    with app.app_context():
        assert cfp_services.submission_window(datetime.fromisoformat(moment)) == window


@pytest.mark.parametrize(
    ("closes", "moment", "window"),
    [
        ("2020-04-04T23:59:59", "2020-04-05T03:59:59.500000+00:00", Window.OPEN),
        ("2020-04-04T23:59:59", "2020-04-05T04:00:00+00:00", Window.CLOSED),
        ("2020-04-04T12:00:00", "2020-04-04T15:59:59.999999+00:00", Window.OPEN),
        ("2020-04-04T12:00:00", "2020-04-04T16:00:00+00:00", Window.CLOSED),
    ],
)
def test_registration_window_same_rule_as_submissions(tmp_path, closes, moment, window):
    app = edited_app(tmp_path, "[registration]\n", f"[registration]\ncloses = {closes}\n")
    with app.app_context():
        assert registration_services.registration_window(datetime.fromisoformat(moment)) == window


@pytest.mark.parametrize(
    ("moment", "allowed"),
    [
        ("2020-04-05T12:59:59.999999+00:00", True),
        ("2020-04-05T13:00:00+00:00", False),  # 09:00 New York: the workshop starts
    ],
)
def test_changes_allowed_ends_when_the_workshop_starts(app, moment, allowed):
    with app.app_context():
        assert registration_services.changes_allowed(datetime.fromisoformat(moment)) is allowed


def test_window_is_one_type_in_submissions_and_registration():
    assert cfp_services.Window is registration_services.Window is Window
