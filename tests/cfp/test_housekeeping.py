"""Housekeeping: unused uploads purged, and a submission's history kept in order."""

from __future__ import annotations

from fastpath.cfp.models import SubmissionEvent
from fastpath.core.extensions import db
from tests.helpers.submissions import (
    all_submissions,
    edit_data,
    post_submit,
    stored_files,
    submission_data,
    submit_and_get_link,
    submit_ok,
    text_of,
)


def test_purge_uploads_removes_only_old_unused_files(app, client, runner):
    submit_ok(client)
    abandoned = post_submit(client, submission_data(title="", form_nonce="g" * 43))
    assert abandoned.status_code == 422
    assert len(stored_files(app)) == 2
    used = all_submissions(app)[0].pdf_stored_name
    result = runner.invoke(args=["cfp", "purge-uploads", "--older-than-hours", "0"])
    assert result.exit_code == 0
    assert "Removed 1 unused upload(s)." in result.output
    assert [f.name for f in stored_files(app)] == [used]


def test_history_events_are_in_order(app, client):
    path = submit_and_get_link(app, client)
    html = text_of(client.get(f"{path}/edit"))
    client.post(f"{path}/edit", data=edit_data(html, note=""), content_type="multipart/form-data")
    client.post(f"{path}/withdraw")
    with app.app_context():
        kinds = db.session.scalars(db.select(SubmissionEvent.kind).order_by(SubmissionEvent.id))
        assert list(kinds) == ["submitted", "edited", "withdrawn"]
        details = db.session.scalars(
            db.select(SubmissionEvent.details).where(SubmissionEvent.kind == "edited")
        ).one()
        assert details == "Note to the organizers changed"
