"""Abstract submission without accounts: submit, confirm, edit, withdraw, lost links.

Every test goes through real requests; PDFs are generated with pypdf; mail is delivered to a
real SMTP server on 127.0.0.1 (the `smtp` fixture) and read back from there.
"""

from __future__ import annotations

import hashlib
import http.client
import io
import re
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from markupsafe import escape
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from fastpath.cfp import services
from fastpath.cfp.models import Submission, SubmissionEvent, SubmissionStatus
from fastpath.core.extensions import db
from fastpath.core.tokens import new_token
from fastpath.mail.delivery import deliver_pending
from fastpath.mail.models import OutboxMail
from fastpath.web.downloads import private_download
from tests.conftest import make_app, start_live_server
from tests.helpers.pdfs import corrupt_pdf_bytes, pdf_bytes, png_bytes

BEFORE = datetime(2020, 1, 20, 12, 0, tzinfo=UTC)
# The deadline is 2020-02-21 23:59:59 AoE (UTC-12) = 2020-02-22 11:59:59 UTC.
AFTER = datetime(2020, 2, 22, 12, 0, tzinfo=UTC)
DEADLINE_TEXT = "February 21, 2020, 23:59 Anywhere on Earth (UTC−12) = February 22, 2020, 11:59 UTC"
TWO_PAGES = pdf_bytes(2)


# --- Helpers ---------------------------------------------------------------------------------


def text_of(response) -> str:
    return response.get_data(as_text=True)


def nonce_of(html: str) -> str:
    return re.search(r'name="form_nonce" type="hidden" value="([^"]+)"', html).group(1)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def hidden_value(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html)
    return match.group(1) if match else ""


def submission_data(nonce: str = "n" * 43, pdf: bytes | None = TWO_PAGES, **overrides) -> dict:
    """A complete, valid form post: three authors (the first is the contact), two topics."""
    data = {
        "form_nonce": nonce,
        "title": "Tail latency of recommendation inference on shared GPUs",
        "abstract": "We measure tail latency of recommendation models on shared GPUs.",
        "authors-0-name": "Ada Lovelace",
        "authors-0-email": "ada@example.org",
        "authors-0-affiliation": "Analytical Engines Ltd",
        "authors-1-name": "Grace Hopper",
        "authors-1-email": "grace@example.org",
        "authors-1-affiliation": "Yale University",
        "authors-2-name": "Alan Turing",
        "authors-2-email": "alan@example.org",
        "authors-2-affiliation": "University of Manchester",
        "contact": "0",
        "topics": ["characterization", "accelerators"],
        "note": "One author may present remotely.",
        "consent": "y",
    }
    if pdf is not None:
        data["pdf"] = (io.BytesIO(pdf), "tail-latency.pdf", "application/pdf")
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def post_submit(client, data: dict):
    return client.post("/submit", data=data, content_type="multipart/form-data")


def multipart_body(data: dict) -> tuple[str, bytes]:
    fields = MultiDict()
    for key, value in data.items():
        if isinstance(value, tuple):
            stream, filename, content_type = value
            value = FileStorage(stream, filename=filename, content_type=content_type)
        for item in value if isinstance(value, list) else [value]:
            fields.add(key, item)
    return encode_multipart(fields)


