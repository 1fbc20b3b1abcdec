"""Editing a submission through its private link: what changes, who is told, what is refused."""

from __future__ import annotations

import hashlib
import io

import pytest

from tests.helpers.pdfs import pdf_bytes
from tests.helpers.submissions import (
    KEPT,
    all_submissions,
    deliver,
    edit_data,
    outbox,
    stored_files,
    submit_and_get_link,
    submit_with_csrf_and_take_its_token,
    text_of,
)


def test_edit_form_shows_current_values(app, client):
    path = submit_and_get_link(app, client)
    html = text_of(client.get(f"{path}/edit"))
    for value in KEPT:
        assert value in html
    assert 'id="contact-0" value="0" checked' in html
    assert 'value="characterization" checked' in html or 'checked id="topics-0"' in html
    assert "Now: tail-latency.pdf (2 pages)" in html


def test_edit_title_mails_contact_what_changed(mail_app, smtp):
    client = mail_app.test_client()
    path = submit_and_get_link(mail_app, client)
    html = text_of(client.get(f"{path}/edit"))
    response = client.post(
        f"{path}/edit",
        data=edit_data(html, title="Tail latency, revisited"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert response.headers["Location"] == path
    assert "Saved (title)." in text_of(client.get(path))

    [row] = all_submissions(mail_app)
    assert row.title == "Tail latency, revisited"
    assert row.version == 2
    assert [(e.kind, e.details) for e in row.events] == [
        ("submitted", row.events[0].details),
        (
            "edited",
            "Title: Tail latency of recommendation inference on shared GPUs → "
            "Tail latency, revisited",
        ),
    ]
    deliver(mail_app, smtp, 4)
    mails = [m for m in smtp.recorder.to("ada@example.org") if "changed" in m.subject]
    [mail] = mails
    assert mail.subject == "[FastPath 2020] Submission FP20-001 changed"
    text = mail.text.replace("\r\n", "\n")
    assert (
        "What changed:\n\nTitle\n  was:\n    Tail latency of recommendation inference on "
        "shared GPUs\n  now:\n    Tail latency, revisited\n\nThe private link" in text
    )
    assert f"http://fastpath.test{path}" in text
    assert "Title: Tail latency, revisited" in text  # the submission as it is now


def test_edit_replaces_the_pdf_and_removes_the_old_file(app, client):
    path = submit_and_get_link(app, client)
    [old] = stored_files(app)
    html = text_of(client.get(f"{path}/edit"))
    new_pdf = pdf_bytes(4)
    data = edit_data(html)
    data["pdf"] = (io.BytesIO(new_pdf), "final.pdf", "application/pdf")
    response = client.post(f"{path}/edit", data=data, content_type="multipart/form-data")
    assert response.status_code == 303

    [row] = all_submissions(app)
    assert (row.pdf_filename, row.pdf_pages, row.pdf_sha256) == (
        "final.pdf",
        4,
        hashlib.sha256(new_pdf).hexdigest(),
    )
    assert [f.read_bytes() for f in stored_files(app)] == [new_pdf]
    assert not old.exists()
    assert [e.kind for e in row.events] == ["submitted", "pdf_replaced"]
    assert "tail-latency.pdf (2 pages" in row.events[1].details
    assert "final.pdf (4 pages" in row.events[1].details
    with client.get(f"{path}/pdf") as download:
        assert download.get_data() == new_pdf


def test_edit_with_a_bad_pdf_keeps_the_old_one_and_the_input(app, client):
    path = submit_and_get_link(app, client)
    html = text_of(client.get(f"{path}/edit"))
    data = edit_data(html, title="Changed title")
    data["pdf"] = (io.BytesIO(pdf_bytes(9)), "long.pdf", "application/pdf")
    response = client.post(f"{path}/edit", data=data, content_type="multipart/form-data")
    html = text_of(response)
    assert response.status_code == 422
    assert "The PDF has 9 pages" in html
    assert 'value="Changed title"' in html
    [row] = all_submissions(app)
    assert (row.title, row.pdf_pages) == (
        "Tail latency of recommendation inference on shared GPUs",
        2,
    )


def test_edit_without_changes_sends_nothing(app, client):
    path = submit_and_get_link(app, client)
    before = outbox(app)
    html = text_of(client.get(f"{path}/edit"))
    response = client.post(f"{path}/edit", data=edit_data(html), content_type="multipart/form-data")
    assert response.status_code == 303
    assert "Nothing was changed." in text_of(client.get(path))
    assert outbox(app) == before
    assert [e.kind for e in all_submissions(app)[0].events] == ["submitted"]


def test_edit_new_contact_and_new_author_are_told(app, client):
    path = submit_and_get_link(app, client)
    html = text_of(client.get(f"{path}/edit"))
    data = edit_data(html, contact="1")
    data.update(
        {
            "authors-3-name": "Edsger Dijkstra",
            "authors-3-email": "edsger@example.org",
            "authors-3-affiliation": "UT Austin",
        }
    )
    response = client.post(f"{path}/edit", data=data, content_type="multipart/form-data")
    assert response.status_code == 303
    [row] = all_submissions(app)
    assert row.contact.email == "grace@example.org"
    assert [a.name for a in row.authors][-1] == "Edsger Dijkstra"
    new_mail = outbox(app)[3:]
    assert sorted((to, template) for to, _, template in new_mail) == [
        ("ada@example.org", "submission_edited"),
        ("edsger@example.org", "submission_coauthor"),
        # The new contact gets a fixed notice, not the edit's text (issue 18 item 5).
        ("grace@example.org", "submission_new_contact"),
    ]


def test_edit_from_an_outdated_page_is_shown_for_review(app, client):
    path = submit_and_get_link(app, client)
    old_page = text_of(client.get(f"{path}/edit"))
    first = edit_data(old_page, title="First change")
    client.post(f"{path}/edit", data=first, content_type="multipart/form-data")
    stale = edit_data(old_page, title="Second change")
    response = client.post(f"{path}/edit", data=stale, content_type="multipart/form-data")
    html = text_of(response)
    assert response.status_code == 409
    assert "This submission was changed" in html
    assert 'value="Second change"' in html
    assert all_submissions(app)[0].title == "First change"
    # Saving the reviewed form again applies it.
    again = client.post(
        f"{path}/edit",
        data=edit_data(html, title="Second change"),
        content_type="multipart/form-data",
    )
    assert again.status_code == 303
    assert all_submissions(app)[0].title == "Second change"


def test_edit_with_bad_input_changes_nothing(app, client):
    path = submit_and_get_link(app, client)
    html = text_of(client.get(f"{path}/edit"))
    response = client.post(
        f"{path}/edit",
        data=edit_data(html, title="", abstract=" ".join(["w"] * 400)),
        content_type="multipart/form-data",
    )
    html = text_of(response)
    assert response.status_code == 422
    assert "Enter the title." in html and "The abstract has 400 words" in html
    assert all_submissions(app)[0].title.startswith("Tail latency")


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_edit_without_csrf_token_keeps_the_input(app, client):
    token = submit_with_csrf_and_take_its_token(app, client)
    data = edit_data("", title="Edited", version="1")
    response = client.post(
        f"/submission/{token}/edit", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert "Your session ran out" in text_of(response)
    assert 'value="Edited"' in text_of(response)
    wrong = client.post("/submission/wrong/edit", data=data, content_type="multipart/form-data")
    assert wrong.status_code == 404
    assert all_submissions(app)[0].title.startswith("Tail latency")
