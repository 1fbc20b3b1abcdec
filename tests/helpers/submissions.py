"""Submission helpers: a valid /submit post as a dict, posting it, and reading back the rows,
the outbox, the stored files and the private link."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from markupsafe import escape
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from fastpath.cfp.models import Submission
from fastpath.core.extensions import db
from fastpath.core.tokens import new_token
from fastpath.mail.delivery import deliver_pending
from fastpath.mail.models import OutboxMail
from tests.helpers.pdfs import pdf_bytes

BEFORE = datetime(2020, 1, 20, 12, 0, tzinfo=UTC)
# The deadline is 2020-02-21 23:59:59 AoE (UTC-12) = 2020-02-22 11:59:59 UTC.
AFTER = datetime(2020, 2, 22, 12, 0, tzinfo=UTC)
DEADLINE_TEXT = "February 21, 2020, 23:59 Anywhere on Earth (UTC−12) = February 22, 2020, 11:59 UTC"
TWO_PAGES = pdf_bytes(2)


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


def author_values(html: str) -> list[str]:
    return re.findall(r'name="authors-(\d+)-name" type="text" value="([^"]*)"', html)


def edit_data(html: str, **overrides) -> dict:
    """The edit form as shown, with changes."""
    data = submission_data(pdf=None, consent=None, form_nonce=None)
    data["version"] = hidden_value(html, "version")
    data.update({k: v for k, v in overrides.items() if v is not None})
    for key in [k for k, v in overrides.items() if v is None]:
        data.pop(key, None)
    return data


def submit_with_csrf_and_take_its_token(app: Flask, client) -> str:
    """Submit through the form with its CSRF token; return a private token of the new
    submission (made here, as the link mailed is not read)."""
    html = text_of(client.get("/submit"))
    submit_ok(client, form_nonce=nonce_of(html), csrf_token=csrf_of(html))
    with app.app_context():
        submission = db.session.scalars(db.select(Submission)).one()
        token, submission.token_hash = new_token()
        db.session.commit()
    return token
