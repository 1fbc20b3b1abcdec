"""`flask --app app demo setup`'s program part: one draft (the content file's program and the
demo session), made once, with which the "Done when" walk publishes without errors."""

from __future__ import annotations

from flask import Flask

from fastpath.cfp.models import Submission, SubmissionStatus
from fastpath.content import current_workshop
from fastpath.core.extensions import db
from fastpath.program.checks import check_program
from fastpath.program.demo import DEMO_SESSION
from fastpath.program.models import ProgramDraft, ProgramEntry, ProgramSession
from tests.helpers.organizers import make_organizer, sign_in
from tests.helpers.program_editor import EDITOR, draft_version, publications


def test_demo_setup_twice_makes_one_draft_and_a_placed_talk_publishes(app: Flask, runner, client):
    first = runner.invoke(args=["demo", "setup"])
    second = runner.invoke(args=["demo", "setup"])
    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert "Demo program draft: already there (nothing added)" in second.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ProgramDraft)) == 1
        assert db.session.scalars(db.select(ProgramSession.title)).all() == [DEMO_SESSION]
        assert db.session.scalar(db.select(db.func.count()).select_from(ProgramEntry)) == 14
        assert check_program(current_workshop()) == []
        session_id = db.session.scalar(db.select(ProgramSession.id))
        submission = db.session.scalars(db.select(Submission).order_by(Submission.id)).first()
        # as the decisions page leaves it, the authors told
        submission.status = SubmissionStatus.ACCEPTED
        submission.decision_notified_at = submission.updated_at
        submission_id = submission.id
        db.session.commit()
    assert publications(app) == []

    make_organizer(app)
    assert sign_in(client).status_code == 302
    response = client.post(
        f"{EDITOR}talks/{submission_id}",
        data={
            f"place{submission_id}-session_id": str(session_id),
            f"place{submission_id}-minutes": "30",
            f"place{submission_id}-draft_version": str(draft_version(app)),
        },
    )
    assert response.status_code == 303
    with app.app_context():
        found = check_program(current_workshop())
        assert [p.severity for p in found] == ["warning"]  # no presenter chosen yet
    response = client.post(
        EDITOR + "publish", data={"draft_version": str(draft_version(app)), "anyway": "y"}
    )
    assert response.status_code == 303
    [(_version, snapshot)] = publications(app)
    keys = [item["key"] for item in snapshot["items"]]
    assert "fp20-001" in keys
    talk = next(i for i in snapshot["items"] if i["key"] == "fp20-001")
    assert (talk["session"], talk["room"]) == (DEMO_SESSION, "Room B")
    assert talk["starts"] == "2020-04-05T13:00:00-04:00"
