"""Helpers of the materials tests: posting the three forms, reading the row and the files."""

from __future__ import annotations

import html
import re
from pathlib import Path

from flask import Flask

from fastpath.cfp.models import Submission, SubmissionEvent
from fastpath.core.extensions import db
from fastpath.materials.models import FinalMaterials
from tests.helpers.forms import Upload, post
from tests.helpers.pdfs import pdf_bytes

FINAL = pdf_bytes(3)
SLIDES = pdf_bytes(12)


def page_url(token: str, rest: str = "") -> str:
    return f"/submission/{token}/materials{rest}"


def text_of(response) -> str:
    """The page's text as a reader sees it (entities decoded, tags kept)."""
    return html.unescape(response.get_data(as_text=True))


def version_of(page_html: str, form: str = "details") -> str:
    found = re.search(rf'id="{form}-version" name="version" type="hidden" value="(\d+)"', page_html)
    assert found, f"no version field of the {form} form"
    return found.group(1)


def post_final(client, token: str, data: bytes = FINAL, *, version="1", filename="final.pdf"):
    fields = [("version", version), ("pdf", Upload(filename, "application/pdf", data))]
    return post(client, page_url(token, "/final"), fields, files=True)


def post_slides(client, token: str, data: bytes = SLIDES, *, version="1", filename="talk.pdf"):
    fields = [("version", version), ("slides", Upload(filename, "application/pdf", data))]
    return post(client, page_url(token, "/slides"), fields, files=True)


def post_details(
    client,
    token: str,
    *,
    presenter: int | str,
    bio: str = "Ada Lovelace studies the performance of engines.",
    video_url: str = "",
    consent: bool = True,
    version: str = "1",
):
    fields = [
        ("version", version),
        ("presenter", str(presenter)),
        ("bio", bio),
        ("video_url", video_url),
    ]
    if consent:
        fields.append(("consent_publish", "y"))
    return post(client, page_url(token, "/details"), fields)


def materials_row(app: Flask, submission_id: int) -> FinalMaterials | None:
    with app.app_context():
        row = db.session.get(FinalMaterials, submission_id)
        if row is not None:
            _ = row.presenter
        db.session.expunge_all()
        return row


def author_ids(app: Flask, submission_id: int) -> list[int]:
    with app.app_context():
        return [a.id for a in db.session.get(Submission, submission_id).authors]


def event_kinds(app: Flask, submission_id: int) -> list[str]:
    with app.app_context():
        events = db.session.scalars(
            db.select(SubmissionEvent)
            .where(SubmissionEvent.submission_id == submission_id)
            .order_by(SubmissionEvent.id)
        )
        return [event.kind.value for event in events]


def materials_files(app: Flask) -> list[Path]:
    folder = Path(app.config["UPLOAD_DIR"]) / "materials"
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
