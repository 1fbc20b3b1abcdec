"""The access-rule matrix: one reviewer R against every committee URL, for each reason a
submission is hidden from them.

    S1  assigned to R, clean                      R may see it
    S2  assigned to R, conflict declared          hidden
    S3  assigned to R, conflict suggested (an author at R's email domain)   hidden
    S4  assigned to R, withdrawn                  hidden
    S5  not assigned, clean                       R may see it (bids)

For R, every URL about S2, S3 or S4 answers exactly as the same URL about a submission that
does not exist (999): the same status and the same bytes. S2-S4 never appear (title words,
reference, authors) on a page R can open, in a search, in the ZIP of R's papers, or in a mail
R receives. Every chair URL answers 404 to R. A chair sees all five.

URLs this module relies on that other parts of issue 14 add (until those are merged, the
tests that need them fail; the "hidden" cases pass because every unknown URL is a 404):
  reviewer pages (views.py):  /organizer/reviews/submissions/<n>,
      /organizer/reviews/submissions/<n>/paper.pdf,
      POST /organizer/reviews/submissions/<n>/review,
      POST /organizer/reviews/submissions/<n>/comments,
      /organizer/reviews/papers.zip, /organizer/reviews/bids?q=..., /organizer/reviews/conflicts
  chair pages (chair_views.py, assignment_views.py, organizer exports):
      /organizer/export/reviews.csv, /organizer/export/assignments.csv,
      /organizer/reviews/table, /organizer/reviews/reviewers, /organizer/reviews/assign,
      /organizer/reviews/submissions/<n>/assign, /organizer/reviews/reminders
  command: flask --app app review digest (the discussion digest mail)
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from fastpath.cfp.models import SubmissionStatus
from fastpath.core.extensions import db
from fastpath.mail.delivery import deliver_pending
from fastpath.mail.models import OutboxMail
from fastpath.organizer.models import Organizer
from fastpath.reviews import access
from fastpath.reviews.models import Assignment, DiscussionComment, Review
from tests.helpers.organizers import add_submission, make_organizer, sign_in
from tests.helpers.reviews import REVIEWER_PASSWORD, assign, declare_conflict, make_reviewer

R_EMAIL = "grace@reviewers.test"
MISSING = 999

# Each submission's title has one word found nowhere else, to search for and to look for.
SUBMISSIONS = {
    "S1": ("Kaleidoscope roofline for tensor cores", ("Tove Lind", "tove@kth.se", "KTH")),
    "S2": ("Quokka sparse attention kernels", ("Zebedee Quill", "zeb@example.org", "Quill Lab")),
    "S3": (
        "Marmoset pipeline parallelism",
        ("Lin Marlow", "lin@lab.reviewers.test", "Marlow Institute"),
    ),
    "S4": ("Narwhal quantized inference", ("Otto Brandt", "otto@tum.de", "TU München")),
    "S5": ("Wombat cache study", ("Ines Faro", "ines@ulisboa.pt", "Universidade de Lisboa")),
}
HIDDEN = ("S2", "S3", "S4")
WHY_HIDDEN = {"S2": "declared-conflict", "S3": "suggested-conflict", "S4": "withdrawn"}


@dataclass
class World:
    app: Flask
    chair: FlaskClient
    reviewer: FlaskClient
    reviewer_id: int
    ids: dict[str, int]  # S1 → submission id
    numbers: dict[str, int]  # S1 → submission number

    def markers(self, key: str) -> list[str]:
        """What would give a submission away on a page: its unique title word, its title,
        its reference and its author's name and address."""
        title, (name, email, _affiliation) = SUBMISSIONS[key]
        return [title.split()[0], title, f"FP20-{self.numbers[key]:03d}", name, email]


def build(app: Flask) -> World:
    make_organizer(app)
    chair = app.test_client()
    assert sign_in(chair).status_code == 302
    reviewer_id = make_reviewer(app, R_EMAIL, name="Grace Hopper", affiliation="Yale University")
    ids = {}
    for key, (title, author) in SUBMISSIONS.items():
        status = SubmissionStatus.WITHDRAWN if key == "S4" else SubmissionStatus.SUBMITTED
        ids[key] = add_submission(app, title, authors=[author], status=status)
    for key in ("S1", "S2", "S3", "S4"):
        assign(app, reviewer_id, ids[key])
    declare_conflict(app, reviewer_id, ids["S2"], "co-author last year")
    reviewer = app.test_client()
    assert sign_in(reviewer, R_EMAIL, REVIEWER_PASSWORD).status_code == 302
    numbers = {key: number for number, key in enumerate(SUBMISSIONS, start=1)}
    return World(app, chair, reviewer, reviewer_id, ids, numbers)


@pytest.fixture
def world(app: Flask) -> World:
    return build(app)


def page_text(response) -> str:
    return response.get_data(as_text=True)


