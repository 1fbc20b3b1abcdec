"""Attendee registration: the form, capacity and waiting list, the private link, mail."""

from __future__ import annotations

import re
import shutil
import sqlite3
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from flask import Flask, before_render_template
from sqlalchemy import select

from fastpath import ContentError
from fastpath.core.extensions import db
from fastpath.core.tokens import hash_token, new_nonce
from fastpath.mail.delivery import deliver_pending
from fastpath.mail.models import OutboxMail
from fastpath.registration.models import Registration, RegistrationEvent, RegistrationStatus
from tests.conftest import make_app

EDITION = Path(__file__).resolve().parents[2] / "fastpath" / "editions" / "fastpath2020"
LINK = re.compile(r"http://fastpath\.test(/registration/[A-Za-z0-9_-]{20,})")
NEW_YORK = ZoneInfo("America/New_York")


# --- Helpers ---------------------------------------------------------------------------------


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


@pytest.fixture
def content_app(tmp_path: Path, smtp):
    """Make apps on edited content whose mail goes to the test's SMTP server."""
    apps: list[Flask] = []

    def make(registration_lines: str, name: str = "site", **config: object) -> Flask:
        folder = content_copy(tmp_path, registration_lines, f"content-{name}")
        # These tests are about the waiting list itself: places at once, no address to
        # confirm first (tests/registration/test_address_confirmation.py covers that step).
        config = {"REGISTRATION_CONFIRM_ADDRESS": False, **config}
        app = make_app(tmp_path / name, CONTENT_DIR=str(folder), **smtp.app_config(), **config)
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def parse_calendar(data: bytes) -> tuple[icalendar.Calendar, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(data)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


# --- The form --------------------------------------------------------------------------------


def test_form_shows_fields_from_content_with_required_marked(client):
    html = html_of(client.get("/register"))

    def label(field: str) -> str:
        return re.search(rf'<label for="{field}">(.*?)</label>', html, re.S).group(1)

    for field in ("name", "email", "affiliation", "position", "consent"):
        assert 'class="required"' in label(field), field
    for field in ("dietary", "accessibility", "public_listing"):
        assert 'class="required"' not in label(field), field
    options = re.findall(r'<option value="([^"]*)"', html)
    assert options == ["", "student", "academia", "industry", "other"]
    assert re.search(r'<input[^>]*id="public_listing"[^>]*>', html).group(0).count("checked") == 0
    assert 'name="nonce"' in html
    assert 'class="honeypot"' in html


def test_form_page_renders_after_its_database_read_has_ended(app, client):
    # On SQLite every transaction holds the write lock: the page must not keep one open
    # while its template renders (every registration would wait for it).
    open_while_rendering: list[bool] = []

    def note(_app: Flask, template: object, context: dict, **extra: object) -> None:
        open_while_rendering.append(db.session().in_transaction())

    with before_render_template.connected_to(note, app):
        response = client.get("/register")
    assert (response.status_code, open_while_rendering) == (200, [False])


def test_register_answers_with_page_row_and_mail_with_calendar(mail_app, smtp):
    client = mail_app.test_client()
    response = register(client, dietary="no nuts\r\nvegetarian", accessibility="step-free")

    assert response.status_code == 303
    assert response.headers["Location"] == "/register/thanks"
    page = html_of(client.get("/register/thanks"))
    assert "Thank you, <bdi>Ada Lovelace</bdi>" in page
    assert "You have a place at the workshop." in page
    assert "ada@example.org" in page

    (row,) = registrations(mail_app)
    assert row.name == "Ada Lovelace"
    assert row.email == "ada@example.org"
    assert row.email_normalized == "ada@example.org"
    assert row.active_email == "ada@example.org"
    assert row.affiliation == "Analytical Engines Ltd"
    assert row.position == "academia"
    assert row.dietary == "no nuts\nvegetarian"  # the browser's CRLF stored as LF
    assert row.accessibility == "step-free"
    assert row.public_listing is False
    assert row.consent is True
    assert row.status == RegistrationStatus.REGISTERED
    assert row.arrival == 1
    assert len(row.token_hash) == 64
    assert events(mail_app, row.id) == ["registered"]

    assert deliver(mail_app) == 1
    (mail,) = smtp.recorder.wait_for(1)
    assert mail.envelope_to == ["ada@example.org"]
    assert mail.subject == "[FastPath 2020] Registration confirmed"
    text = mail.text.replace("\r\n", "\n")  # SMTP carries CRLF line ends
    for expected in (
        "Dear Ada Lovelace",
        "You have a place.",
        "Sunday, April 5, 2020, 9:00-17:00 (America/New_York, EDT)",
        "Boston, Massachusetts, USA",
        "Name:        Ada Lovelace",
        "Email:       ada@example.org",
        "Affiliation: Analytical Engines Ltd",
        "Position:    Academia (faculty, researcher, postdoc)",
        "Dietary needs: no nuts\n    vegetarian",
        "Accessibility needs: step-free",
        "Public attendee list: no",
    ):
        assert expected in text, expected
    path = link_in(mail)
    assert hash_token(path.rsplit("/", 1)[1]) == row.token_hash
    assert f'href="http://fastpath.test{path}"' in mail.html

    (attachment,) = mail.attachments()
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == "fastpath-2020.ics"
    calendar, event = parse_calendar(attachment.get_payload(decode=True))
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == datetime(2020, 4, 5, 9, 0, tzinfo=NEW_YORK)
    assert end == datetime(2020, 4, 5, 17, 0, tzinfo=NEW_YORK)
    assert str(start.tzinfo) == "America/New_York"
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert str(event["LOCATION"]) == "Boston, Massachusetts, USA"
    assert str(event["SUMMARY"]) == "FastPath 2020"
    assert str(event["URL"]) == "http://fastpath.test/program"
    assert str(event["UID"]) == f"{row.calendar_uid}@fastpath.test"


def test_private_link_shows_registration_and_calendar_download(mail_app, smtp):
    client = mail_app.test_client()
    register(client, public_listing="y")
    deliver(mail_app)
    path = link_in(smtp.recorder.wait_for(1)[0])

    page = client.get(path)
    html = html_of(page)
    assert page.status_code == 200
    assert "You have a place at the workshop." in html
    assert "Analytical Engines Ltd" in html
    assert "Yes, you may list me" in html
    assert f'href="{path}/calendar.ics"' in html
    assert f'href="{path}/cancel"' in html

    download = client.get(f"{path}/calendar.ics")
    assert download.status_code == 200
    assert download.mimetype == "text/calendar"
    assert download.headers["Content-Disposition"] == 'attachment; filename="fastpath-2020.ics"'
    _, event = parse_calendar(download.data)
    assert event.decoded("DTSTART") == datetime(2020, 4, 5, 9, 0, tzinfo=NEW_YORK)
    (row,) = registrations(mail_app)
    assert str(event["UID"]) == f"{row.calendar_uid}@fastpath.test"


@pytest.mark.parametrize(
    "path",
    [
        "/registration/not-a-token",
        "/registration/" + "A" * 43,
        "/registration/" + "A" * 500,
        "/registration/" + "A" * 43 + "/cancel",
        "/registration/" + "A" * 43 + "/calendar.ics",
    ],
)
def test_private_link_unknown_token_is_404(client, path):
    register(client)
    assert client.get(path).status_code == 404
    if not path.endswith(".ics"):  # the calendar is GET only (405 for a POST)
        assert client.post(path, data={"name": "x"}).status_code == 404


def test_thanks_without_a_registration_redirects_to_form(client):
    response = client.get("/register/thanks")
    assert response.status_code == 302
    assert response.headers["Location"] == "/register"


# --- Capacity and the waiting list ----------------------------------------------------------


def test_full_room_puts_newcomers_on_waiting_list_with_position(content_app, smtp):
    app = content_app("capacity = 2")
    client = app.test_client()
    for number in range(1, 5):
        response = register(client, email=f"p{number}@example.org", name=f"Person {number}")
        assert response.headers["Location"] == "/register/thanks"
        page = html_of(client.get("/register/thanks"))
        if number <= 2:
            assert "You have a place at the workshop." in page
        else:
            assert f"you are number {number - 2} on the waiting list" in page

    rows = registrations(app)
    assert [(r.email, r.status, r.arrival) for r in rows] == [
        ("p1@example.org", RegistrationStatus.REGISTERED, 1),
        ("p2@example.org", RegistrationStatus.REGISTERED, 2),
        ("p3@example.org", RegistrationStatus.WAITING, 3),
        ("p4@example.org", RegistrationStatus.WAITING, 4),
    ]
    assert events(app, rows[2].id) == ["waitlisted"]
    assert "The room is full." in html_of(client.get("/register"))

    deliver(app)
    smtp.recorder.wait_for(4)
    (third,) = smtp.recorder.to("p3@example.org")
    assert third.subject == "[FastPath 2020] You are on the waiting list (number 1)"
    assert "you are number 1" in third.text
    assert third.attachments() == []  # the calendar file comes with a place
    (fourth,) = smtp.recorder.to("p4@example.org")
    assert fourth.subject == "[FastPath 2020] You are on the waiting list (number 2)"

    page = html_of(client.get(link_in(third)))
    assert "you are number 1 on the waiting list" in page
    assert "calendar.ics" not in page
    assert client.get(link_in(third) + "/calendar.ics").status_code == 404


def test_cancel_asks_first_then_promotes_first_waiting_and_mails(content_app, smtp):
    app = content_app("capacity = 1")
    client = app.test_client()
    for who in ("a", "b", "c"):
        register(client, email=f"{who}@example.org", name=who.upper())
    deliver(app)
    smtp.recorder.wait_for(3)
    link_a = link_in(smtp.recorder.to("a@example.org")[0])
    link_c = link_in(smtp.recorder.to("c@example.org")[0])

    confirm = client.get(f"{link_a}/cancel")
    assert confirm.status_code == 200
    assert "Yes, cancel my registration" in html_of(confirm)
    assert registrations(app)[0].status == RegistrationStatus.REGISTERED  # GET changes nothing

    response = client.post(f"{link_a}/cancel")
    assert response.status_code == 303
    assert response.headers["Location"] == link_a
    a, b, c = registrations(app)
    assert (a.status, a.active_email, a.cancelled_at is not None) == (
        RegistrationStatus.CANCELLED,
        None,
        True,
    )
    assert (b.status, b.promoted_at is not None) == (RegistrationStatus.REGISTERED, True)
    assert c.status == RegistrationStatus.WAITING
    assert events(app, a.id) == ["registered", "cancelled"]
    assert events(app, b.id) == ["waitlisted", "promoted"]

    assert deliver(app) == 2
    smtp.recorder.wait_for(5)
    cancelled = smtp.recorder.to("a@example.org")[-1]
    assert cancelled.subject == "[FastPath 2020] Registration cancelled"
    assert "your registration for FastPath 2020 is cancelled" in cancelled.text
    (promoted,) = smtp.recorder.to("b@example.org")[1:]
    assert promoted.subject == "[FastPath 2020] A place is free: you are registered"
    assert "You are now registered." in promoted.text
    (attachment,) = promoted.attachments()
    _, event = parse_calendar(attachment.get_payload(decode=True))
    assert str(event["LOCATION"]) == "Boston, Massachusetts, USA"
    assert len(smtp.recorder.to("c@example.org")) == 1  # moved up, no mail needed

    assert "This registration is cancelled." in html_of(client.get(link_a))
    assert "you are number 1 on the waiting list" in html_of(client.get(link_c))


def test_waiting_person_leaves_list_and_nobody_is_promoted(content_app, smtp):
    app = content_app("capacity = 1")
    client = app.test_client()
    for who in ("a", "b", "c"):
        register(client, email=f"{who}@example.org")
    deliver(app)
    smtp.recorder.wait_for(3)
    link_b = link_in(smtp.recorder.to("b@example.org")[0])

    assert "Yes, leave the waiting list" in html_of(client.get(f"{link_b}/cancel"))
    client.post(f"{link_b}/cancel")

    a, b, c = registrations(app)
    assert [a.status, b.status, c.status] == [
        RegistrationStatus.REGISTERED,
        RegistrationStatus.CANCELLED,
        RegistrationStatus.WAITING,
    ]
    assert events(app, b.id) == ["waitlisted", "left_waiting_list"]
    assert deliver(app) == 1
    left = smtp.recorder.wait_for(4)[-1]
    assert left.envelope_to == ["b@example.org"]
    assert left.subject == "[FastPath 2020] You have left the waiting list"
    link_c = link_in(smtp.recorder.to("c@example.org")[0])
    assert "you are number 1 on the waiting list" in html_of(client.get(link_c))


def test_cancel_posted_twice_cancels_once(mail_app, smtp):
    client = mail_app.test_client()
    register(client)
    deliver(mail_app)
    link = link_in(smtp.recorder.wait_for(1)[0])

    first = client.post(f"{link}/cancel")
    second = client.post(f"{link}/cancel")

    assert first.headers["Location"] == second.headers["Location"] == link
    assert "already cancelled" in html_of(client.get(link))
    assert [t for _, t, _ in outbox(mail_app)] == [
        "registration_confirmed",
        "registration_cancelled",
    ]


def test_raising_capacity_then_promote_command_fills_places(tmp_path, smtp, content_app):
    small = content_app("capacity = 1", name="site")
    client = small.test_client()
    for who in ("a", "b", "c"):
        register(client, email=f"{who}@example.org")
    # The same database, with the capacity raised in the content.
    folder = content_copy(tmp_path, "capacity = 2", "content-bigger")
    bigger = make_app(
        tmp_path / "site",
        CONTENT_DIR=str(folder),
        REGISTRATION_CONFIRM_ADDRESS=False,
        **smtp.app_config(),
    )

    result = bigger.test_cli_runner().invoke(args=["registration", "promote"])

    assert result.exit_code == 0, result.output
    assert "1 promoted" in result.output
    assert [r.status for r in registrations(bigger)] == [
        RegistrationStatus.REGISTERED,
        RegistrationStatus.REGISTERED,
        RegistrationStatus.WAITING,
    ]
    assert outbox(bigger)[-1] == (
        "b@example.org",
        "registration_promoted",
        "[FastPath 2020] A place is free: you are registered",
    )
    with bigger.app_context():
        db.engine.dispose()


def test_cancel_after_workshop_started_is_refused(content_app):
    app = content_app("capacity = 1")
    client = app.test_client()
    register(client, email="a@example.org")
    register(client, email="b@example.org")
    with app.app_context():
        outbox_text = db.session.scalars(select(OutboxMail.body_text)).first()
    link = LINK.search(outbox_text).group(1)
    app.config["NOW"] = datetime(2020, 4, 5, 9, 30, tzinfo=NEW_YORK)

    response = client.post(f"{link}/cancel")

    assert response.headers["Location"] == link
    assert [r.status for r in registrations(app)] == [
        RegistrationStatus.REGISTERED,
        RegistrationStatus.WAITING,
    ]
    page = html_of(client.get(link))
    assert "registrations can no longer be changed" in page
    assert 'action="' + link + '"' not in page  # no update form any more


# --- One person, one registration ------------------------------------------------------------


def test_same_address_again_creates_nothing_and_mails_a_fresh_link(mail_app, smtp):
    client = mail_app.test_client()
    first = register(client, email="Ada@Example.org")
    first_page = html_of(client.get("/register/thanks"))
    deliver(mail_app)
    old_link = link_in(smtp.recorder.wait_for(1)[0])

    again = register(client, email="Ada@Example.org", name="Ada Lovelace", affiliation="Other")
    again_page = html_of(client.get("/register/thanks"))
    register(client, email="  ada@EXAMPLE.ORG ")

    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"] == "/register/thanks"
    assert first_page == again_page  # the page reveals nothing
    (row,) = registrations(mail_app)
    assert row.affiliation == "Analytical Engines Ltd"  # the second form changed nothing
    assert events(mail_app, row.id) == ["registered", "duplicate_attempt", "duplicate_attempt"]

    assert deliver(mail_app) == 2
    mails = smtp.recorder.wait_for(3)
    assert [m.envelope_to for m in mails] == [["Ada@Example.org"]] * 3
    already = mails[1]
    assert already.subject == "[FastPath 2020] You are already registered"
    assert "You were already registered, so nothing new was created." in already.text
    assert "It is a new link: links sent earlier stop working once you open it." in already.text
    newest = link_in(mails[2])
    assert client.get(old_link).status_code == 200  # until the owner opens a new link
    assert client.get(newest).status_code == 200
    assert client.get(old_link).status_code == 404
    assert client.get(link_in(already)).status_code == 404  # replaced by the third mail's


def test_repeated_address_gets_the_answer_a_newcomer_would_when_full(content_app):
    app = content_app("capacity = 1")
    client = app.test_client()
    register(client, email="a@example.org", name="Same Name")
    register(client, email="b@example.org", name="Same Name")

    register(client, email="a@example.org", name="Same Name")
    repeated = html_of(client.get("/register/thanks"))
    assert "you are number 2 on the waiting list" in repeated

    register(client, email="c@example.org", name="Same Name")
    newcomer = html_of(client.get("/register/thanks"))
    assert newcomer == repeated.replace("a@example.org", "c@example.org")


def test_register_again_after_cancelling(mail_app, smtp):
    client = mail_app.test_client()
    register(client)
    deliver(mail_app)
    link = link_in(smtp.recorder.wait_for(1)[0])
    client.post(f"{link}/cancel")

    response = register(client, name="Ada L.")

    assert response.headers["Location"] == "/register/thanks"
    old, new = registrations(mail_app)
    assert (old.status, old.active_email) == (RegistrationStatus.CANCELLED, None)
    assert (new.status, new.active_email, new.name) == (
        RegistrationStatus.REGISTERED,
        "ada@example.org",
        "Ada L.",
    )
    assert new.arrival > old.arrival
    deliver(mail_app)
    assert smtp.recorder.wait_for(3)[-1].subject == "[FastPath 2020] Registration confirmed"


# --- Double click, replay --------------------------------------------------------------------


def test_double_click_creates_one_registration_and_one_mail(mail_app, smtp):
    client = mail_app.test_client()
    data = form_data()

    first = client.post("/register", data=data)
    second = client.post("/register", data=data)

    assert first.headers["Location"] == second.headers["Location"] == "/register/thanks"
    assert "You have a place at the workshop." in html_of(client.get("/register/thanks"))
    (row,) = registrations(mail_app)
    assert row.form_nonce == data["nonce"]
    assert events(mail_app, row.id) == ["registered"]
    assert deliver(mail_app) == 1
    (mail,) = smtp.recorder.wait_for(1)
    assert mail.subject == "[FastPath 2020] Registration confirmed"


def test_back_button_with_another_address_registers_a_second_person(client, app):
    data = form_data()
    client.post("/register", data=data)

    response = client.post("/register", data={**data, "email": "grace@example.org"})

    assert response.headers["Location"] == "/register/thanks"
    first, second = registrations(app)
    assert (first.email, first.form_nonce) == ("ada@example.org", data["nonce"])
    assert (second.email, second.form_nonce) == ("grace@example.org", None)


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_replayed_form_with_csrf_gives_same_answer_and_one_row(client, app):
    html = html_of(client.get("/register"))
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    nonce = re.search(r'id="nonce" name="nonce" type="hidden" value="([^"]+)"', html).group(1)
    data = form_data(csrf_token=csrf, nonce=nonce)

    assert client.post("/register", data=data).headers["Location"] == "/register/thanks"
    assert client.post("/register", data=data).headers["Location"] == "/register/thanks"
    assert len(registrations(app)) == 1
    assert [t for _, t, _ in outbox(app)] == ["registration_confirmed"]


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_form_with_expired_csrf_token_keeps_input_and_explains(client, app):
    client.get("/register")
    response = client.post(
        "/register", data=form_data(csrf_token="stale", name="Grace Hopper", dietary="vegan")
    )

    html = html_of(response)
    assert response.status_code == 400
    assert "This form had expired" in html
    assert 'value="Grace Hopper"' in html
    assert "vegan</textarea>" in html
    assert registrations(app) == []


def test_form_without_nonce_is_refused_with_a_message(client, app):
    data = form_data()
    del data["nonce"]
    response = client.post("/register", data=data)

    html = html_of(response)
    assert response.status_code == 422  # a form shown again to correct, as everywhere
    assert "This form was incomplete" in html
    assert 'value="Ada Lovelace"' in html
    assert re.search(r'name="nonce" type="hidden" value="[A-Za-z0-9_-]{16,}"', html)
    assert registrations(app) == []


# --- Bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "Please enter your name."),
        ({"name": "   "}, "name", "Please enter your name."),
        ({"name": "Ada\nBcc: x@example.org"}, "name", "single line"),
        ({"name": "A" * 201}, "name", "200 characters or fewer (it has 201)"),
        ({"email": ""}, "email", "Please enter your email address."),
        ({"email": "Ann <ann@example.org>"}, "email", "without a name or angle brackets"),
        ({"email": '"Ann" ann@example.org'}, "email", "without a name or angle brackets"),
        ({"email": "ann@example.org\nBcc: x@example.org"}, "email", "on a single line"),
        ({"email": "ann@example.org\r\nBcc: x@example.org"}, "email", "on a single line"),
        (
            {"email": "not-an-address"},
            "email",
            "Enter a valid email address, like name@example.org.",
        ),
        (
            {"email": "ann@localhost"},
            "email",
            "Enter a valid email address, like name@example.org.",
        ),
        ({"email": "a" * 250 + "@example.org"}, "email", "at most 254 characters"),
        ({"affiliation": ""}, "affiliation", "Please enter your affiliation"),
        ({"affiliation": "X" * 201}, "affiliation", "200 characters or fewer"),
        ({"position": ""}, "position", "Please choose your position."),
        ({"position": "ceo"}, "position", "Please choose one of the listed positions."),
        ({"position": "<script>"}, "position", "Please choose one of the listed positions."),
        ({"dietary": "x" * 1001}, "dietary", "1000 characters or fewer (it has 1001)"),
        ({"accessibility": "x" * 5000}, "accessibility", "1000 characters or fewer"),
        ({"dietary": "nuts\x00"}, "dietary", "control characters"),
        ({"consent": None}, "consent", "Please agree to this"),
    ],
)
def test_bad_input_explained_next_to_field_with_input_kept(client, app, overrides, field, message):
    kept = {"name": "Grace Hopper", "dietary": "gluten-free", "accessibility": "captions"}
    if field in kept:
        kept.pop(field)
    response = register(client, **{**kept, **overrides})

    html = html_of(response)
    assert response.status_code == 422  # a form shown again to correct, as everywhere
    assert message in field_error(html, field)
    assert "Please correct the marked fields below." in html
    if "name" in kept:
        assert 'value="Grace Hopper"' in html
    if "dietary" in kept:
        assert "\ngluten-free</textarea>" in html
    assert registrations(app) == []


