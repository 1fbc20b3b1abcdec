"""Delivering the outbox: claim due mail, send it through Flask-Mail, record the outcome.

Several senders may run at once (the background sender of each web process, `flask mail
deliver` from cron, `flask mail worker`): mail is claimed with one conditional UPDATE before
it is sent, so only one of them sends it. No database transaction is held open while talking
to the mail server (SQLite has one writer; the site must not wait for the mail server).
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
import ssl
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import current_app
from flask_mail import Connection, Message
from sqlalchemy import ColumnElement, and_, or_, true
from sqlalchemy.orm import selectinload

from ..clock import as_utc, now, real_now
from ..database import reading
from ..extensions import db
from .models import OutboxMail, OutboxStatus

log = logging.getLogger("fastpath.mail")

# Mails claimed, sent and recorded together. A sender that dies mid-batch leaves at most this
# many to be sent again after MAIL_CLAIM_TIMEOUT_SECONDS (with the same Message-ID).
CLAIM_BATCH = 20


@dataclass(frozen=True)
class DeliveryReport:
    sent: int = 0
    failed: int = 0  # attempts that failed in this run (the mail was requeued or given up)


class TimeoutConnection(Connection):
    """Flask-Mail's connection with a timeout on every socket operation and verified TLS
    (Flask-Mail passes no timeout, so a silent server would hang the sender forever)."""

    def __init__(self, state: object, timeout: float) -> None:
        super().__init__(state)  # type: ignore[arg-type]
        self.timeout = timeout

    def configure_host(self) -> smtplib.SMTP:
        settings = self.mail
        host: smtplib.SMTP
        if settings.use_ssl:
            host = smtplib.SMTP_SSL(
                settings.server,
                settings.port,
                timeout=self.timeout,
                context=ssl.create_default_context(),
            )
        else:
            host = smtplib.SMTP(settings.server, settings.port, timeout=self.timeout)
        try:
            host.set_debuglevel(int(settings.debug))
            if settings.use_tls:
                host.starttls(context=ssl.create_default_context())
            if settings.username and settings.password:
                host.login(settings.username, settings.password)
        except BaseException:
            host.close()
            raise
        return host

    def open(self) -> None:
        self.host = None if self.mail.suppress else self.configure_host()

    def close(self) -> None:
        if self.host is None:
            return
        try:
            self.host.quit()
        except (OSError, smtplib.SMTPException):
            self.host.close()  # the server is gone already; just drop the socket
        self.host = None


def build_message(row: OutboxMail) -> Message:
    """The Flask-Mail message for an outbox row; the same bytes on every attempt."""
    message = Message(
        subject=row.subject,
        recipients=row.recipient_list,
        body=row.body_text,
        html=row.body_html,
        sender=row.sender,
        reply_to=row.reply_to,
        date=as_utc(row.created_at).timestamp(),
        # Automated mail: well-behaved autoresponders stay quiet (RFC 3834).
        extra_headers={"Auto-Submitted": "auto-generated"},
    )
    # Flask-Mail makes a fresh Message-ID per Message; the outbox's is stable across retries.
    message.msgId = row.message_id
    for attachment in row.attachments:
        message.attach(attachment.filename, attachment.content_type, attachment.data)
    return message


def deliver_pending() -> int:
    """Send every mail that is due, once; return how many were sent. Needs an app context."""
    return deliver_due().sent


def deliver_due(
    stop: threading.Event | None = None, *, include_waiting: bool = False
) -> DeliveryReport:
    """Send every mail that is due (or whose claim went stale) once; `stop` ends it early.

    `include_waiting` also sends queued mail whose next retry has not come yet (a person who
    has just brought the mail server back does not want to wait out the backoff). Mail is
    claimed, sent and recorded in batches of CLAIM_BATCH over one connection, so a busy outbox
    costs three short transactions per batch instead of several per mail; mail queued while
    this runs is sent in the same run.
    """
    if db.session.new or db.session.dirty or db.session.deleted:
        # Delivering commits: mail must go out after the caller's commit, never cause it.
        raise RuntimeError("commit or roll back the session before delivering mail")
    spool_only = not current_app.config.get("MAIL_SERVER")
    sender_name = _sender_name()
    connection: TimeoutConnection | None = None
    # Each mail is tried at most once a run, even when its failure makes it due again at once
    # (sent mail is no longer claimable anyway, so only the failures need remembering).
    failed_now: set[int] = set()
    sent = failed = 0
    try:
        while not (stop is not None and stop.is_set()):
            batch = _claim_batch(sender_name, include_waiting, failed_now)
            if not batch:
                break
            delivered: list[int] = []
            unreachable = False
            for index, (mail_id, attempts, message) in enumerate(batch):
                if stop is not None and stop.is_set() or unreachable:
                    # Not attempted: back to the queue as it was, for the next run.
                    _release([m for m, _, _ in batch[index:]], sender_name)
                    break
                if isinstance(message, Exception):  # the row could not be made into a mail
                    failed += 1
                    failed_now.add(mail_id)
                    _record_failure(mail_id, sender_name, attempts, message)
                    continue
                try:
                    if connection is None and not spool_only:
                        connection = _connect()
                    if connection is None:
                        _spool(mail_id, message)
                    else:
                        connection.send(message)
                except Exception as error:
                    failed += 1
                    failed_now.add(mail_id)
                    _record_sent(delivered, sender_name)  # what went out before stays sent
                    delivered = []
                    _record_failure(mail_id, sender_name, attempts, error)
                    if _is_reply_about_message(error):
                        continue  # the server refused this mail; the connection is still good
                    if connection is not None:
                        connection.close()
                        connection = None
                    # Unreachable, hung or refusing us: every further mail would fare the same.
                    unreachable = isinstance(error, OSError)
                else:
                    sent += 1
                    delivered.append(mail_id)
            _record_sent(delivered, sender_name)
            if unreachable or stop is not None and stop.is_set():
                break
    finally:
        if connection is not None:
            connection.close()
    return DeliveryReport(sent=sent, failed=failed)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt (exponential, capped)."""
    config = current_app.config
    base = float(config["MAIL_RETRY_BASE_SECONDS"])
    ceiling = float(config["MAIL_RETRY_MAX_SECONDS"])
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), ceiling))


