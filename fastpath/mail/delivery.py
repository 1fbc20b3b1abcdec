"""Delivering the outbox: claim due mail, send it over SMTP (smtplib), record the outcome.

Several senders may run at once (the background sender of each web process, `flask mail
deliver` from cron, `flask mail worker`): mail is claimed with one conditional UPDATE before
it is sent, so only one of them sends it. No database transaction is held open while talking
to the mail server (SQLite has one writer; the site must not wait for the mail server).
"""

from __future__ import annotations

import functools
import logging
import os
import smtplib
import socket
import ssl
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8
from email.utils import format_datetime, parseaddr
from pathlib import Path

import idna
from flask import current_app
from sqlalchemy import ColumnElement, and_, or_, true
from sqlalchemy.orm import selectinload

from .. import clock
from ..core.database import reading
from ..core.extensions import db
from .models import OutboxMail, OutboxStatus

log = logging.getLogger("fastpath.mail")

# Mails claimed together and sent over one connection (each one's outcome is saved at once).
CLAIM_BATCH = 20


@dataclass(frozen=True)
class DeliveryReport:
    sent: int = 0
    failed: int = 0  # attempts that failed in this run (the mail was requeued or given up)


class SmtpUtf8Unsupported(Exception):
    """The mail needs SMTPUTF8 (an address with a non-ASCII local part) and the server does
    not offer it: every attempt would fail the same way, so it is not retried."""


@dataclass(frozen=True)
class Outgoing:
    """One outbox row made into the exact message and envelope that go to the server."""

    mail_id: int
    created_at: datetime
    message: EmailMessage
    envelope_from: str
    envelope_to: list[str]
    # Addresses with a non-ASCII local part: only an SMTPUTF8 server (RFC 6531) carries them.
    needs_smtputf8: list[str]

    @property
    def smtputf8(self) -> bool:
        return bool(self.needs_smtputf8)

    def as_bytes(self) -> bytes:
        """What SMTP carries: CRLF lines of at most 78 octets (folded headers, QP or base64
        bodies), ASCII unless the mail needs SMTPUTF8."""
        return self.message.as_bytes(policy=SMTPUTF8 if self.smtputf8 else SMTP)


def build_message(row: OutboxMail) -> Outgoing:
    """The message and envelope for an outbox row; the same bytes on every attempt.

    Built with the stdlib's SMTP policy, so every mail is valid for any server: headers
    folded, text and HTML quoted-printable, attachments base64 (Flask-Mail sent UTF-8 bodies
    as raw 8-bit lines of any length, which strict servers refuse). Domains are sent in IDNA.
    """
    sender = _address(row.sender)
    recipients = [_address(address) for address in row.recipient_list]
    reply_to = _address(row.reply_to) if row.reply_to else None
    everyone = [sender, *recipients, *([reply_to] if reply_to else [])]
    needs_smtputf8 = [a.addr_spec for a in everyone if not a.username.isascii()]
    message = EmailMessage(policy=SMTPUTF8 if needs_smtputf8 else SMTP)
    message["Subject"] = row.subject
    message["From"] = sender
    message["To"] = recipients
    if reply_to is not None:
        message["Reply-To"] = reply_to
    message["Date"] = format_datetime(clock.as_utc(row.created_at))
    # Stable across retries, so a resend after an uncertain delivery is recognisable.
    message["Message-ID"] = row.message_id
    # Automated mail: well-behaved autoresponders stay quiet (RFC 3834).
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(row.body_text, cte="quoted-printable")
    if row.body_html is not None:
        message.add_alternative(row.body_html, subtype="html", cte="quoted-printable")
    for attachment in row.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return Outgoing(
        mail_id=row.id,
        created_at=clock.as_utc(row.created_at),
        message=message,
        envelope_from=sender.addr_spec,
        envelope_to=[address.addr_spec for address in recipients],
        needs_smtputf8=needs_smtputf8,
    )


def _address(text: str) -> Address:
    """A stored "Name <local@domain>" as a header address, its domain in IDNA (A-labels)."""
    name, addr_spec = parseaddr(text)
    local, _, domain = addr_spec.rpartition("@")
    if not local or not domain:
        raise ValueError(f"not a mail address: {text!r}")
    if not domain.isascii():
        domain = idna.encode(domain, uts46=True).decode("ascii")
    return Address(display_name=name, username=local, domain=domain)


