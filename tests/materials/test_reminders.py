"""The reminder: a preview of exactly who is mailed (contact authors of accepted, notified
submissions with anything missing, uploads open) and the mail each gets; sending mails each
once, and the same form sent again sends nothing."""

from __future__ import annotations

import re

import pytest

from fastpath.cfp.models import SubmissionStatus
from tests.helpers.accepted import AFTER_MATERIALS_DEADLINE, AFTER_NOTIFICATION, add_accepted
from tests.helpers.mail import outbox
from tests.helpers.organizers import audit_actions
from tests.materials.helpers import (
    author_ids,
    materials_row,
    post_details,
    post_final,
    post_slides,
    text_of,
)

pytestmark = pytest.mark.app_config(NOW=AFTER_NOTIFICATION)
NONCE = re.compile(r'id="nonce" name="nonce" type="hidden" value="([^"]+)"')


@pytest.fixture
def submissions(app, client) -> dict[str, int]:
    """Accepted and told: one missing everything, one with only slides missing, one
    complete; plus one accepted but not told, one rejected."""
    ids = {}
    ids["missing all"], _ = add_accepted(
        app, "Nothing yet", authors=[("Alan Turing", "alan@example.org", "Manchester")]
    )
    ids["missing slides"], token = add_accepted(
        app, "Almost there", authors=[("Barbara Liskov", "barbara@example.org", "MIT")]
    )
    [barbara] = author_ids(app, ids["missing slides"])
    assert post_final(client, token).status_code == 303
    assert post_details(client, token, presenter=barbara, version="2").status_code == 303
    ids["complete"], token = add_accepted(
        app, "All in", authors=[("Donald Knuth", "don@example.org", "Stanford")]
    )
    [don] = author_ids(app, ids["complete"])
    assert post_final(client, token).status_code == 303
    assert post_slides(client, token, version="2").status_code == 303
    assert post_details(client, token, presenter=don, version="3").status_code == 303
    ids["not told"], _ = add_accepted(
        app, "Not told", authors=[("Not Told", "nottold@example.org", "X")], notified=False
    )
    ids["rejected"], _ = add_accepted(
        app,
        "Rejected",
        authors=[("Re Jected", "rejected@example.org", "Y")],
        status=SubmissionStatus.REJECTED,
    )
    return ids


def recipients_of(page: str) -> list[str]:
    return re.findall(r'<tr class="reminder-recipient"><th scope="row">(FP20-\d+)</th>', page)


def test_preview_lists_exactly_the_submissions_with_something_missing(
    app, chair_client, submissions
):
    before = len(outbox(app))
    page = text_of(chair_client.get("/organizer/materials/remind"))
    assert recipients_of(page) == ["FP20-001", "FP20-002"]
    assert "Send 2 reminders" in page
    assert "<h2>The mail to alan@example.org</h2>" in page
    assert "we are still missing: final version, slides, presenter, speaker bio." in page
    assert "http://fastpath.test/submission/lost" in page
    chosen = text_of(
        chair_client.get(f"/organizer/materials/remind?submission={submissions['missing slides']}")
    )
    assert "<h2>The mail to barbara@example.org</h2>" in chosen
    assert "we are still missing: slides." in chosen
    assert len(outbox(app)) == before  # a preview sends nothing


def test_sending_mails_each_once_and_the_same_form_again_sends_nothing(
    app, chair_client, submissions
):
    before = len(outbox(app))
    nonce = NONCE.search(text_of(chair_client.get("/organizer/materials/remind"))).group(1)
    response = chair_client.post("/organizer/materials/remind", data={"nonce": nonce})
    assert response.status_code == 303
    assert response.location == "/organizer/materials/"
    assert "Reminder mailed to 2 contact authors." in text_of(chair_client.get(response.location))
    sent = outbox(app)[before:]
    assert [(m.recipients, m.template) for m in sent] == [
        ("alan@example.org", "materials_reminder"),
        ("barbara@example.org", "materials_reminder"),
    ]
    assert sent[1].subject == "[FastPath 2020] Final materials for FP20-002: still to come"
    assert "we are still missing: slides." in sent[1].body_text
    assert materials_row(app, submissions["missing all"]).reminded_at is not None
    assert materials_row(app, submissions["missing slides"]).reminded_at is not None
    assert materials_row(app, submissions["complete"]).reminded_at is None
    action, actor, target = audit_actions(app)[-1]
    assert (action, actor, target) == (
        "materials_reminder",
        "chair@fastpath.test",
        f"materials-reminder:{nonce}",
    )

    again = chair_client.post("/organizer/materials/remind", data={"nonce": nonce})
    assert again.status_code == 303
    assert "These reminders were sent already" in text_of(chair_client.get(again.location))
    assert len(outbox(app)) == before + 2


def test_a_reminder_without_its_nonce_sends_nothing(app, chair_client, submissions):
    before = len(outbox(app))
    assert chair_client.post("/organizer/materials/remind", data={}).status_code == 303
    assert chair_client.post("/organizer/materials/remind", data={"nonce": "x"}).status_code == 303
    assert len(outbox(app)) == before


@pytest.mark.app_config(NOW=AFTER_MATERIALS_DEADLINE)
def test_after_the_deadline_only_reopened_submissions_are_reminded(app, chair_client):
    closed_id, _ = add_accepted(app, "Closed")
    reopened_id, _ = add_accepted(
        app, "Reopened", authors=[("Grace Hopper", "grace@example.org", "Yale University")]
    )
    assert chair_client.post(f"/organizer/materials/{reopened_id}/reopen").status_code == 303
    page = text_of(chair_client.get("/organizer/materials/remind"))
    assert recipients_of(page) == ["FP20-002"]
    assert closed_id != reopened_id