def test_script_in_fields_is_shown_as_text_everywhere(mail_app, smtp):
    client = mail_app.test_client()
    script = "<script>alert(1)</script>"
    register(
        client,
        name=f"Eve {script}",
        affiliation='<img src=x onerror="alert(2)">',
        dietary="<b>bold</b>",
    )

    thanks = html_of(client.get("/register/thanks"))
    assert "Thank you, <bdi>Eve &lt;script&gt;alert(1)&lt;/script&gt;</bdi>" in thanks
    assert "<script>alert" not in thanks
    deliver(mail_app)
    (mail,) = smtp.recorder.wait_for(1)
    assert f"Dear Eve {script}," in mail.text  # plain text shows it as typed
    assert "Eve &lt;script&gt;alert(1)&lt;/script&gt;" in mail.html
    assert "<script>" not in mail.html and "<img src=x" not in mail.html
    assert "&lt;b&gt;bold&lt;/b&gt;" in mail.html
    page = html_of(client.get(link_in(mail)))
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>bold" not in page
    assert "&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in page


def test_honeypot_filled_answers_like_success_and_keeps_nothing(client, app):
    response = register(client, website="http://spam.example")

    assert response.headers["Location"] == "/register/thanks"
    assert "Thank you, <bdi>Ada Lovelace</bdi>" in html_of(client.get("/register/thanks"))
    assert registrations(app) == []
    assert outbox(app) == []


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_FORM_POSTS="2 per hour")
def test_too_many_posts_from_one_address_are_refused_with_input_kept(client, app):
    assert register(client, email="a@example.org").status_code == 303
    assert register(client, email="b@example.org").status_code == 303

    response = register(client, email="c@example.org", name="Third Person")

    html = html_of(response)
    assert response.status_code == 429
    assert "Too many forms were sent from your network" in html
    assert 'value="Third Person"' in html
    assert 'value="c@example.org"' in html
    assert [r.email for r in registrations(app)] == ["a@example.org", "b@example.org"]
    assert client.get("/register").status_code == 200  # reading is never limited


