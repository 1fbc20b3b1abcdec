"""Registration helpers: a valid /register post, posting it, reading back rows, events and the
outbox, and content folders with extra registration lines."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
from flask import Flask
from sqlalchemy import select

from fastpath.core.extensions import db
from fastpath.core.tokens import new_nonce
from fastpath.mail.delivery import deliver_pending
from fastpath.mail.models import OutboxMail
from fastpath.registration.models import Registration, RegistrationEvent
from tests.helpers.editions import EDITION
from tests.helpers.forms import post, registration_fields

LINK = re.compile(r"http://fastpath\.test(/registration/[A-Za-z0-9_-]{20,})")
NEW_YORK = ZoneInfo("America/New_York")


def form_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "affiliation": "Analytical Engines Ltd",
        "position": "academia",
        "dietary": "vegetarian",
        "accessibility": "",
        "consent": "y",
        "nonce": new_nonce(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def register(client, **overrides: object):
    return client.post("/register", data=form_data(**overrides))


def registrations(app: Flask) -> list[Registration]:
    with app.app_context():
        rows = db.session.scalars(select(Registration).order_by(Registration.arrival)).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def events(app: Flask, registration_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(RegistrationEvent.kind)
                .where(RegistrationEvent.registration_id == registration_id)
                .order_by(RegistrationEvent.id)
            )
        )


def outbox(app: Flask) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [
            (row.recipients, row.template, row.subject)
            for row in db.session.scalars(select(OutboxMail).order_by(OutboxMail.id))
        ]


def deliver(app: Flask) -> int:
    with app.app_context():
        return deliver_pending()


def link_in(mail) -> str:
    found = LINK.findall(mail.text)
    assert len(found) == 1, mail.text
    return found[0]


def html_of(response) -> str:
    return response.get_data(as_text=True)


def field_error(html: str, field: str) -> str:
    found = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', html)
    assert found, f"no error shown next to {field}"
    return found.group(1)


def content_copy(tmp_path: Path, registration_lines: str, name: str = "content") -> Path:
    """The FastPath 2020 content folder with extra lines under [registration]."""
    folder = tmp_path / name
    shutil.copytree(EDITION, folder)
    toml = folder / "workshop.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(
        text.replace("[registration]\n", f"[registration]\n{registration_lines}\n", 1),
        encoding="utf-8",
    )
    return folder


def parse_calendar(data: bytes) -> tuple[icalendar.Calendar, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(data)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def register_unconfirmed(client, email: str) -> str:
    """Register; return the private link from the mail asking to confirm the address."""
    response = post(client, "/register", registration_fields(email=email, name=email[0].upper()))
    assert response.status_code == 303
    return confirm_link_for(client.application, email)


def confirm_link_for(app: Flask, email: str) -> str:
    with app.app_context():
        body = db.session.scalars(
            db.select(OutboxMail.body_text)
            .where(OutboxMail.recipients == email)
            .where(OutboxMail.template == "registration_confirm_address")
            .order_by(OutboxMail.id.desc())
        ).first()
    return LINK.search(body).group(1)
