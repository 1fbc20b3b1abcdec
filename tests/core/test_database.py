"""SQLite runs with WAL, foreign keys, a busy timeout, and BEGIN IMMEDIATE transactions."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from fastpath.core.extensions import db

pytestmark = pytest.mark.sqlite_only


def test_sqlite_connection_settings(app):
    with app.app_context():
        pragma = {
            name: db.session.execute(text(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout")
        }
    assert pragma == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 15_000}


def test_transactions_take_the_write_lock_at_begin(app):
    """Two writers queue for the lock at BEGIN instead of failing later on upgrade."""
    order: list[str] = []
    first_has_lock = threading.Event()

    def writer(name: str, hold: float) -> None:
        with app.app_context():
            db.session.execute(text("SELECT 1"))  # a read is enough to start the transaction
            order.append(f"{name} began")
            first_has_lock.set()
            threading.Event().wait(hold)
            db.session.execute(text("CREATE TABLE IF NOT EXISTS t_lock (x INTEGER)"))
            db.session.execute(text("INSERT INTO t_lock VALUES (1)"))
            db.session.commit()
            order.append(f"{name} committed")

    first = threading.Thread(target=writer, args=("first", 0.3))
    first.start()
    first_has_lock.wait(5)
    second = threading.Thread(target=writer, args=("second", 0))
    second.start()
    first.join(10)
    second.join(10)
    # The second transaction could not even begin until the first committed.
    assert order == ["first began", "first committed", "second began", "second committed"]


def test_foreign_keys_are_enforced(app):
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        with pytest.raises(IntegrityError):
            db.session.execute(
                text(
                    "INSERT INTO outbox_attachment (mail_id, filename, content_type, data) "
                    "VALUES (999, 'x', 'text/plain', x'00')"
                )
            )
            db.session.flush()
        db.session.rollback()


def _hold_write_lock(app) -> sqlite3.Connection:
    """Another connection that holds the write lock until COMMIT."""
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    return holder


def test_a_waiting_transaction_begins_as_soon_as_the_lock_is_free(app):
    # SQLite's own busy handler would retry 428 ms and 528 ms after it started waiting (its
    # pauses grow to 100 ms), so for a lock freed at 440 ms it would begin ~90 ms late.
    holder = _hold_write_lock(app)
    freed: list[float] = []

    def commit() -> None:
        holder.execute("COMMIT")
        freed.append(time.monotonic())

    timer = threading.Timer(0.44, commit)
    try:
        with app.app_context():
            timer.start()
            db.session.execute(text("SELECT 1"))  # begins: waits for the write lock
            began = time.monotonic()
            db.session.rollback()
    finally:
        timer.join(5)
        holder.close()
    assert began - freed[0] < 0.04


@pytest.mark.app_config(SQLITE_BUSY_TIMEOUT_MS=300)
def test_a_lock_held_beyond_the_busy_timeout_still_fails_as_database_is_locked(app):
    holder = _hold_write_lock(app)
    try:
        with app.app_context():
            started = time.monotonic()
            with pytest.raises(OperationalError, match="database is locked"):
                db.session.execute(text("SELECT 1"))
            waited = time.monotonic() - started
            db.session.rollback()
            holder.execute("COMMIT")
            busy_timeout = db.session.execute(text("PRAGMA busy_timeout")).scalar()
            db.session.rollback()
    finally:
        holder.close()
    assert 0.3 <= waited < 2
    assert busy_timeout == 300  # set back after the tries