# --- The registration window -----------------------------------------------------------------


def test_before_opening_the_page_says_when_and_refuses_posts(content_app):
    app = content_app("opens = 2020-02-01T09:00:00")
    client = app.test_client()

    html = html_of(client.get("/register"))
    assert "Registration is not open yet." in html
    assert "Saturday, February 1, 2020, 09:00 EST" in html
    assert "(14:00 UTC)" in html
    assert 'name="email"' not in html

    response = register(client)
    assert response.status_code == 403
    assert "Registration is not open yet." in html_of(response)
    assert registrations(app) == []


@pytest.mark.app_config(NOW="2020-04-05T13:00:00+00:00")
def test_when_the_workshop_starts_registration_is_closed(client, app):
    html = html_of(client.get("/register"))
    assert "Registration is closed." in html
    assert "Sunday, April 5, 2020, 09:00 EDT" in html
    assert register(client).status_code == 403
    assert registrations(app) == []


def test_closing_time_from_content_is_used(content_app):
    app = content_app("closes = 2020-01-20T06:59:00")  # 11:59 UTC; the test clock is 12:00
    html = html_of(app.test_client().get("/register"))
    assert "Registration is closed." in html
    assert "Monday, January 20, 2020, 06:59 EST" in html


# --- Fields and choices from the content -----------------------------------------------------


