"""A submission's private link: what it shows, its PDF, and what it allows after the deadline
and after a decision."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fastpath.cfp import services
from fastpath.cfp.models import Submission, SubmissionStatus
from fastpath.core.extensions import db
from fastpath.web.downloads import private_download
from tests.helpers.submissions import (
    AFTER,
    TWO_PAGES,
    all_submissions,
    edit_data,
    set_now,
    submit_and_get_link,
    submit_ok,
    text_of,
)


@pytest.mark.parametrize("token", ["nope", "A" * 43, "x" * 5000])
def test_private_link_unknown_token_is_a_plain_404(app, client, token):
    submit_ok(client)
    response = client.get(f"/submission/{token}")
    assert response.status_code == 404
    assert "Page not found" in text_of(response)


def test_private_link_shows_submission_status_and_actions(app, client):
    path = submit_and_get_link(app, client)
    response = client.get(path)
    html = text_of(response)
    assert response.status_code == 200
    assert "Submission FP20-001" in html
    assert "Status: <strong>Submitted</strong>" in html
    assert f'href="{path}/edit"' in html
    assert f'href="{path}/withdraw"' in html
    assert "Grace Hopper" in html and "One author may present remotely." in html
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in html


def test_private_link_serves_the_pdf_as_an_attachment(app, client):
    path = submit_and_get_link(app, client)
    with client.get(f"{path}/pdf") as response:
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Disposition"] == "attachment; filename=FP20-001.pdf"
        assert response.get_data() == TWO_PAGES
    assert client.get("/submission/nope/pdf").status_code == 404
    assert (
        client.get("/static/uploads/" + all_submissions(app)[0].pdf_stored_name).status_code == 404
    )


def test_pdf_response_serves_organizers_too(app, client):
    submit_ok(client)
    with app.test_request_context():
        submission = db.session.scalars(db.select(Submission)).one()
        download = services.pdf_download(submission)
        response = private_download(download.path, download.download_name, download.mimetype)
        response.direct_passthrough = False
        assert response.get_data() == TWO_PAGES
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        response.close()


def test_private_link_is_read_only_after_the_deadline(app, client):
    path = submit_and_get_link(app, client)
    html = text_of(client.get(f"{path}/edit"))
    set_now(app, AFTER)

    page = text_of(client.get(path))
    assert "Submissions closed." in page and "can no longer be changed" in page
    assert f'href="{path}/edit"' not in page and f'href="{path}/withdraw"' not in page
    assert client.get(f"{path}/edit").status_code == 303
    assert client.get(f"{path}/withdraw").status_code == 303
    assert client.post(f"{path}/withdraw").status_code == 303

    late = client.post(
        f"{path}/edit", data=edit_data(html, title="Too late"), content_type="multipart/form-data"
    )
    late_html = text_of(late)
    assert late.status_code == 422
    assert "These changes arrived after the deadline" in late_html
    assert 'value="Too late"' in late_html
    [row] = all_submissions(app)
    assert (row.title, row.status) == (
        "Tail latency of recommendation inference on shared GPUs",
        SubmissionStatus.SUBMITTED,
    )
    with client.get(f"{path}/pdf") as download:
        assert download.status_code == 200


def test_private_link_shows_a_decision_only_once_the_authors_were_told(app, client):
    path = submit_and_get_link(app, client)
    with app.app_context():
        submission = db.session.scalars(db.select(Submission)).one()
        submission.status = SubmissionStatus.ACCEPTED
        submission.decided_at = datetime(2020, 3, 1, tzinfo=UTC)
        db.session.commit()
    html = text_of(client.get(path))
    assert "Status: <strong>Submitted</strong>" in html
    assert "accepted" not in html.lower()
    assert client.get(f"{path}/edit").status_code == 303
    assert "accepted" not in text_of(client.get(path)).lower()
    with app.app_context():
        submission = db.session.scalars(db.select(Submission)).one()
        submission.decision_notified_at = datetime(2020, 3, 2, tzinfo=UTC)
        db.session.commit()
    assert "Status: <strong>Accepted</strong>" in text_of(client.get(path))
