"""The organizers' view of materials: the overview (what is in, what is missing, the files),
the submission page, the submissions list's one-line summary (one query for a whole page)
and the materials CSV export."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from fastpath.cfp.models import SubmissionStatus
from fastpath.core.extensions import db
from tests.helpers.accepted import AFTER_NOTIFICATION, add_accepted
from tests.helpers.organizers import download
from tests.materials.helpers import (
    FINAL,
    SLIDES,
    author_ids,
    post_details,
    post_final,
    post_slides,
    text_of,
)

pytestmark = pytest.mark.app_config(NOW=AFTER_NOTIFICATION)


@pytest.fixture
def handed_in(app, client) -> dict[str, int]:
    """FP20-001 with final version, slides and details; FP20-002 with nothing; FP20-003
    rejected."""
    complete_id, token = add_accepted(app, "Complete paper")
    _ada, grace = author_ids(app, complete_id)
    assert post_final(client, token).status_code == 303
    assert post_slides(client, token, version="2").status_code == 303
    response = post_details(
        client,
        token,
        presenter=grace,
        bio="Grace builds compilers.",
        video_url="https://video.example.org/t/1",
        version="3",
    )
    assert response.status_code == 303
    empty_id, _ = add_accepted(app, "Empty paper")
    rejected_id, _ = add_accepted(app, "Rejected paper", status=SubmissionStatus.REJECTED)
    return {"complete": complete_id, "empty": empty_id, "rejected": rejected_id}


def test_overview_shows_what_is_in_and_missing_with_links_to_the_files(
    app, chair_client, handed_in
):
    response = chair_client.get("/organizer/materials/")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = text_of(response)
    complete, empty = handed_in["complete"], handed_in["empty"]
    assert f'href="/organizer/materials/{complete}/final.pdf"' in page
    assert f'href="/organizer/materials/{complete}/slides.pdf"' in page
    assert "https://video.example.org/t/1" in page
    assert "Grace Hopper" in page
    assert "final version, slides, presenter, speaker bio" in page  # FP20-002's missing
    assert f'action="/organizer/materials/{empty}/reopen"' in page
    assert "Rejected paper" not in page
    assert "Reminder… (1 to remind)" in page

    final = chair_client.get(f"/organizer/materials/{complete}/final.pdf")
    sent = final.data
    final.close()
    assert (final.status_code, sent) == (200, FINAL)
    slides = chair_client.get(f"/organizer/materials/{complete}/slides.pdf")
    sent = slides.data
    slides.close()
    assert sent == SLIDES
    assert chair_client.get(f"/organizer/materials/{empty}/final.pdf").status_code == 404
    rejected = handed_in["rejected"]
    assert chair_client.get(f"/organizer/materials/{rejected}/final.pdf").status_code == 404


def test_overview_is_for_chairs_only(app, client, handed_in):
    response = client.get("/organizer/materials/")
    assert response.status_code == 302
    assert response.location.startswith("/organizer/login")


def test_organizer_submission_page_shows_the_materials(app, chair_client, handed_in):
    page = text_of(chair_client.get(f"/organizer/submissions/{handed_in['complete']}"))
    assert '<h2 id="materials">Final materials</h2>' in page
    assert "Everything is in." in page
    assert "FP20-001-final.pdf" in page and "FP20-001-slides.pdf" in page
    assert "Grace builds compilers." in page
    empty = text_of(chair_client.get(f"/organizer/submissions/{handed_in['empty']}"))
    assert "0 of 4 in; missing: final version, slides, presenter, speaker bio." in empty
    rejected = text_of(chair_client.get(f"/organizer/submissions/{handed_in['rejected']}"))
    assert "Final materials" not in rejected


def test_submissions_list_shows_a_materials_summary_in_one_query(app, chair_client, handed_in):
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def remember(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", remember)
    try:
        page = text_of(chair_client.get("/organizer/submissions"))
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    assert page.count("materials: 4 of 4 in") == 1
    assert page.count("materials: 0 of 4 in") == 1
    assert page.count("materials: ") == 2  # not for the rejected one
    assert sum("FROM final_materials" in sql for sql in statements) == 1


def test_materials_csv_parses_back_with_one_row_per_accepted_submission(
    app, chair_client, handed_in
):
    header, rows, _data = download(chair_client, "/organizer/export/materials.csv")
    assert header == [
        "Submission",
        "Title",
        "Presenter",
        "Presenter affiliation",
        "Final version",
        "Final version pages",
        "Final version uploaded at",
        "Slides",
        "Slides uploaded at",
        "Video link",
        "Bio",
        "Consent to publish",
        "Missing",
        "Final version link",
        "Slides link",
    ]
    complete, empty = rows
    assert complete == {
        "Submission": "FP20-001",
        "Title": "Complete paper",
        "Presenter": "Grace Hopper",
        "Presenter affiliation": "Yale University",
        "Final version": "yes",
        "Final version pages": "3",
        "Final version uploaded at": "2020-03-10T12:00:00+00:00",
        "Slides": "yes",
        "Slides uploaded at": "2020-03-10T12:00:00+00:00",
        "Video link": "https://video.example.org/t/1",
        "Bio": "yes",
        "Consent to publish": "yes",
        "Missing": "",
        "Final version link": f"http://fastpath.test/organizer/materials/{handed_in['complete']}/final.pdf",
        "Slides link": f"http://fastpath.test/organizer/materials/{handed_in['complete']}/slides.pdf",
    }
    assert empty["Submission"] == "FP20-002"
    assert (empty["Final version"], empty["Bio"], empty["Final version link"]) == ("no", "no", "")
    assert empty["Missing"] == "final version; slides; presenter; speaker bio"


def test_materials_csv_cells_are_formula_safe(app, client, chair_client):
    submission_id, token = add_accepted(app, '=HYPERLINK("http://evil.example")')
    ada, _grace = author_ids(app, submission_id)
    assert post_details(client, token, presenter=ada, bio="@bio").status_code == 303
    _header, [row], _data = download(chair_client, "/organizer/export/materials.csv")
    assert row["Title"] == '\'=HYPERLINK("http://evil.example")'
