"""Organizer helpers: an account and signing in with it, and rows (registrations, submissions,
mail) made directly in the database as the features store them."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import secrets
import time
from datetime import UTC, datetime
from itertools import count
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from fastpath.cfp.models import (
    Submission,
    SubmissionAuthor,
    SubmissionEvent,
    SubmissionStatus,
    SubmissionTopic,
)
from fastpath.core.audit import AuditEvent
from fastpath.core.extensions import db
from fastpath.core.tokens import new_token
from fastpath.mail.models import OutboxMail, OutboxStatus
from fastpath.organizer import services
from fastpath.registration.models import Registration, RegistrationStatus

EMAIL = "chair@fastpath.test"
PASSWORD = "a long enough passphrase"
SIGN_IN_FAILED = "That email and password do not match an organizer account"
_arrivals = count(1)


def make_organizer(app: Flask, email: str = EMAIL, password: str = PASSWORD) -> int:
    with app.app_context():
        organizer = services.create_organizer(email, password)
        db.session.commit()
        return organizer.id


def csrf_token_of(client: FlaskClient, url: str) -> str | None:
    """The CSRF token in the page's forms (None when CSRF protection is off)."""
    page = client.get(url).get_data(as_text=True)
    found = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    return found.group(1) if found else None


def sign_in(client: FlaskClient, email: str = EMAIL, password: str = PASSWORD, **extra):
    """Post the sign-in form as a browser would (with the page's CSRF token, if any)."""
    token = csrf_token_of(client, "/organizer/login")
    data = {"email": email, "password": password, **extra}
    if token:
        data.setdefault("csrf_token", token)
    return client.post("/organizer/login", data=data)


def add_registration(
    app: Flask,
    name: str = "Ada Lovelace",
    *,
    email: str | None = None,
    status: RegistrationStatus = RegistrationStatus.REGISTERED,
    created_at: datetime | None = None,
    **fields,
) -> int:
    """A registration row as the registration feature stores one."""
    email = email or f"{name.split()[0].lower()}{next(_arrivals)}@example.org"
    moment = created_at or datetime(2020, 1, 15, 10, 0, tzinfo=UTC)
    with app.app_context():
        row = Registration(
            name=name,
            email=email,
            email_normalized=email.strip().lower(),
            active_email=None if status == RegistrationStatus.CANCELLED else email.lower(),
            affiliation=fields.pop("affiliation", "ETH Zürich"),
            position=fields.pop("position", "academia"),
            dietary=fields.pop("dietary", ""),
            accessibility=fields.pop("accessibility", ""),
            public_listing=fields.pop("public_listing", False),
            consent=True,
            status=status,
            arrival=next(_arrivals),
            token_hash=new_token()[1],
            created_at=moment,
            updated_at=moment,
            **fields,
        )
        db.session.add(row)
        db.session.commit()
        return row.id


def add_submission(
    app: Flask,
    title: str = "Roofline models for transformer inference",
    *,
    authors: list[tuple[str, str, str]] | None = None,
    topics: tuple[str, ...] = ("characterization",),
    status: SubmissionStatus = SubmissionStatus.SUBMITTED,
    created_at: datetime | None = None,
    abstract: str = "We measure things.",
    note: str = "",
) -> int:
    """A submission row, its authors (the first is the contact) and a stored PDF, as the
    submission feature stores them."""
    authors = authors or [("Ada Lovelace", "ada@example.org", "University of London")]
    moment = created_at or datetime(2020, 1, 18, 9, 30, tzinfo=UTC)
    stored_name = f"{secrets.token_hex(16)}.pdf"
    pdf = b"%PDF-1.4\n% a stand-in for the abstract\n%%EOF\n"
    with app.app_context():
        upload_dir = Path(app.config["UPLOAD_DIR"])
        upload_dir.mkdir(parents=True, exist_ok=True)
        (upload_dir / stored_name).write_bytes(pdf)
        number = (db.session.scalar(db.select(db.func.max(Submission.number))) or 0) + 1
        row = Submission(
            number=number,
            title=title,
            abstract=abstract,
            note=note,
            consented_at=moment,
            status=status,
            created_at=moment,
            updated_at=moment,
            withdrawn_at=moment if status == SubmissionStatus.WITHDRAWN else None,
            version=1,
            token_hash=new_token()[1],
            form_nonce=secrets.token_urlsafe(16),
            pdf_stored_name=stored_name,
            pdf_filename="my abstract.pdf",
            pdf_size=len(pdf),
            pdf_pages=3,
            pdf_sha256=hashlib.sha256(pdf).hexdigest(),
            authors=[
                SubmissionAuthor(
                    position=i, name=name, email=email, affiliation=affiliation, is_contact=i == 1
                )
                for i, (name, email, affiliation) in enumerate(authors, start=1)
            ],
            topics=[SubmissionTopic(topic_key=key) for key in topics],
            events=[SubmissionEvent(at=moment, kind="submitted", details="Submitted")],
        )
        db.session.add(row)
        db.session.commit()
        return row.id


def add_mail(app: Flask, *, status: OutboxStatus, error: str | None = None, ref=None) -> int:
    moment = datetime.now(UTC)
    with app.app_context():
        row = OutboxMail(
            message_id=f"<{time.monotonic_ns()}@fastpath.test>",
            template="test",
            registration_id=ref,
            sender="FastPath 2020 <fastpath2020@localhost>",
            recipients="someone@example.org",
            subject="[FastPath 2020] A test mail",
            body_text="Hello.\n",
            body_html="<p>Hello.</p>",
            status=status,
            attempts=8 if status == OutboxStatus.FAILED else 0,
            created_at=moment,
            next_attempt_at=moment,
            last_error=error,
        )
        db.session.add(row)
        db.session.commit()
        return row.id


def audit_actions(app: Flask) -> list[tuple[str, str, str | None]]:
    with app.app_context():
        events = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id))
        return [(e.action, e.actor, e.target) for e in events]


BOM = b"\xef\xbb\xbf"


def parse(data: bytes) -> list[list[str]]:
    """A CSV file as Excel or a script would read it (BOM dropped)."""
    assert data.startswith(BOM)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def download(client, url: str) -> tuple[list[str], list[dict[str, str]], bytes]:
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = parse(response.data)
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]], response.data