def test_content_can_adjust_fields_and_positions(content_app):
    app = content_app(
        'fields = { affiliation = "optional", dietary = "off" }\n'
        'positions = [{ key = "member", label = "ISPASS member" }, '
        '{ key = "guest", label = "Guest" }]'
    )
    client = app.test_client()
    html = html_of(client.get("/register"))
    assert 'name="dietary"' not in html
    assert re.findall(r'<option value="([^"]*)"', html) == ["", "member", "guest"]
    assert 'class="required"' not in re.search(
        r'<label for="affiliation">(.*?)</label>', html
    ).group(1)

    refused = register(client, position="academia")
    assert "Please choose one of the listed positions." in field_error(html_of(refused), "position")

    response = register(client, affiliation="", position="guest", dietary="ignored")
    assert response.status_code == 303
    (row,) = registrations(app)
    assert (row.affiliation, row.position, row.dietary) == ("", "guest", "")
    with app.app_context():
        (text,) = db.session.scalars(select(OutboxMail.body_text)).all()
    assert "Position:    Guest" in text
    assert "Dietary needs" not in text


@pytest.mark.parametrize(
    ("lines", "problem"),
    [
        ('fields = { hobby = "optional" }', "registration.fields.hobby: unknown field"),
        ('fields = { dietary = "maybe" }', "use required or optional or off, got 'maybe'"),
        ('fields = { public_listing = "required" }', "use optional or off"),
    ],
)
def test_content_field_mistakes_stop_start_up(tmp_path, lines, problem):
    folder = content_copy(tmp_path, lines)
    with pytest.raises(ContentError, match=re.escape(problem)):
        make_app(tmp_path / "site", CONTENT_DIR=str(folder))


