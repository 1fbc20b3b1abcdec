"""One token and nonce scheme (core/tokens), and cfp services that answer with data or the
feature's own errors, never with a response."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastpath.cfp import services
from fastpath.cfp.models import Submission
from fastpath.core.extensions import db
from fastpath.core.tokens import (
    TOKEN_MAX_CHARS,
    looks_like_nonce,
    looks_like_token,
    new_nonce,
    new_token,
)
from tests.helpers.forms import post, submission_fields


def test_new_nonce_has_the_shape_it_is_checked_for():
    nonce = new_nonce()
    assert len(nonce) == 43
    assert looks_like_nonce(nonce)


def test_looks_like_nonce_accepts_older_pages_and_refuses_hand_made_posts():
    assert looks_like_nonce("a" * 24)  # what registration pages carried before
    assert not looks_like_nonce("a" * 15)
    assert not looks_like_nonce("a" * 65)
    assert not looks_like_nonce("not a nonce at all!!")
    assert not looks_like_nonce(None)


def test_looks_like_token_bounds_what_is_hashed():
    token, _ = new_token()
    assert looks_like_token(token)
    assert looks_like_token("x" * TOKEN_MAX_CHARS)
    assert not looks_like_token("x" * (TOKEN_MAX_CHARS + 1))
    assert not looks_like_token("")


def submit_ok(client, nonce: str | None = None) -> None:
    response = post(client, "/submit", submission_fields(nonce=nonce), files=True)
    assert response.status_code == 303


def _only_submission() -> Submission:
    return db.session.scalars(db.select(Submission)).one()


def test_pdf_download_names_the_stored_file(app, client):
    submit_ok(client)
    with app.test_request_context():
        submission = _only_submission()
        download = services.pdf_download(submission)
        assert download.path == Path(app.config["UPLOAD_DIR"]) / submission.pdf_stored_name
        assert download.download_name == f"{submission.reference}.pdf"
        assert download.mimetype == "application/pdf"


def test_pdf_download_when_the_file_is_gone_raises_pdf_missing(app, client):
    submit_ok(client)
    with app.test_request_context():
        submission = _only_submission()
        services.upload_path(submission.pdf_stored_name).unlink()
        with pytest.raises(services.PdfMissing):
            services.pdf_download(submission)


def test_submit_form_with_the_honeypot_filled_raises_looks_automated(app):
    with app.test_request_context():
        post = services.SubmissionPost(None, None, nonce=new_nonce(), spam=True)
        with pytest.raises(services.LooksAutomated):
            services.submit_form(post, "192.0.2.1")


def test_submit_form_with_errors_raises_entry_invalid(app):
    with app.test_request_context():
        with pytest.raises(services.EntryInvalid):
            services.submit_form(services.SubmissionPost(None, None, nonce=new_nonce()), "x")


def test_submit_form_sent_twice_raises_already_submitted_before_its_errors(app, client):
    submit_ok(client, nonce="q" * 43)
    with app.test_request_context():
        post = services.SubmissionPost(None, None, nonce="q" * 43)
        with pytest.raises(services.AlreadySubmitted) as raised:
            services.submit_form(post, "x")
        assert raised.value.submission.id == _only_submission().id


def test_save_edit_from_an_older_version_raises_edit_conflict(app, client):
    submit_ok(client)
    with app.test_request_context():
        submission = _only_submission()
        entry = services.SubmissionEntry(
            title="T",
            abstract="A",
            note="",
            authors=(services.AuthorEntry("N", "n@example.org", "U"),),
            contact_index=0,
            topics=(),
        )
        post = services.SubmissionPost(entry, None, version=submission.version - 1)
        with pytest.raises(services.EditConflict) as raised:
            services.save_edit(submission, post, "token", "x")
        assert raised.value.version == submission.version
