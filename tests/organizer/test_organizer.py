"""The organizers' area: accounts, sign-in rules, access control, outbox, dashboard, lists."""

from __future__ import annotations

import hashlib
import re
import secrets
import statistics
import time
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from fastpath.cfp.models import (
    Submission,
    SubmissionAuthor,
    SubmissionEvent,
    SubmissionStatus,
    SubmissionTopic,
)
from fastpath.core.extensions import db
from fastpath.core.tokens import new_token
from fastpath.mail.delivery import deliver_pending
from fastpath.mail.models import OutboxMail, OutboxStatus
from fastpath.organizer import services
from fastpath.organizer.auth import SESSION_KEY
from fastpath.organizer.models import AuditEvent, Organizer, OrganizerSession, SignInThrottle
from fastpath.registration.models import Registration, RegistrationStatus

EMAIL = "chair@fastpath.test"
PASSWORD = "a long enough passphrase"
SIGN_IN_FAILED = "That email and password do not match an organizer account"

_arrivals = count(1)


# --- Helpers (also used by the other organizer test files) --------------------------------


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


@pytest.fixture
def organizer_client(app: Flask, client: FlaskClient) -> FlaskClient:
    """A client signed in as an organizer."""
    make_organizer(app)
    response = sign_in(client)
    assert response.status_code == 302
    return client


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
            subject_ref=ref,
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


# --- Sign-in ------------------------------------------------------------------------------


def test_sign_in_with_right_password_opens_the_dashboard(app, client):
    organizer_id = make_organizer(app)

    response = sign_in(client, email="  Chair@FastPath.test ")

    assert response.status_code == 302
    assert response.location == "/organizer/"
    assert client.get("/organizer/").status_code == 200
    with app.app_context():
        sessions = db.session.scalars(db.select(OrganizerSession)).all()
        assert [s.organizer_id for s in sessions] == [organizer_id]
        assert db.session.get(Organizer, organizer_id).last_sign_in_at is not None
    assert audit_actions(app)[-1] == ("sign-in", EMAIL, f"organizer:{organizer_id}")


def test_sign_in_wrong_password_and_unknown_email_get_the_same_answer(app, client):
    organizer_id = make_organizer(app)

    wrong = sign_in(client, password="not the password")
    unknown = sign_in(client, email="nobody@fastpath.test", password="not the password")

    assert wrong.status_code == unknown.status_code == 200
    assert SIGN_IN_FAILED in wrong.get_data(as_text=True)
    # Same page, except the echoed email address.
    assert wrong.get_data(as_text=True).replace(EMAIL, "X") == unknown.get_data(
        as_text=True
    ).replace("nobody@fastpath.test", "X")
    assert client.get("/organizer/").status_code == 302
    with app.app_context():
        pair = db.session.scalars(
            db.select(SignInThrottle).where(SignInThrottle.organizer_id == organizer_id)
        ).one()
        assert pair.failures == 1
    assert audit_actions(app)[-2:] == [
        ("sign-in-failed", EMAIL, f"organizer:{organizer_id}"),
        ("sign-in-failed", "nobody@fastpath.test", None),
    ]


def test_failed_sign_in_never_records_a_password_typed_as_email(app, client):
    sign_in(client, email="my secret passphrase", password="x")

    assert audit_actions(app) == [("sign-in-failed", "(not a mail address)", None)]


def test_sign_in_unknown_email_takes_as_long_as_a_wrong_password(app, client):
    make_organizer(app)
    sign_in(client, email="warm@fastpath.test", password="x")  # the stand-in hash is made once

    def seconds(email: str) -> float:
        started = time.perf_counter()
        sign_in(client, email=email, password="not the password")
        return time.perf_counter() - started

    known = statistics.median(seconds(EMAIL) for _ in range(3))
    unknown = statistics.median(seconds(f"nobody{i}@fastpath.test") for i in range(3))

    # Without the stand-in argon2 check an unknown address would answer ~50x faster.
    assert unknown > known * 0.5


def test_sign_in_locks_the_account_after_repeated_failures(app, client):
    organizer_id = make_organizer(app)

    for _ in range(5):
        assert SIGN_IN_FAILED in sign_in(client, password="wrong").get_data(as_text=True)
    refused = sign_in(client)  # the right password, but the account is paused

    assert refused.status_code == 200
    assert SIGN_IN_FAILED in refused.get_data(as_text=True)
    assert client.get("/organizer/").status_code == 302
    with app.app_context():
        pair = db.session.scalars(
            db.select(SignInThrottle).where(SignInThrottle.organizer_id == organizer_id)
        ).one()
        assert pair.locked_until is not None
        pair.locked_until = datetime.now(UTC) - timedelta(seconds=1)  # time passes
        db.session.commit()
    assert [a for a, _, _ in audit_actions(app)].count("lockout") == 1

    assert sign_in(client).location == "/organizer/"


