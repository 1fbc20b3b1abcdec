"""File sizes are written for people ("2 KB", "1.4 MB"), by one filter, wherever they show."""

from __future__ import annotations

import re

import pytest

from fastpath.cfp.models import Submission
from fastpath.core.extensions import db
from tests.helpers.organizers import add_submission, make_organizer, sign_in


@pytest.mark.parametrize(
    ("size", "shown"),
    [(2048, "2 KB"), (2000, "2 KB"), (45, "1 KB"), (1_468_006, "1.4 MB"), (10 * 1048576, "10 MB")],
)
def test_submission_detail_shows_the_pdf_size_for_people(app, client, size, shown):
    make_organizer(app)
    submission_id = add_submission(app)
    with app.app_context():
        db.session.get(Submission, submission_id).pdf_size = size
        db.session.commit()
    assert sign_in(client).status_code == 302

    page = client.get(f"/organizer/submissions/{submission_id}").get_data(as_text=True)

    assert re.search(rf"3 pages, {re.escape(shown)}, SHA-256", page), shown
    assert "0.0 MB" not in page


def test_size_limits_use_the_same_filter(app, client):
    with app.app_context():
        limit = app.extensions["workshop"].submission.max_file_bytes
        expected = app.jinja_env.filters["file_size"](limit)

    assert re.fullmatch(r"\d+ MB", expected)
    assert f"at most {expected}." in client.get("/call-for-papers").get_data(as_text=True)
