"""The background sender: a daemon thread in each app process that delivers the outbox.

A commit that added or changed outbox rows wakes it; it also looks for due mail (retries,
mail queued by other processes) every MAIL_SENDER_INTERVAL_SECONDS while the process lives.
The web request only sets an event, so it never waits for the mail server. Several processes
each running one is safe: every mail is claimed atomically before it is sent.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from itertools import chain

from flask import Flask, current_app, has_app_context
from flask_sqlalchemy.session import Session
from sqlalchemy import event

from ..core.extensions import db
from .delivery import deliver_due
from .models import OutboxMail

log = logging.getLogger("fastpath.mail")

EXTENSION_KEY = "fastpath_mail_sender"
_OUTBOX_CHANGED = "fastpath.mail.outbox_changed"  # a key in Session.info


class BackgroundSender:
    """Delivers one app's outbox from a daemon thread, started on first use."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.interval = float(app.config["MAIL_SENDER_INTERVAL_SECONDS"])
        # How long process exit waits for a mail being sent right now (gunicorn allows 20 s).
        self.exit_wait = min(float(app.config["MAIL_TIMEOUT_SECONDS"]), 10.0)
        self._lock = threading.Lock()
        self._stopped = False
        self._start_fresh()

    def _start_fresh(self) -> None:
        self._pid = os.getpid()
        self._wakeup = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def ensure_running(self) -> None:
        """Start the thread unless it runs in this process already (cheap; safe after fork)."""
        thread = self._thread
        if thread is not None and thread.is_alive() and self._pid == os.getpid():
            return
        with self._lock:
            if self._stopped:
                return
            if self._pid != os.getpid():
                self._start_fresh()  # a forked child: the parent's thread did not come along
            if self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(
                target=self._run, name="fastpath-mail-sender", daemon=True
            )
            self._thread.start()
            atexit.register(self.stop)

    def wake(self) -> None:
        """Deliver soon, in the background."""
        self.ensure_running()
        self._wakeup.set()

    def stop(self) -> None:
        """Stop after the mail being sent right now, if any (waits up to `exit_wait`)."""
        with self._lock:
            self._stopped = True
            thread = self._thread
        atexit.unregister(self.stop)
        self._stopping.set()
        self._wakeup.set()
        if thread is not None and thread.is_alive() and thread is not threading.current_thread():
            thread.join(self.exit_wait)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                with self.app.app_context():
                    report = deliver_due(stop=self._stopping)
                if report.sent or report.failed:
                    log.info("background sender: %s sent, %s failed", report.sent, report.failed)
            except Exception:
                # Keep the thread alive: the next wake-up or interval tries again.
                log.exception("background sender: delivery run failed")
            self._wakeup.wait(self.interval)
            self._wakeup.clear()


def note_outbox_changed() -> None:
    """Mark the current session so its commit wakes the background sender (for bulk updates,
    which bypass the flush that otherwise notices outbox rows)."""
    db.session.info[_OUTBOX_CHANGED] = True


def init_app(app: Flask) -> None:
    """Attach the background sender (if MAIL_BACKGROUND_SENDER) and the commit hooks."""
    mail_log = logging.getLogger("fastpath.mail")
    if not mail_log.level:
        # The spool's one-line summaries must show under `flask run` (Flask logs WARNING+).
        mail_log.setLevel(logging.INFO)
    if not app.config.get("MAIL_BACKGROUND_SENDER"):
        return
    sender = BackgroundSender(app)
    app.extensions[EXTENSION_KEY] = sender
    # The first request of a (re)started process also sends mail left from before.
    app.before_request(sender.ensure_running)
    _listen_once()


def _listen_once() -> None:
    if not event.contains(Session, "after_commit", _wake_after_commit):
        event.listen(Session, "after_flush", _note_flushed_outbox_rows)
        event.listen(Session, "after_commit", _wake_after_commit)
        event.listen(Session, "after_rollback", _forget_after_rollback)


def _note_flushed_outbox_rows(session: Session, _flush_context: object) -> None:
    if any(isinstance(obj, OutboxMail) for obj in chain(session.new, session.dirty)):
        session.info[_OUTBOX_CHANGED] = True


def _wake_after_commit(session: Session) -> None:
    if not session.info.pop(_OUTBOX_CHANGED, False) or not has_app_context():
        return
    sender = current_app.extensions.get(EXTENSION_KEY)
    if sender is not None:
        sender.wake()


def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_OUTBOX_CHANGED, None)