@pytest.mark.app_config(RATELIMIT_ENABLED=True, ORGANIZER_SIGN_IN_LIMIT="3 per minute")
def test_sign_in_attempts_are_limited_per_address(app, client):
    make_organizer(app)
    for i in range(3):
        assert sign_in(client, email=f"guess{i}@fastpath.test").status_code == 200

    limited = sign_in(client)

    assert limited.status_code == 429
    assert "Too many sign-in attempts" in limited.get_data(as_text=True)
    assert client.get("/organizer/").status_code == 302


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "https://evil.example/organizer/",
        "http:evil.example",
        "javascript:alert(1)",
        "/\t/evil.example",
        " //evil.example",
        "evil.example",
    ],
)
def test_sign_in_next_never_leaves_the_site(app, client, target):
    make_organizer(app)

    response = sign_in(client, next=target)

    assert response.status_code == 302
    assert response.location == "/organizer/"


def test_sign_in_next_inside_the_site_is_followed(app, client):
    make_organizer(app)

    page = client.get("/organizer/mail?status=failed")
    assert page.location == "/organizer/login?next=/organizer/mail?status%3Dfailed"
    form = client.get(page.location).get_data(as_text=True)
    assert 'value="/organizer/mail?status=failed"' in form

    response = sign_in(client, next="/organizer/mail?status=failed")

    assert response.location == "/organizer/mail?status=failed"


def test_sign_in_starts_a_new_session(app, client):
    make_organizer(app)
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
        session[SESSION_KEY] = "a token an attacker chose"

    sign_in(client)

    with client.session_transaction() as session:
        assert "planted" not in session
        token = session[SESSION_KEY]
    assert token != "a token an attacker chose" and len(token) >= 40


def test_sign_out_ends_the_session_even_for_a_copied_cookie(app, client):
    make_organizer(app)
    sign_in(client)
    with client.session_transaction() as session:
        copied = dict(session)

    response = client.post("/organizer/logout")

    assert response.status_code == 303
    assert response.location == "/organizer/login"
    assert client.get("/organizer/").status_code == 302
    with client.session_transaction() as session:
        session.update(copied)  # replay the cookie from before sign-out
    assert client.get("/organizer/").location.startswith("/organizer/login")
    assert [a for a, _, _ in audit_actions(app)][-1] == "sign-out"


def test_sign_out_by_get_is_refused(organizer_client):
    assert organizer_client.get("/organizer/logout").status_code == 405
    assert organizer_client.get("/organizer/").status_code == 200


def test_session_expires(app, organizer_client):
    with app.app_context():
        row = db.session.scalars(db.select(OrganizerSession)).one()
        row.expires_at = datetime.now(UTC) - timedelta(minutes=1)
        db.session.commit()

    assert organizer_client.get("/organizer/").location == "/organizer/login?next=/organizer/"


@pytest.mark.app_config(ORGANIZER_SESSION_HOURS=8)
def test_session_lasts_the_configured_hours(app, organizer_client):
    with app.app_context():
        row = db.session.scalars(db.select(OrganizerSession)).one()
        lifetime = row.expires_at - row.created_at
    assert lifetime == timedelta(hours=8)


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_csrf_token_is_required_for_sign_in_and_sign_out(app, client):
    make_organizer(app)

    refused = client.post("/organizer/login", data={"email": EMAIL, "password": PASSWORD})
    assert refused.status_code == 400
    assert client.get("/organizer/").status_code == 302
    assert sign_in(client).location == "/organizer/"  # with the form's token

    assert client.post("/organizer/logout").status_code == 400
    assert client.get("/organizer/").status_code == 200
    token = csrf_token_of(client, "/organizer/")
    assert client.post("/organizer/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/organizer/").status_code == 302


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_csrf_token_is_required_for_every_organizer_post(app, organizer_client):
    failed_id = add_mail(app, status=OutboxStatus.FAILED, error="550 no such user")

    for url in (f"/organizer/mail/{failed_id}/retry", "/organizer/mail/retry-failed"):
        refused = organizer_client.post(url)
        assert refused.status_code == 400
        assert "Nothing was changed." in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(OutboxMail, failed_id).status == OutboxStatus.FAILED


