"""The committee review in a real browser, end to end: a chair invites a reviewer (the mail
arrives at a real SMTP server), the reviewer sets a password from the link, bids, is
assigned automatically (the assignment mail lists the papers), writes a draft and submits
the review; the chair sees it in the table and accepts the paper with the comments for the
authors, and the author's mail carries those comments and nothing of the committee's.
Every page on the way passes axe (WCAG 2.1 AA), logs no console error and fits the window;
the reviewer's pages also fit a phone. The database is used only to set up the submissions
and to check what the pages did."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from fastpath.cfp.models import Submission
from fastpath.core.extensions import db
from fastpath.mail.delivery import deliver_pending
from fastpath.organizer.models import Organizer, OrganizerRole
from fastpath.reviews.models import Assignment, Bid, BidPreference, Review, ReviewStatus
from tests.conftest import make_app, start_live_server
from tests.e2e.conftest import PHONE
from tests.helpers.organizers import EMAIL, PASSWORD, add_submission, make_organizer

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

GRACE = "grace@navy-research.test"
GRACE_PASSWORD = "compilers are for people too"
AUTHOR_TEXT = "AUTHOR-VISIBLE TEXT: the evaluation convinces."
COMMITTEE_TEXT = "COMMITTEE-ONLY TEXT: I know the group."
ROOFLINE = "Roofline models for transformer inference"
LOADERS = "Profiling data loaders"
FPGA = "FPGA kernels, fast"

axe = Axe()


@pytest.fixture
def site(tmp_path, smtp):
    # CSRF on: every form the browser posts must carry its token, as in production.
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True, **smtp.app_config())
    make_organizer(app)
    add_submission(
        app,
        ROOFLINE,
        authors=[("Anna Müller", "anna@uni-zurich.test", "ETH Zürich")],
        topics=("accelerators",),
        abstract="We model attention kernels with rooflines.",
    )
    add_submission(
        app,
        LOADERS,
        authors=[("Bob Byte", "bob@corp-labs.test", "Corp Labs")],
        topics=("memory-io",),
        abstract="Data loaders are slow; we measure why.",
    )
    add_submission(
        app,
        FPGA,
        authors=[("Carol Gate", "carol@fpga-works.test", "FPGA Works")],
        topics=("accelerators", "co-design"),
        abstract="Kernels on FPGAs, compiled fast.",
    )
    server = start_live_server(app)
    # Links in mail point at this server, as they would at the public address.
    app.config["PUBLIC_BASE_URL"] = server.url
    yield server
    server.stop()
    with app.app_context():
        db.engine.dispose()


def assert_clean(page) -> None:
    """No console error, no horizontal overflow, no axe WCAG 2.1 AA violation."""
    assert page.console.errors == [], page.url
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} overflows by {overflow} px"
    results = axe.run(page, options=WCAG_21_AA)
    violations = [
        f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in results.response["violations"]
    ]
    assert violations == [], page.url
    assert results.response["passes"], "axe checked nothing"


def deliver(site) -> None:
    with site.app.app_context():
        deliver_pending()


def sign_in(page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/organizer/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def link_in(text: str, base: str, path_start: str) -> str:
    """The one link in a mail's text that starts with base + path_start, as a path."""
    links = [u for u in re.findall(r"https?://\S+", text) if u.startswith(base + path_start)]
    assert len(links) == 1, links
    return urlsplit(links[0]).path


def flash(page):
    return page.locator(".flash, [role=status]").first