def body_without_address(response, path: str) -> bytes:
    """The body with the requested address taken out: every page names its own address (the
    og:url line), which is all that may differ between two 404s."""
    return response.data.replace(path.encode(), b"<address>")


def leaks(world: World, text: str) -> dict[str, list[str]]:
    """The hidden submissions' markers found in a text (empty: nothing given away)."""
    found = {key: [m for m in world.markers(key) if m in text] for key in HIDDEN}
    return {key: markers for key, markers in found.items() if markers}


def test_setup_hides_exactly_s2_s3_s4_from_the_reviewer(world: World):
    with world.app.app_context():
        person = db.session.get(Organizer, world.reviewer_id)
        assert access.conflicted_ids(person) == {world.ids["S2"], world.ids["S3"]}
        assert access.visible_ids(person) == {world.ids["S1"], world.ids["S5"]}
        assert [a.submission_id for a in access.assignments_of(person)] == [world.ids["S1"]]


# --- Every reviewer URL about a hidden submission answers as about a missing one -----------

REVIEW_POST = {
    "overall_merit": "4",
    "expertise": "3",
    "comments_for_authors": "Fine work.",
    "comments_for_committee": "Accept.",
    "version": "1",
    "action": "submit",
}
REVIEWER_URLS = [
    ("GET", "/organizer/reviews/submissions/{n}", None),
    ("GET", "/organizer/reviews/submissions/{n}/paper.pdf", None),
    ("POST", "/organizer/reviews/submissions/{n}/review", REVIEW_POST),
    ("POST", "/organizer/reviews/submissions/{n}/comments", {"body": "A leak test comment."}),
]


def request(client: FlaskClient, method: str, url: str, data: dict | None):
    response = client.get(url) if method == "GET" else client.post(url, data=data)
    response.get_data()  # read a streamed file to its end, then let it go
    response.close()
    return response


@pytest.mark.parametrize(
    ("method", "template", "data"),
    REVIEWER_URLS,
    ids=[f"{m} {t.removeprefix('/organizer/reviews')}" for m, t, _ in REVIEWER_URLS],
)
@pytest.mark.parametrize("key", HIDDEN, ids=[f"{k}-{WHY_HIDDEN[k]}" for k in HIDDEN])
def test_hidden_submission_answers_like_a_missing_one(world: World, key, method, template, data):
    hidden_path = template.format(n=world.numbers[key])
    missing_path = template.format(n=MISSING)
    hidden = request(world.reviewer, method, hidden_path, data)
    missing = request(world.reviewer, method, missing_path, data)

    assert hidden.status_code == missing.status_code == 404
    assert body_without_address(hidden, hidden_path) == body_without_address(missing, missing_path)
    assert hidden.headers.get("Content-Type") == missing.headers.get("Content-Type")
    with world.app.app_context():
        assert db.session.scalar(db.select(db.func.count(Review.id))) == 0
        assert db.session.scalar(db.select(db.func.count(DiscussionComment.id))) == 0


@pytest.mark.parametrize(
    ("method", "template", "data"),
    REVIEWER_URLS,
    ids=[f"{m} {t.removeprefix('/organizer/reviews')}" for m, t, _ in REVIEWER_URLS],
)
def test_assigned_clean_submission_is_not_a_404(world: World, method, template, data):
    # The control: the same URL about S1 exists for R (otherwise the 404s above prove nothing).
    response = request(world.reviewer, method, template.format(n=world.numbers["S1"]), data)

    assert response.status_code != 404
    assert response.status_code < 500


# --- Pages R can open never show S2, S3, S4 ---------------------------------------------------

SEARCH_WORDS = [SUBMISSIONS[key][0].split()[0] for key in HIDDEN]
REVIEWER_PAGES = [
    "/organizer/reviews/",
    "/organizer/reviews/bids",
    "/organizer/reviews/conflicts",
    *[f"/organizer/reviews/bids?q={word}" for word in SEARCH_WORDS],
    *[f"/organizer/reviews/bids?q={word.lower()}" for word in SEARCH_WORDS],
]


@pytest.mark.parametrize("url", REVIEWER_PAGES)
def test_reviewer_page_never_shows_hidden_submissions(world: World, url):
    response = world.reviewer.get(url)
    text = page_text(response)
    query = url.partition("?q=")[2]
    if query:
        # The search box shows back what was typed; that the word was typed gives nothing away
        # (the title, reference and authors below must still be absent).
        text = text.replace(f'value="{query}"', "").replace(f"“{query}”", "")

    assert response.status_code == 200
    assert leaks(world, text) == {}


def test_reviewer_home_lists_the_assigned_clean_submission(world: World):
    text = page_text(world.reviewer.get("/organizer/reviews/"))

    assert SUBMISSIONS["S1"][0] in text
    assert SUBMISSIONS["S5"][0] not in text  # not assigned


