"""Slides: a PDF up to slides_max_file_bytes (50 MB), more than the site's 12 MB body limit;
a larger body is answered with the materials page and a clear message, not a bare 413."""

from __future__ import annotations

import io

import pytest

from tests.helpers.accepted import AFTER_NOTIFICATION
from tests.helpers.forms import Upload, multipart
from tests.helpers.mail import outbox
from tests.helpers.pdfs import pdf_bytes, png_bytes
from tests.materials.helpers import (
    SLIDES,
    event_kinds,
    materials_files,
    materials_row,
    page_url,
    post_slides,
    text_of,
)

pytestmark = pytest.mark.app_config(NOW=AFTER_NOTIFICATION)
MB = 1024 * 1024


def post_big_slides(client, token: str, data: bytes):
    """A multipart post built in memory (the test client would spool it to a file that it
    never closes when the app refuses the body unread)."""
    content_type, body = multipart(
        [("version", "1"), ("slides", Upload("talk.pdf", "application/pdf", data))]
    )
    return client.post(
        page_url(token, "/slides"),
        input_stream=io.BytesIO(body),
        content_length=len(body),
        content_type=content_type,
    )


def test_slides_are_stored_recorded_and_confirmed(app, client, accepted):
    submission_id, token = accepted
    assert post_slides(client, token).status_code == 303
    row = materials_row(app, submission_id)
    assert (row.slides_filename, row.slides_pages, row.slides_size) == ("talk.pdf", 12, len(SLIDES))
    assert [p.name for p in materials_files(app)] == [row.slides_stored_name]
    assert event_kinds(app, submission_id)[-1] == "slides_uploaded"
    [mail] = outbox(app)
    assert mail.recipients == "ada@example.org"
    assert "Slides: talk.pdf (12 pages, " in mail.body_text
    download = client.get(page_url(token, "/slides.pdf"))
    sent = download.data
    download.close()
    assert sent == SLIDES


def test_slides_bigger_than_the_sites_body_limit_but_within_theirs_are_taken(app, client, accepted):
    submission_id, token = accepted
    data = pdf_bytes(2) + b"%" * (20 * MB)  # over MAX_CONTENT_LENGTH (12 MB), under 50 MB
    assert post_big_slides(client, token, data).status_code == 303
    assert materials_row(app, submission_id).slides_size == len(data)


def test_slides_over_50_mb_in_a_body_within_the_limit_are_refused_by_size(app, client, accepted):
    submission_id, token = accepted
    response = post_big_slides(client, token, pdf_bytes(2) + b"%" * (50 * MB + MB // 2))
    assert response.status_code == 422
    assert "The file is 50.5 MB; the limit is 50 MB." in text_of(response)
    assert materials_row(app, submission_id) is None
    assert materials_files(app) == []


def test_slides_far_over_50_mb_get_the_page_with_a_clear_message(app, client, accepted):
    submission_id, token = accepted
    response = post_big_slides(client, token, pdf_bytes(2) + b"%" * (60 * MB))
    assert response.status_code == 413
    page = text_of(response)
    assert "The slides you chose are too large: the limit is 50 MB. Nothing was saved." in page
    assert "<h1>Final materials for FP20-001</h1>" in page
    assert materials_row(app, submission_id) is None
    assert materials_files(app) == []


def test_other_posts_keep_the_sites_body_limit(app, client, accepted):
    _submission_id, token = accepted
    content_type, body = multipart([("version", "1"), ("bio", "x" * (13 * MB))])
    response = client.post(
        page_url(token, "/details"),
        input_stream=io.BytesIO(body),
        content_length=len(body),
        content_type=content_type,
    )
    assert response.status_code == 413


def test_slides_that_are_no_pdf_are_refused(app, client, accepted):
    submission_id, token = accepted
    response = post_slides(client, token, png_bytes(), filename="talk.pdf")
    assert response.status_code == 422
    assert "This file is not a PDF (it is a PNG image). Export your slides as PDF" in text_of(
        response
    )
    assert 'id="slides-error"' in text_of(response)
    assert materials_row(app, submission_id) is None


def test_replacing_slides_keeps_one_file(app, client, accepted):
    submission_id, token = accepted
    assert post_slides(client, token).status_code == 303
    assert post_slides(client, token, pdf_bytes(3), version="2").status_code == 303
    row = materials_row(app, submission_id)
    assert [p.name for p in materials_files(app)] == [row.slides_stored_name]
    assert row.slides_pages == 3
