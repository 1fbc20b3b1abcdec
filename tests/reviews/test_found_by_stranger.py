"""Problems found by trying the committee review as a stranger and as an attacker (helper F).

Each test states what should happen; they fail on the code as it was found, so the lead can
fix the application and see them pass. Request tests with the app fixtures; forms are posted
with the hidden fields their page rendered, as a browser (or a replaying attacker) would.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from flask import Flask

from fastpath.core.extensions import db
from fastpath.mail.models import OutboxMail
from fastpath.reviews.models import DiscussionComment
from tests.helpers.organizers import add_submission, make_organizer, sign_in
from tests.helpers.reviews import add_review, assign, declare_conflict, make_reviewer

# Grace (the `reviewer_id` fixture) is grace@reviewers.test: an author at that domain makes a
# conflict suggested automatically (reviewers.test is no public mail provider).
COLLEAGUE = [("Dana Fictional", "dana@reviewers.test", "Northwind University")]
STRANGERS = [("Bo Yu", "bo@kth.se", "KTH")]


class _Forms(HTMLParser):
    """Every <form> of a page: its action and the (name, value) pairs of its hidden inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append((values.get("action", ""), []))
        elif tag == "input" and self.forms and values.get("type") == "hidden":
            self.forms[-1][1].append((values.get("name", ""), values.get("value", "")))


def hidden_fields(page: str, action: str) -> list[tuple[str, str]]:
    """The hidden fields of the page's form posting to `action` (the first such form)."""
    parser = _Forms()
    parser.feed(page)
    for form_action, fields in parser.forms:
        if form_action.split("?")[0] == action:
            return fields
    raise AssertionError(f"no form posting to {action}")


def as_data(fields: list[tuple[str, str]], **more: str) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    for name, value in more.items():
        data[name] = [value]
    return data


def _declare(client, number: str):
    return client.post("/organizer/reviews/conflicts", data={"number": number, "reason": ""})


def _message_of(response) -> str:
    """The page's text, tags dropped (so the number echoed in the input is gone)."""
    text = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(text.split())


# --- 1. The conflicts form tells a reviewer which numbers are their hidden conflicts ----------


@pytest.mark.parametrize("how", ["suggested", "set by a chair", "confirmed suggestion"])
def test_conflict_form_hidden_conflict_answers_like_a_missing_number(
    app: Flask, reviewer_client, reviewer_id, how
):
    """POST /organizer/reviews/conflicts with number=<a hidden conflict> answered "Your
    conflict with submission 2 is already recorded." while number=9 (nonexistent) answers
    "There is no submission 9.": typing 1, 2, 3... reveals exactly which numbers are the
    reviewer's conflicts, which the page itself promises not to tell ("you are not told which
    they are"). Place: services.submission_to_declare (the is_conflicted branch)."""
    add_submission(app, "Visible", authors=STRANGERS)
    hidden = add_submission(
        app, "Hidden", authors=COLLEAGUE if how != "set by a chair" else STRANGERS
    )
    if how == "set by a chair":
        declare_conflict(app, reviewer_id, hidden, "Chair: former student")
    if how == "confirmed suggestion":
        assert reviewer_client.post("/organizer/reviews/conflicts/confirm").status_code == 303
        reviewer_client.get("/organizer/reviews/conflicts")  # shows (and uses up) the flash

    conflicted = _declare(reviewer_client, "2")
    missing = _declare(reviewer_client, "9")

    assert missing.status_code == 422
    assert "There is no submission 9." in missing.get_data(as_text=True)
    assert conflicted.status_code == missing.status_code
    assert "already recorded" not in conflicted.get_data(as_text=True)
    assert _message_of(conflicted).replace("submission 2", "submission N") == _message_of(
        missing
    ).replace("submission 9", "submission N")


def test_conflict_form_own_declared_conflict_may_say_already_recorded(
    app: Flask, reviewer_client, reviewer_id
):
    """The reviewer typed this number themselves: telling them it is recorded leaks nothing
    (kept so that a fix of the test above does not go too far)."""
    add_submission(app, "Mine to decline", authors=STRANGERS)
    assert _declare(reviewer_client, "1").status_code == 303
    again = _declare(reviewer_client, "1")
    assert again.status_code == 422
    assert "Your conflict with submission 1 is already recorded." in again.get_data(as_text=True)


# --- 2. A replayed comment form posts the comment twice --------------------------------------


def _comments(app: Flask) -> list[tuple[int, int | None, str]]:
    with app.app_context():
        rows = db.session.scalars(db.select(DiscussionComment).order_by(DiscussionComment.id))
        return [(r.submission_id, r.author_id, r.body) for r in rows]


