"""Shared fixtures: a real SQLite file per test, a real SMTP server, a live HTTP server."""

from __future__ import annotations

import email
import email.policy
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from werkzeug.serving import make_server

from fastpath import create_app

DEMO_NOW = "2020-01-20T12:00:00+00:00"

# `make test` runs the suite on SQLite, then again on PostgreSQL when it can start one.
TEST_DATABASE = os.environ.get("FASTPATH_TEST_DATABASE", "sqlite")
POSTGRES_DATABASE = "fastpath_test"
_postgres: Any = None  # the session's throwaway PostgreSQL server, when TEST_DATABASE says so


def pytest_configure(config: pytest.Config) -> None:
    global _postgres
    config.addinivalue_line("markers", "sqlite_only: a test of SQLite-specific behaviour")
    if TEST_DATABASE == "postgresql" and _postgres is None:
        from tests.helpers.postgres import start_server

        _postgres = start_server()


def pytest_unconfigure(config: pytest.Config) -> None:
    if _postgres is not None:
        _postgres.stop()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if TEST_DATABASE != "postgresql":
        return
    skip = pytest.mark.skip(reason="SQLite-specific; this run is on PostgreSQL")
    for item in items:
        if item.get_closest_marker("sqlite_only"):
            item.add_marker(skip)


# Within one test, each SQLite file it names maps to a PostgreSQL database of its own
# (emptied on first use), so "the same file again" means the same data on both engines.
_postgres_databases: dict[str, str] = {}


def _postgres_for(sqlite_uri: str) -> str:
    if sqlite_uri in _postgres_databases:
        return _postgres_databases[sqlite_uri]
    name = (
        POSTGRES_DATABASE
        if not _postgres_databases
        else f"{POSTGRES_DATABASE}_{len(_postgres_databases) + 1}"
    )
    url = _postgres.ensure_database(name)
    _reset_postgres_schema(url)
    _postgres_databases[sqlite_uri] = url
    return url


