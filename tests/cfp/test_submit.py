"""Submitting an abstract: the form, the stored rows and file, the receipt and the mails."""

from __future__ import annotations

import hashlib
import re

from fastpath.cfp.models import Submission, SubmissionStatus
from fastpath.core.extensions import db
from tests.helpers.submissions import (
    DEADLINE_TEXT,
    TWO_PAGES,
    all_submissions,
    deliver,
    link_in,
    nonce_of,
    post_submit,
    stored_files,
    submission_data,
    submit_ok,
    text_of,
)


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