# --- Updating through the link ---------------------------------------------------------------


def test_update_details_through_the_private_link(mail_app, smtp):
    client = mail_app.test_client()
    register(client)
    deliver(mail_app)
    link = link_in(smtp.recorder.wait_for(1)[0])

    form = html_of(client.get(link))
    assert 'value="Ada Lovelace"' in form
    response = client.post(
        link,
        data={
            "name": "Ada King",
            "affiliation": "Analytical Engines Ltd",
            "position": "industry",
            "dietary": "vegan",
            "accessibility": "",
            "public_listing": "y",
            # Not editable here: ignored if posted by hand.
            "email": "mallory@example.org",
            "status": "registered",
        },
    )

    assert response.status_code == 303
    assert response.headers["Location"] == link
    (row,) = registrations(mail_app)
    assert (row.name, row.position, row.dietary, row.public_listing, row.email) == (
        "Ada King",
        "industry",
        "vegan",
        True,
        "ada@example.org",
    )
    assert events(mail_app, row.id) == ["registered", "updated"]
    with mail_app.app_context():
        details = db.session.scalars(
            select(RegistrationEvent.details).where(RegistrationEvent.kind == "updated")
        ).one()
    assert details == "changed: name, position, dietary, public_listing"
    page = html_of(client.get(link))
    assert "Your details are saved." in page
    assert "Industry" in page


