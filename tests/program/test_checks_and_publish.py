"""Checks before publishing (each with its link), publishing (the snapshot, once per version),
withdrawing, taking in the content file's program once, and stale drafts refused with what
changed."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from fastpath.cfp.models import Submission, SubmissionStatus
from fastpath.content import current_workshop
from fastpath.core.audit import AuditAction
from fastpath.core.extensions import db
from fastpath.program.checks import check_program
from fastpath.program.models import ProgramEntry, ProgramSession
from fastpath.program.public import current_program
from tests.helpers.accepted import add_accepted
from tests.helpers.organizers import audit_actions, make_organizer, sign_in
from tests.helpers.program_editor import (
    EDITOR,
    add_fixed,
    add_session,
    choose_presenter,
    draft_version,
    page_text,
    place_talk,
    publications,
)


@pytest.fixture
def chair_client(app: Flask, client: FlaskClient) -> FlaskClient:
    make_organizer(app)
    assert sign_in(client).status_code == 302
    return client


def problems(app: Flask) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [(p.severity, p.message, p.anchor) for p in check_program(current_workshop())]


def public_titles(app: Flask) -> list[str]:
    """What the public pages read (program.public; the /program page is another helper's)."""
    with app.test_request_context("/program"):
        return [item.title for item in current_program().items]


def publish(client: FlaskClient, app: Flask, anyway: bool = False, version: int | None = None):
    data = {"draft_version": str(draft_version(app) if version is None else version)}
    if anyway:
        data["anyway"] = "y"
    return client.post(EDITOR + "publish", data=data)


def test_each_error_is_listed_with_its_link(app, chair_client):
    talk, _ = add_accepted(app, "Twice placed")
    withdrawn, _ = add_accepted(app, "Later withdrawn")
    session_id = add_session(app, starts="11:00", ends="11:30")
    first = place_talk(app, talk, session_id, 20)
    second = place_talk(app, talk, session_id, 20)  # runs 11:20-11:40, past 11:30
    gone = place_talk(app, withdrawn, session_id, 10)
    with app.app_context():
        db.session.get(Submission, withdrawn).status = SubmissionStatus.WITHDRAWN
        db.session.commit()
    early = add_fixed(app, "Breakfast", "08:00", "08:45", kind="meal")
    assert first
    found = problems(app)
    errors = [p for p in found if p[0] == "error"]
    assert errors == [
        (
            "error",
            "“FP20-001 Twice placed” runs to 11:40, past the end of its session “Papers I” "
            "(11:30).",
            f"entry-{second}",
        ),
        (
            "error",
            "“FP20-002 Later withdrawn” runs to 11:50, past the end of its session “Papers I” "
            "(11:30).",
            f"entry-{gone}",
        ),
        (
            "error",
            "“Breakfast” (08:00–08:45) is outside the workshop's day (09:00–17:00).",
            f"entry-{early}",
        ),
        ("error", "FP20-001 is placed twice: at 11:00 and at 11:20.", f"entry-{second}"),
        (
            "error",
            "FP20-002 is withdrawn, no longer accepted, but is in the program.",
            f"entry-{gone}",
        ),
    ]
    page = chair_client.get(EDITOR).get_data(as_text=True)
    assert f'<a href="#entry-{second}">Fix it</a>' in page
    assert f'id="entry-{second}"' in page
    response = publish(chair_client, app, anyway=True)
    assert response.status_code == 422
    assert "Not published: 5 error(s) in the checks below must be fixed first." in page_text(
        response
    )
    assert publications(app) == []


def test_a_session_ending_before_it_starts_is_an_error(app):
    session_id = add_session(app)
    with app.app_context():
        row = db.session.get(ProgramSession, session_id)
        row.ends = row.starts
        db.session.commit()
    assert ("error", "The session “Papers I” ends (11:00) before it starts (11:00).") in [
        p[:2] for p in problems(app)
    ]


def test_warnings_overlaps_unplaced_and_no_presenter_each_with_its_link(app, chair_client):
    placed, _ = add_accepted(app, "Placed, no presenter")
    waiting, _ = add_accepted(app, "Waiting")
    session_id = add_session(app, starts="11:00", ends="12:00", room="")
    parallel = add_session(app, "Papers II", starts="11:00", ends="12:00", room="Room B")
    entry = place_talk(app, placed, session_id)
    lunch = add_fixed(app, "Lunch", "11:45", "12:30", kind="meal")
    found = problems(app)
    assert found == [
        (
            "warning",
            "“Papers I” (11:00–12:00) and “Lunch” (11:45–12:30) overlap with no room given.",
            f"entry-{lunch}",
        ),
        (
            "warning",
            "FP20-002 “Waiting” is accepted but not placed yet.",
            f"unplaced-{waiting}",
        ),
        (
            "warning",
            "FP20-001 has no presenter chosen yet: the program shows its authors.",
            f"entry-{entry}",
        ),
    ]
    assert parallel  # Room B runs in parallel: no warning
    page = chair_client.get(EDITOR).get_data(as_text=True)
    assert f'<a href="#unplaced-{waiting}">Fix it</a>' in page
    assert f'id="unplaced-{waiting}"' in page

    response = publish(chair_client, app)
    assert response.status_code == 422
    assert "tick “Publish anyway” to publish with them." in page_text(response)
    assert publications(app) == []
    assert publish(chair_client, app, anyway=True).status_code == 303
    assert len(publications(app)) == 1


def test_publish_writes_the_snapshot_once_and_unpublish_withdraws_it(app, chair_client):
    talk, _ = add_accepted(app, "Roofline models")
    quiet, _ = add_accepted(app, "No consent", authors=[("Vivienne Sze", "v@example.org", "MIT")])
    session_id = add_session(app, chair="Erik Altman")
    place_talk(app, talk, session_id, 30)
    place_talk(app, quiet, session_id, 30)
    choose_presenter(
        app,
        talk,
        author_position=2,
        bio="Grace writes compilers.",
        slides="abc.pdf",
        video_url="https://video.example/1",
        consent=True,
    )
    choose_presenter(app, quiet, slides="def.pdf", video_url="https://video.example/2")
    add_fixed(
        app,
        "Keynote: Efficient DNNs",
        "09:15",
        "10:00",
        kind="keynote",
        speaker_keys="vivienne-sze",
    )
    version = draft_version(app)

    response = publish(chair_client, app)
    assert response.status_code == 303
    assert response.location == "/organizer/program/#publication"
    replay = publish(chair_client, app, version=version)
    assert replay.status_code == 422
    assert "This version of the program is already the public one." in page_text(replay)
    [(published_version, snapshot)] = publications(app)
    assert published_version == version
    items = {item["key"]: item for item in snapshot["items"]}
    assert [i["key"] for i in snapshot["items"]] == [
        "keynote-efficient-dnns-0915",
        "session-papers-i",
        "fp20-001",
        "fp20-002",
    ]
    assert items["session-papers-i"]["chair"] == "Erik Altman"
    roofline = items["fp20-001"]
    assert roofline["kind"] == "paper"
    assert roofline["session"] == "Papers I"
    assert roofline["starts"] == "2020-04-05T11:00:00-04:00"
    assert roofline["authors"][1] == {"name": "Grace Hopper", "affiliation": "Yale University"}
    assert roofline["speakers"] == ["grace-hopper"]
    assert (roofline["slides"], roofline["video_url"]) == ("abc.pdf", "https://video.example/1")
    # No consent: no slides, no video. The presenter's name is a content speaker's key.
    assert (items["fp20-002"]["slides"], items["fp20-002"]["video_url"]) == (None, None)
    assert items["fp20-002"]["speakers"] == ["vivienne-sze-fp20-002"]
    keynote = items["keynote-efficient-dnns-0915"]
    assert (keynote["kind"], keynote["speakers"]) == ("invited", ["vivienne-sze"])
    speakers = {s["key"]: s for s in snapshot["speakers"]}
    assert speakers["grace-hopper"]["bio"] == "Grace writes compilers."
    assert speakers["vivienne-sze"]["name"] == "Vivienne Sze"
    actions = [a[0] for a in audit_actions(app)]
    assert actions.count(AuditAction.PROGRAM_PUBLISHED) == 1

    assert "Roofline models" in public_titles(app)

    response = chair_client.post(EDITOR + "unpublish", data={"draft_version": str(version)})
    assert response.status_code == 303
    assert publications(app)[-1] == (version, None)
    assert AuditAction.PROGRAM_UNPUBLISHED in [a[0] for a in audit_actions(app)]
    assert "Roofline models" not in public_titles(app)


def test_a_stale_draft_version_is_refused_with_what_changed_and_nothing_saved(app, chair_client):
    opened = draft_version(app)
    add_session(app, "Added by someone else")
    response = chair_client.post(
        EDITOR + "sessions",
        data={"title": "Mine", "starts": "13:00", "ends": "14:00", "draft_version": str(opened)},
    )
    text = page_text(response)
    assert response.status_code == 409
    assert "What changed since you opened the page" in text
    assert "Added the session “Added by someone else”, 11:00–12:00, Room A" in text
    assert 'value="Mine"' in response.get_data(as_text=True)
    # The form shown again carries the version now shown: sending it again saves.
    assert f'name="draft_version" type="hidden" value="{opened + 1}"' in response.get_data(
        as_text=True
    )
    with app.app_context():
        titles = db.session.scalars(db.select(ProgramSession.title)).all()
    assert titles == ["Added by someone else"]


def test_the_content_files_program_is_taken_in_once(app, chair_client):
    response = chair_client.post(EDITOR + "import", data={"draft_version": str(draft_version(app))})
    assert response.status_code == 303
    with app.app_context():
        rows = db.session.scalars(db.select(ProgramEntry).order_by(ProgramEntry.starts)).all()
        program = current_workshop().program
        assert [(r.content_key, r.title) for r in rows] == [(i.key, i.title) for i in program]
        assert all(r.session_id is None for r in rows)
    response = chair_client.post(EDITOR + "import", data={"draft_version": str(draft_version(app))})
    assert response.status_code == 422
    assert "The content file's program was already taken in (14 items" in page_text(response)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ProgramEntry)) == 14
    # Published as is, it is the content file's program again, speakers and authors copied.
    assert problems(app) == []
    assert publish(chair_client, app).status_code == 303
    [(_version, snapshot)] = publications(app)
    with app.app_context():
        program = current_workshop().program
        assert [(i["key"], i["kind"], i["title"]) for i in snapshot["items"]] == [
            (i.key, i.kind, i.title) for i in program
        ]
        assert snapshot["items"][4]["authors"][0]["name"] == program[4].authors[0].name
        assert snapshot["items"][4]["speakers"] == [s.key for s in program[4].speakers]