def _claimable(moment: datetime, include_waiting: bool) -> ColumnElement[bool]:
    stale = moment - timedelta(seconds=float(current_app.config["MAIL_CLAIM_TIMEOUT_SECONDS"]))
    due = true() if include_waiting else OutboxMail.next_attempt_at <= moment
    return or_(
        and_(OutboxMail.status == OutboxStatus.QUEUED, due),
        and_(OutboxMail.status == OutboxStatus.SENDING, OutboxMail.claimed_at < stale),
    )


def _claim_batch(
    sender_name: str, include_waiting: bool, skip: set[int]
) -> list[tuple[int, int, Message | Exception]]:
    """Claim up to CLAIM_BATCH due mails with one conditional UPDATE (atomic on SQLite and
    PostgreSQL alike) and return (id, attempt number, message) for each, oldest first.

    The UPDATE repeats the claimable condition, so a row another sender claimed meanwhile is
    skipped (on PostgreSQL the condition is checked again on the row it waited for). A row
    that cannot be turned into a message comes back with the error instead.
    """
    moment = real_now()  # claims and their staleness are real-time timers
    claimable = _claimable(moment, include_waiting)
    due = (
        db.select(OutboxMail.id)
        .where(claimable, OutboxMail.id.not_in(skip))
        .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
        .limit(CLAIM_BATCH)
    )
    result = db.session.execute(
        db.update(OutboxMail)
        .where(OutboxMail.id.in_(due.scalar_subquery()), claimable)
        .values(
            status=OutboxStatus.SENDING,
            claimed_at=moment,
            claimed_by=sender_name,
            # Counted when it starts, so an attempt cut short by a crash counts too.
            attempts=OutboxMail.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()  # the claims are visible to every other sender before we send
    if not result.rowcount:  # type: ignore[attr-defined]
        return []
    # Ended before sending: no transaction stays open while the mail server is talked to.
    with reading():
        rows = db.session.scalars(
            db.select(OutboxMail)
            .where(OutboxMail.claimed_by == sender_name, OutboxMail.status == OutboxStatus.SENDING)
            .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
            .options(selectinload(OutboxMail.attachments))
            .execution_options(populate_existing=True)
        ).all()
        batch: list[tuple[int, int, Message | Exception]] = []
        for row in rows:
            try:
                message: Message | Exception = build_message(row)
            except Exception as error:
                message = error
            batch.append((row.id, row.attempts, message))
    return batch


def _release(mail_ids: list[int], sender_name: str) -> None:
    """Give claimed mails back unattempted: queued as before, the attempt not counted."""
    if not mail_ids:
        return
    db.session.execute(
        db.update(OutboxMail)
        .where(
            OutboxMail.id.in_(mail_ids),
            OutboxMail.status == OutboxStatus.SENDING,
            OutboxMail.claimed_by == sender_name,
        )
        .values(
            status=OutboxStatus.QUEUED,
            claimed_at=None,
            claimed_by=None,
            attempts=OutboxMail.attempts - 1,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _connect() -> TimeoutConnection:
    connection = TimeoutConnection(
        current_app.extensions["mail"], float(current_app.config["MAIL_TIMEOUT_SECONDS"])
    )
    connection.open()
    return connection


def _is_reply_about_message(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return True
    # 421: the server is closing the connection, so it is about the connection, not the mail.
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code != 421


def _record_sent(mail_ids: list[int], sender_name: str) -> None:
    if mail_ids:
        _finish(mail_ids, sender_name, status=OutboxStatus.SENT, sent_at=now())


def _record_failure(mail_id: int, sender_name: str, attempts: int, error: BaseException) -> None:
    config = current_app.config
    moment = real_now()  # the retry backoff runs in real time
    gave_up = attempts >= int(config["MAIL_MAX_ATTEMPTS"])
    text = _describe(error)
    _finish(
        [mail_id],
        sender_name,
        status=OutboxStatus.FAILED if gave_up else OutboxStatus.QUEUED,
        last_error=text,
        next_attempt_at=moment + retry_delay(attempts),
        claimed_at=None,
        claimed_by=None,
    )
    outcome = "gave up" if gave_up else "will retry"
    log.warning("mail %s: attempt %s failed, %s: %s", mail_id, attempts, outcome, text)


def _finish(mail_ids: list[int], sender_name: str, **values: object) -> None:
    result = db.session.execute(
        db.update(OutboxMail)
        .where(
            OutboxMail.id.in_(mail_ids),
            OutboxMail.status == OutboxStatus.SENDING,
            OutboxMail.claimed_by == sender_name,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if result.rowcount != len(mail_ids):  # type: ignore[attr-defined]
        # This sender took longer than MAIL_CLAIM_TIMEOUT_SECONDS and another one took over;
        # its outcome stands (a duplicate, if any, carries the same Message-ID).
        log.warning("mail %s: claim lost to another sender before its outcome was saved", mail_ids)


def _describe(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        return f"{error.smtp_code} {text}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refusals = (
            f"{address}: {code} {reply.decode('utf-8', 'replace')}"
            for address, (code, reply) in error.recipients.items()
        )
        return "recipients refused: " + "; ".join(refusals)
    if _timed_out(error):
        return f"timed out after {current_app.config['MAIL_TIMEOUT_SECONDS']} s ({error})"
    return f"{type(error).__name__}: {error}"


def _timed_out(error: BaseException | None) -> bool:
    # smtplib reports a read timeout as SMTPServerDisconnected raised while handling it.
    while error is not None:
        if isinstance(error, TimeoutError):
            return True
        error = error.__cause__ or error.__context__
    return False


def _sender_name() -> str:
    # Unique per delivery run, so an outcome is only saved by the run that holds the claim.
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _spool(mail_id: int, message: Message) -> Path:
    """With no MAIL_SERVER: write the mail as an .eml file (it counts as delivered)."""
    spool = Path(current_app.config["MAIL_SPOOL_DIR"])
    spool.mkdir(parents=True, exist_ok=True)
    created = datetime.fromtimestamp(message.date or 0, UTC)
    path = spool / f"{created:%Y%m%d-%H%M%S}-{mail_id:06d}.eml"
    partial = path.with_suffix(".eml.part")
    partial.write_bytes(message.as_bytes())
    partial.replace(path)  # a reader of the spool never sees half a mail
    log.info(
        "mail %s to %s written to %s: %s",
        mail_id,
        ", ".join(message.recipients),  # type: ignore[arg-type]
        path,
        message.subject,
    )
    return path
