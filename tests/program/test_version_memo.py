"""Which program is public is asked of the database at most once per
PROGRAM_VERSION_CHECK_SECONDS per process, and at once after forget_program_version()."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from fastpath.core.extensions import db
from fastpath.program.models import ProgramPublication
from fastpath.program.public import CONTENT_FILE, forget_program_version, program_version

SNAPSHOT = {
    "format": 1,
    "items": [
        {
            "key": "memo-talk-1100",
            "kind": "invited",
            "title": "A talk only the published program has",
            "starts": "2020-04-05T11:00:00-04:00",
            "ends": "2020-04-05T11:30:00-04:00",
        }
    ],
    "speakers": [],
}


def _publish(app, snapshot: str) -> int:
    with app.app_context():
        row = ProgramPublication(
            published_at=datetime(2020, 3, 20, tzinfo=UTC), draft_version=1, snapshot=snapshot
        )
        db.session.add(row)
        db.session.commit()
        return row.id


@pytest.mark.app_config(PROGRAM_VERSION_CHECK_SECONDS=3600.0)
def test_another_workers_publish_waits_for_the_check_and_forgetting_shows_it(app, client):
    assert "A talk only the published program has" not in client.get("/program").text
    published = _publish(app, json.dumps(SNAPSHOT))
    with app.test_request_context():
        assert program_version() == CONTENT_FILE  # remembered for the hour
    assert "A talk only the published program has" not in client.get("/program").text
    with app.test_request_context():
        forget_program_version()
        assert program_version() == published
    assert "A talk only the published program has" in client.get("/program").text


def test_a_withdrawn_publication_is_the_content_files_program(app):
    _publish(app, json.dumps(SNAPSHOT))
    _publish(app, "")
    with app.test_request_context():
        assert program_version() == CONTENT_FILE