def test_update_with_bad_input_keeps_it_and_changes_nothing(mail_app, smtp):
    client = mail_app.test_client()
    register(client)
    deliver(mail_app)
    link = link_in(smtp.recorder.wait_for(1)[0])

    response = client.post(
        link,
        data={"name": "", "affiliation": "New Affiliation", "position": "boss", "dietary": ""},
    )

    html = html_of(response)
    assert response.status_code == 422  # a form shown again to correct, as everywhere
    assert "Please enter your name." in field_error(html, "name")
    assert "Please choose one of the listed positions." in field_error(html, "position")
    assert 'value="New Affiliation"' in html
    (row,) = registrations(mail_app)
    assert (row.name, row.affiliation, row.position) == (
        "Ada Lovelace",
        "Analytical Engines Ltd",
        "academia",
    )


def test_cancelled_registration_cannot_be_updated(client, app):
    register(client)
    with app.app_context():
        text = db.session.scalars(select(OutboxMail.body_text)).one()
    link = LINK.search(text).group(1)
    client.post(f"{link}/cancel")

    response = client.post(link, data=form_data(name="Changed"))

    assert response.headers["Location"] == link
    assert registrations(app)[0].name == "Ada Lovelace"
    assert "Update your details" not in html_of(client.get(link))


# --- Lost link -------------------------------------------------------------------------------