def post_big_submit(client, data: dict):
    """Like post_submit, with the body built in memory: the test client would spool a big body
    to a temporary file that it never closes when the app refuses the upload unread."""
    boundary, body = multipart_body(data)
    return client.post(
        "/submit",
        input_stream=io.BytesIO(body),
        content_length=len(body),
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def all_submissions(app: Flask) -> list[Submission]:
    with app.app_context():
        rows = db.session.scalars(db.select(Submission).order_by(Submission.number)).all()
        for row in rows:  # load what the tests read after the session closes
            _ = (row.authors, row.topics, row.events)
        db.session.expunge_all()
        return list(rows)


def outbox(app: Flask) -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = db.session.scalars(db.select(OutboxMail).order_by(OutboxMail.id)).all()
        return [(row.recipients, row.subject, row.template) for row in rows]


def stored_files(app: Flask) -> list[Path]:
    folder = Path(app.config["UPLOAD_DIR"])
    return sorted(folder.glob("*.pdf")) if folder.is_dir() else []


def deliver(app: Flask, smtp, count: int):
    with app.app_context():
        deliver_pending()
    return smtp.recorder.wait_for(count)


def link_in(text: str) -> str:
    return re.search(r"http://fastpath\.test(/submission/[A-Za-z0-9_-]{43})", text).group(1)


def submit_ok(client, **overrides) -> None:
    response = post_submit(client, submission_data(**overrides))
    assert response.status_code == 303, text_of(response)
    assert response.headers["Location"] == "/submit/thanks"


def submit_and_get_link(app: Flask, client) -> str:
    """Submit (through the app) and return the private link's path from the outbox."""
    submit_ok(client)
    with app.app_context():
        mail = db.session.scalars(
            db.select(OutboxMail).where(OutboxMail.template == "submission_received")
        ).first()
        return link_in(mail.body_text)


def set_now(app: Flask, moment: datetime) -> None:
    app.config["NOW"] = moment


# --- The form --------------------------------------------------------------------------------


def test_submit_form_shows_fields_limits_and_deadline(client):
    html = text_of(client.get("/submit"))
    for label in ("Title", "Authors", "Topics", "Abstract", "Extended abstract (PDF)"):
        assert label in html
    assert "Note to the organizers" in html
    assert "I agree that the data in this form is stored" in html
    assert "Up to 200 characters." in html
    assert "Plain text, up to 300 words." in html
    assert "2–4 pages, at most 10 MB." in html
    assert DEADLINE_TEXT in html
    assert "Hardware/software co-design" in html
    assert 'value="add"' in html  # add an author without JavaScript
    assert 'class="honeypot"' in html
    assert len(nonce_of(html)) >= 40
    assert re.search(r'<script src="/static/js/cfp\.[0-9a-f]{12}\.js" defer></script>', html)
    # No inline script or style (the site is headed for a strict CSP).
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert " style=" not in html and " onclick=" not in html


def test_submit_valid_stores_rows_and_file_and_redirects_to_receipt(app, client):
    response = post_submit(client, submission_data())
    assert response.status_code == 303
    assert response.headers["Location"] == "/submit/thanks"

    [row] = all_submissions(app)
    assert row.number == 1
    assert row.status == SubmissionStatus.SUBMITTED
    assert row.title == "Tail latency of recommendation inference on shared GPUs"
    assert row.abstract == "We measure tail latency of recommendation models on shared GPUs."
    assert row.note == "One author may present remotely."
    assert [(a.position, a.name, a.email, a.affiliation, a.is_contact) for a in row.authors] == [
        (1, "Ada Lovelace", "ada@example.org", "Analytical Engines Ltd", True),
        (2, "Grace Hopper", "grace@example.org", "Yale University", False),
        (3, "Alan Turing", "alan@example.org", "University of Manchester", False),
    ]
    assert sorted(t.topic_key for t in row.topics) == ["accelerators", "characterization"]
    assert (row.pdf_filename, row.pdf_pages, row.pdf_size) == (
        "tail-latency.pdf",
        2,
        len(TWO_PAGES),
    )
    assert row.pdf_sha256 == hashlib.sha256(TWO_PAGES).hexdigest()
    assert row.form_nonce == "n" * 43
    assert len(row.token_hash) == 64
    assert [e.kind for e in row.events] == ["submitted"]
    # Stored under UPLOAD_DIR with a generated name, byte for byte.
    [stored] = stored_files(app)
    assert stored.name == row.pdf_stored_name
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", stored.name)
    assert stored.read_bytes() == TWO_PAGES
    assert "static" not in stored.parts

    receipt = text_of(client.get("/submit/thanks"))
    assert "submission FP20-001 received" in receipt
    assert "ada@example.org" in receipt
    assert "Tail latency of recommendation inference on shared GPUs" in receipt


def test_submit_numbers_are_sequential(app, client):
    submit_ok(client, form_nonce="a" * 43)
    submit_ok(client, form_nonce="b" * 43)
    with app.app_context():
        assert [s.reference for s in db.session.scalars(db.select(Submission))] == [
            "FP20-001",
            "FP20-002",
        ]


def test_receipt_without_a_submission_goes_back_to_the_form(client):
    response = client.get("/submit/thanks")
    assert response.status_code == 302
    assert response.headers["Location"] == "/submit"


def test_submit_mails_contact_every_field_and_link_and_each_coauthor(mail_app, smtp):
    client = mail_app.test_client()
    submit_ok(client)
    mails = deliver(mail_app, smtp, 3)
    assert sorted(m.envelope_to[0] for m in mails) == [
        "ada@example.org",
        "alan@example.org",
        "grace@example.org",
    ]

    [contact_mail] = smtp.recorder.to("ada@example.org")
    assert contact_mail.subject == "[FastPath 2020] Submission FP20-001 received"
    text = contact_mail.text
    for expected in (
        "Number: FP20-001",
        "Title: Tail latency of recommendation inference on shared GPUs",
        "1. Ada Lovelace <ada@example.org>, Analytical Engines Ltd (contact author)",
        "2. Grace Hopper <grace@example.org>, Yale University",
        "3. Alan Turing <alan@example.org>, University of Manchester",
        "- Workload characterization, performance modeling and profiling",
        "- GPUs, FPGAs, ASIC accelerators",
        "We measure tail latency of recommendation models on shared GPUs.",
        "PDF: tail-latency.pdf (2 pages",
        "Note to the organizers: One author may present remotely.",
        DEADLINE_TEXT,
    ):
        assert expected in text
    # The link uses the configured public address, and it works.
    path = link_in(text)
    assert f'href="http://fastpath.test{path}"' in contact_mail.html
    page = client.get(path)
    assert page.status_code == 200
    assert "Tail latency of recommendation inference on shared GPUs" in text_of(page)

    [coauthor_mail] = smtp.recorder.to("grace@example.org")
    assert coauthor_mail.subject == "[FastPath 2020] You are an author of submission FP20-001"
    # A fixed text: the title is the only free text it quotes (issue 18 item 5).
    assert "you were listed as an author of the extended abstract FP20-001" in coauthor_mail.text
    assert '"Tail latency of recommendation inference on shared GPUs"' in coauthor_mail.text
    assert "Ada" not in coauthor_mail.text
    assert "/submission/" not in coauthor_mail.text  # the link is the contact author's


# --- Bad input: a message next to the field, the rest kept, nothing stored -------------------


def assert_refused_and_kept(app, response, message: str, kept: tuple[str, ...] = ()) -> str:
    html = text_of(response)
    assert response.status_code == 422, html
    assert "Please correct the marked fields below." in html
    shown = re.escape(str(escape(message)))
    assert re.search(r'<p class="field-error" id="[\w-]+">[^<]*' + shown, html), message
    for value in kept:
        assert value in html
    assert all_submissions(app) == []
    assert outbox(app) == []
    return html


KEPT = (
    'value="Tail latency of recommendation inference on shared GPUs"',
    'value="Grace Hopper"',
    'value="alan@example.org"',
    "We measure tail latency of recommendation models on shared GPUs.</textarea>",
    "One author may present remotely.</textarea>",
)


@pytest.mark.parametrize(
    ("overrides", "message", "field_id"),
    [
        ({"title": "  "}, "Enter the title.", "title-error"),
        ({"abstract": ""}, "Enter the abstract.", "abstract-error"),
        ({"topics": None}, "Choose at least one topic.", "topics-error"),
        ({"consent": None}, "Tick this box so that we may store your submission.", "consent-error"),
        ({"authors-1-email": ""}, "Enter the author's email address.", "authors-1-email-error"),
        (
            {"authors-2-affiliation": ""},
            "Enter the author's affiliation",
            "authors-2-affiliation-error",
        ),
    ],
)
def test_submit_missing_field_gets_message_next_to_it(app, client, overrides, message, field_id):
    response = post_submit(client, submission_data(**overrides))
    html = assert_refused_and_kept(app, response, message)
    assert f'id="{field_id}"' in html
    assert 'value="Tail latency' in html or "title" in overrides


def test_submit_without_pdf_asks_for_it_and_keeps_input(app, client):
    response = post_submit(client, submission_data(pdf=None))
    assert_refused_and_kept(app, response, "Choose your extended abstract as a PDF file.", KEPT)


def test_submit_without_any_author_asks_for_one(app, client):
    blank = {f"authors-{i}-{f}": "" for i in range(3) for f in ("name", "email", "affiliation")}
    response = post_submit(client, submission_data(**blank))
    assert_refused_and_kept(app, response, "Add at least one author")


def test_submit_title_too_long(app, client):
    response = post_submit(client, submission_data(title="T" * 201))
    assert_refused_and_kept(
        app, response, "The title has 201 characters; the limit is 200.", ('value="' + "T" * 201,)
    )


def test_submit_abstract_too_many_words_says_how_many(app, client):
    words = " ".join(["word"] * 301)
    response = post_submit(client, submission_data(abstract=words))
    html = assert_refused_and_kept(
        app,
        response,
        "The abstract has 301 words; the limit is 300. Please shorten it by 1.",
        KEPT[:3],
    )
    assert "<span data-word-count>301</span> of 300 words" in html


def test_submit_malformed_author_email(app, client):
    response = post_submit(client, submission_data(**{"authors-1-email": "grace@"}))
    assert_refused_and_kept(
        app, response, "Enter a valid email address, like name@example.org.", ('value="grace@"',)
    )


def test_submit_duplicate_author_emails(app, client):
    response = post_submit(client, submission_data(**{"authors-2-email": "ADA@example.org"}))
    html = assert_refused_and_kept(
        app, response, "Another author above has this address already.", KEPT[:2]
    )
    assert "Each author needs their own email address." in html


def test_submit_unknown_topic_is_an_error_not_a_crash(app, client):
    response = post_submit(client, submission_data(topics=["accelerators", "astrology"]))
    assert_refused_and_kept(app, response, "'astrology' is not a valid choice")


def test_submit_contact_must_be_a_listed_author(app, client):
    overrides = {"contact": "2", "authors-2-name": "", "authors-2-email": ""}
    overrides["authors-2-affiliation"] = ""
    response = post_submit(client, submission_data(**overrides))
    assert_refused_and_kept(app, response, "Choose the contact author")


@pytest.mark.parametrize("contact", ["-1", "3", "x", ""])
def test_submit_contact_outside_the_rows_is_an_error(app, client, contact):
    response = post_submit(client, submission_data(contact=contact))
    assert_refused_and_kept(app, response, "Choose the contact author", KEPT)


def test_submit_blank_author_rows_are_skipped(app, client):
    overrides = {f"authors-1-{f}": "" for f in ("name", "email", "affiliation")}
    submit_ok(client, contact="2", **overrides)
    [row] = all_submissions(app)
    assert [(a.position, a.name, a.is_contact) for a in row.authors] == [
        (1, "Ada Lovelace", False),
        (2, "Alan Turing", True),
    ]


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


def test_submit_html_and_script_show_as_text_everywhere(mail_app, smtp):
    client = mail_app.test_client()
    script = '<script>alert("x")</script>'
    submit_ok(
        client,
        title=f"Fast {script} paths",
        abstract="Uses <img src=x onerror=alert(1)> & more",
        note="<b>bold</b>",
        **{"authors-0-name": "<i>Ada</i>", "authors-1-affiliation": "<u>Yale</u>"},
    )
    escaped = "Fast &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; paths"
    receipt = text_of(client.get("/submit/thanks"))
    assert escaped in receipt
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; more" in receipt
    assert "&lt;i&gt;Ada&lt;/i&gt;" in receipt and "&lt;u&gt;Yale&lt;/u&gt;" in receipt
    assert "&lt;b&gt;bold&lt;/b&gt;" in receipt
    for markup in (script, "<img src=x", "<i>Ada</i>", "<u>Yale</u>", "<b>bold</b>"):
        assert markup not in receipt

    deliver(mail_app, smtp, 3)
    [mail] = smtp.recorder.to("ada@example.org")
    assert f"Title: Fast {script} paths" in mail.text  # plain text: shown as typed
    assert escaped in mail.html
    for markup in (script, "<img src=x", "<i>Ada</i>", "<b>bold</b>"):
        assert markup not in mail.html
    page = text_of(client.get(link_in(mail.text)))
    assert escaped in page and script not in page
    [coauthor] = smtp.recorder.to("grace@example.org")
    assert escaped in coauthor.html and script not in coauthor.html


def test_submit_line_breaks_in_title_and_names_become_spaces(app, client):
    submit_ok(client, title="Two\r\nlines\x00 here", **{"authors-0-name": "Ada\nLovelace"})
    [row] = all_submissions(app)
    assert row.title == "Two lines here"
    assert row.authors[0].name == "Ada Lovelace"


@pytest.mark.parametrize(
    "overrides",
    [
        {"contact": "first"},
        {"contact": "-1"},
        {"contact": "99"},
        {"form_nonce": "x" * 5000},
        {"form_nonce": None},
        {"pdf_upload": "not-signed"},
        {"topics": ""},
        {"topics": ["accelerators"] * 500},
        {"authors-999999-name": "Far away"},
        {"authors-0-email": "ada@example.org\r\nBcc: victim@example.org"},
        {"title": "\x00\x01\x02"},
        {"note": "n" * 5000},
        {"pdf": "just a string, not a file"},
        {"consent": "maybe"},
        {"action": "remove-99999999999999999999999"},
        {"version": "abc"},
    ],
)
def test_crafted_posts_get_an_answer_not_a_crash(app, client, overrides):
    data = submission_data(**{k: v for k, v in overrides.items() if k != "pdf"})
    if "pdf" in overrides:
        data["pdf"] = overrides["pdf"]
    response = post_submit(client, data)
    # 413: more form parts than Flask accepts (MAX_FORM_PARTS); the friendly page says so.
    assert response.status_code in (200, 303, 413, 422)
    for row in all_submissions(app):
        assert "\n" not in row.contact.email and "\x00" not in row.title


def test_uploaded_file_name_is_kept_only_as_a_harmless_display_name(app, client):
    data = submission_data(pdf=None)
    data["pdf"] = (io.BytesIO(TWO_PAGES), "../../dir/evil <script>\t.pdf", "application/pdf")
    response = post_submit(client, data)
    assert response.status_code == 303
    [row] = all_submissions(app)
    assert row.pdf_filename == "evil <script> .pdf"
    assert "evil &lt;script&gt; .pdf" in text_of(client.get("/submit/thanks"))
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", row.pdf_stored_name)


# --- Keeping the PDF when the form is shown again --------------------------------------------


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


# --- Authors without JavaScript --------------------------------------------------------------


def author_values(html: str) -> list[str]:
    return re.findall(r'name="authors-(\d+)-name" type="text" value="([^"]*)"', html)


def test_add_author_button_adds_a_row_and_keeps_everything(app, client):
    response = post_submit(client, submission_data(action="add"))
    html = text_of(response)
    assert response.status_code == 200
    assert author_values(html) == [
        ("0", "Ada Lovelace"),
        ("1", "Grace Hopper"),
        ("2", "Alan Turing"),
        ("3", ""),
    ]
    assert "Please correct" not in html  # rearranging is not a failed attempt
    for value in KEPT:
        assert value in html
    # The PDF chosen with it is kept for the final post.
    assert "You chose tail-latency.pdf" in html
    assert all_submissions(app) == []


def test_move_and_remove_rows_and_the_contact_follows_its_author(app, client):
    html = text_of(post_submit(client, submission_data(contact="2", action="up-2")))
    assert [name for _, name in author_values(html)] == [
        "Ada Lovelace",
        "Alan Turing",
        "Grace Hopper",
    ]
    assert 'id="contact-1" value="1" checked' in html

    data = submission_data(pdf=None, contact="0", action="remove-0")
    html = text_of(post_submit(client, data))
    assert [name for _, name in author_values(html)] == ["Grace Hopper", "Alan Turing"]
    assert 'id="contact-0" value="0" checked' in html  # the contact was removed: first row

    data = submission_data(pdf=None, contact="0", action="down-0")
    html = text_of(post_submit(client, data))
    assert [name for _, name in author_values(html)] == [
        "Grace Hopper",
        "Ada Lovelace",
        "Alan Turing",
    ]
    assert 'id="contact-1" value="1" checked' in html


def test_row_buttons_with_odd_values_are_harmless(app, client):
    for action in ("remove-99", "up-0", "down-7", "add-1", "explode"):
        response = post_submit(client, submission_data(pdf=None, action=action))
        assert response.status_code in (200, 422)
    assert all_submissions(app) == []


# --- Double clicks, replays, CSRF, honeypot, rate limit --------------------------------------


def test_double_submit_creates_one_submission_and_lands_on_the_same_receipt(app, client):
    first = post_submit(client, submission_data())
    second = post_submit(client, submission_data())
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"] == "/submit/thanks"
    assert len(all_submissions(app)) == 1
    receipt = text_of(client.get("/submit/thanks"))
    assert "This form had already been sent: submission FP20-001 was recorded once." in receipt
    assert len(stored_files(app)) == 1
    assert [template for _, _, template in outbox(app)] == [
        "submission_received",
        "submission_coauthor",
        "submission_coauthor",
    ]


def test_simultaneous_double_click_creates_one_submission(app):
    server = start_live_server(app)
    try:
        boundary, payload = multipart_body(submission_data())
        port = int(server.url.rsplit(":", 1)[1])
        statuses: list[tuple[int, str | None]] = []
        start = threading.Barrier(2)

        def click() -> None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            start.wait()
            connection.request(
                "POST",
                "/submit",
                body=payload,
                headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
            )
            response = connection.getresponse()
            statuses.append((response.status, response.getheader("Location")))
            response.read()
            connection.close()

        threads = [threading.Thread(target=click) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        server.stop()
    assert statuses == [(303, "/submit/thanks"), (303, "/submit/thanks")]
    assert len(all_submissions(app)) == 1
    assert len(stored_files(app)) == 1  # the losing request's copy of the PDF is gone


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_replayed_form_with_csrf_creates_one_submission(app, client):
    html = text_of(client.get("/submit"))
    data = submission_data(nonce=nonce_of(html), csrf_token=csrf_of(html))
    first = post_submit(client, data)
    assert first.status_code == 303
    replay = post_submit(client, submission_data(nonce=nonce_of(html), csrf_token=csrf_of(html)))
    assert replay.status_code == 303
    assert replay.headers["Location"] == "/submit/thanks"
    assert len(all_submissions(app)) == 1
    assert "was recorded once" in text_of(client.get("/submit/thanks"))


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_post_without_csrf_token_keeps_input_and_explains(app, client):
    response = post_submit(client, submission_data())
    html = text_of(response)
    assert response.status_code == 400
    assert "Your session ran out" in html
    for value in KEPT:
        assert value in html
    assert csrf_of(html)  # a fresh token to send again with
    assert all_submissions(app) == []


def test_filled_honeypot_is_refused_generically_and_nothing_is_stored(app, client):
    response = post_submit(client, submission_data(website="http://spam.example"))
    html = text_of(response)
    assert response.status_code == 422
    assert "We could not accept this form. Please check it and send it again." in html
    assert "spam.example" not in html  # emptied, so a person can simply send again
    for value in KEPT:
        assert value in html
    assert all_submissions(app) == []
    assert outbox(app) == []


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_FORM_POSTS="3 per hour")
def test_rate_limit_refuses_too_many_posts_and_keeps_the_input(app, client):
    for _ in range(3):
        assert post_submit(client, submission_data(title="")).status_code == 422
    response = post_submit(client, submission_data())
    html = text_of(response)
    assert response.status_code == 429
    assert "Too many forms were sent from your network" in html
    assert 'value="Tail latency of recommendation inference on shared GPUs"' in html
    assert all_submissions(app) == []
    assert client.get("/submit").status_code == 200  # reading is never limited


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_FORM_POSTS="3 per hour")
def test_rate_limit_does_not_count_author_row_buttons(app, client):
    for action in ["add"] * 6 + ["remove-3", "up-1", "down-0"]:
        assert post_submit(client, submission_data(pdf=None, action=action)).status_code == 200
    submit_ok(client)
    assert len(all_submissions(app)) == 1


