"""SQLite runs with WAL, foreign keys, a busy timeout, and BEGIN IMMEDIATE transactions."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from fastpath.extensions import db

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