def test_chair_invites_reviewer_reviews_and_chair_decides_with_comments(site, page_factory, smtp):
    base = site.url
    chair = page_factory()

    # 2. The chair invites Grace from the Reviewers page.
    sign_in(chair, base, EMAIL, PASSWORD)
    expect(chair).to_have_url(f"{base}/organizer/")
    chair.get_by_role("navigation", name="Organizers").get_by_role("link", name="Reviewers").click()
    expect(chair).to_have_url(f"{base}/organizer/reviews/reviewers")
    expect(chair.get_by_role("heading", level=1)).to_have_text("Reviewers")
    assert_clean(chair)
    invite = chair.locator("form[action$='/reviewers/invite'].narrow-form")
    invite.get_by_label("Name").fill("Grace Hopper")
    invite.get_by_label("Email").fill(GRACE)
    invite.get_by_label("Affiliation").fill("Yale University")
    invite.get_by_role("button", name="Send the invitation").click()
    expect(chair).to_have_url(f"{base}/organizer/reviews/reviewers")
    expect(flash(chair)).to_contain_text(f"Invitation mailed to {GRACE}.")
    expect(chair.get_by_role("table", name="Invitations not used yet")).to_contain_text(GRACE)

    deliver(site)
    (invitation,) = smtp.recorder.wait_for(1)
    assert invitation.envelope_to == [GRACE]
    assert invitation.subject == "[FastPath 2020] Invitation to the program committee"
    assert "Dear Grace Hopper," in invitation.text
    link = link_in(invitation.text, base, "/organizer/reviews/invitation/")

    # 3. Grace, in her own browser, opens the link and chooses a password.
    grace = page_factory()
    grace.goto(base + link)
    expect(grace.get_by_role("heading", level=1)).to_have_text("Join the program committee")
    expect(grace.get_by_text("Welcome, Grace Hopper.")).to_be_visible()
    assert_clean(grace)
    grace.get_by_label(re.compile(r"^Password(?! again)")).fill(GRACE_PASSWORD)
    grace.get_by_label("Password again").fill(GRACE_PASSWORD)
    grace.get_by_role("button", name="Create my account").click()
    expect(grace).to_have_url(f"{base}/organizer/reviews/")
    expect(flash(grace)).to_contain_text("Welcome to the program committee.")
    expect(grace.get_by_role("heading", level=1)).to_have_text("Your reviews")
    expect(grace.get_by_text("Nothing is assigned to you yet.")).to_be_visible()
    assert_clean(grace)
    with site.app.app_context():
        account = db.session.scalar(db.select(Organizer).where(Organizer.email == GRACE))
        assert (account.role, account.name, account.affiliation) == (
            OrganizerRole.REVIEWER,
            "Grace Hopper",
            "Yale University",
        )
        grace_id = account.id
    # A reviewer's account is refused the chairs' pages, as if they did not exist.
    for path in ("/organizer/reviews/table", "/organizer/reviews/reviewers"):
        assert grace.request.get(base + path).status == 404, path
    # The link worked once.
    used = page_factory()
    used.goto(base + link)
    expect(used.get_by_role("heading", level=1)).to_have_text("This invitation cannot be used")

    # 4. Grace bids eager on the data loaders paper.
    grace.get_by_role("link", name="bid on the submissions").click()
    expect(grace).to_have_url(f"{base}/organizer/reviews/bids")
    expect(grace.locator("section.bid-item")).to_have_count(3)
    assert_clean(grace)
    loaders = grace.locator("section.bid-item", has_text=LOADERS)
    loaders.get_by_label("Eager").check()
    loaders.get_by_role("button", name="Save bid").click()
    expect(grace).to_have_url(f"{base}/organizer/reviews/bids#s2")
    expect(flash(grace)).to_contain_text("Your bid on FP20-002 is saved.")
    expect(grace.locator("section#s2").get_by_label("Eager")).to_be_checked()
    with site.app.app_context():
        bids = db.session.execute(
            db.select(Submission.number, Bid.preference)
            .join(Submission, Submission.id == Bid.submission_id)
            .where(Bid.reviewer_id == grace_id)
        ).all()
    assert [tuple(b) for b in bids] == [(2, BidPreference.EAGER)]

    # 5. The chair assigns automatically, one reviewer per submission: preview, then save.
    chair.get_by_role("navigation", name="Organizers").get_by_role("link", name="Reviews").click()
    chair.get_by_role("link", name="Assign reviewers automatically").click()
    chair.get_by_label("Reviewers per submission").fill("1")
    chair.get_by_role("button", name="Show the preview").click()
    expect(chair).to_have_url(f"{base}/organizer/reviews/assign?per_submission=1")
    expect(chair.get_by_role("heading", level=2)).to_have_text("Preview: 3 new assignments")
    new = chair.get_by_role("table", name="New assignments by submission")
    expect(new.locator("tbody tr")).to_have_count(3)
    expect(new.locator("tbody tr", has_text=LOADERS)).to_contain_text("eager")
    with site.app.app_context():
        assert db.session.scalar(db.select(db.func.count(Assignment.id))) == 0  # a preview
    assert_clean(chair)
    chair.get_by_role("button", name="Save 3 assignments and mail the reviewers").click()
    expect(flash(chair)).to_contain_text("3 assignments saved")
    deliver(site)
    smtp.recorder.wait_for(2)
    (assigned_mail,) = [m for m in smtp.recorder.to(GRACE) if m is not invitation]
    assert assigned_mail.subject == "[FastPath 2020] 3 new submissions to review"
    for number, title in ((1, ROOFLINE), (2, LOADERS), (3, FPGA)):
        assert f"FP20-00{number}: {title}" in assigned_mail.text
        assert f"{base}/organizer/reviews/submissions/{number}" in assigned_mail.text

    # 6. Grace reviews the data loaders paper: a draft first, then she submits.
    grace.goto(f"{base}/organizer/reviews/")
    assignments = grace.get_by_role("table", name="Your assignments")
    expect(assignments.locator("tbody tr")).to_have_count(3)
    expect(assignments.locator("tbody tr", has_text=LOADERS)).to_contain_text("not started")
    assert_clean(grace)
    grace.get_by_role("link", name=LOADERS).click()
    expect(grace).to_have_url(f"{base}/organizer/reviews/submissions/2")
    expect(grace.get_by_role("heading", level=1)).to_have_text(f"FP20-002: {LOADERS}")
    assert_clean(grace)
    review = grace.locator("#your-review")
    review.get_by_role("group", name=re.compile("^Overall merit")).get_by_label(
        "4: Weak accept"
    ).check()
    review.get_by_label("Comments for the authors").fill(AUTHOR_TEXT)
    review.get_by_label("Comments for the committee only").fill(COMMITTEE_TEXT)
    review.get_by_role("button", name="Save draft").click()
    expect(flash(grace)).to_contain_text("Your draft review of FP20-002 is saved.")
    expect(review.locator("h2 .badge")).to_have_text("draft")
    # The draft keeps what she typed.
    expect(review.get_by_label("Comments for the authors")).to_have_value(AUTHOR_TEXT)
    expect(review.get_by_label("4: Weak accept")).to_be_checked()
    review.get_by_role("group", name=re.compile("^Reviewer expertise")).get_by_label(
        "3: Knowledgeable"
    ).check()
    review.get_by_role("button", name="Submit review").click()
    expect(flash(grace)).to_contain_text("Your review of FP20-002 is submitted.")
    expect(review.locator("h2 .badge")).to_have_text("submitted")
    assert_clean(grace)
    with site.app.app_context():
        stored = db.session.scalar(db.select(Review).where(Review.reviewer_id == grace_id))
        assert stored.status == ReviewStatus.SUBMITTED
        assert stored.scores == {"overall_merit": 4, "expertise": 3}
        assert stored.texts == {
            "comments_for_authors": AUTHOR_TEXT,
            "comments_for_committee": COMMITTEE_TEXT,
        }

    # 9 (phone). Grace signs in on a phone: her home and the review page fit 360 px.
    phone = page_factory(PHONE)
    sign_in(phone, base, GRACE, GRACE_PASSWORD)
    expect(phone).to_have_url(f"{base}/organizer/reviews/")
    expect(
        phone.get_by_role("table", name="Your assignments").locator("tbody tr", has_text=LOADERS)
    ).to_contain_text("submitted")
    assert_clean(phone)
    phone.goto(f"{base}/organizer/reviews/submissions/2")
    expect(phone.locator("#your-review h2 .badge")).to_have_text("submitted")
    assert_clean(phone)

    # 7. The chair's table: Grace's scores, done 1 / 1; accept with the comments for authors.
    chair.goto(f"{base}/organizer/reviews/table")
    row = chair.locator("table.review-table tbody tr", has_text=LOADERS)
    expect(row.locator("td").nth(2)).to_have_text("Grace Hopper: 4 / 3")
    expect(row.locator("td").nth(3)).to_have_text("4.00")
    expect(row.locator("td").nth(6)).to_have_text("1 / 1")
    expect(
        chair.locator("table.review-table tbody tr", has_text=ROOFLINE).locator("td").nth(6)
    ).to_have_text("0 / 1")
    assert_clean(chair)
    chair.get_by_label("Choose FP20-002").check()
    chair.get_by_label("Include the reviewers' comments for the authors").check()
    chair.get_by_role("button", name="Accept…").click()
    expect(chair.get_by_role("heading", level=1)).to_have_text("Accept 1 submission?")
    expect(chair.get_by_text("To bob@corp-labs.test")).to_be_visible()
    body = chair.locator(".mail-body")
    expect(body).to_contain_text("Dear Bob Byte,")
    expect(body).to_contain_text(AUTHOR_TEXT)
    expect(body).not_to_contain_text("COMMITTEE-ONLY TEXT")
    expect(chair.locator("main")).not_to_contain_text("COMMITTEE-ONLY TEXT")
    assert smtp.recorder.to("bob@corp-labs.test") == []  # nothing sent by the preview
    assert_clean(chair)
    chair.get_by_role("button", name="Accept and send 1 mail").click()
    expect(flash(chair)).to_contain_text("Accepted: FP20-002. 1 mail queued.")
    with site.app.app_context():
        assert db.session.scalar(db.select(Submission.status).where(Submission.number == 2)) == (
            "accepted"
        )

    # 8. Bob's decision mail: the comments for the authors, nothing of the committee's.
    deliver(site)
    smtp.recorder.wait_for(3)
    (decision,) = smtp.recorder.to("bob@corp-labs.test")
    assert decision.subject == "[FastPath 2020] Submission FP20-002 accepted"
    text = decision.text.replace("\r\n", "\n")
    assert f"== Review 1 ==\nComments for the authors:\n{AUTHOR_TEXT}\n" in text
    assert AUTHOR_TEXT in decision.html
    for leak in ("COMMITTEE-ONLY TEXT", "Grace", GRACE, "Hopper", "Weak accept"):
        assert leak not in text and leak not in decision.html, leak
    assert len(smtp.recorder.received) == 3  # invitation, assignments, decision
