"""The final version: a PDF in the materials' page range, checked like the abstract, stored
in place of the one sent before, confirmed by mail to the private link's owner."""

from __future__ import annotations

import pytest

from fastpath.core.extensions import db
from fastpath.materials.models import FinalMaterials
from tests.helpers.accepted import AFTER_NOTIFICATION
from tests.helpers.mail import outbox
from tests.helpers.pdfs import pdf_bytes, png_bytes
from tests.materials.helpers import (
    FINAL,
    event_kinds,
    materials_files,
    materials_row,
    page_url,
    post_final,
    text_of,
    version_of,
)

pytestmark = pytest.mark.app_config(NOW=AFTER_NOTIFICATION)


def test_final_version_is_stored_recorded_and_confirmed_to_the_link_owner(app, client, accepted):
    submission_id, token = accepted
    page = client.get(page_url(token))
    assert page.status_code == 200
    response = post_final(client, token, version=version_of(text_of(page), "final"))
    assert response.status_code == 303
    assert response.location == page_url(token)

    row = materials_row(app, submission_id)
    assert (row.final_filename, row.final_pages, row.final_size) == ("final.pdf", 3, len(FINAL))
    assert row.version == 2
    [stored] = materials_files(app)
    assert stored.name == row.final_stored_name and stored.read_bytes() == FINAL
    assert event_kinds(app, submission_id)[-1] == "final_uploaded"

    [mail] = outbox(app)
    assert mail.recipients == "ada@example.org"
    assert mail.template == "materials_received"
    assert mail.subject == "[FastPath 2020] Final materials received for FP20-001"
    assert "Final version: final.pdf (3 pages, " in mail.body_text
    assert "Still missing: slides, presenter, speaker bio." in mail.body_text
    assert f"http://fastpath.test/submission/{token}/materials" in mail.body_text
    assert "April 5, 2020, 09:00 America/New_York = April 5, 2020, 13:00 UTC" in mail.body_text

    shown = text_of(client.get(page_url(token)))
    assert "1 of 4 in; still missing: slides, presenter, speaker bio." in shown
    download = client.get(page_url(token, "/final.pdf"))
    sent = download.data
    download.close()  # sent from its file
    assert download.status_code == 200 and sent == FINAL
    assert download.headers["Content-Disposition"] == "attachment; filename=FP20-001-final.pdf"


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (png_bytes(), "final.pdf", "This file is not a PDF (it is a PNG image). Export your paper"),
        (b"", "final.pdf", "The file is empty. Choose your final version as a PDF file."),
        (pdf_bytes(1), "short.pdf", "The PDF has 1 page; the final version has 2 to 4 pages."),
        (pdf_bytes(5), "long.pdf", "The PDF has 5 pages; the final version has 2 to 4 pages."),
        (
            pdf_bytes(2) + b"%" * (10 * 1024 * 1024),
            "huge.pdf",
            "The file is 10 MB; the limit is 10 MB.",
        ),
    ],
    ids=["png-renamed", "empty", "too-few-pages", "too-many-pages", "oversize"],
)
def test_bad_final_version_is_refused_with_its_reason_and_nothing_stored(
    app, client, accepted, content, filename, message
):
    submission_id, token = accepted
    response = post_final(client, token, content, filename=filename)
    assert response.status_code == 422
    page = text_of(response)
    assert message in page
    assert 'id="pdf-error"' in page
    assert materials_row(app, submission_id) is None
    assert materials_files(app) == []
    assert outbox(app) == []


def test_final_version_without_a_file_is_refused_next_to_the_field(app, client, accepted):
    submission_id, token = accepted
    response = client.post(page_url(token, "/final"), data={"version": "1"})
    assert response.status_code == 422
    assert "Choose the final version of your paper as a PDF file." in text_of(response)
    assert materials_row(app, submission_id) is None


def test_replacing_the_final_version_deletes_the_old_file_after_the_commit(app, client, accepted):
    submission_id, token = accepted
    assert post_final(client, token).status_code == 303
    first = materials_row(app, submission_id).final_stored_name
    newer = pdf_bytes(4)
    assert post_final(client, token, newer, version="2", filename="v2.pdf").status_code == 303
    row = materials_row(app, submission_id)
    assert row.final_stored_name != first
    assert [p.name for p in materials_files(app)] == [row.final_stored_name]
    assert (row.final_pages, row.version) == (4, 3)
    assert "replacing the one sent before" in outbox(app)[-1].body_text


def test_the_same_final_version_again_changes_nothing_and_mails_nothing(app, client, accepted):
    submission_id, token = accepted
    assert post_final(client, token).status_code == 303
    before = materials_row(app, submission_id)
    assert post_final(client, token, version="2").status_code == 303
    after = materials_row(app, submission_id)
    assert (after.version, after.final_stored_name) == (2, before.final_stored_name)
    assert len(materials_files(app)) == 1
    assert len(outbox(app)) == 1


def test_a_stale_final_version_form_is_refused_and_nothing_changes(app, client, accepted):
    submission_id, token = accepted
    assert post_final(client, token).status_code == 303  # version 1 -> 2
    response = post_final(client, token, pdf_bytes(4), version="1", filename="other.pdf")
    assert response.status_code == 409
    page = text_of(response)
    assert "The materials were changed after you opened this page (a final version was" in page
    assert version_of(page, "final") == "2"  # sending again replaces those changes
    row = materials_row(app, submission_id)
    assert (row.final_filename, row.version) == ("final.pdf", 2)
    assert len(materials_files(app)) == 1


def test_final_version_row_is_one_per_submission(app, client, accepted):
    submission_id, token = accepted
    post_final(client, token)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(FinalMaterials)) == 1