def test_lost_link_mails_a_fresh_link_and_answers_the_same_either_way(mail_app, smtp):
    client = mail_app.test_client()
    register(client)
    deliver(mail_app)
    old_link = link_in(smtp.recorder.wait_for(1)[0])

    known = client.post("/registration/lost", data={"email": " ADA@example.org "})
    known.close()  # the look-up runs once the answer is sent
    known_page = html_of(client.get("/registration/lost/sent"))
    unknown = client.post("/registration/lost", data={"email": "nobody@example.org"})
    unknown.close()
    unknown_page = html_of(client.get("/registration/lost/sent"))

    assert known.status_code == unknown.status_code == 303
    assert known.headers["Location"] == unknown.headers["Location"] == "/registration/lost/sent"
    assert known_page.replace("ADA@example.org", "nobody@example.org") == unknown_page
    assert deliver(mail_app) == 1
    mails = smtp.recorder.wait_for(2)
    assert mails[1].envelope_to == ["ada@example.org"]
    assert mails[1].subject == "[FastPath 2020] Your registration link"
    new_link = link_in(mails[1])
    assert client.get(old_link).status_code == 200  # until the new link is used
    assert client.get(new_link).status_code == 200
    assert client.get(old_link).status_code == 404
    (row,) = registrations(mail_app)
    assert events(mail_app, row.id) == ["registered", "link_resent"]