def deliver_pending() -> int:
    """Send every mail that is due, once; return how many were sent. Needs an app context."""
    return deliver_due().sent


def deliver_due(
    stop: threading.Event | None = None, *, include_waiting: bool = False
) -> DeliveryReport:
    """Send every mail that is due (or whose claim went stale or died) once; `stop` ends it
    early.

    `include_waiting` also sends queued mail whose next retry has not come yet (a person who
    has just brought the mail server back does not want to wait out the backoff). Mail is
    claimed in batches of CLAIM_BATCH and sent over one connection; each mail's claim is
    renewed just before it is sent and its outcome saved just after, so a slow server never
    lets a claim go stale on a mail that is being sent or was sent (another sender would send
    it again), and a sender that dies leaves at most the mail it was sending in doubt. Mail
    queued while this runs is sent in the same run.
    """
    if db.session.new or db.session.dirty or db.session.deleted:
        # Delivering commits: mail must go out after the caller's commit, never cause it.
        raise RuntimeError("commit or roll back the session before delivering mail")
    spool_only = not current_app.config.get("MAIL_SERVER")
    sender_name = _sender_name()
    host: smtplib.SMTP | None = None
    # Each mail is tried at most once a run, even when its failure makes it due again at once
    # (sent mail is no longer claimable anyway, so only the failures need remembering).
    failed_now: set[int] = set()
    sent = failed = 0
    try:
        while not (stop is not None and stop.is_set()):
            batch = _claim_batch(sender_name, include_waiting, failed_now)
            if not batch:
                break
            unreachable = False
            for index, (mail_id, attempts, outgoing) in enumerate(batch):
                if stop is not None and stop.is_set() or unreachable:
                    # Not attempted: back to the queue as it was, for the next run.
                    _release([m for m, _, _ in batch[index:]], sender_name)
                    break
                if isinstance(outgoing, Exception):
                    # The row cannot be made into a mail; another attempt would fare the same.
                    failed += 1
                    failed_now.add(mail_id)
                    _record_failure(mail_id, sender_name, attempts, outgoing, final=True)
                    continue
                try:
                    if host is None and not spool_only:
                        host = _connect()
                    if not _renew_claim(mail_id, sender_name):
                        continue  # another sender took it over; it sends it
                    if host is None:
                        _spool(outgoing)
                    else:
                        _send(host, outgoing)
                except Exception as error:
                    failed += 1
                    failed_now.add(mail_id)
                    final = isinstance(error, SmtpUtf8Unsupported)
                    _record_failure(mail_id, sender_name, attempts, error, final=final)
                    if final or _is_reply_about_message(error):
                        continue  # the server refused this mail; the connection is still good
                    if host is not None:
                        _close(host)
                        host = None
                    # Unreachable, hung or refusing us: every further mail would fare the same.
                    unreachable = isinstance(error, OSError)
                else:
                    sent += 1
                    _record_sent(mail_id, sender_name)
            if unreachable or stop is not None and stop.is_set():
                break
    finally:
        if host is not None:
            _close(host)
    return DeliveryReport(sent=sent, failed=failed)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt (exponential, capped)."""
    config = current_app.config
    base = float(config["MAIL_RETRY_BASE_SECONDS"])
    ceiling = float(config["MAIL_RETRY_MAX_SECONDS"])
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), ceiling))


def _claimable(now: datetime, include_waiting: bool) -> ColumnElement[bool]:
    stale = now - timedelta(seconds=float(current_app.config["MAIL_CLAIM_TIMEOUT_SECONDS"]))
    due = true() if include_waiting else OutboxMail.next_attempt_at <= now
    return or_(
        and_(OutboxMail.status == OutboxStatus.QUEUED, due),
        and_(OutboxMail.status == OutboxStatus.SENDING, OutboxMail.claimed_at < stale),
    )


def _claim_batch(
    sender_name: str, include_waiting: bool, skip: set[int]
) -> list[tuple[int, int, Outgoing | Exception]]:
    """Claim up to CLAIM_BATCH due mails with one conditional UPDATE (atomic on SQLite and
    PostgreSQL alike) and return (id, attempt number, mail) for each, oldest first.

    The UPDATE repeats the claimable condition, so a row another sender claimed meanwhile is
    skipped (on PostgreSQL the condition is checked again on the row it waited for). A row
    that cannot be turned into a message comes back with the error instead. Claims left by a
    dead process on this host are released first, in the same transaction.
    """
    _release_dead_claims()
    now = clock.real_now()
    claimable = _claimable(now, include_waiting)
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
            claimed_at=now,
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
        batch: list[tuple[int, int, Outgoing | Exception]] = []
        for row in rows:
            try:
                outgoing: Outgoing | Exception = build_message(row)
            except Exception as error:
                outgoing = error
            batch.append((row.id, row.attempts, outgoing))
    return batch


def _release_dead_claims() -> None:
    """Queue again, at once, the mail claimed by a sender process on this host that is gone
    (killed mid-batch): waiting out MAIL_CLAIM_TIMEOUT_SECONDS would only delay it. The
    attempt stays counted (the one mail being sent when it died may have gone out). Runs in
    the caller's transaction."""
    claimers = db.session.scalars(
        db.select(OutboxMail.claimed_by).where(OutboxMail.status == OutboxStatus.SENDING).distinct()
    )
    dead = [claimer for claimer in claimers if claimer and _claimer_is_dead(claimer)]
    if not dead:
        return
    db.session.execute(
        db.update(OutboxMail)
        .where(OutboxMail.status == OutboxStatus.SENDING, OutboxMail.claimed_by.in_(dead))
        .values(status=OutboxStatus.QUEUED, claimed_at=None, claimed_by=None)
        .execution_options(synchronize_session=False)
    )
    log.warning("released the mail claimed by senders that are gone: %s", ", ".join(dead))