def test_password_change_ends_other_sessions(app, client):
    make_organizer(app)
    other = app.test_client()
    sign_in(client)
    sign_in(other)

    response = client.post(
        "/organizer/password",
        data={
            "current_password": PASSWORD,
            "new_password": "another long passphrase",
            "repeat_password": "another long passphrase",
        },
    )

    assert response.location == "/organizer/"
    assert client.get("/organizer/").status_code == 200
    assert other.get("/organizer/").status_code == 302
    assert sign_in(app.test_client(), password="another long passphrase").location == (
        "/organizer/"
    )
    assert ("password-change", EMAIL) in [(a, who) for a, who, _ in audit_actions(app)]


def test_password_change_needs_the_current_password(app, organizer_client):
    response = organizer_client.post(
        "/organizer/password",
        data={
            "current_password": "wrong",
            "new_password": "another long passphrase",
            "repeat_password": "another long passphrase",
        },
    )

    assert response.status_code == 200
    assert "This is not your current password." in response.get_data(as_text=True)
    assert sign_in(app.test_client()).location == "/organizer/"


# --- Access control -----------------------------------------------------------------------


def _organizer_urls(app: Flask) -> list[tuple[str, str]]:
    """Every organizer URL (with made-up ids) and the method it answers."""
    values = {"submission_id": 1, "registration_id": 1, "mail_id": 1, "kind": "registrations"}
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("organizer.") or rule.endpoint == "organizer.login":
                continue
            args = {name: values[name] for name in rule.arguments}
            path = app.url_map.bind("localhost").build(rule.endpoint, args)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                urls.append((method, path))
    return urls


def test_every_organizer_url_signed_out_redirects_to_sign_in(app, client):
    registration_id = add_registration(app, "Secret Person", email="secret@example.org")
    add_mail(app, status=OutboxStatus.FAILED, error="secret error", ref="registration:1")
    assert registration_id == 1
    urls = _organizer_urls(app)
    assert len(urls) >= 12

    for method, path in urls:
        response = client.open(path, method=method)
        body = response.get_data(as_text=True)
        assert response.status_code == 302, (method, path)
        assert response.location.startswith("/organizer/login"), (method, path)
        assert "Secret Person" not in body and "secret" not in body
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)) == 0
        mail = db.session.scalars(db.select(OutboxMail)).one()
        assert mail.status == OutboxStatus.FAILED


def test_organizer_pages_are_not_cached_or_indexed(organizer_client):
    response = organizer_client.get("/organizer/")

    assert response.headers["Cache-Control"] == "no-store"
    assert "noindex" in response.headers["X-Robots-Tag"]


# --- Command line -------------------------------------------------------------------------


def test_cli_create_reads_the_password_from_stdin(app, runner):
    result = runner.invoke(
        args=["organizer", "create", "New@FastPath.test", "--password-stdin"],
        input=PASSWORD + "\n",
    )

    assert result.exit_code == 0, result.output
    assert "Organizer new@fastpath.test created" in result.output
    assert sign_in(app.test_client(), email="new@fastpath.test").location == "/organizer/"
    assert audit_actions(app)[0][:2] == ("account-create", "command line")