def test_comment_form_replayed_is_posted_once(app: Flask, reviewer_client, reviewer_id):
    """The same comment form sent twice (a double click, the browser's "resend" after the
    redirect, a replayed request) stored two identical comments, and every member of the
    committee got both in their digest. The issue asks that replayed forms be refused with a
    clear message, nothing changed (the review form does it with `version`, the reminders
    with `seen`). Place: views.comment / services.post_comment and CommentForm (no nonce or
    version in the form)."""
    paper = add_submission(app, "Paper", authors=STRANGERS)
    assign(app, reviewer_id, paper)
    page = reviewer_client.get("/organizer/reviews/submissions/1").get_data(as_text=True)
    action = "/organizer/reviews/submissions/1/comments"
    data = as_data(hidden_fields(page, action), body="Is the baseline fair?")

    first = reviewer_client.post(action, data=data)
    second = reviewer_client.post(action, data=data)

    assert first.status_code == 303
    assert second.status_code in (303, 409, 422)
    assert _comments(app) == [(paper, reviewer_id, "Is the baseline fair?")]


def test_comment_form_two_comments_from_two_page_loads_both_posted(
    app: Flask, reviewer_client, reviewer_id
):
    """The other side of the test above: two comments typed on two fresh pages both count."""
    paper = add_submission(app, "Paper", authors=STRANGERS)
    assign(app, reviewer_id, paper)
    action = "/organizer/reviews/submissions/1/comments"
    for body in ("First thought.", "Second thought."):
        page = reviewer_client.get("/organizer/reviews/submissions/1").get_data(as_text=True)
        response = reviewer_client.post(
            action, data=as_data(hidden_fields(page, action), body=body)
        )
        assert response.status_code == 303
    assert _comments(app) == [
        (paper, reviewer_id, "First thought."),
        (paper, reviewer_id, "Second thought."),
    ]


# --- 3. The decision mail carries review text the chair never saw in the preview ----------------


def test_decision_send_after_review_edit_never_mails_unseen_text(app: Flask, client):
    """The chair opens the decision preview with the reviewers' comments for the authors
    (it says "Check each mail below"); meanwhile a reviewer edits their submitted review
    (allowed until the review deadline); the chair presses "Accept and send". The mail went
    out with the new text, which the chair never saw (tried live: the author got "CHANGED
    AFTER THE CHAIR'S PREVIEW"). The same happens when a review is submitted in between.
    Expected: the send notices the reviews changed since the preview (like the automatic
    assignment's fingerprint) and shows the preview again, or sends what was previewed;
    never text the chair did not see. Place: organizer/decisions.py decide() and the
    /organizer/decisions form (no fingerprint of the reviews it shows)."""
    make_organizer(app)
    assert sign_in(client).status_code == 302
    sid = add_submission(app, "Roofline models", authors=STRANGERS)
    grace = make_reviewer(app, "grace@reviewers.test", name="Grace Hopper")
    assign(app, grace, sid)
    review_id = add_review(app, grace, sid, for_authors="Clear and useful.")
    preview = client.get(
        "/organizer/decisions/preview",
        query_string={"outcome": "accepted", "ids": sid, "include_reviews": "y"},
    ).get_data(as_text=True)
    assert "Clear and useful." in preview
    fields = hidden_fields(preview, "/organizer/decisions")

    from fastpath.reviews.models import Review

    with app.app_context():
        review = db.session.get(Review, review_id)
        review.texts = {"comments_for_authors": "Unseen insult for the authors."}
        review.version += 1
        db.session.commit()

    response = client.post("/organizer/decisions", data=as_data(fields))

    assert response.status_code < 500
    with app.app_context():
        bodies = [
            m.body_text + (m.body_html or "") for m in db.session.scalars(db.select(OutboxMail))
        ]
    assert not any("Unseen insult" in body for body in bodies)


# --- 4. An impossible score says WTForms' "Invalid Choice: could not coerce." ----------------


@pytest.mark.parametrize("value", ["-1", "3.5", "abc", "9" * 50])
def test_review_form_malformed_score_clear_message(app: Flask, reviewer_client, reviewer_id, value):
    """overall_merit=-1 (or 3.5, abc, a 50-digit number) answers 422, rightly, but the
    message next to the field and in the summary is WTForms' own "Invalid Choice: could not
    coerce.", while 0 or 6 get the clear "“Overall merit” goes from 1 to 5.". The coerce
    function's "Choose one of the values shown." never reaches the page (RadioField replaces
    a coerce ValueError with its own text). Place: reviews/forms.py review_form_class
    (RadioField coerce=_score)."""
    paper = add_submission(app, "Paper", authors=STRANGERS)
    assign(app, reviewer_id, paper)
    response = reviewer_client.post(
        "/organizer/reviews/submissions/1/review",
        data={
            "overall_merit": value,
            "expertise": "3",
            "comments_for_authors": "Fine.",
            "version": "0",
            "draft": "1",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "could not coerce" not in page
    message = "“Overall merit” is a whole number from the scale; choose one of the values shown."
    assert message in page
