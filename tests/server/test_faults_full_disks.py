"""The upload storage or the database's disk full or read-only: posts are refused with a 503
and the reason, nothing is half-saved, and the site recovers when the fault clears.

The faults mount small tmpfs filesystems (root only: skipped otherwise, with the reason);
every mount is undone in a `finally`."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from fastpath.cfp.models import Submission
from fastpath.core.extensions import db
from fastpath.registration.models import Registration
from tests.conftest import make_app
from tests.helpers.faults import (
    DATABASE_REASON,
    STORAGE_REASON,
    assert_unavailable,
    files_in,
    fill,
    release_database,
    remount,
    tmpfs,
)
from tests.helpers.forms import (
    TWO_PAGES,
    Upload,
    latest_token,
    post,
    registration_fields,
    snapshot,
    submission_fields,
)
from tests.helpers.pdfs import pdf_bytes


def submissions(app: Flask) -> list[tuple[int, str, str]]:
    with app.app_context():
        rows = db.session.execute(
            db.select(Submission.id, Submission.title, Submission.pdf_stored_name)
        ).all()
        db.session.rollback()
        return [tuple(row) for row in rows]


@pytest.mark.parametrize("fault", ["full", "read-only"])
def test_upload_storage_fault_refuses_the_submission_then_recovers(tmp_path, fault):
    uploads = tmp_path / "uploads"
    with tmpfs(uploads, "256k"):
        app = make_app(tmp_path, UPLOAD_DIR=str(uploads))
        client = app.test_client()
        fields = submission_fields()
        before = snapshot(app)
        filler = fill(uploads) if fault == "full" else None
        if fault == "read-only":
            remount(uploads, "ro")

        refused = post(client, "/submit", fields, files=True)

        assert_unavailable(refused, STORAGE_REASON)
        assert snapshot(app) == before  # no row, no mail
        assert files_in(uploads) == ({"filler"} if filler else set())  # no stray temp file

        if filler:
            filler.unlink()
        else:
            remount(uploads, "rw")
        accepted = post(client, "/submit", fields, files=True)

        assert (accepted.status_code, accepted.location) == (303, "/submit/thanks")
        [(_, _, stored_name)] = submissions(app)
        assert files_in(uploads) == {stored_name}
        assert (uploads / stored_name).read_bytes() == TWO_PAGES


def _registration_count(app: Flask) -> int:
    with app.app_context():
        count = db.session.scalar(db.select(db.func.count()).select_from(Registration))
        db.session.rollback()
        return count


def _edit_with_a_new_title_and_pdf() -> list:
    """The edit form of a submission (version 1): a new title and a new PDF."""
    return [
        *[
            (name, value)
            for name, value in submission_fields(title="Edited")
            if name not in ("form_nonce", "consent", "pdf")
        ],
        ("version", "1"),
        ("pdf", Upload("new.pdf", "application/pdf", pdf_bytes(3))),
    ]


@pytest.mark.sqlite_only
@pytest.mark.parametrize("fault", ["disk full", "read-only"])
def test_database_fault_refuses_posts_then_recovers(tmp_path, fault):
    instance, uploads = tmp_path / "instance", tmp_path / "uploads"
    releases: list[Callable[[], None]] = []
    with tmpfs(instance, "8m", before_unmount=releases):
        # The database on the small filesystem; uploads elsewhere, so a submission's PDF is
        # stored before the database refuses (and must not stay behind).
        app = make_app(tmp_path, UPLOAD_DIR=str(uploads))
        releases.append(lambda: release_database(app))
        client = app.test_client()
        first = submission_fields(email="alan@example.org", title="Stored before the fault")
        assert post(client, "/submit", first, files=True).status_code == 303
        token = latest_token(app, "submission")
        [(submission_id, _, first_pdf)] = submissions(app)
        registration = registration_fields()
        submission = submission_fields()
        edit = _edit_with_a_new_title_and_pdf()
        before = snapshot(app)

        if fault == "disk full":
            filler = fill(instance)
        else:
            release_database(app)
            remount(instance, "ro")
        refused = [
            post(client, "/register", registration),
            post(client, "/submit", submission, files=True),
            post(client, f"/submission/{token}/edit", edit, files=True),
        ]

        for response in refused:
            assert_unavailable(response, DATABASE_REASON)
        # The refused submit and edit come back filled in, their PDFs kept for sending again
        # where the database could still be read (issue 18 item 14); kept files are bounded
        # and purged, never a submission's.
        kept_for_forms = files_in(uploads) - {first_pdf}
        assert len(kept_for_forms) == (2 if fault == "disk full" else 0)

        if fault == "disk full":
            filler.unlink()
        else:
            remount(instance, "rw")
        assert snapshot(app) == before  # nothing of the refused posts was saved

        assert post(client, "/register", registration).location == "/register/thanks"
        assert post(client, "/submit", submission, files=True).location == "/submit/thanks"
        edited = post(client, f"/submission/{token}/edit", edit, files=True)
        assert edited.location == f"/submission/{token}"

        assert _registration_count(app) == 1
        rows = sorted(submissions(app))
        assert [title for _, title, _ in rows] == ["Edited", submission_fields()[1][1]]
        assert rows[0][0] == submission_id
        assert files_in(uploads) - kept_for_forms == {name for _, _, name in rows}
        with app.app_context():
            assert db.session.execute(db.text("PRAGMA integrity_check")).scalar() == "ok"
            db.session.rollback()
