"""Several processes on one database: gunicorn with two workers (each with its background mail
sender) and a separate `flask mail worker`, on SQLite and on PostgreSQL.

Fifty people register at the same moment for ten places, and ten of them send the form a
second time from another browser with their address typed differently (case, spaces). The
places, the waiting list and the uniqueness of people must come out exact, and every mail
must reach the mail server exactly once although three senders compete for it.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from fastpath.core.extensions import db
from fastpath.mail.models import OutboxMail, OutboxStatus
from fastpath.registration.models import Registration, RegistrationStatus
from tests.conftest import SmtpServer, free_port, make_app
from tests.helpers.servers import (
    BIN,
    CAPACITY,
    GUNICORN,
    gunicorn_environment,
    register_all_at_once,
    start_process,
    stop_process,
    wait_until_up,
)

PEOPLE = 50
TWICE = 10  # people who send the form a second time, from another browser


def _address(number: int, again: bool) -> str:
    # The second form: the same person, typed the way people do.
    return f"  Person{number}@EXAMPLE.org " if again else f"person{number}@example.org"


def test_registrations_and_mail_stay_exact_across_gunicorn_workers_and_a_mail_worker(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    app = make_app(tmp_path)  # builds the schema in the test's database (SQLite or PostgreSQL)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = gunicorn_environment(tmp_path, app.config["SQLALCHEMY_DATABASE_URI"], port, smtp)
    posts = [(number, False) for number in range(PEOPLE)]
    posts += [(number, True) for number in range(0, PEOPLE, PEOPLE // TWICE)]

    server = start_process(GUNICORN, env, tmp_path / "gunicorn.log")
    worker = start_process(
        [str(BIN / "flask"), "--app", "app", "mail", "worker", "--interval", "0.2"],
        env,
        tmp_path / "mail-worker.log",
    )
    try:
        wait_until_up(f"{url}/register", server)
        people = {(n, again): (f"Person {n}", _address(n, again)) for n, again in posts}
        pages, errors = register_all_at_once(url, people)
        assert errors == []
        # A confirmation for each person, and a "you are already registered" for each second
        # form: wait until all of them are out, then stop every sender before counting.
        _wait_until_every_mail_is_sent(app, smtp, len(posts))
    finally:
        stop_process(server)
        stop_process(worker)
        for log in ("gunicorn.log", "mail-worker.log"):
            print(f"--- {log}\n{(tmp_path / log).read_text(errors='replace')[-3000:]}")

    assert (server.returncode, worker.returncode) == (0, 0)
    assert len(pages) == len(posts)
    for status, page_url, _page in pages.values():
        assert (status, page_url) == (200, f"{url}/register/thanks")
    stored_ids = _assert_rows_pages_and_mail_agree(app, pages)

    delivered = [str(mail.message["Message-ID"]) for mail in smtp.recorder.received]
    assert sorted(delivered) == stored_ids  # each mail once: none lost, none sent twice


def _wait_until_every_mail_is_sent(app: Flask, smtp: SmtpServer, count: int) -> None:
    smtp.recorder.wait_for(count, timeout=30)
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


def _assert_rows_pages_and_mail_agree(
    app: Flask, pages: dict[tuple[int, bool], tuple[int, str, str]]
) -> list[str]:
    """The rows hold CAPACITY places and a waiting list in arrival order, each post's page
    told its row's outcome, and the outbox holds one mail each; return the mails' ids."""
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
    return stored_ids