def _claimer_is_dead(claimer: str) -> bool:
    """Whether a claim names a process on this host (and PID namespace) that has ended."""
    host, _, rest = claimer.partition(":")
    pid, _, _run = rest.partition(":")
    if host != _host_name() or not pid.isdigit():
        return False  # another host's process: only its claim timeout tells
    try:
        os.kill(int(pid), 0)  # signal 0: nothing is sent, only whether the process exists
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # exists, under another user
    return False


def _renew_claim(mail_id: int, sender_name: str) -> bool:
    """Restart the claim's clock just before the mail is sent; False if the claim was lost
    (the mail waited behind slow sends until its claim went stale and another sender took it).
    """
    return _update_own_claim(mail_id, sender_name, claimed_at=clock.real_now())


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


def _connect() -> smtplib.SMTP:
    """A connection to MAIL_SERVER with a timeout on every socket operation (a silent server
    must not hang the sender) and verified TLS, logged in when a username is configured.

    Not Flask-Mail's `mail.connect()`: its Connection (0.10, the latest) reads the same
    MAIL_* settings but opens smtplib.SMTP/SMTP_SSL without a timeout (a silent server hangs
    the sender for good; MAIL_TIMEOUT_SECONDS has nowhere to go) and calls starttls() and
    SMTP_SSL without an SSL context, so smtplib's unverified one is used (no certificate or
    host name check). It also leaves the socket open when STARTTLS or the login fails, and
    its exit calls quit() on a server that may be gone. Its send() takes only its own Message
    (8-bit bodies, see build_message), so we would call `connection.host.sendmail` anyway.
    """
    config = current_app.config
    server, port = config["MAIL_SERVER"], int(config["MAIL_PORT"])
    timeout = float(config["MAIL_TIMEOUT_SECONDS"])
    host: smtplib.SMTP
    if config.get("MAIL_USE_SSL"):
        host = smtplib.SMTP_SSL(server, port, timeout=timeout, context=ssl.create_default_context())
    else:
        host = smtplib.SMTP(server, port, timeout=timeout)
    try:
        if config.get("MAIL_USE_TLS"):
            host.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME") and config.get("MAIL_PASSWORD"):
            host.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    except BaseException:
        host.close()
        raise
    return host


