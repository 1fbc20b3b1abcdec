"""Inviting reviewers: the mail through a real SMTP server, the one-time link, its expiry after
7 days of real time, the password rules, and addresses that have an account already."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from fastpath.core.extensions import db
from fastpath.mail.delivery import deliver_pending
from fastpath.organizer.models import Organizer, OrganizerRole
from fastpath.reviews.models import ReviewerInvitation
from tests.helpers.organizers import audit_actions, make_organizer, sign_in
from tests.helpers.reviews import make_reviewer

NEW_PASSWORD = "a committee member's passphrase"
LINK = re.compile(r"https?://\S+(/organizer/reviews/invitation/[A-Za-z0-9_-]+)")


@pytest.fixture
def mail_chair(mail_app):
    make_organizer(mail_app)
    client = mail_app.test_client()
    assert sign_in(client).status_code == 302
    return client


def invite(client, name="Barbara Liskov", email="barbara@mit.test", affiliation="MIT"):
    return client.post(
        "/organizer/reviews/reviewers/invite",
        data={"name": name, "email": email, "affiliation": affiliation},
    )


def invitations(app) -> list[tuple[str, str, bool]]:
    with app.app_context():
        rows = db.session.scalars(db.select(ReviewerInvitation).order_by(ReviewerInvitation.id))
        return [(r.email, r.name, r.used_at is not None) for r in rows]


def accept(client, path, password=NEW_PASSWORD, repeat=None):
    return client.post(
        path, data={"password": password, "repeat_password": password if repeat is None else repeat}
    )


def test_invitation_mail_arrives_and_its_link_works_once(mail_app, mail_chair, smtp):
    response = invite(mail_chair, email="  Barbara@MIT.test ")

    assert response.status_code == 303
    assert response.location == "/organizer/reviews/reviewers"
    assert invitations(mail_app) == [("barbara@mit.test", "Barbara Liskov", False)]
    with mail_app.app_context():
        assert deliver_pending() == 1
    [mail] = smtp.recorder.wait_for(1)
    assert mail.envelope_to == ["barbara@mit.test"]
    assert mail.subject == "[FastPath 2020] Invitation to the program committee"
    text = mail.text.replace("\r\n", "\n")
    assert text.startswith("Dear Barbara Liskov,\n\nchair@fastpath.test invites you")
    path = LINK.search(text).group(1)
    assert path in mail.html
    with mail_app.app_context():
        expires = db.session.scalar(db.select(ReviewerInvitation.expires_at))
    assert f"until {expires.replace(tzinfo=UTC):%Y-%m-%d %H:%M} UTC" in text

    newcomer = mail_app.test_client()
    page = newcomer.get(path)
    assert page.status_code == 200
    assert "Welcome, <bdi>Barbara Liskov</bdi>" in page.get_data(as_text=True)
    done = accept(newcomer, path)
    assert done.status_code == 303
    assert done.location == "/organizer/reviews/"
    assert newcomer.get("/organizer/reviews/").status_code == 200
    assert newcomer.get("/organizer/submissions").status_code == 404  # a reviewer, not a chair
    with mail_app.app_context():
        account = db.session.scalar(
            db.select(Organizer).where(Organizer.email == "barbara@mit.test")
        )
        assert (account.role, account.name, account.affiliation) == (
            OrganizerRole.REVIEWER,
            "Barbara Liskov",
            "MIT",
        )
    assert invitations(mail_app) == [("barbara@mit.test", "Barbara Liskov", True)]
    actions = [a for a, _who, _target in audit_actions(mail_app)]
    assert actions.count("reviewer_invited") == 1
    assert actions.count("invitation_accepted") == 1

    # The same link again: refused, and no second account.
    again = mail_app.test_client()
    assert again.get(path).status_code == 404
    replay = accept(again, path, password="another long passphrase")
    assert replay.status_code == 404
    assert "expired or was used" in replay.get_data(as_text=True)
    assert sign_in(mail_app.test_client(), "barbara@mit.test", NEW_PASSWORD).status_code == 302


def _token_path(app, chair) -> str:
    """Invite through the page and read the link back from the outbox mail."""
    from fastpath.mail.models import OutboxMail

    assert invite(chair).status_code == 303
    with app.app_context():
        body = db.session.scalars(
            db.select(OutboxMail.body_text).order_by(OutboxMail.id.desc())
        ).first()
    return LINK.search(body).group(1)


def test_invitation_expires_after_seven_days(app, chair_client):
    path = _token_path(app, chair_client)
    with app.app_context():
        row = db.session.scalar(db.select(ReviewerInvitation))
        created = row.created_at.replace(tzinfo=UTC)
        assert row.expires_at.replace(tzinfo=UTC) - created == timedelta(days=7)
        # Real time, not the site's pinned clock: made moments ago.
        assert abs(datetime.now(UTC) - created) < timedelta(minutes=5)
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()

    newcomer = app.test_client()
    page = newcomer.get(path)
    assert page.status_code == 404
    assert "This invitation link has expired or was used" in page.get_data(as_text=True)
    assert accept(newcomer, path).status_code == 404
    with app.app_context():
        assert (
            db.session.scalar(db.select(Organizer).where(Organizer.email == "barbara@mit.test"))
            is None
        )


def test_invitation_unknown_token_is_the_plain_404(app, client):
    # As every private link: a link never issued says nothing (the expired one above, held by
    # the person it was sent to, says what happened).
    plain = client.get("/no-such-page").get_data(as_text=True)
    response = client.get("/organizer/reviews/invitation/not-a-real-token")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "This invitation link has expired or was used" not in body
    assert body.split("<main", 1)[1] == plain.split("<main", 1)[1]
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert client.post("/organizer/reviews/invitation/x", data={}).status_code == 404


def test_invitation_password_rules_keep_the_link_usable(app, chair_client):
    path = _token_path(app, chair_client)
    newcomer = app.test_client()

    short = accept(newcomer, path, password="too short")
    differ = accept(newcomer, path, repeat="a different long passphrase")

    assert short.status_code == 422
    assert "Use between 12 and 1024 characters." in short.get_data(as_text=True)
    assert differ.status_code == 422
    assert "The two entries differ." in differ.get_data(as_text=True)
    assert invitations(app) == [("barbara@mit.test", "Barbara Liskov", False)]
    assert accept(newcomer, path).status_code == 303


def test_invitation_to_existing_account_is_refused(app, chair_client):
    make_reviewer(app, "grace@reviewers.test", name="Grace Hopper")

    as_reviewer = invite(chair_client, name="Grace", email="GRACE@reviewers.test")
    as_chair = invite(chair_client, name="Chair", email="chair@fastpath.test")

    assert as_reviewer.status_code == 422
    assert "grace@reviewers.test has an account already (a reviewer); nothing was sent." in (
        as_reviewer.get_data(as_text=True)
    )
    assert as_chair.status_code == 422
    assert "(a chair)" in as_chair.get_data(as_text=True)
    assert 'value="Grace"' in as_reviewer.get_data(as_text=True)  # input kept
    assert invitations(app) == []


def test_invitation_form_errors_are_shown_next_to_fields(app, chair_client):
    response = invite(chair_client, name="", email="not an address")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter the reviewer&#39;s name." in page
    assert 'class="error-summary"' in page
    assert invitations(app) == []


def test_second_invitation_supersedes_the_first(app, chair_client):
    first = _token_path(app, chair_client)
    second = _token_path(app, chair_client)

    assert first != second
    assert app.test_client().get(first).status_code == 404
    assert accept(app.test_client(), first).status_code == 404
    assert accept(app.test_client(), second).status_code == 303
    page = chair_client.get("/organizer/reviews/reviewers").get_data(as_text=True)
    assert "barbara@mit.test" in page  # now in the progress table


def test_reviewers_page_offers_the_program_committee(app, chair_client):
    with app.app_context():
        from fastpath.content import current_workshop

        committee = current_workshop().program_committee
    page = chair_client.get("/organizer/reviews/reviewers").get_data(as_text=True)
    assert committee, "the content file lists a program committee"
    for person in committee:
        assert f'name="name" value="{person.name}"' in page


def test_reviewer_cannot_invite(app, reviewer_client):
    assert invite(reviewer_client).status_code == 404
    assert reviewer_client.get("/organizer/reviews/reviewers").status_code == 404
    assert invitations(app) == []


@pytest.mark.app_config(RATELIMIT_ENABLED=True, ORGANIZER_SIGN_IN_LIMIT="2 per minute")
def test_invitation_posts_are_rate_limited(mail_app, mail_chair):
    path = _token_path(mail_app, mail_chair)
    guesser = mail_app.test_client()

    statuses = [accept(guesser, path, password="short").status_code for _ in range(3)]

    assert statuses == [422, 422, 429]
    assert "Too many attempts" in accept(guesser, path).get_data(as_text=True)
    assert invitations(mail_app) == [("barbara@mit.test", "Barbara Liskov", False)]
