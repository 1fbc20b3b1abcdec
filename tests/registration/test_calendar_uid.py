"""Calendar UIDs: unique across editions and databases, stable for one registration."""

from __future__ import annotations

import re

import icalendar
from flask_migrate import upgrade
from sqlalchemy import text

from fastpath.core.extensions import db
from fastpath.mail.delivery import deliver_pending
from fastpath.registration.models import Registration
from tests.conftest import make_app
from tests.helpers.registrations import form_data

LINK = re.compile(r"http://fastpath\.test(/registration/[A-Za-z0-9_-]{20,})")


def calendar_uid(client, path: str) -> str:
    (event,) = icalendar.Calendar.from_ical(client.get(f"{path}/calendar.ics").data).walk("VEVENT")
    return str(event["UID"])


def register_and_link(app, smtp) -> str:
    client = app.test_client()
    assert client.post("/register", data=form_data()).status_code == 303
    with app.app_context():
        assert deliver_pending() == 1
    return LINK.findall(smtp.recorder.received[-1].text)[0]


def test_calendar_uid_differs_between_two_fresh_databases_on_one_host(tmp_path, smtp):
    first = make_app(tmp_path / "2020", **smtp.app_config())
    second = make_app(tmp_path / "2021", **smtp.app_config())
    uids = []
    for app in (first, second):
        path = register_and_link(app, smtp)
        with app.app_context():
            assert db.session.scalars(db.select(Registration.id)).all() == [1]
        uids.append(calendar_uid(app.test_client(), path))
    assert uids[0] != uids[1]
    assert all(re.fullmatch(r"registration-[0-9a-f]{32}@fastpath\.test", uid) for uid in uids)


def test_calendar_uid_is_stable_for_one_registration(tmp_path, smtp):
    app = make_app(tmp_path, **smtp.app_config())
    path = register_and_link(app, smtp)
    client = app.test_client()
    uid = calendar_uid(client, path)
    assert calendar_uid(client, path) == uid
    (attachment,) = smtp.recorder.received[-1].message.iter_attachments()
    (event,) = icalendar.Calendar.from_ical(attachment.get_payload(decode=True)).walk("VEVENT")
    assert str(event["UID"]) == uid


def test_migration_keeps_the_uid_of_existing_registrations(tmp_path):
    uri = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    app = make_app(tmp_path / "m", SQLALCHEMY_DATABASE_URI=uri)
    with app.app_context():
        db.drop_all()
        upgrade(revision="50bf70013ea4")  # before calendar_uid
        db.session.execute(
            text(
                "INSERT INTO registration (id, name, email, email_normalized, affiliation,"
                " position, dietary, accessibility, public_listing, consent, status, arrival,"
                " token_hash, created_at, updated_at) VALUES (7, 'Ada', 'ada@example.org',"
                " 'ada@example.org', '', 'academia', '', '', FALSE, TRUE, 'REGISTERED', 1, 'h',"
                " '2020-01-20 12:00:00', '2020-01-20 12:00:00')"
            )
        )
        db.session.commit()
        upgrade()
        assert db.session.get(Registration, 7).calendar_uid == "registration-7"
