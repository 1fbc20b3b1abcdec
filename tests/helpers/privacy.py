"""Privacy helpers: a site with data made through the real forms and services, the privacy
commands, and every text column of every table read back through db.metadata."""

from __future__ import annotations

import io
import json
import re
import secrets
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import LargeBinary, String, func, select

from fastpath.core.audit import AuditEvent
from fastpath.core.extensions import db
from fastpath.core.tokens import new_nonce
from fastpath.mail.delivery import deliver_pending
from fastpath.organizer import services as organizer_services
from fastpath.registration.models import Registration
from tests.conftest import make_app
from tests.helpers.editions import EDITION
from tests.helpers.pdfs import pdf_bytes

ADA = "ada@example.org"
ADA_NAMES = ("Ada Lovelace", "Augusta Ada King")
# The workshop ends 2020-04-05 17:00 in Boston (21:00 UTC); 180 days later is 2020-10-02.
AFTER_RETENTION = "2020-10-05T00:00:00+00:00"
BEFORE_RETENTION = "2020-09-01T00:00:00+00:00"
DURING_WORKSHOP = datetime(2020, 4, 5, 15, 0, tzinfo=UTC)
TWO_PAGES = pdf_bytes(2)
ADA_IN_TEXT = re.compile(r"ada lovelace|augusta ada king|ada@example\.org", re.IGNORECASE)


def make_site(tmp_path: Path, **config: Any) -> Flask:
    """An app on the FastPath 2020 content with room for two attendees."""
    folder = tmp_path / "content"
    if not folder.exists():
        shutil.copytree(EDITION, folder)
        toml = folder / "workshop.toml"
        text = toml.read_text(encoding="utf-8")
        toml.write_text(text.replace("[registration]\n", "[registration]\ncapacity = 2\n", 1))
    # Places at once, no address to confirm first: these tests are about erasure.
    config = {"REGISTRATION_CONFIRM_ADDRESS": False, **config}
    return make_app(tmp_path, CONTENT_DIR=str(folder), **config)


def register(client, name: str, email: str, **extra: str) -> None:
    data = {
        "name": name,
        "email": email,
        "affiliation": f"{name.split()[0]}'s lab",
        "position": "academia",
        "dietary": "vegetarian",
        "accessibility": "step-free access",
        "consent": "y",
        "nonce": new_nonce(),
        **extra,
    }
    response = client.post("/register", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)


def submit(client, title: str, authors: list[tuple[str, str, str]], contact: int = 0) -> None:
    data: dict[str, Any] = {
        "form_nonce": secrets.token_urlsafe(32),
        "title": title,
        "abstract": "We measure tail latency of recommendation models on shared GPUs.",
        "contact": str(contact),
        "topics": ["characterization"],
        "note": "",
        "consent": "y",
        "pdf": (io.BytesIO(TWO_PAGES), "abstract.pdf", "application/pdf"),
    }
    for index, (name, email, affiliation) in enumerate(authors):
        data[f"authors-{index}-name"] = name
        data[f"authors-{index}-email"] = email
        data[f"authors-{index}-affiliation"] = affiliation
    response = client.post("/submit", data=data, content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)


def populate(app: Flask) -> None:
    """Four attendees (two with places, two waiting), four submissions, an organizer's
    action and a failed organizer sign-in, all mail delivered to the spool folder.

    Ada: registered; contact author of FP20-001 (with Grace and Alan) and sole author of
    FP20-002; co-author of Grace's FP20-003 under another name and spelling of her address.
    Bob: registered, sole author of FP20-004. Carol and Dave: waiting, in that order.
    """
    client = app.test_client()
    register(client, "Ada Lovelace", ADA)
    register(client, "Bob Babbage", "bob@example.org")
    register(client, "Carol Shaw", "carol@example.org")
    register(client, "Dave Cutler", "dave@example.org")
    grace = ("Grace Hopper", "grace@example.org", "Yale University")
    alan = ("Alan Turing", "alan@example.org", "University of Manchester")
    submit(
        client, "Tail latency on shared GPUs", [("Ada Lovelace", ADA, "Engines Ltd"), grace, alan]
    )
    submit(client, "Analytical engines for inference", [("Ada Lovelace", ADA, "Engines Ltd")])
    submit(
        client,
        "Compilers for tensor programs",
        [grace, ("Augusta Ada King", "Ada@Example.ORG", "Engines Ltd")],
    )
    submit(client, "Difference engines at scale", [("Bob Babbage", "bob@example.org", "Cambridge")])
    # Ada typed her address into the organizers' sign-in: the audit log names her.
    client.post("/organizer/login", data={"email": ADA, "password": "not-an-organizer"})
    with app.app_context():
        ada = db.session.scalars(select(Registration).where(Registration.email == ADA)).one()
        assert organizer_services.resend_registration_link(ada, by=None)
        db.session.commit()
        deliver_pending()


def cli(app: Flask, *args: str, input: str | None = None):
    result = app.test_cli_runner().invoke(args=list(args), input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def text_values(app: Flask) -> list[tuple[str, str, str]]:
    """(table, column, value) for every text and binary value in the database."""
    found = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | LargeBinary)]
            if not columns:
                continue
            for row in db.session.execute(select(*columns)):
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, bytes):
                        value = value.decode("utf-8", "replace")
                    if value:
                        found.append((table.name, column.name, value))
    return found


def mentions(app: Flask, *needles: str) -> list[tuple[str, str, str]]:
    """The values that contain any of the needles (any case)."""
    folded = [needle.casefold() for needle in needles]
    return [
        (table, column, value)
        for table, column, value in text_values(app)
        if any(needle in value.casefold() for needle in folded)
    ]


def spool_mentions(app: Flask, *needles: str) -> list[str]:
    folder = Path(app.config["MAIL_SPOOL_DIR"])
    texts = {path.name: path.read_text("utf-8", "replace").casefold() for path in folder.iterdir()}
    return [name for name, text in texts.items() if any(n.casefold() in text for n in needles)]


def status_counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        rows = db.session.execute(
            select(Registration.status, func.count()).group_by(Registration.status)
        )
        return {status.value: count for status, count in rows}


def row_counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {
            table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }


def rows(app: Flask, model: Any, *conditions: Any) -> list[dict[str, Any]]:
    """Every column of the matching rows, as plain dicts."""
    with app.app_context():
        table = model.__table__
        query = select(table).where(*conditions).order_by(*table.primary_key.columns)
        found = db.session.execute(query).mappings()
        return [dict(row) for row in found]


def audit_trail(app: Flask) -> list[tuple[int, str]]:
    with app.app_context():
        return [
            tuple(row)
            for row in db.session.execute(
                select(AuditEvent.id, AuditEvent.action).order_by(AuditEvent.id)
            )
        ]


def export(app: Flask, email: str) -> dict[str, Any]:
    result = cli(app, "privacy", "export", email)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def registration_of(app: Flask, name: str) -> dict[str, Any]:
    (row,) = rows(app, Registration, Registration.name == name)
    return row