def test_cli_create_asks_for_the_password_twice(app, runner):
    mismatch = runner.invoke(
        args=["organizer", "create", EMAIL], input=f"{PASSWORD}\nsomething else\n"
    )
    assert "do not match" in mismatch.output or "Error" in mismatch.output
    with app.app_context():
        assert services.find_organizer(EMAIL) is None

    result = runner.invoke(args=["organizer", "create", EMAIL], input=f"{PASSWORD}\n{PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    with app.app_context():
        assert services.find_organizer(EMAIL) is not None


def test_cli_create_refuses_a_duplicate_and_a_short_password(app, runner):
    make_organizer(app)

    duplicate = runner.invoke(
        args=["organizer", "create", "CHAIR@fastpath.test", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    short = runner.invoke(
        args=["organizer", "create", "other@fastpath.test", "--password-stdin"], input="short\n"
    )

    assert duplicate.exit_code == 1
    assert "exists already" in duplicate.output
    assert short.exit_code == 1
    assert "at least 12 characters" in short.output
    with app.app_context():
        assert [o.email for o in services.list_organizers()] == [EMAIL]


def test_cli_set_password_and_list(app, runner, client):
    make_organizer(app)
    sign_in(client)

    result = runner.invoke(
        args=["organizer", "set-password", EMAIL, "--password-stdin"],
        input="a brand new passphrase\n",
    )
    listing = runner.invoke(args=["organizer", "list"])

    assert result.exit_code == 0, result.output
    assert client.get("/organizer/").status_code == 302  # the old session has ended
    assert sign_in(app.test_client()).status_code == 200  # old password refused
    assert sign_in(app.test_client(), password="a brand new passphrase").status_code == 302
    assert listing.exit_code == 0
    assert listing.output.startswith(f"{EMAIL}\tcreated ")
    assert ("password-change", "command line") in [(a, w) for a, w, _ in audit_actions(app)]


def test_cli_set_password_for_unknown_organizer_fails(runner):
    result = runner.invoke(
        args=["organizer", "set-password", "ghost@fastpath.test", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 1
    assert "no organizer with the address ghost@fastpath.test" in result.output


def test_demo_setup_creates_the_demo_organizer_once(app, runner):
    first = runner.invoke(args=["demo", "setup"])
    second = runner.invoke(args=["demo", "setup"])

    password = re.search(r"password: (\S+)", first.output).group(1)
    assert "organizer@fastpath.test" in first.output
    assert password not in second.output and "password:" not in second.output
    assert sign_in(app.test_client(), "organizer@fastpath.test", password).status_code == 302
    with app.app_context():
        assert [o.email for o in services.list_organizers()] == ["organizer@fastpath.test"]


def test_no_organizer_exists_without_demo_setup(app):
    with app.app_context():
        assert services.list_organizers() == []


# --- The outbox ---------------------------------------------------------------------------


def test_outbox_shows_failed_mail_with_its_error(app, organizer_client):
    add_mail(app, status=OutboxStatus.SENT)
    add_mail(app, status=OutboxStatus.FAILED, error="550 5.1.1 <x@y>: no such <b>user</b>")

    page = organizer_client.get("/organizer/mail?status=failed").get_data(as_text=True)

    assert "550 5.1.1 &lt;x@y&gt;: no such &lt;b&gt;user&lt;/b&gt;" in page
    assert "Retry all 1 failed" in page
    assert page.count('class="badge badge-failed"') == 1
    assert 'class="badge badge-sent"' not in page


def test_outbox_retry_one_queues_it_again_and_it_is_delivered(mail_app, smtp):
    make_organizer(mail_app)
    client = mail_app.test_client()
    sign_in(client)
    failed_id = add_mail(mail_app, status=OutboxStatus.FAILED, error="421 try later")

    response = client.post(f"/organizer/mail/{failed_id}/retry")

    assert response.status_code == 303
    assert response.location == f"/organizer/mail/{failed_id}"
    with mail_app.app_context():
        mail = db.session.get(OutboxMail, failed_id)
        assert (mail.status, mail.attempts) == (OutboxStatus.QUEUED, 0)
        deliver_pending()
    received = smtp.recorder.wait_for(1)
    assert [m.subject for m in received] == ["[FastPath 2020] A test mail"]
    assert received[0].envelope_to == ["someone@example.org"]
    assert ("mail-retry", EMAIL, f"mail:{failed_id}") in audit_actions(mail_app)


def test_outbox_retry_all_failed_leaves_other_mail_alone(app, organizer_client):
    failed = [add_mail(app, status=OutboxStatus.FAILED, error="timeout") for _ in range(2)]
    sent = add_mail(app, status=OutboxStatus.SENT)

    response = organizer_client.post("/organizer/mail/retry-failed")
    again = organizer_client.post(f"/organizer/mail/{sent}/retry")

    assert response.location == "/organizer/mail?status=queued"
    assert again.status_code == 303
    with app.app_context():
        statuses = {m.id: m.status for m in db.session.scalars(db.select(OutboxMail))}
    assert statuses == {failed[0]: "queued", failed[1]: "queued", sent: "sent"}
    assert [a for a, _, _ in audit_actions(app)].count("mail-retry") == 2


def test_mail_detail_shows_the_text_as_text(app, organizer_client):
    mail_id = add_mail(app, status=OutboxStatus.SENT)
    with app.app_context():
        db.session.get(OutboxMail, mail_id).body_text = "Hi <script>alert(1)</script>"
        db.session.commit()

    page = organizer_client.get(f"/organizer/mail/{mail_id}").get_data(as_text=True)

    assert "Hi &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


# --- Registrations ------------------------------------------------------------------------


def test_registrations_list_searches_filters_and_sorts(app, organizer_client):
    add_registration(app, "Grace Hopper", affiliation="Yale", position="industry")
    add_registration(app, "Alan Turing", affiliation="Cambridge", position="academia")
    add_registration(
        app, "Edsger Dijkstra", affiliation="UT Austin", status=RegistrationStatus.WAITING
    )

    def names(url: str) -> list[str]:
        page = organizer_client.get(url).get_data(as_text=True)
        return re.findall(r'/organizer/registrations/\d+">([^<]+)</a>', page)

    assert names("/organizer/registrations?sort=name") == [
        "Alan Turing",
        "Edsger Dijkstra",
        "Grace Hopper",
    ]
    assert names("/organizer/registrations?q=YALE") == ["Grace Hopper"]
    assert names("/organizer/registrations?q=turing%40") == []
    assert names("/organizer/registrations?position=academia&sort=name") == [
        "Alan Turing",
        "Edsger Dijkstra",
    ]
    assert names("/organizer/registrations?status=waiting") == ["Edsger Dijkstra"]
    assert names("/organizer/registrations?sort=bogus&q=%25") == []


@pytest.mark.app_config(ORGANIZER_PAGE_SIZE=10)
def test_registrations_list_has_pages(app, organizer_client):
    for i in range(25):
        add_registration(app, f"Person {i:02d}")

    page3 = organizer_client.get("/organizer/registrations?sort=name&page=3")
    text = page3.get_data(as_text=True)

    assert re.findall(r'registrations/\d+">([^<]+)</a>', text) == [
        f"Person {i:02d}" for i in range(20, 25)
    ]
    assert "Showing 21–25 of 25." in text
    assert 'href="/organizer/registrations?page=2&amp;sort=name" rel="prev"' in text


def test_registration_detail_shows_everything_and_escapes_html(app, organizer_client):
    registration_id = add_registration(
        app,
        "<script>alert('x')</script> Mallory",
        dietary="Vegan\nno nuts",
        accessibility="Step-free access",
        status=RegistrationStatus.WAITING,
    )

    page = organizer_client.get(f"/organizer/registrations/{registration_id}")
    text = page.get_data(as_text=True)

    assert page.status_code == 200
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Mallory" in text
    assert "<script>alert(" not in text
    assert "Vegan\nno nuts" in text and "Step-free access" in text
    assert "number 1 on the waiting list" in text
    assert organizer_client.get("/organizer/registrations/999").status_code == 404


# --- Dashboard ----------------------------------------------------------------------------


def test_dashboard_counts_and_chart(app, organizer_client):
    add_registration(app, "A One", created_at=datetime(2020, 1, 10, 9, tzinfo=UTC))
    add_registration(app, "B Two", created_at=datetime(2020, 1, 12, 9, tzinfo=UTC))
    add_registration(
        app,
        "C Three",
        created_at=datetime(2020, 1, 12, 18, tzinfo=UTC),
        status=RegistrationStatus.WAITING,
        position="student",
    )
    add_mail(app, status=OutboxStatus.FAILED, error="boom")
    add_mail(app, status=OutboxStatus.QUEUED)

    page = organizer_client.get("/organizer/").get_data(as_text=True)

    assert '<p class="big-number">2 <span class="unit">registered</span></p>' in page
    assert "Waiting list: <strong>1</strong>" in page
    assert re.search(r'status=failed">Failed</a></th><td class="alert-number">1</td>', page)
    assert re.search(r'status=queued">Queued</a></th><td>1</td>', page)
    assert re.search(r'position=student">Student</a></th><td>1</td>', page)
    svg = re.search(r"<svg .*?</svg>", page, re.S).group(0)
    assert 'role="img"' in svg
    assert '<title id="activity-chart-title">' in svg
    assert (
        "From 2020-01-10 to 2020-01-12 (UTC days): no submissions; "
        "3 registrations in all, most on 2020-01-12 (2)." in svg
    )
    assert (
        '<th scope="row"><time datetime="2020-01-12">2020-01-12</time></th><td>0</td><td>2</td>'
        in page
    )
    assert "sign in" in page  # the recent activity shows this organizer's sign-in


def test_list_search_with_control_characters_is_not_an_error(app, client):
    make_organizer(app)
    sign_in(client)
    for path in ("/organizer/submissions", "/organizer/registrations"):
        response = client.get(path, query_string={"q": "a\x00b\x1f", "status": "\x00"})
        assert response.status_code == 200
