"""The deadline: after [materials] deadline the page is read-only and every post is refused
with nothing changed, unless an organizer reopened that one submission."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fastpath.cfp.models import Submission
from fastpath.core.audit import AuditEvent
from fastpath.core.extensions import db
from fastpath.materials import services
from tests.helpers.accepted import AFTER_MATERIALS_DEADLINE, add_accepted
from tests.helpers.forms import snapshot
from tests.helpers.organizers import audit_actions
from tests.materials.helpers import (
    author_ids,
    event_kinds,
    materials_files,
    materials_row,
    page_url,
    post_details,
    post_final,
    post_slides,
    text_of,
)

pytestmark = pytest.mark.app_config(NOW=AFTER_MATERIALS_DEADLINE)
CLOSED = "Final materials closed on April 5, 2020, 13:00 UTC: nothing can be handed in"


def test_after_the_deadline_the_page_is_read_only(app, client, accepted):
    _submission_id, token = accepted
    response = client.get(page_url(token))
    assert response.status_code == 200
    page = text_of(response)
    assert "Final materials are closed." in page
    assert "April 5, 2020, 09:00 America/New_York = April 5, 2020, 13:00 UTC" in page
    assert "<form" not in page.split("<main", 1)[1]


def test_posts_after_the_deadline_are_refused_and_nothing_changes(app, client, accepted):
    submission_id, token = accepted
    ada, _grace = author_ids(app, submission_id)
    before = snapshot(app)
    for response in (
        post_final(client, token),
        post_slides(client, token),
        post_details(client, token, presenter=ada, bio="Typed after the deadline."),
    ):
        assert response.status_code == 403
        assert CLOSED in text_of(response)
    assert "Typed after the deadline." in text_of(response)  # the input is shown again
    assert snapshot(app) == before
    assert materials_files(app) == []


def test_reopened_submission_takes_uploads_and_others_stay_closed(app, client, chair_client):
    reopened_id, reopened_token = add_accepted(app, "Reopened paper")
    _other_id, other_token = add_accepted(app, "Closed paper")
    response = chair_client.post(
        f"/organizer/materials/{reopened_id}/reopen", data={"until": "2020-04-08T12:00"}
    )
    assert response.status_code == 303
    assert materials_row(app, reopened_id).reopened_until.replace(tzinfo=UTC) == datetime(
        2020, 4, 8, 12, 0, tzinfo=UTC
    )
    assert event_kinds(app, reopened_id)[-1] == "materials_reopened"
    assert audit_actions(app)[-1] == (
        "materials_reopened",
        "chair@fastpath.test",
        f"submission:{reopened_id}",
    )

    page = text_of(client.get(page_url(reopened_token)))
    assert "Due <strong>April 8, 2020, 12:00 UTC (reopened for your submission)</strong>" in page
    assert post_final(client, reopened_token).status_code == 303
    assert materials_row(app, reopened_id).final_pages == 3
    assert post_final(client, other_token).status_code == 403


def test_reopen_defaults_to_a_week_from_now(app, accepted, chair_client):
    submission_id, _token = accepted
    assert chair_client.post(f"/organizer/materials/{submission_id}/reopen").status_code == 303
    until = materials_row(app, submission_id).reopened_until.replace(tzinfo=UTC)
    assert until == datetime(2020, 4, 12, 13, 30, tzinfo=UTC)


def test_reopen_in_the_past_is_refused_and_nothing_changes(app, accepted, chair_client):
    submission_id, _token = accepted
    before = snapshot(app)
    response = chair_client.post(
        f"/organizer/materials/{submission_id}/reopen", data={"until": "2020-04-01T12:00"}
    )
    assert response.status_code == 303
    follow = text_of(chair_client.get(response.location))
    assert "FP20-001 was not reopened: Choose a moment in the future." in follow
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)) == len(
            before["audit_event"]
        )
    assert materials_row(app, submission_id) is None


def test_uploads_open_follows_the_clock_and_the_reopening(app, accepted):
    submission_id, _token = accepted
    with app.app_context():
        submission = db.session.get(Submission, submission_id)
        closes = services.rules().closes
        assert services.uploads_open(submission, datetime(2020, 4, 5, 12, 59, tzinfo=UTC))
        assert not services.uploads_open(submission, closes)
        services.reopen(submission, datetime(2020, 4, 6, tzinfo=UTC), by=None)
        assert services.uploads_open(submission, datetime(2020, 4, 5, 23, 0, tzinfo=UTC))
        assert not services.uploads_open(submission, datetime(2020, 4, 6, tzinfo=UTC))
        db.session.rollback()
