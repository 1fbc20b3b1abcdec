"""The program editor's sessions, talks and fixed items: saved through plain forms, each
validation message next to its field, times computed from the session's start."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from fastpath.cfp.models import SubmissionStatus
from fastpath.core.audit import AuditAction
from fastpath.core.extensions import db
from fastpath.program.models import ProgramChange, ProgramEntry, ProgramSession
from tests.helpers.accepted import add_accepted
from tests.helpers.organizers import audit_actions, make_organizer, sign_in
from tests.helpers.program_editor import EDITOR, add_session, draft_version, page_text
from tests.helpers.reviews import REVIEWER_PASSWORD, make_reviewer


@pytest.fixture
def chair_client(app: Flask, client: FlaskClient) -> FlaskClient:
    make_organizer(app)
    assert sign_in(client).status_code == 302
    return client


def sessions(app: Flask) -> list[tuple[str, str, str, str, str]]:
    with app.app_context():
        rows = db.session.scalars(db.select(ProgramSession).order_by(ProgramSession.id))
        return [
            (r.title, r.starts.strftime("%H:%M"), r.ends.strftime("%H:%M"), r.chair, r.room)
            for r in rows
        ]


def session_form(app: Flask, **values: str) -> dict[str, str]:
    form = {"title": "Papers I", "starts": "11:00", "ends": "12:00", "chair": "", "room": "A"}
    form.update(values)
    form["draft_version"] = values.get("draft_version", str(draft_version(app)))
    return form


def test_a_session_is_added_in_utc_and_shown_in_the_workshops_zone(app, chair_client):
    response = chair_client.post(EDITOR + "sessions", data=session_form(app, chair="Ada"))
    assert response.status_code == 303
    assert response.location.startswith("/organizer/program/#session-")
    # 11:00 in New York on 2020-04-05 (EDT, UTC-4) is 15:00 UTC.
    assert sessions(app) == [("Papers I", "15:00", "16:00", "Ada", "A")]
    page = page_text(chair_client.get(EDITOR))
    assert "11:00–12:00 Papers I" in page
    assert "America/New_York" in page
    with app.app_context():
        change = db.session.scalars(db.select(ProgramChange)).one()
        assert (change.version, change.summary) == (
            1,
            "Added the session “Papers I”, 11:00–12:00, A",
        )
    assert (AuditAction.PROGRAM_EDITED, "chair@fastpath.test", "program v1") in audit_actions(app)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"ends": "10:30"}, "The session must end after it starts."),
        ({"ends": "11:00"}, "The session must end after it starts."),
        ({"starts": "9.30"}, "Starts: a time as HH:MM on a 24-hour clock, like 09:30."),
        ({"ends": "25:00"}, "Ends: a time as HH:MM on a 24-hour clock, like 09:30."),
        ({"title": "  "}, "Give the session a title."),
    ],
)
def test_a_session_with_bad_input_is_refused_next_to_the_field_and_kept(
    app, chair_client, values, message
):
    response = chair_client.post(EDITOR + "sessions", data=session_form(app, **values))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert page.count(message) == 2  # next to the field and in the summary
    assert 'value="Papers I"' in page or values.get("title")
    assert sessions(app) == []


def test_a_session_is_edited_and_deleted(app, chair_client):
    session_id = add_session(app)
    url = f"{EDITOR}sessions/{session_id}"
    page = chair_client.get(url).get_data(as_text=True)
    assert 'value="11:00"' in page
    response = chair_client.post(url, data=session_form(app, title="Papers II", ends="12:30"))
    assert response.status_code == 303
    assert sessions(app) == [("Papers II", "15:00", "16:30", "", "A")]
    response = chair_client.post(url + "/delete", data={"draft_version": str(draft_version(app))})
    assert response.status_code == 303
    assert sessions(app) == []


def test_only_an_accepted_talk_can_be_placed_and_times_follow_the_order(app, chair_client):
    first, _ = add_accepted(app, "First talk")
    second, _ = add_accepted(app, "Second talk")
    rejected, _ = add_accepted(app, "Rejected talk", status=SubmissionStatus.REJECTED)
    session_id = add_session(app)

    def place(submission_id: int, minutes: str = "20"):
        return chair_client.post(
            f"{EDITOR}talks/{submission_id}",
            data={
                f"place{submission_id}-session_id": str(session_id),
                f"place{submission_id}-minutes": minutes,
                f"place{submission_id}-draft_version": str(draft_version(app)),
            },
        )

    assert place(first, "25").status_code == 303
    assert place(second).status_code == 303
    response = place(rejected)
    assert response.status_code == 422
    assert "FP20-003 is rejected, not accepted: only accepted talks can be placed." in (
        response.get_data(as_text=True)
    )
    page = page_text(chair_client.get(EDITOR))
    assert "11:00–11:25" in page and "FP20-001 First talk" in page
    assert "11:25–11:45" in page and "FP20-002 Second talk" in page

    with app.app_context():
        second_entry = db.session.scalars(
            db.select(ProgramEntry).where(ProgramEntry.submission_id == second)
        ).one()
    response = chair_client.post(
        f"{EDITOR}entries/{second_entry.id}/up", data={"draft_version": str(draft_version(app))}
    )
    assert response.status_code == 303
    page = page_text(chair_client.get(EDITOR))
    assert page.index("11:00–11:20") < page.index("11:20–11:45")


@pytest.mark.parametrize(
    ("minutes", "status"), [("0", 422), ("601", 422), ("ten", 422), ("600", 303)]
)
def test_minutes_run_from_1_to_600(app, chair_client, minutes, status):
    submission_id, _ = add_accepted(app)
    session_id = add_session(app, ends="17:00")
    response = chair_client.post(
        f"{EDITOR}talks/{submission_id}",
        data={
            f"place{submission_id}-session_id": str(session_id),
            f"place{submission_id}-minutes": minutes,
            f"place{submission_id}-draft_version": str(draft_version(app)),
        },
    )
    assert response.status_code == status
    if status == 422:
        assert "The length is a whole number of minutes from 1 to 600." in (
            response.get_data(as_text=True)
        )


def fixed_form(app: Flask, **values: str) -> dict[str, str]:
    form = {
        "kind": "keynote",
        "title": "Keynote: Fast paths",
        "presenters": "",
        "speaker_keys": "",
        "session_id": "",
        "minutes": "",
        "starts": "09:00",
        "ends": "09:30",
    }
    form.update(values)
    form["draft_version"] = str(draft_version(app))
    return form


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"speaker_keys": "vivienne-sze, nobody-here"},
            "Not a speaker of the content file: nobody-here.",
        ),
        ({"title": ""}, "Give the item a title."),
        ({"starts": ""}, "Give the start (HH:MM) for an item outside a session."),
        ({"ends": "08:00"}, "The item must end after it starts."),
    ],
)
def test_a_fixed_item_with_bad_input_is_refused(app, chair_client, values, message):
    response = chair_client.post(EDITOR + "items", data=fixed_form(app, **values))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ProgramEntry)) == 0


def test_a_fixed_item_goes_outside_or_inside_a_session_and_moves_out(app, chair_client):
    response = chair_client.post(
        EDITOR + "items", data=fixed_form(app, speaker_keys="vivienne-sze")
    )
    assert response.status_code == 303
    session_id = add_session(app)
    response = chair_client.post(
        EDITOR + "items",
        data=fixed_form(
            app, kind="break", title="Coffee", session_id=str(session_id), minutes="15"
        ),
    )
    assert response.status_code == 303
    with app.app_context():
        rows = db.session.scalars(db.select(ProgramEntry).order_by(ProgramEntry.id)).all()
        assert [(r.title, r.session_id, r.speaker_keys) for r in rows] == [
            ("Keynote: Fast paths", None, "vivienne-sze"),
            ("Coffee", session_id, ""),
        ]
        coffee = rows[1].id
    response = chair_client.post(
        f"{EDITOR}entries/{coffee}",
        data={
            "title": "Coffee",
            "session_id": "",
            "starts": "10:45",
            "ends": "11:00",
            "draft_version": str(draft_version(app)),
        },
    )
    assert response.status_code == 303
    with app.app_context():
        row = db.session.get(ProgramEntry, coffee)
        assert (row.session_id, row.starts.strftime("%H:%M")) == (None, "14:45")


def test_reviewers_get_404_on_every_editor_route(app):
    make_reviewer(app, "grace@reviewers.test", name="Grace", affiliation="Yale")
    client = app.test_client()
    assert sign_in(client, "grace@reviewers.test", REVIEWER_PASSWORD).status_code == 302
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("program_editor."):
            path = app.url_map.bind("localhost").build(
                rule.endpoint, {name: 1 for name in rule.arguments}
            )
            method = "get" if "GET" in rule.methods else "post"
            assert getattr(client, method)(path).status_code == 404, rule.rule


def test_an_entry_page_shows_its_values_and_a_talk_cannot_leave_sessions(app, chair_client):
    submission_id, _ = add_accepted(app)
    session_id = add_session(app)
    with app.app_context():
        from fastpath.program import services

        entry = services.add_talk(services.draft_row().version, None, submission_id, session_id, 25)
        db.session.commit()
        entry_id = entry.id
    page = chair_client.get(f"{EDITOR}entries/{entry_id}").get_data(as_text=True)
    assert 'value="25"' in page
    response = chair_client.post(
        f"{EDITOR}entries/{entry_id}",
        data={"session_id": "", "minutes": "25", "draft_version": str(draft_version(app))},
    )
    assert response.status_code == 422
    assert "A talk is placed in a session." in page_text(response)
