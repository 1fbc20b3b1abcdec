"""The real site (gunicorn) killed with SIGKILL in the middle of a burst of posts: every
record that got a success page survives whole, and so does its mail."""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask

from fastpath.cfp.models import Submission, SubmissionAuthor, SubmissionEvent, SubmissionTopic
from fastpath.config import ROOT_DIR
from fastpath.core.extensions import db
from fastpath.mail.models import OutboxMail, OutboxStatus
from fastpath.registration.models import Registration, RegistrationEvent
from tests.conftest import DEMO_NOW, TEST_DATABASE, SmtpServer, free_port, make_app
from tests.helpers.forms import multipart, registration_fields, submission_fields, urlencoded

SECRET_KEY = "fault-test-secret-key-" + "0" * 32
THREADS = 6  # clients posting at once
SUCCESSES_BEFORE_KILL = 16


@dataclass(frozen=True)
class Answer:
    status: int
    location: str | None
    cookie: str | None
    body: str


def _request(
    port: int, method: str, path: str, body: bytes = b"", headers: dict | None = None
) -> Answer | None:
    """One request on a fresh connection; None when the server did not answer."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body or None, headers=headers or {})
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        cookie = response.getheader("Set-Cookie")
        return Answer(response.status, response.getheader("Location"), cookie, text)
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


def _healthy(port: int) -> bool:
    answer = _request(port, "GET", "/healthz")
    return answer is not None and answer.status == 200


@dataclass
class Site:
    """The site as production runs it: gunicorn with the package's config, two workers with
    threads, the background mail sender in each, a database and an instance folder on disk."""

    env: dict[str, str]
    log: Path
    port: int = 0
    process: subprocess.Popen | None = None

    def start(self) -> None:
        self.port = free_port()
        env = {**self.env, "FASTPATH_GUNICORN_BIND": f"127.0.0.1:{self.port}"}
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [
                    *(sys.executable, "-m", "gunicorn", "-c", "python:fastpath.gunicorn_conf"),
                    # No control socket: its default path is shared by every gunicorn of
                    # the user, and other tests (benchmarks) may run one at the same time.
                    "--no-control-socket",
                    "app:app",
                ],
                cwd=ROOT_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: the kill takes every worker
            )
        deadline = time.monotonic() + 60
        while not _healthy(self.port):
            assert self.process.poll() is None, self.log.read_text()
            assert time.monotonic() < deadline, self.log.read_text()
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL the master and every worker at once: no request, commit or mail finishes."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        deadline = time.monotonic() + 30
        while _request(self.port, "GET", "/healthz") is not None:  # the workers are gone too
            assert time.monotonic() < deadline
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)


CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@dataclass
class Burst:
    """Clients posting registrations and submissions, as browsers do (a session cookie and the
    form's CSRF token), until told to stop; every answer is kept."""

    port: int
    answers: list[tuple[str, str, tuple[int, str | None] | None]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    numbers: Iterator[int] = field(default_factory=lambda: iter(range(1, 1_000_000)))

    def successes(self) -> int:
        with self.lock:
            return sum(1 for _, _, answer in self.answers if answer and answer[0] == 303)

    def client(self) -> None:
        page = _request(self.port, "GET", "/submit")
        assert page is not None and page.status == 200 and page.cookie
        cookie = page.cookie.split(";", 1)[0]
        token = CSRF_FIELD.search(page.body).group(1)
        while not self.stop.is_set():
            with self.lock:
                number = next(self.numbers)
            if number % 2:
                key = f"person{number}@example.org"
                fields = registration_fields(email=key, nonce=f"burst-{number:020d}")
                content_type = "application/x-www-form-urlencoded"
                body = urlencoded([*fields, ("csrf_token", token)])
                kind, path = "registration", "/register"
            else:
                key = f"burst-nonce-{number:032d}"
                fields = submission_fields(nonce=key, email=f"author{number}@example.org")
                content_type, body = multipart([*fields, ("csrf_token", token)])
                kind, path = "submission", "/submit"
            headers = {"Content-Type": content_type, "Cookie": cookie}
            answer = _request(self.port, "POST", path, body, headers)
            with self.lock:
                self.answers.append(
                    (kind, key, (answer.status, answer.location) if answer else None)
                )
            if answer is None:
                return  # the server is gone: this was the client's post in flight at the kill

    def succeeded(self, kind: str, location: str) -> set[str]:
        with self.lock:
            return {
                key
                for answer_kind, key, answer in self.answers
                if answer_kind == kind and answer == (303, location)
            }

    def not_stored(self, kind: str) -> int:
        """Posts cut off by the kill or answered with anything but the success redirect."""
        with self.lock:
            return sum(
                1
                for k, _, answer in self.answers
                if k == kind and (answer is None or answer[0] != 303)
            )


def _count(query) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(query.subquery()))


def _outbox_statuses(app: Flask) -> dict[OutboxStatus, int]:
    with app.app_context():
        rows = db.session.execute(
            db.select(OutboxMail.status, db.func.count()).group_by(OutboxMail.status)
        ).all()
        db.session.rollback()
        return dict(rows)


def test_sigkill_in_a_burst_loses_no_confirmed_record_and_no_mail(tmp_path, smtp: SmtpServer):
    # The deployment: the database the test suite uses (SQLite file or PostgreSQL), with the
    # schema built by the migrations as in production.
    app = make_app(tmp_path)
    with app.app_context():
        db.drop_all()
        db.session.remove()
        db.engine.dispose()
    site = Site(_migrated_environment(app, smtp), tmp_path / "gunicorn.log")
    smtp.recorder.delay_seconds = 0.2  # mail lags behind the posts: some is due at the kill
    try:
        burst, due_at_kill = _kill_in_a_burst_and_restart(site, app, smtp)
    finally:
        site.stop()

    registered = burst.succeeded("registration", "/register/thanks")
    submitted = burst.succeeded("submission", "/submit/thanks")
    assert len(registered) + len(submitted) >= SUCCESSES_BEFORE_KILL
    # The kill left mail undelivered, so the restart had something to deliver.
    assert due_at_kill.get(OutboxStatus.QUEUED, 0) + due_at_kill.get(OutboxStatus.SENDING, 0) > 0

    with app.app_context():
        _assert_every_success_stored_whole(registered, submitted)
        outbox = db.session.execute(
            db.select(OutboxMail.message_id, OutboxMail.recipients, OutboxMail.template)
        ).all()
        stored_pdfs = dict(
            db.session.execute(db.select(Submission.pdf_stored_name, Submission.pdf_sha256)).all()
        )
        db.session.rollback()
    _assert_every_mail_arrived_once(app, smtp, outbox, registered, submitted)
    _assert_every_pdf_intact_and_only_unused_ones_purged(app, burst, stored_pdfs)


def _migrated_environment(app: Flask, smtp: SmtpServer) -> dict[str, str]:
    """The site's environment, its database schema built by `flask db upgrade`."""
    env = {
        **os.environ,
        "FASTPATH_SECRET_KEY": SECRET_KEY,
        "FASTPATH_INSTANCE_PATH": app.instance_path,
        "FASTPATH_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "FASTPATH_PUBLIC_BASE_URL": "http://fastpath.test",
        "FASTPATH_NOW": DEMO_NOW,
        "FASTPATH_RATELIMIT_ENABLED": "false",
        "FASTPATH_MAIL_SERVER": smtp.host,
        "FASTPATH_MAIL_PORT": str(smtp.port),
        "FASTPATH_MAIL_TIMEOUT_SECONDS": "10",
        # Mail a killed worker had claimed is taken over after 2 s instead of 10 minutes.
        "FASTPATH_MAIL_CLAIM_TIMEOUT_SECONDS": "2",
        "FASTPATH_MAIL_SENDER_INTERVAL_SECONDS": "0.5",
        "FASTPATH_GUNICORN_WORKERS": "2",
        "FASTPATH_GUNICORN_THREADS": "4",
        "FASTPATH_GUNICORN_ACCESSLOG": "",
    }
    env.pop("FASTPATH_TEST_DATABASE", None)
    upgrade = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"],
        cwd=ROOT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert upgrade.returncode == 0, upgrade.stderr
    return env


def _kill_in_a_burst_and_restart(
    site: Site, app: Flask, smtp: SmtpServer
) -> tuple[Burst, dict[OutboxStatus, int]]:
    """Kill the site in the middle of a burst of posts, start it again and wait until every
    mail is sent; return the burst and the outbox's statuses at the kill."""
    site.start()
    burst = Burst(site.port)
    clients = [threading.Thread(target=burst.client) for _ in range(THREADS)]
    for client in clients:
        client.start()
    deadline = time.monotonic() + 60
    while burst.successes() < SUCCESSES_BEFORE_KILL:
        assert time.monotonic() < deadline, (burst.answers[-20:], site.log.read_text())
        time.sleep(0.01)

    site.kill()  # in the middle of the burst: every client has a post on its way
    burst.stop.set()
    for client in clients:
        client.join(timeout=60)
    due_at_kill = _outbox_statuses(app)
    smtp.recorder.delay_seconds = 0
    site.start()  # its first request starts the mail sender, which finds what was left

    deadline = time.monotonic() + 60
    while set(_outbox_statuses(app)) - {OutboxStatus.SENT}:
        assert time.monotonic() < deadline, (_outbox_statuses(app), site.log.read_text())
        time.sleep(0.2)
    return burst, due_at_kill


def _assert_every_mail_arrived_once(
    app: Flask, smtp: SmtpServer, outbox: list, registered: set[str], submitted: set[str]
) -> None:
    # Every mail of the outbox reached the mail server (a mail cut off between the server's
    # "250" and the outbox row's "sent" may arrive twice: the same Message-ID, which the
    # receiving side recognises), and nothing else did.
    received = smtp.recorder.wait_for(len(outbox), timeout=30)
    received_ids = {mail.message["Message-ID"] for mail in received}
    assert received_ids == {message_id for message_id, _, _ in outbox}
    for address in registered:
        confirmations = {
            m.message["Message-ID"]
            for m in smtp.recorder.to(address)
            if "Registration confirmed" in m.subject
        }
        assert len(confirmations) == 1, address
    with app.app_context():
        contacts = dict(
            db.session.execute(
                db.select(Submission.form_nonce, SubmissionAuthor.email)
                .join(SubmissionAuthor)
                .where(SubmissionAuthor.is_contact.is_(True))
            ).all()
        )
        db.session.rollback()
    for nonce in submitted:
        receipts = {
            m.message["Message-ID"]
            for m in smtp.recorder.to(contacts[nonce])
            if "received" in m.subject
        }
        assert len(receipts) == 1, nonce


def _assert_every_pdf_intact_and_only_unused_ones_purged(
    app: Flask, burst: Burst, stored_pdfs: dict[str, str]
) -> None:
    # Uploads: every submission's PDF is there, intact. A PDF is stored before its
    # transaction, so a kill in between leaves a file no submission uses: at most one per
    # submission post that was not answered with its receipt (cut off, or refused while the
    # server went down), and exactly what `flask cfp purge-uploads` removes
    # (here with no age limit; in production it waits 48 h for forms still open).
    uploads = Path(app.config["UPLOAD_DIR"])
    on_disk = {path.name for path in uploads.iterdir()}
    for name, sha256 in stored_pdfs.items():
        assert hashlib.sha256((uploads / name).read_bytes()).hexdigest() == sha256
    unused = on_disk - set(stored_pdfs)
    assert len(unused) <= burst.not_stored("submission"), (unused, burst.answers)
    purge = app.test_cli_runner().invoke(args=["cfp", "purge-uploads", "--older-than-hours", "0"])
    assert purge.output == f"Removed {len(unused)} unused upload(s).\n"
    assert {path.name for path in uploads.iterdir()} == set(stored_pdfs)


def _assert_every_success_stored_whole(registered: set[str], submitted: set[str]) -> None:
    """Every post answered with a success is stored, and nothing stored is half-written."""
    registrations = db.session.scalars(db.select(Registration)).all()
    assert registered <= {row.email for row in registrations}
    for row in registrations:
        assert [event.kind for event in row.events] == ["registered"]
        mails = db.session.scalars(
            db.select(OutboxMail.template).where(OutboxMail.registration_id == row.id)
        ).all()
        assert mails == ["registration_confirmed"], row.email

    rows = db.session.scalars(db.select(Submission)).all()
    assert submitted <= {row.form_nonce for row in rows}
    for row in rows:
        assert [a.is_contact for a in row.authors] == [True, False]
        assert row.topic_keys == ["accelerators", "characterization"]
        assert [event.kind for event in row.events] == ["submitted"]
        mails = db.session.scalars(
            db.select(OutboxMail.template).where(OutboxMail.submission_id == row.id)
        ).all()
        assert sorted(mails) == ["submission_coauthor", "submission_received"], row.form_nonce

    # No row without its parent, and no mail about something that was never stored.
    submission_ids = db.select(Submission.id)
    for child in (SubmissionAuthor, SubmissionTopic, SubmissionEvent):
        assert _count(db.select(child).where(child.submission_id.not_in(submission_ids))) == 0
    registration_ids = db.select(Registration.id)
    stray = db.select(RegistrationEvent).where(
        RegistrationEvent.registration_id.not_in(registration_ids)
    )
    assert _count(stray) == 0
    refs = {f"submission:{row.id}" for row in rows} | {
        f"registration:{r.id}" for r in registrations
    }
    assert {mail.about for mail in db.session.scalars(db.select(OutboxMail))} <= refs
    if TEST_DATABASE == "sqlite":
        assert db.session.execute(db.text("PRAGMA integrity_check")).scalar() == "ok"
        assert db.session.execute(db.text("PRAGMA foreign_key_check")).all() == []
    db.session.rollback()