def _send(host: smtplib.SMTP, outgoing: Outgoing) -> None:
    options: list[str] = []
    if outgoing.smtputf8:
        host.ehlo_or_helo_if_needed()
        if not host.has_extn("smtputf8"):
            raise SmtpUtf8Unsupported(
                "the mail server does not offer SMTPUTF8, which the address "
                f"{', '.join(dict.fromkeys(outgoing.needs_smtputf8))} needs; not retried"
            )
        # The body is 7-bit (quoted-printable); only the headers and envelope carry UTF-8.
        options.append("SMTPUTF8")
    host.sendmail(outgoing.envelope_from, outgoing.envelope_to, outgoing.as_bytes(), options)


def _close(host: smtplib.SMTP) -> None:
    try:
        host.quit()
    except (OSError, smtplib.SMTPException):
        host.close()  # the server is gone already; just drop the socket


def _is_reply_about_message(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return True
    # 421: the server is closing the connection, so it is about the connection, not the mail.
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code != 421


def _record_sent(mail_id: int, sender_name: str) -> None:
    _finish(mail_id, sender_name, status=OutboxStatus.SENT, sent_at=clock.now())


def _record_failure(
    mail_id: int, sender_name: str, attempts: int, error: BaseException, *, final: bool = False
) -> None:
    """Queue the mail for its next attempt, or mark it failed after the last one (or at once
    when `final`: the failure does not depend on when it is tried)."""
    config = current_app.config
    now = clock.real_now()
    gave_up = final or attempts >= int(config["MAIL_MAX_ATTEMPTS"])
    text = _describe(error)
    _finish(
        mail_id,
        sender_name,
        status=OutboxStatus.FAILED if gave_up else OutboxStatus.QUEUED,
        last_error=text,
        next_attempt_at=now + retry_delay(attempts),
        claimed_at=None,
        claimed_by=None,
    )
    outcome = "gave up" if gave_up else "will retry"
    log.warning("mail %s: attempt %s failed, %s: %s", mail_id, attempts, outcome, text)


def _update_own_claim(mail_id: int, sender_name: str, **values: object) -> bool:
    """Update a mail this sender still holds, and commit; False if another sender took it."""
    result = db.session.execute(
        db.update(OutboxMail)
        .where(
            OutboxMail.id == mail_id,
            OutboxMail.status == OutboxStatus.SENDING,
            OutboxMail.claimed_by == sender_name,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1  # type: ignore[attr-defined]


def _finish(mail_id: int, sender_name: str, **values: object) -> None:
    if not _update_own_claim(mail_id, sender_name, **values):
        # One send took longer than MAIL_CLAIM_TIMEOUT_SECONDS and another sender took over;
        # its outcome stands (a duplicate, if any, carries the same Message-ID).
        log.warning("mail %s: claim lost to another sender before its outcome was saved", mail_id)


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
    if isinstance(error, SmtpUtf8Unsupported):
        return str(error)
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
    # Unique per delivery run, so an outcome is only saved by the run that holds the claim;
    # host and pid let a sender on the same host see that the claimer is gone.
    return f"{_host_name()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


@functools.cache
def _host_name() -> str:
    """This host, and on Linux its PID namespace: containers may share a host name, and a
    pid means nothing outside its own namespace."""
    name = socket.gethostname()[:50].replace(":", "-")
    try:
        return f"{name}~{os.stat('/proc/self/ns/pid').st_ino}"
    except OSError:
        return name


def _spool(outgoing: Outgoing) -> Path:
    """With no MAIL_SERVER: write the mail as an .eml file (it counts as delivered)."""
    spool = Path(current_app.config["MAIL_SPOOL_DIR"])
    spool.mkdir(parents=True, exist_ok=True)
    path = spool / f"{outgoing.created_at:%Y%m%d-%H%M%S}-{outgoing.mail_id:06d}.eml"
    partial = path.with_suffix(".eml.part")
    partial.write_bytes(outgoing.as_bytes())
    partial.replace(path)  # a reader of the spool never sees half a mail
    log.info(
        "mail %s to %s written to %s: %s",
        outgoing.mail_id,
        ", ".join(str(address) for address in outgoing.message["To"].addresses),
        path,
        outgoing.message["Subject"],
    )
    return path
