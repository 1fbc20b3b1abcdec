"""The reviewer's ZIP of their papers: only assigned, visible ones, streamed."""

from __future__ import annotations

import io
import random
import types
import zipfile
from pathlib import Path

from flask import Flask

from fastpath.cfp.models import SubmissionStatus
from fastpath.core.extensions import db
from fastpath.organizer.models import Organizer
from fastpath.reviews import services
from tests.helpers.organizers import add_submission
from tests.helpers.reviews import assign, declare_conflict

AUTHORS = [("Bo Yu", "bo@kth.se", "KTH")]


def test_zip_holds_assigned_visible_pdfs(app: Flask, reviewer_client, reviewer_id):
    first = add_submission(app, "First", authors=AUTHORS)
    add_submission(app, "Not assigned", authors=AUTHORS)
    conflicted = add_submission(app, "Conflicted", authors=AUTHORS)
    withdrawn = add_submission(app, "Gone", authors=AUTHORS, status=SubmissionStatus.WITHDRAWN)
    fifth = add_submission(app, "Fifth", authors=AUTHORS)
    for paper in (first, conflicted, withdrawn, fifth):
        assign(app, reviewer_id, paper)
    declare_conflict(app, reviewer_id, conflicted)
    response = reviewer_client.get("/organizer/reviews/papers.zip")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Content-Type"] == "application/zip"
    assert (
        response.headers["Content-Disposition"] == 'attachment; filename="FastPath2020-papers.zip"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    assert archive.namelist() == ["FP20-001.pdf", "FP20-005.pdf"]
    assert archive.testzip() is None
    assert archive.read("FP20-001.pdf").startswith(b"%PDF-1.4")


def test_zip_empty_when_nothing_assigned(app: Flask, reviewer_client, reviewer_id):
    add_submission(app, "First", authors=AUTHORS)
    response = reviewer_client.get("/organizer/reviews/papers.zip")
    assert zipfile.ZipFile(io.BytesIO(response.get_data())).namelist() == []


def test_zip_streams_chunk_by_chunk(app: Flask, reviewer_id):
    big = b"%PDF-1.4\n" + random.Random(14).randbytes(1 << 20)  # 1 MiB deflate cannot shrink
    papers = []
    for title in ("One", "Two", "Three"):
        paper = add_submission(app, title, authors=AUTHORS)
        assign(app, reviewer_id, paper)
        papers.append(paper)
    with app.app_context():
        from fastpath.cfp.models import Submission
        from fastpath.cfp.services import upload_path

        for paper in papers:
            Path(upload_path(db.session.get(Submission, paper).pdf_stored_name)).write_bytes(big)
        person = db.session.get(Organizer, reviewer_id)
        stream = services.assigned_pdfs_zip(person)
        assert isinstance(stream, types.GeneratorType)
        chunks = [chunk for chunk in stream if chunk]
    # Never more than about one read buffer at a time, not the whole ZIP.
    assert len(chunks) > 10
    assert max(len(chunk) for chunk in chunks) < 3 * services.CHUNK
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    assert archive.read("FP20-002.pdf") == big
