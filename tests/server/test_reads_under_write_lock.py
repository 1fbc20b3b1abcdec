"""Pages that only read never wait for another process's write lock (SQLite), and a GET that
writes after all still queues for the lock and stores what it wrote."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from flask import Flask

from tests.helpers.forms import latest_token, post, registration_fields, submission_fields
from tests.helpers.organizers import audit_actions, make_organizer, sign_in

pytestmark = pytest.mark.sqlite_only

# Far above an answer's time, far below the busy timeout a waiting page would sit through.
FAST_SECONDS = 1.0


def _hold_write_lock(app: Flask) -> sqlite3.Connection:
    """Another connection (as another gunicorn worker would) holding the write lock."""
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    return holder


@pytest.mark.app_config(SQLITE_BUSY_TIMEOUT_MS=6000)
def test_reading_pages_answer_while_another_process_holds_the_write_lock(app, client):
    assert post(client, "/submit", submission_fields(), files=True).status_code == 303
    submission = latest_token(app, "submission")
    assert post(client, "/register", registration_fields()).status_code == 303
    registration = latest_token(app, "registration")
    make_organizer(app)
    assert sign_in(client).status_code == 302
    pages = [
        "/healthz",
        f"/submission/{submission}",
        f"/registration/{registration}",
        "/organizer/",
        "/organizer/submissions",
        "/organizer/registrations",
        "/organizer/activity",
        "/organizer/mail",
    ]

    holder = _hold_write_lock(app)
    try:
        timings = {}
        for page in pages:
            started = time.monotonic()
            status = client.get(page).status_code
            timings[page] = (status, time.monotonic() - started < FAST_SECONDS)
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert timings == {page: (200, True) for page in pages}


@pytest.mark.app_config(SQLITE_BUSY_TIMEOUT_MS=6000)
def test_get_that_writes_waits_for_the_lock_then_records(app, client):
    make_organizer(app)
    assert sign_in(client).status_code == 302
    holder = _hold_write_lock(app)
    release = threading.Timer(0.5, lambda: holder.execute("COMMIT"))
    release.start()
    try:
        started = time.monotonic()
        response = client.get("/organizer/export/registrations.csv")
        waited = time.monotonic() - started
    finally:
        release.join(5)
        holder.close()

    assert response.status_code == 200
    assert 0.4 < waited < 3  # it queued for the lock behind the other writer, then wrote
    assert [action for action, _, _ in audit_actions(app)][-1] == "export"