def test_rate_limit_switched_off_in_one_app_stays_off(tmp_path):
    # Flask-Limiter keeps one on/off flag for all apps; building a limited app after an
    # unlimited one must not start limiting the unlimited one.
    unlimited = make_app(tmp_path / "off", RATELIMIT_FORM_POSTS="1 per hour")
    limited = make_app(tmp_path / "on", RATELIMIT_ENABLED=True, RATELIMIT_FORM_POSTS="1 per hour")
    client = unlimited.test_client()
    for _ in range(3):
        assert post_submit(client, submission_data(title="")).status_code == 422
    for application in (unlimited, limited):
        with application.app_context():
            db.engine.dispose()


# --- Deadlines -------------------------------------------------------------------------------


@pytest.mark.app_config(NOW="2020-02-22T12:00:00+00:00")
def test_submit_after_deadline_explains_when_it_closed(client):
    response = client.get("/submit")
    html = text_of(response)
    assert response.status_code == 200
    assert "Submissions closed." in html
    assert f"The deadline was {DEADLINE_TEXT}" in html
    assert "<form" not in html.split('<main id="main"', 1)[1]


def test_form_opened_before_deadline_and_posted_after_is_refused_with_input_kept(app, client):
    html = text_of(client.get("/submit"))
    set_now(app, AFTER)
    response = post_submit(client, submission_data(nonce=nonce_of(html)))
    html = text_of(response)
    assert response.status_code == 422
    assert "Submissions closed." in html and DEADLINE_TEXT in html
    assert "Everything you typed is shown below" in html
    for value in KEPT:
        assert value in html
    assert "Submit abstract</button>" not in html
    assert all_submissions(app) == []
    assert stored_files(app) == []


