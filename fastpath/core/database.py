"""Database engine settings that Flask-SQLAlchemy does not make by itself.

SQLite: WAL (readers never wait for the writer), foreign keys on, a busy timeout, and write
transactions opened with BEGIN IMMEDIATE, so two writers queue for the write lock instead of
one failing later with "database is locked" when it upgrades a read lock. The wait for the
write lock is ours (see _begin_immediate), not SQLite's busy handler.

A transaction that reads first starts with a plain BEGIN and takes no lock, so it never
queues behind a writer: that of a GET or HEAD request (a page that shows something), and
one that says so with reading(). If such a transaction then writes after all (a GET that
records an export in the audit log), its first write ends the read and takes the write
lock with BEGIN IMMEDIATE, queueing like any writer; what it read before came from the
snapshot just ended, so a GET must not update a row from what it read (none does).
"""

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from .extensions import db

# A connection execution option: this transaction only reads (see reading).
READ_ONLY = "fastpath_read_only"
# In connection.info while the transaction began with a plain BEGIN and has not written yet.
READ_BEGUN = "fastpath_read_begun"
# Requests that only show something; their transactions read first.
READING_METHODS = frozenset({"GET", "HEAD"})


@contextmanager
def reading() -> Iterator[None]:
    """Run the block in a transaction that only reads, and end it afterwards.

    On SQLite it starts with a deferred BEGIN instead of BEGIN IMMEDIATE, so it neither takes
    nor waits for the write lock; on PostgreSQL it is an ordinary transaction. Inside a
    transaction that is already open, the block reads in that one, which goes on.
    """
    if db.session().in_transaction():
        yield
        return
    db.session.connection(execution_options={READ_ONLY: True})
    try:
        yield
    finally:
        db.session.rollback()


def configure_engine(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Take transaction control away from the sqlite3 module; "begin" below issues it.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        reads_first = connection.get_execution_options().get(READ_ONLY) or (
            has_request_context() and request.method in READING_METHODS
        )
        connection.info[READ_BEGUN] = bool(reads_first)
        if reads_first:
            connection.connection.driver_connection.execute("BEGIN")
        else:
            _begin_immediate(connection, busy_timeout_ms)

    @event.listens_for(engine, "before_cursor_execute")
    def before_write(connection, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if connection.info.get(READ_BEGUN) and not _only_reads(statement):
            # A write in a transaction that began reading: end the read (it wrote nothing)
            # and queue for the write lock. Upgrading the read in place could not wait: SQLite
            # answers "database is locked" at once to a reader that wants to write.
            connection.info[READ_BEGUN] = False
            connection.connection.driver_connection.execute("COMMIT")
            _begin_immediate(connection, busy_timeout_ms)


def _only_reads(statement: str) -> bool:
    # Anything but a plain SELECT counts as a write: a needless lock is safe, a missed one not.
    return statement.lstrip()[:6].upper() == "SELECT"


# Between two tries for the write lock: short, so a waiter takes the lock soon after it is free.
RETRY_PAUSE_SECONDS = 0.001


def _begin_immediate(connection: Connection, busy_timeout_ms: int) -> None:
    """BEGIN IMMEDIATE as soon as the write lock is free, trying every millisecond.

    SQLite's own busy handler sleeps in growing steps of up to 100 ms: under load a waiter
    sleeps through many short transactions while newcomers take the lock before it, and some
    requests waited for seconds. Measured (make bench 2026-12-02, section "hot-path tricks"
    (c), registrations from 2 processes × 4 threads, medians of 8 rounds): busy_timeout
    alone p99 860 ms, this 321 ms; 14.8 against 12.3 ms per write of wall time. The price:
    the median write waits longer (p50 24 ms with busy_timeout, 65 ms with this), as the
    lock goes round in turn instead of to whoever tried last. After the busy timeout, or on
    any error other than "busy", the last try goes through SQLAlchemy, so it fails as before
    with its OperationalError.
    """
    dbapi_connection = connection.connection.driver_connection
    deadline = time.monotonic() + busy_timeout_ms / 1000
    dbapi_connection.execute("PRAGMA busy_timeout = 0")  # each try answers at once
    try:
        while time.monotonic() < deadline:
            try:
                dbapi_connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                    break
            time.sleep(RETRY_PAUSE_SECONDS)
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        dbapi_connection.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