def test_bids_list_and_search_show_the_visible_submissions(world: World):
    listing = page_text(world.reviewer.get("/organizer/reviews/bids"))
    found = page_text(world.reviewer.get("/organizer/reviews/bids?q=Wombat"))

    assert SUBMISSIONS["S1"][0] in listing and SUBMISSIONS["S5"][0] in listing
    assert SUBMISSIONS["S5"][0] in found and SUBMISSIONS["S1"][0] not in found


def test_papers_zip_holds_only_the_assigned_clean_pdf(world: World):
    response = world.reviewer.get("/organizer/reviews/papers.zip")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        names = archive.namelist()
    assert len(names) == 1
    assert "FP20-001" in names[0]
    assert leaks(world, "\n".join(names)) == {}


# --- Chair URLs answer 404 to R ---------------------------------------------------------------

CHAIR_GETS = [
    "/organizer/submissions/{S1}",
    "/organizer/submissions/{S2}",
    "/organizer/submissions/{S1}/pdf",
    "/organizer/submissions/{S3}/pdf",
    "/organizer/export/reviews.csv",
    "/organizer/export/assignments.csv",
    "/organizer/export/submissions.csv",
    "/organizer/reviews/table",
    "/organizer/reviews/reviewers",
    "/organizer/reviews/assign",
    "/organizer/reviews/submissions/{n1}/assign",
    "/organizer/reviews/submissions/{n2}/assign",
    "/organizer/reviews/reminders",
]
CHAIR_POSTS = [
    "/organizer/reviews/assign",
    "/organizer/reviews/submissions/{n5}/assign",
    "/organizer/reviews/reminders",
]


def chair_url(world: World, template: str) -> str:
    values = {key: world.ids[key] for key in SUBMISSIONS}
    values |= {f"n{key[1]}": world.numbers[key] for key in SUBMISSIONS}
    return template.format(**values)


@pytest.mark.parametrize("template", CHAIR_GETS)
def test_chair_url_answers_404_to_the_reviewer(world: World, template):
    path = chair_url(world, template)
    response = world.reviewer.get(path)
    nothing = world.reviewer.get("/organizer/no-such-page")

    assert response.status_code == 404
    assert body_without_address(response, path) == body_without_address(
        nothing, "/organizer/no-such-page"
    )


@pytest.mark.parametrize("template", CHAIR_POSTS)
def test_chair_action_refused_to_the_reviewer_changes_nothing(world: World, template):
    data = {"reviewer_id": str(world.reviewer_id), "per_submission": "3", "confirm": "1"}
    response = world.reviewer.post(chair_url(world, template), data=data)

    # 404 when the route takes POSTs; 405 (equally silent) if it is a GET-only page.
    assert response.status_code in (404, 405)
    with world.app.app_context():
        assigned = db.session.scalars(db.select(Assignment.submission_id)).all()
        assert sorted(assigned) == sorted(world.ids[k] for k in ("S1", "S2", "S3", "S4"))
        assert db.session.scalar(db.select(db.func.count(OutboxMail.id))) == 0


# --- A chair sees all five --------------------------------------------------------------------


@pytest.mark.parametrize("key", list(SUBMISSIONS))
def test_chair_sees_every_submission(world: World, key):
    number = world.numbers[key]
    review_page = request(world.chair, "GET", f"/organizer/reviews/submissions/{number}", None)
    pdf = request(world.chair, "GET", f"/organizer/reviews/submissions/{number}/paper.pdf", None)
    desk_page = world.chair.get(f"/organizer/submissions/{world.ids[key]}")

    assert (review_page.status_code, pdf.status_code, desk_page.status_code) == (200, 200, 200)
    assert SUBMISSIONS[key][0] in page_text(review_page)
    assert pdf.data.startswith(b"%PDF-")


# --- Mail R receives never mentions S2, S3, S4 ------------------------------------------------


def test_discussion_digest_to_the_reviewer_leaves_out_hidden_submissions(mail_app, smtp):
    world = build(mail_app)
    for key in ("S1", "S2", "S3", "S4"):
        response = world.chair.post(
            f"/organizer/reviews/submissions/{world.numbers[key]}/comments",
            data={"body": f"Chair's note on {SUBMISSIONS[key][0].split()[0]}, comment-{key}."},
        )
        assert response.status_code == 303

    result = mail_app.test_cli_runner().invoke(args=["review", "digest"])
    assert result.exit_code == 0, result.output
    with mail_app.app_context():
        deliver_pending()
    received = smtp.recorder.to(R_EMAIL)

    assert received, "the reviewer got no digest (S1's comment should be in one)"
    everything = "\n".join(f"{m.subject}\n{m.text}\n{m.html}" for m in received)
    assert "comment-S1" in everything
    assert re.findall(r"comment-S\d", everything) == ["comment-S1"] * len(
        re.findall(r"comment-S\d", everything)
    )
    assert leaks(world, everything) == {}