@pytest.mark.parametrize(
    ("moment", "window"),
    [
        ("2020-02-22T11:59:59+00:00", "open"),  # the last second, AoE
        ("2020-02-22T12:00:00+00:00", "closed"),
    ],
)
def test_submission_window_ends_at_the_aoe_deadline(app, moment, window):
    with app.app_context():
        assert services.submission_window(datetime.fromisoformat(moment)) == window


# --- The private link ------------------------------------------------------------------------


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


def edit_data(html: str, **overrides) -> dict:
    """The edit form as shown, with changes."""
    data = submission_data(pdf=None, consent=None, form_nonce=None)
    data["version"] = hidden_value(html, "version")
    data.update({k: v for k, v in overrides.items() if v is not None})
    for key in [k for k, v in overrides.items() if v is None]:
        data.pop(key, None)
    return data


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


def test_withdraw_asks_first_then_withdraws_and_mails(mail_app, smtp):
    client = mail_app.test_client()
    path = submit_and_get_link(mail_app, client)
    confirm = text_of(client.get(f"{path}/withdraw"))
    assert "Withdraw submission FP20-001?" in confirm
    assert "Yes, withdraw FP20-001" in confirm
    assert all_submissions(mail_app)[0].status == SubmissionStatus.SUBMITTED

    response = client.post(f"{path}/withdraw")
    assert response.status_code == 303
    assert response.headers["Location"] == path
    [row] = all_submissions(mail_app)
    assert row.status == SubmissionStatus.WITHDRAWN
    assert row.withdrawn_at is not None
    assert [e.kind for e in row.events] == ["submitted", "withdrawn"]

    page = text_of(client.get(path))
    assert "Status: <strong>Withdrawn</strong>" in page
    assert f'href="{path}/edit"' not in page
    edit = client.get(f"{path}/edit")
    assert edit.status_code == 303
    assert "withdrawn and can no longer be changed" in text_of(client.get(path))

    deliver(mail_app, smtp, 4)
    [mail] = [m for m in smtp.recorder.to("ada@example.org") if "withdrawn" in m.subject]
    assert mail.subject == "[FastPath 2020] Submission FP20-001 withdrawn"
    assert '"Tail latency of recommendation inference on shared GPUs"' in mail.text
    assert f"http://fastpath.test{path}" in mail.text


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_edit_without_csrf_token_keeps_the_input(app, client):
    html = text_of(client.get("/submit"))
    submit_ok(client, form_nonce=nonce_of(html), csrf_token=csrf_of(html))
    with app.app_context():
        submission = db.session.scalars(db.select(Submission)).one()
        token, submission.token_hash = new_token()
        db.session.commit()
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


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_withdraw_without_csrf_token_does_nothing(app, client):
    html = text_of(client.get("/submit"))
    submit_ok(client, form_nonce=nonce_of(html), csrf_token=csrf_of(html))
    with app.app_context():
        submission = db.session.scalars(db.select(Submission)).one()
        token, submission.token_hash = new_token()
        db.session.commit()
    response = client.post(f"/submission/{token}/withdraw")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/submission/{token}/withdraw"
    assert "Your session ran out" in text_of(client.get(f"/submission/{token}"))
    assert all_submissions(app)[0].status == SubmissionStatus.SUBMITTED


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


