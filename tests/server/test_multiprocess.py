"""Several processes on one database: gunicorn with two workers (each with its background mail
sender) and a separate `flask mail worker`, on SQLite and on PostgreSQL.

Fifty people register at the same moment for ten places, and ten of them send the form a
second time from another browser with their address typed differently (case, spaces). The
places, the waiting list and the uniqueness of people must come out exact, and every mail
must reach the mail server exactly once although three senders compete for it.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from fastpath.core.extensions import db
from fastpath.mail.models import OutboxMail, OutboxStatus
from fastpath.registration.models import Registration, RegistrationStatus
from tests.conftest import DEMO_NOW, SmtpServer, make_app
from tests.registration.test_capacity_concurrency import content_with_capacity

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PEOPLE = 50
CAPACITY = 10
TWICE = 10  # people who send the form a second time, from another browser
WORKERS = 2


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(tmp_path: Path, database_url: str, port: int, smtp: SmtpServer) -> dict:
    return {
        **os.environ,
        "FASTPATH_SECRET_KEY": secrets.token_hex(32),
        "FASTPATH_INSTANCE_PATH": str(tmp_path / "instance"),
        "FASTPATH_SQLALCHEMY_DATABASE_URI": database_url,
        "FASTPATH_CONTENT_DIR": str(content_with_capacity(tmp_path, CAPACITY)),
        "FASTPATH_NOW": DEMO_NOW,
        "FASTPATH_RATELIMIT_ENABLED": "false",
        "FASTPATH_REGISTRATION_CONFIRM_ADDRESS": "false",  # places at once: the race under test
        "FASTPATH_WTF_CSRF_ENABLED": "false",
        "FASTPATH_MAIL_SERVER": smtp.host,
        "FASTPATH_MAIL_PORT": str(smtp.port),
        "FASTPATH_MAIL_SENDER_INTERVAL_SECONDS": "0.5",
        "FASTPATH_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "FASTPATH_GUNICORN_BIND": f"127.0.0.1:{port}",
        "FASTPATH_GUNICORN_WORKERS": str(WORKERS),
        "FASTPATH_GUNICORN_ACCESSLOG": "",
    }


def _start(command: list[str], env: dict, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _wait_until_up(url: str, server: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn exited while starting"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"gunicorn did not answer {url} within {timeout} s")


def _address(number: int, again: bool) -> str:
    # The second form: the same person, typed the way people do.
    return f"  Person{number}@EXAMPLE.org " if again else f"person{number}@example.org"


def test_registrations_and_mail_stay_exact_across_gunicorn_workers_and_a_mail_worker(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    app = make_app(tmp_path)  # builds the schema in the test's database (SQLite or PostgreSQL)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = _environment(tmp_path, app.config["SQLALCHEMY_DATABASE_URI"], port, smtp)
    posts = [(number, False) for number in range(PEOPLE)]
    posts += [(number, True) for number in range(0, PEOPLE, PEOPLE // TWICE)]
    barrier = threading.Barrier(len(posts), timeout=30)
    pages: dict[tuple[int, bool], tuple[int, str, str]] = {}
    errors: list[BaseException] = []

    def person(number: int, again: bool) -> None:
        try:
            browser = urllib.request.build_opener(
                urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
            )
            with browser.open(f"{url}/register", timeout=30) as response:
                form = response.read().decode()
            nonce = re.search(r'name="nonce" type="hidden" value="([^"]+)"', form).group(1)
            body = urllib.parse.urlencode(
                {
                    "name": f"Person {number}",
                    "email": _address(number, again),
                    "affiliation": "Multiprocess Lab",
                    "position": "industry",
                    "consent": "y",
                    "nonce": nonce,
                }
            ).encode()
            barrier.wait()  # everyone posts at the same moment
            with browser.open(f"{url}/register", data=body, timeout=60) as response:
                pages[number, again] = (response.status, response.url, response.read().decode())
        except BaseException as error:  # noqa: BLE001 (reported by the assertion below)
            errors.append(error)

    server = _start(
        [str(BIN / "gunicorn"), "-c", "python:fastpath.gunicorn_conf", "app:app"],
        env,
        tmp_path / "gunicorn.log",
    )
    worker = _start(
        [str(BIN / "flask"), "--app", "app", "mail", "worker", "--interval", "0.2"],
        env,
        tmp_path / "mail-worker.log",
    )
    try:
        _wait_until_up(f"{url}/register", server)
        threads = [threading.Thread(target=person, args=post) for post in posts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        # A confirmation for each person, and a "you are already registered" for each second
        # form: wait until all of them are out, then stop every sender before counting.
        smtp.recorder.wait_for(len(posts), timeout=30)
        with app.app_context():
            deadline = time.monotonic() + 15
            while db.session.scalar(
                select(db.func.count())
                .select_from(OutboxMail)
                .where(OutboxMail.status != OutboxStatus.SENT)
            ):
                assert time.monotonic() < deadline, "mail still unsent after 15 s"
                db.session.rollback()
                time.sleep(0.1)
            db.session.rollback()
    finally:
        _stop(server)
        _stop(worker)
        for log in ("gunicorn.log", "mail-worker.log"):
            print(f"--- {log}\n{(tmp_path / log).read_text(errors='replace')[-3000:]}")

    assert (server.returncode, worker.returncode) == (0, 0)
    assert len(pages) == len(posts)
    for status, page_url, _page in pages.values():
        assert (status, page_url) == (200, f"{url}/register/thanks")

    with app.app_context():
        rows = db.session.scalars(select(Registration).order_by(Registration.arrival)).all()
        registered = [r for r in rows if r.status == RegistrationStatus.REGISTERED]
        waiting = [r for r in rows if r.status == RegistrationStatus.WAITING]
        assert (len(registered), len(waiting), len(rows)) == (CAPACITY, PEOPLE - CAPACITY, PEOPLE)
        assert sorted(r.email_normalized for r in rows) == sorted(
            f"person{n}@example.org" for n in range(PEOPLE)
        )
        assert len({r.arrival for r in rows}) == PEOPLE
        assert max(r.arrival for r in registered) < min(r.arrival for r in waiting)

        # The post that created each row (its address as typed tells which one) was told
        # exactly that row's outcome: a place, or its number on the waiting list.
        for position, row in enumerate(waiting, start=1):
            number = int(row.name.removeprefix("Person "))
            page = pages[number, row.email != f"person{number}@example.org"][2]
            assert f"you are number {position} on the waiting list" in page
        for row in registered:
            number = int(row.name.removeprefix("Person "))
            page = pages[number, row.email != f"person{number}@example.org"][2]
            assert "You have a place at the workshop." in page

        outbox = db.session.scalars(select(OutboxMail)).all()
        assert {mail.status for mail in outbox} == {OutboxStatus.SENT}
        assert Counter(mail.template for mail in outbox) == {
            "registration_confirmed": PEOPLE,
            "registration_already": TWICE,
        }
        stored_ids = sorted(mail.message_id for mail in outbox)

    delivered = [str(mail.message["Message-ID"]) for mail in smtp.recorder.received]
    assert sorted(delivered) == stored_ids  # each mail once: none lost, none sent twice
