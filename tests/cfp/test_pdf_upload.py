"""The PDF upload: what is refused and why, its size limits, and the checked PDF kept when
the form is shown again."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from tests.helpers.pdfs import corrupt_pdf_bytes, pdf_bytes, png_bytes
from tests.helpers.submissions import (
    KEPT,
    TWO_PAGES,
    all_submissions,
    assert_refused_and_kept,
    hidden_value,
    post_big_submit,
    post_submit,
    stored_files,
    submission_data,
    submit_ok,
    text_of,
)


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (png_bytes(), "abstract.pdf", "This file is not a PDF (it is a PNG image)."),
        (b"", "empty.pdf", "The file is empty."),
        (pdf_bytes(3, password="secret"), "locked.pdf", "The PDF is encrypted"),
        (corrupt_pdf_bytes(), "broken.pdf", "The PDF could not be read"),
        (pdf_bytes(1), "short.pdf", "The PDF has 1 page; an extended abstract has 2 to 4 pages."),
        (pdf_bytes(9), "long.pdf", "The PDF has 9 pages; an extended abstract has 2 to 4 pages."),
    ],
    ids=["png", "empty", "encrypted", "corrupt", "1-page", "9-pages"],
)
def test_submit_bad_pdf_is_refused_with_reason_and_not_stored(
    app, client, content, filename, message
):
    data = submission_data(pdf=None)
    data["pdf"] = (io.BytesIO(content), filename, "application/pdf")
    response = post_submit(client, data)
    html = assert_refused_and_kept(app, response, message, KEPT)
    assert 'id="pdf-error"' in html
    assert stored_files(app) == []
    assert hidden_value(html, "pdf_upload") == ""


@pytest.mark.parametrize("pages", [2, 4])
def test_submit_accepts_pdf_of_two_to_four_pages(app, client, pages):
    content = pdf_bytes(pages)
    submit_ok(client, pdf=content)
    [row] = all_submissions(app)
    assert row.pdf_pages == pages
    assert (Path(app.config["UPLOAD_DIR"]) / row.pdf_stored_name).read_bytes() == content


def test_submit_pdf_over_the_size_limit_is_refused(app, client):
    # Under the 12 MB request limit, over the content file's 10 MB: the form says so.
    content = b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024 + 1)
    response = post_big_submit(client, submission_data(pdf=content))
    assert_refused_and_kept(app, response, "The file is 10 MB; the limit is 10 MB.", KEPT)


def test_submit_30_mb_upload_gets_the_friendly_too_large_page(app, client):
    content = b"%PDF-1.7\n" + b"0" * (30 * 1024 * 1024)
    response = post_big_submit(client, submission_data(pdf=content))
    html = text_of(response)
    assert response.status_code == 413
    assert "That upload is too large" in html
    assert "Nothing was saved." in html
    assert '<a class="skip-link"' in html  # the site's own page, not a raw error
    assert all_submissions(app) == []
    assert stored_files(app) == []


def test_uploaded_file_name_is_kept_only_as_a_harmless_display_name(app, client):
    data = submission_data(pdf=None)
    data["pdf"] = (io.BytesIO(TWO_PAGES), "../../dir/evil <script>\t.pdf", "application/pdf")
    response = post_submit(client, data)
    assert response.status_code == 303
    [row] = all_submissions(app)
    assert row.pdf_filename == "evil <script> .pdf"
    assert "evil &lt;script&gt; .pdf" in text_of(client.get("/submit/thanks"))
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", row.pdf_stored_name)


def test_invalid_form_keeps_the_checked_pdf_for_the_next_post(app, client):
    content = pdf_bytes(3)
    first = post_submit(client, submission_data(pdf=content, title=""))
    html = text_of(first)
    assert first.status_code == 422
    assert "You chose tail-latency.pdf (3 pages, 1 KB), which is kept" in html
    ref = hidden_value(html, "pdf_upload")
    assert ref

    second = post_submit(client, submission_data(pdf=None, pdf_upload=ref))
    assert second.status_code == 303
    [row] = all_submissions(app)
    assert (row.pdf_filename, row.pdf_pages) == ("tail-latency.pdf", 3)
    assert [p.read_bytes() for p in stored_files(app)] == [content]


def test_tampered_pdf_reference_counts_as_no_pdf(app, client):
    response = post_submit(client, submission_data(pdf=None, pdf_upload="x" * 60))
    assert_refused_and_kept(app, response, "Choose your extended abstract as a PDF file.")


def test_pdf_reference_of_a_submitted_pdf_cannot_be_used_again(app, client):
    first = post_submit(client, submission_data(pdf=pdf_bytes(2), title=""))
    ref = hidden_value(text_of(first), "pdf_upload")
    submit_ok(client, pdf=None, pdf_upload=ref, form_nonce="c" * 43)
    again = post_submit(client, submission_data(pdf=None, pdf_upload=ref, form_nonce="d" * 43))
    assert again.status_code == 422
    assert "Choose your extended abstract as a PDF file." in text_of(again)
    assert len(all_submissions(app)) == 1