# --- Lost links ------------------------------------------------------------------------------


def test_lost_link_mails_new_links_and_old_ones_stop_working(mail_app, smtp):
    client = mail_app.test_client()
    old_path = submit_and_get_link(mail_app, client)
    submit_ok(client, form_nonce="e" * 43, title="Second abstract")
    submit_ok(  # someone else's
        client,
        form_nonce="f" * 43,
        **{"authors-0-email": "other@example.org", "authors-1-email": "x@example.org"},
    )
    deliver(mail_app, smtp, 9)

    response = client.post("/submission/lost", data={"email": " ADA@Example.org "})
    response.close()  # the look-up runs once the answer is sent
    assert response.status_code == 303
    assert response.headers["Location"] == "/submission/lost"
    assert "Links sent earlier work until you open the new one." in text_of(
        client.get("/submission/lost")
    )

    [mail] = deliver(mail_app, smtp, 10)[9:]
    assert mail.envelope_to == ["ada@example.org"]
    assert mail.subject == "[FastPath 2020] Your private submission links"
    paths = re.findall(r"http://fastpath\.test(/submission/[A-Za-z0-9_-]{43})", mail.text)
    assert len(paths) == 2
    assert "FP20-001: Tail latency of recommendation" in mail.text
    assert "FP20-002: Second abstract" in mail.text
    assert "FP20-003" not in mail.text
    assert "Second abstract" in text_of(client.get(paths[1]))
    assert client.get(old_path).status_code == 200  # until the new link is used
    assert client.get(paths[0]).status_code == 200
    assert client.get(old_path).status_code == 404
    assert [e.kind for e in all_submissions(mail_app)[0].events] == ["submitted", "link_reissued"]