def test_lost_link_for_cancelled_registration_sends_nothing(client, app):
    register(client)
    with app.app_context():
        text = db.session.scalars(select(OutboxMail.body_text)).one()
    client.post(LINK.search(text).group(1) + "/cancel")

    client.post("/registration/lost", data={"email": "ada@example.org"})

    assert [t for _, t, _ in outbox(app)] == ["registration_confirmed", "registration_cancelled"]


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Please enter your email address."),
        ("Ann <ann@example.org>", "without a name or angle brackets"),
        ("ann@example.org\nBcc: x@example.org", "on a single line"),
    ],
)
def test_lost_link_bad_address_is_explained(client, email, message):
    response = client.post("/registration/lost", data={"email": email})
    assert response.status_code == 422  # a form shown again to correct, as everywhere
    assert message in field_error(html_of(response), "email")


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_cancel_with_expired_form_changes_nothing_and_says_so(client, app):
    html = html_of(client.get("/register"))
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    client.post("/register", data=form_data(csrf_token=csrf))
    with app.app_context():
        text = db.session.scalars(select(OutboxMail.body_text)).one()
    link = LINK.search(text).group(1)

    refused = client.post(f"{link}/cancel", data={"csrf_token": "stale"})

    assert refused.status_code == 303
    assert refused.headers["Location"] == link
    assert "This form had expired" in html_of(client.get(link))
    assert registrations(app)[0].status == RegistrationStatus.REGISTERED

    confirm = html_of(client.get(f"{link}/cancel"))
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', confirm).group(1)
    client.post(f"{link}/cancel", data={"csrf_token": csrf})
    assert registrations(app)[0].status == RegistrationStatus.CANCELLED


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_expired_form_on_an_unknown_link_is_a_plain_400(client):
    response = client.post("/registration/" + "A" * 43 + "/cancel", data={"csrf_token": "x"})
    assert response.status_code == 400


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_FORM_POSTS="1 per hour")
def test_lost_link_posts_are_rate_limited_with_input_kept(client):
    assert client.post("/registration/lost", data={"email": "a@example.org"}).status_code == 303

    response = client.post("/registration/lost", data={"email": "b@example.org"})

    html = html_of(response)
    assert response.status_code == 429
    assert "Too many forms were sent from your network" in html
    assert 'value="b@example.org"' in html


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_cached_form_page_gives_each_visitor_their_own_token_and_nonce(app):
    pattern = r'name="{}" type="hidden" value="([^"]+)"'
    visitors = []
    for email in ("ada@example.org", "grace@example.org"):
        client = app.test_client()
        html = html_of(client.get("/register"))
        csrf = re.search(pattern.format("csrf_token"), html).group(1)
        nonce = re.search(pattern.format("nonce"), html).group(1)
        visitors.append((client, email, csrf, nonce))
    assert ("register", "open", False, None) in app.extensions["form_page_cache"]
    assert visitors[0][2] != visitors[1][2]
    assert visitors[0][3] != visitors[1][3]

    for client, email, csrf, nonce in visitors:
        data = form_data(email=email, csrf_token=csrf, nonce=nonce)
        assert client.post("/register", data=data).headers["Location"] == "/register/thanks"
    rows = registrations(app)
    assert [(r.email, r.form_nonce) for r in rows] == [(v[1], v[3]) for v in visitors]


@pytest.mark.sqlite_only
def test_full_room_page_does_not_wait_for_a_transaction_holding_the_write_lock(content_app):
    app = content_app("capacity = 1")  # the page reads whether the room is full
    client = app.test_client()
    register(client)
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # someone saving a registration, say
    try:
        started = time.monotonic()
        response = client.get("/register")
        waited = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert response.status_code == 200
    assert "The room is full." in html_of(response)
    assert waited < 1.0  # a write transaction would wait the busy timeout (15 s)
