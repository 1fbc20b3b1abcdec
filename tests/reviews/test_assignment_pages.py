"""The chairs' assignment pages: the automatic preview and its saving (fingerprint, replay),
assigning by hand, removing (with confirmation for a submitted review), and the chairs'
conflicts; reviewers get 404 on all of it."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from fastpath.core.audit import AuditEvent
from fastpath.core.extensions import db
from fastpath.reviews.models import Assignment, BidPreference, Conflict, ConflictKind, Review
from tests.helpers.organizers import add_submission
from tests.helpers.reviews import add_review, assign, bid, declare_conflict, make_reviewer

AUTHORS = [("Ada Lovelace", "ada@example.org", "University of London")]


def pairs(app: Flask) -> set[tuple[int, int]]:
    with app.app_context():
        rows = db.session.scalars(db.select(Assignment))
        return {(row.reviewer_id, row.submission_id) for row in rows}


def events(app: Flask, action: str) -> list[tuple[str | None, str]]:
    with app.app_context():
        rows = db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
        return [(row.target, row.details) for row in rows]


def fingerprint_of(page: str) -> str:
    return re.search(r'name="fingerprint" value="([0-9a-f]{64})"', page).group(1)


@pytest.fixture
def committee(app: Flask) -> dict[str, int]:
    return {
        "ann": make_reviewer(app, "ann@one.test", name="Ann One", affiliation="One Lab"),
        "bob": make_reviewer(app, "bob@two.test", name="Bob Two", affiliation="Two Lab"),
        "s1": add_submission(app, "First", authors=AUTHORS),
        "s2": add_submission(app, "Second", authors=AUTHORS),
    }


def test_auto_preview_then_save_adds_the_pairs(app, chair_client, committee):
    page = chair_client.get("/organizer/reviews/assign?per_submission=2")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Preview: 4 new assignments" in text
    assert pairs(app) == set()  # the preview saves nothing
    response = chair_client.post(
        "/organizer/reviews/assign",
        data={"per_submission": "2", "fingerprint": fingerprint_of(text)},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/organizer/reviews/assign?per_submission=2"
    c = committee
    assert pairs(app) == {(c[r], c[s]) for r in ("ann", "bob") for s in ("s1", "s2")}
    assert len(events(app, "assignment_added")) == 4
    assert [target for target, _ in events(app, "assignments_mailed")] == [
        f"organizer:{c['ann']}",
        f"organizer:{c['bob']}",
    ]


def test_auto_default_is_the_content_files_number(app, chair_client, committee):
    page = chair_client.get("/organizer/reviews/assign").get_data(as_text=True)
    assert 'value="3"' in page
    # Two reviewers cannot make three: both submissions are short by one.
    assert "2 of 3 (1 missing)" in page


def test_auto_replayed_save_adds_nothing_twice(app, chair_client, committee):
    text = chair_client.get("/organizer/reviews/assign?per_submission=1").get_data(as_text=True)
    data = {"per_submission": "1", "fingerprint": fingerprint_of(text)}
    assert chair_client.post("/organizer/reviews/assign", data=data).status_code == 303
    saved = pairs(app)
    assert len(saved) == 2
    replay = chair_client.post("/organizer/reviews/assign", data=data)
    assert replay.status_code == 422
    assert "The assignments changed since the preview" in replay.get_data(as_text=True)
    assert pairs(app) == saved
    assert len(events(app, "assignment_added")) == 2


def test_auto_save_after_a_change_shows_the_new_preview(app, chair_client, committee):
    text = chair_client.get("/organizer/reviews/assign?per_submission=1").get_data(as_text=True)
    declare_conflict(app, committee["ann"], committee["s1"])  # meanwhile
    response = chair_client.post(
        "/organizer/reviews/assign",
        data={"per_submission": "1", "fingerprint": fingerprint_of(text)},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The assignments changed since the preview" in page
    assert fingerprint_of(page) != fingerprint_of(text)
    assert pairs(app) == set()


@pytest.mark.parametrize("value", ["0", "21", "abc", "-1", "99999999999999999999"])
def test_auto_per_submission_out_of_range_is_a_form_error(app, chair_client, committee, value):
    response = chair_client.get(f"/organizer/reviews/assign?per_submission={value}")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'class="error-summary"' in page
    assert "fingerprint" not in page


def test_auto_tampered_fingerprint_is_refused(app, chair_client, committee):
    response = chair_client.post(
        "/organizer/reviews/assign", data={"per_submission": "1", "fingerprint": "x" * 64}
    )
    assert response.status_code == 422
    assert pairs(app) == set()


def test_auto_never_assigns_a_conflict_and_flags_not_interested(app, chair_client, committee):
    c = committee
    declare_conflict(app, c["ann"], c["s1"])
    bid(app, c["bob"], c["s2"], BidPreference.NOT_INTERESTED)
    text = chair_client.get("/organizer/reviews/assign?per_submission=2").get_data(as_text=True)
    assert "nobody else was left" in text
    chair_client.post(
        "/organizer/reviews/assign",
        data={"per_submission": "2", "fingerprint": fingerprint_of(text)},
    )
    assert pairs(app) == {(c["bob"], c["s1"]), (c["ann"], c["s2"]), (c["bob"], c["s2"])}


def post_action(client, number: int, action: str, reviewer: int, **extra):
    data = {"action": action, "reviewer_id": str(reviewer), **extra}
    return client.post(f"/organizer/reviews/submissions/{number}/assign", data=data)


def test_by_hand_assign_and_unassign(app, chair_client, committee):
    c = committee
    page = chair_client.get("/organizer/reviews/submissions/1/assign")
    assert page.status_code == 200
    assert "Ann One" in page.get_data(as_text=True)
    response = post_action(chair_client, 1, "assign", c["ann"])
    assert response.status_code == 303
    assert response.headers["Location"] == "/organizer/reviews/submissions/1/assign"
    assert pairs(app) == {(c["ann"], c["s1"])}
    again = post_action(chair_client, 1, "assign", c["ann"])
    assert again.status_code == 422
    assert "already assigned" in again.get_data(as_text=True)
    assert post_action(chair_client, 1, "unassign", c["ann"]).status_code == 303
    assert pairs(app) == set()
    assert [d for _, d in events(app, "assignment_added")] == [
        "ann@one.test assigned to FP20-001 (by hand)"
    ]
    assert len(events(app, "assignment_removed")) == 1


def test_by_hand_conflicted_reviewer_is_refused(app, chair_client, committee):
    declare_conflict(app, committee["bob"], committee["s2"], "co-author")
    response = post_action(chair_client, 2, "assign", committee["bob"])
    assert response.status_code == 422
    assert "is in conflict with FP20-002" in response.get_data(as_text=True)
    assert pairs(app) == set()


def test_by_hand_refuses_unknown_reviewer_and_chair(app, chair_client, committee):
    assert post_action(chair_client, 1, "assign", 9999).status_code == 422
    assert post_action(chair_client, 1, "assign", 1).status_code == 422  # the chair
    assert post_action(chair_client, 1, "dance", committee["ann"]).status_code == 422
    assert pairs(app) == set()


def test_by_hand_withdrawn_submission_is_refused(app, chair_client, committee):
    from fastpath.cfp.models import SubmissionStatus

    add_submission(app, "Gone", authors=AUTHORS, status=SubmissionStatus.WITHDRAWN)
    response = post_action(chair_client, 3, "assign", committee["ann"])
    assert response.status_code == 422
    assert "withdrawn" in response.get_data(as_text=True)


def test_unassign_with_submitted_review_asks_then_keeps_it_in_the_audit(
    app, chair_client, committee
):
    c = committee
    assign(app, c["ann"], c["s1"])
    add_review(app, c["ann"], c["s1"], merit=2, for_authors="Needs work.")
    ask = post_action(chair_client, 1, "unassign", c["ann"])
    assert ask.status_code == 200
    page = ask.get_data(as_text=True)
    assert "has submitted a review of FP20-001" in page
    assert 'name="confirm" value="1"' in page
    assert pairs(app) == {(c["ann"], c["s1"])}
    done = post_action(chair_client, 1, "unassign", c["ann"], confirm="1")
    assert done.status_code == 303
    assert pairs(app) == set()
    with app.app_context():
        assert db.session.scalars(db.select(Review)).all() == []
    [(target, details)] = events(app, "assignment_removed")
    assert target == f"submission:{c['s1']}"
    assert '"overall_merit": 2' in details
    assert '"comments_for_authors": "Needs work."' in details


def test_unassign_with_draft_deletes_it_and_says_so(app, chair_client, committee):
    assign(app, committee["ann"], committee["s1"])
    add_review(app, committee["ann"], committee["s1"], submitted=False)
    assert post_action(chair_client, 1, "unassign", committee["ann"]).status_code == 303
    [(_, details)] = events(app, "assignment_removed")
    assert "draft review was deleted" in details


def test_set_conflict_removes_the_assignment(app, chair_client, committee):
    c = committee
    assign(app, c["bob"], c["s1"])
    response = post_action(chair_client, 1, "conflict", c["bob"], reason="same group")
    assert response.status_code == 303
    assert pairs(app) == set()
    with app.app_context():
        [row] = db.session.scalars(db.select(Conflict)).all()
        assert (row.kind, row.reason, row.set_by_id) == (ConflictKind.DECLARED, "same group", 1)
    [(_, details)] = events(app, "conflict_set")
    assert details == (
        "conflict of bob@two.test with FP20-001 set (same group); the assignment was removed"
    )


def test_set_conflict_refused_with_a_submitted_review(app, chair_client, committee):
    assign(app, committee["bob"], committee["s1"])
    add_review(app, committee["bob"], committee["s1"])
    response = post_action(chair_client, 1, "conflict", committee["bob"], reason="x")
    assert response.status_code == 422
    assert "remove the assignment first" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(db.select(Conflict)).all() == []
    assert len(pairs(app)) == 1


def test_set_conflict_reason_too_long_keeps_the_input(app, chair_client, committee):
    response = post_action(chair_client, 1, "conflict", committee["bob"], reason="y" * 501)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Use at most 500 characters." in page
    assert 'value="' + "y" * 501 + '"' in page


def test_clear_suggested_conflict_makes_the_reviewer_assignable(app, chair_client):
    colleague = make_reviewer(app, "kim@lab.test", name="Kim", affiliation="Lab")
    sid = add_submission(app, "Ours", authors=[("Lee", "lee@lab.test", "Elsewhere")])
    page = chair_client.get("/organizer/reviews/submissions/1/assign").get_data(as_text=True)
    assert "suggested: same email domain as an author (lab.test)" in page
    assert post_action(chair_client, 1, "assign", colleague).status_code == 422
    assert post_action(chair_client, 1, "clear", colleague).status_code == 303
    with app.app_context():
        [row] = db.session.scalars(db.select(Conflict)).all()
        assert row.kind == ConflictKind.CLEARED
    assert post_action(chair_client, 1, "assign", colleague).status_code == 303
    assert pairs(app) == {(colleague, sid)}
    assert len(events(app, "conflict_cleared")) == 1


def test_clear_declared_conflict_deletes_the_row(app, chair_client, committee):
    declare_conflict(app, committee["ann"], committee["s1"])
    assert post_action(chair_client, 1, "clear", committee["ann"]).status_code == 303
    with app.app_context():
        assert db.session.scalars(db.select(Conflict)).all() == []
    assert post_action(chair_client, 1, "clear", committee["ann"]).status_code == 422


def test_unknown_submission_is_404(chair_client, committee):
    assert chair_client.get("/organizer/reviews/submissions/99/assign").status_code == 404
    assert chair_client.get("/organizer/reviews/submissions/99999999999/assign").status_code == 404


def test_reviewer_gets_404_on_assignment_pages(app, reviewer_client, reviewer_id, committee):
    urls = [
        ("get", "/organizer/reviews/assign"),
        ("post", "/organizer/reviews/assign"),
        ("get", "/organizer/reviews/submissions/1/assign"),
        ("post", "/organizer/reviews/submissions/1/assign"),
        ("post", "/organizer/reviews/assignments/notify"),
    ]
    data = {"action": "assign", "reviewer_id": str(reviewer_id), "per_submission": "1"}
    statuses = [
        getattr(reviewer_client, method)(url, data=data).status_code for method, url in urls
    ]
    assert statuses == [404] * len(urls)
    assert pairs(app) == set()


def test_signed_out_is_sent_to_sign_in(client, committee):
    response = client.get("/organizer/reviews/assign")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/organizer/login")