def test_lost_link_answers_the_same_for_an_unknown_address(app, client):
    submit_ok(client)
    known = client.post("/submission/lost", data={"email": "ada@example.org"})
    known.close()  # the look-up runs once the answer is sent
    known_page = text_of(client.get("/submission/lost")).replace("ada@example.org", "ADDRESS")
    mails_before = len(outbox(app))
    unknown = client.post("/submission/lost", data={"email": "nobody@example.org"})
    unknown.close()
    unknown_page = text_of(client.get("/submission/lost")).replace("nobody@example.org", "ADDRESS")
    assert (known.status_code, known.headers["Location"]) == (
        unknown.status_code,
        unknown.headers["Location"],
    )
    assert known_page == unknown_page
    assert "If ADDRESS is the contact address of a submission" in known_page
    assert len(outbox(app)) == mails_before  # nothing sent for the unknown address


def test_lost_link_page_says_earlier_links_keep_working(client):
    html = text_of(client.get("/submission/lost"))
    assert "links sent earlier keep working until you open the new ones" in html


def test_lost_link_with_malformed_address_gets_a_message(client):
    response = client.post("/submission/lost", data={"email": "not-an-address"})
    assert response.status_code == 422
    assert "Enter a valid email address" in text_of(response)
    assert 'value="not-an-address"' in text_of(response)


