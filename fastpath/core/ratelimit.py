"""Rate-limit counters that every worker process shares: a small SQLite file in instance/.

Flask-Limiter's "memory://" storage counts in each process, so with gunicorn's workers a
limit of 10 let 10 per worker through. This storage needs nothing beyond the standard
library. It is a file of its own, not a table in the site's database, so counting a form
post never queues behind (or holds up) the site's writers. A deployment with Redis sets
RATELIMIT_STORAGE_URI to redis://... instead (the "redis" extra installs the client).

It supports the fixed-window strategy (Flask-Limiter's default), which is all the site uses.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from urllib.parse import urlsplit

from limits.storage import Storage

from ..clock import real_now

SCHEME = "fastpath+sqlite"
# Long enough for any queue of workers counting at the same moment; each write is one row.
BUSY_TIMEOUT_MS = 5000


def default_uri(instance_path: str) -> str:
    return f"{SCHEME}://{Path(instance_path) / 'ratelimits.sqlite3'}"


class SQLiteStorage(Storage):
    """Fixed-window counters in a SQLite file: fastpath+sqlite:///absolute/path/file."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options: float | str | bool):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = urlsplit(uri).path
        if not self.path:
            raise ValueError(f"{uri!r} names no file: use {SCHEME}:///absolute/path/to/file")
        # One connection per thread (gunicorn's gthread workers serve requests on several).
        self._local = threading.local()

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            # Autocommit: each statement below is a transaction of its own.
            connection = sqlite3.connect(self.path, isolation_level=None)
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")  # a counter may lose a moment
            connection.execute(
                "CREATE TABLE IF NOT EXISTS counter ("
                " key TEXT PRIMARY KEY, hits INTEGER NOT NULL, expires_at REAL NOT NULL)"
            )
            connection.execute(
                "CREATE INDEX IF NOT EXISTS ix_counter_expires_at ON counter (expires_at)"
            )
            self._local.connection = connection
        return connection

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        moment = real_now().timestamp()
        connection = self._connection()
        # One statement, so two workers counting at once cannot both read the old count.
        # A window that has run out starts again at this hit.
        (hits,) = connection.execute(
            "INSERT INTO counter (key, hits, expires_at) VALUES (:key, :amount, :expires_at)"
            " ON CONFLICT (key) DO UPDATE SET"
            "  hits = CASE WHEN expires_at <= :now THEN :amount ELSE hits + :amount END,"
            "  expires_at = CASE WHEN expires_at <= :now THEN :expires_at ELSE expires_at END"
            " RETURNING hits",
            {"key": key, "amount": amount, "expires_at": moment + expiry, "now": moment},
        ).fetchone()
        # Windows that ran out are of no use; dropping them keeps the file small.
        connection.execute("DELETE FROM counter WHERE expires_at <= ?", (moment,))
        return hits

    def get(self, key: str) -> int:
        row = (
            self._connection()
            .execute(
                "SELECT hits FROM counter WHERE key = ? AND expires_at > ?",
                (key, real_now().timestamp()),
            )
            .fetchone()
        )
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        moment = real_now().timestamp()
        row = (
            self._connection()
            .execute(
                "SELECT expires_at FROM counter WHERE key = ? AND expires_at > ?", (key, moment)
            )
            .fetchone()
        )
        return row[0] if row else moment

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return self._connection().execute("DELETE FROM counter").rowcount

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM counter WHERE key = ?", (key,))
