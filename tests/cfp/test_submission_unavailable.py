"""A submission form posted while the database is locked or the storage is full comes back
filled in with a 503 (issue 18 item 14)."""

from __future__ import annotations

import re

import pytest

from fastpath.cfp.models import Submission
from fastpath.core.extensions import db
from tests.helpers.faults import files_in, fill, locked, release_database, tmpfs
from tests.helpers.forms import Upload, latest_token, post, submission_fields
from tests.helpers.pdfs import pdf_bytes

TITLE = "Tail latency of recommendation inference on shared GPUs"


def kept_ref(html: str) -> str:
    return re.search(r'name="pdf_upload" type="hidden" value="([^"]+)"', html).group(1)


def titles(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(db.select(Submission.title)))


@pytest.mark.sqlite_only
@pytest.mark.app_config(SQLITE_BUSY_TIMEOUT_MS=100)
def test_unavailable_locked_database_shows_the_form_again(app, client):
    fields = submission_fields()
    with locked(app):
        refused = post(client, "/submit", fields, files=True)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 503
    assert "Our database is not accepting changes at the moment." in html
    assert f'value="{TITLE}"' in html and 'value="grace@example.org"' in html
    assert titles(app) == []
    assert post(client, "/submit", fields, files=True).location == "/submit/thanks"
    assert titles(app) == [TITLE]


@pytest.mark.sqlite_only
def test_unavailable_full_database_shows_the_edit_form_again_with_the_pdf(tmp_path):
    from tests.conftest import make_app

    instance = tmp_path / "instance"
    releases = []
    with tmpfs(instance, "8m", before_unmount=releases):
        app = make_app(tmp_path, UPLOAD_DIR=str(tmp_path / "uploads"))
        releases.append(lambda: release_database(app))
        client = app.test_client()
        assert post(client, "/submit", submission_fields(), files=True).status_code == 303
        token = latest_token(app, "submission")
        fields = [
            *[(n, v) for n, v in submission_fields(title="Edited") if n not in ("consent", "pdf")],
            ("version", "1"),
        ]
        filler = fill(instance)
        new_pdf = ("pdf", Upload("new.pdf", "application/pdf", pdf_bytes(3)))
        refused = post(client, f"/submission/{token}/edit", [*fields, new_pdf], files=True)
        html = refused.get_data(as_text=True)
        assert refused.status_code == 503
        assert 'value="Edited"' in html and "You chose new.pdf (3 pages" in html
        filler.unlink()
        again = [*fields, ("pdf_upload", kept_ref(html))]
        assert post(client, f"/submission/{token}/edit", again, files=True).status_code == 303
        with app.app_context():
            [row] = db.session.scalars(db.select(Submission)).all()
            assert (row.title, row.pdf_filename, row.pdf_pages) == ("Edited", "new.pdf", 3)


def test_unavailable_full_storage_shows_the_form_again(tmp_path):
    from tests.conftest import make_app

    uploads = tmp_path / "uploads"
    with tmpfs(uploads, "256k"):
        app = make_app(tmp_path, UPLOAD_DIR=str(uploads))
        fill(uploads)
        refused = post(app.test_client(), "/submit", submission_fields(), files=True)
        html = refused.get_data(as_text=True)
        assert refused.status_code == 503
        assert "Our file storage is full or not writable at the moment." in html
        assert "choose the PDF again" in html and f'value="{TITLE}"' in html
        assert files_in(uploads) == {"filler"}
        assert titles(app) == []