# --- Housekeeping ----------------------------------------------------------------------------


def test_purge_uploads_removes_only_old_unused_files(app, client, runner):
    submit_ok(client)
    abandoned = post_submit(client, submission_data(title="", form_nonce="g" * 43))
    assert abandoned.status_code == 422
    assert len(stored_files(app)) == 2
    used = all_submissions(app)[0].pdf_stored_name
    result = runner.invoke(args=["cfp", "purge-uploads", "--older-than-hours", "0"])
    assert result.exit_code == 0
    assert "Removed 1 unused upload(s)." in result.output
    assert [f.name for f in stored_files(app)] == [used]


def test_history_events_are_in_order(app, client):
    path = submit_and_get_link(app, client)
    html = text_of(client.get(f"{path}/edit"))
    client.post(f"{path}/edit", data=edit_data(html, note=""), content_type="multipart/form-data")
    client.post(f"{path}/withdraw")
    with app.app_context():
        kinds = db.session.scalars(db.select(SubmissionEvent.kind).order_by(SubmissionEvent.id))
        assert list(kinds) == ["submitted", "edited", "withdrawn"]
        details = db.session.scalars(
            db.select(SubmissionEvent.details).where(SubmissionEvent.kind == "edited")
        ).one()
        assert details == "Note to the organizers changed"