def _reset_postgres_schema(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def make_app(tmp_path: Path, **overrides: Any) -> Flask:
    """An app on its own SQLite file and instance folder."""
    instance = tmp_path / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-only-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'fastpath.sqlite3'}",
        "UPLOAD_DIR": str(instance / "uploads"),
        "MAIL_SPOOL_DIR": str(instance / "mail"),
        "NOW": DEMO_NOW,
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": False,
        "MAIL_BACKGROUND_SENDER": False,
        "MAIL_SERVER": None,
        "PUBLIC_BASE_URL": "http://fastpath.test",
        # Tests write publications directly and read the page at once.
        "PROGRAM_VERSION_CHECK_SECONDS": 0.0,
    }
    config.update(overrides)
    if _postgres is not None and str(config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite"):
        config["SQLALCHEMY_DATABASE_URI"] = _postgres_for(config["SQLALCHEMY_DATABASE_URI"])
    old = os.environ.get("FASTPATH_INSTANCE_PATH")
    os.environ["FASTPATH_INSTANCE_PATH"] = str(instance)
    try:
        app = create_app(config)
    finally:
        if old is None:
            os.environ.pop("FASTPATH_INSTANCE_PATH", None)
        else:
            os.environ["FASTPATH_INSTANCE_PATH"] = old
    create_schema(app)
    _apps_made.append(app)
    return app


_apps_made: list[Flask] = []


@pytest.fixture(autouse=True)
def _dispose_engines() -> Iterator[None]:
    """Close every database connection the test's apps opened (PostgreSQL counts them)."""
    yield
    from fastpath.core.extensions import db

    _postgres_databases.clear()
    if _postgres is not None:
        import gc

        gc.collect()  # a connection leaked by this test warns here, not in a later test
    while _apps_made:
        application = _apps_made.pop()
        sender = application.extensions.get("fastpath_mail_sender")
        if sender is not None:
            sender.stop()  # its thread may hold a connection
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def create_schema(app: Flask) -> None:
    """Tables straight from the models (fast). tests/server/test_migrations.py proves the migrations
    build exactly this schema, so `flask db upgrade` and the tests agree."""
    from fastpath.core.extensions import db

    with app.app_context():
        db.create_all()


@pytest.fixture
def app(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Flask]:
    overrides = getattr(request, "param", None) or {}
    marker = request.node.get_closest_marker("app_config")
    if marker:
        overrides = {**overrides, **marker.kwargs}
    yield make_app(tmp_path, **overrides)


@pytest.fixture
def client(app: Flask):
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


# --- A real SMTP server -------------------------------------------------------------------


@dataclass
class ReceivedMail:
    envelope_from: str
    envelope_to: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part else ""

    @property
    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part else ""

    def attachments(self) -> list[EmailMessage]:
        return list(self.message.iter_attachments())


@dataclass
class SmtpRecorder:
    """An aiosmtpd handler that keeps every message; can be slowed or made to refuse."""

    received: list[ReceivedMail] = field(default_factory=list)
    delay_seconds: float = 0.0
    reply: str | None = None  # e.g. "451 try later" to refuse every message
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        import asyncio

        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        if self.reply:
            return self.reply
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.received.append(
                ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message)  # type: ignore[arg-type]
            )
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[ReceivedMail]:
        """Wait until at least `count` messages arrived; return them all."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.02)
        with self.lock:
            got = len(self.received)
        raise AssertionError(f"expected {count} mails, got {got} within {timeout} s")

    def to(self, address: str) -> list[ReceivedMail]:
        with self.lock:
            return [m for m in self.received if address in m.envelope_to]


@dataclass
class SmtpServer:
    host: str
    port: int
    recorder: SmtpRecorder
    controller: Controller

    def app_config(self) -> dict[str, Any]:
        return {"MAIL_SERVER": self.host, "MAIL_PORT": self.port, "MAIL_TIMEOUT_SECONDS": 10}

    def stop(self) -> None:
        self.controller.stop()

    def start(self) -> None:
        self.controller = _start_controller(self.recorder, self.port)


def _start_controller(recorder: SmtpRecorder, port: int = 0) -> Controller:
    controller = Controller(recorder, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    return controller


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    recorder = SmtpRecorder()
    controller = _start_controller(recorder)
    server = SmtpServer("127.0.0.1", controller.port, recorder, controller)
    yield server
    try:
        server.controller.stop()
    except Exception:  # noqa: BLE001 (already stopped by the test)
        pass


@pytest.fixture
def mail_app(tmp_path: Path, smtp: SmtpServer, request: pytest.FixtureRequest) -> Iterator[Flask]:
    """An app whose mail goes to the test's SMTP server (delivery run by the test)."""
    marker = request.node.get_closest_marker("app_config")
    overrides = {**smtp.app_config(), **(marker.kwargs if marker else {})}
    yield make_app(tmp_path, **overrides)


# --- A live HTTP server (browser and concurrency tests) ------------------------------------


@dataclass
class LiveServer:
    app: Flask
    url: str
    _server: Any
    _thread: threading.Thread
    _in_flight: _InFlight

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)
        # A client may have its whole response before the server thread has finished the
        # request (app context teardown returns the database connection): wait for that.
        self._in_flight.wait_idle(timeout=10)
        self._server.server_close()


class _InFlight:
    """Counts requests from arrival until the response is closed (WSGI middleware)."""

    def __init__(self, wsgi_app: Any) -> None:
        self.wsgi_app = wsgi_app
        self.count = 0
        self.idle = threading.Condition()

    def __call__(self, environ: dict, start_response: Any) -> Any:
        with self.idle:
            self.count += 1
        try:
            body = self.wsgi_app(environ, start_response)
        except BaseException:
            self._done()
            raise
        return _ClosingBody(body, self._done)

    def _done(self) -> None:
        with self.idle:
            self.count -= 1
            self.idle.notify_all()

    def wait_idle(self, timeout: float) -> None:
        with self.idle:
            self.idle.wait_for(lambda: self.count == 0, timeout=timeout)


class _ClosingBody:
    def __init__(self, body: Any, on_close: Any) -> None:
        self.body, self.on_close = body, on_close

    def __iter__(self) -> Any:
        return iter(self.body)

    def close(self) -> None:
        try:
            if hasattr(self.body, "close"):
                self.body.close()
        finally:
            self.on_close()


def start_live_server(application: Flask) -> LiveServer:
    in_flight = _InFlight(application.wsgi_app)
    server = make_server("127.0.0.1", 0, in_flight, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    return LiveServer(application, url, server, thread, in_flight)


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    server = start_live_server(app)
    yield server
    server.stop()
