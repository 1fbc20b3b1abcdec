"""Queueing mail: render it, check it, and add it to the caller's transaction."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import make_msgid, parseaddr
from typing import Any

from flask import current_app, render_template

from ..clock import now, real_now
from ..content import current_workshop
from ..core.extensions import db
from .models import OutboxAttachment, OutboxMail, OutboxStatus
from .sender import note_outbox_changed

_LINE_BREAK = re.compile(r"[\r\n\x00\x0b\x0c\x85\u2028\u2029]")


class HeaderInjectionError(ValueError):
    """A header value (subject, address) contains a line break; nothing was queued."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


def _check_header(name: str, value: str) -> str:
    if _LINE_BREAK.search(value):
        raise HeaderInjectionError(f"the mail's {name} contains a line break: {value!r}")
    return value


def queue_mail(
    *,
    to: str | Sequence[str],
    template: str,
    subject: str,
    context: dict[str, Any] | None = None,
    attachments: Iterable[Attachment] = (),
    reply_to: str | None = None,
    submission_id: int | None = None,
    registration_id: int | None = None,
    organizer_id: int | None = None,
    batch_id: int | None = None,
) -> OutboxMail:
    """Render templates/email/<template>.txt and .html and add the mail to the session.

    The caller commits: the mail exists exactly when the caller's transaction commits, and it
    is sent after that commit, never before. The subject gets the workshop's short name.
    `submission_id` / `registration_id` / `organizer_id`: what or whom the mail is about
    (organizer pages, privacy); `batch_id`: the group mail it is one of (fastpath/groupmail).
    """
    mail = compose_mail(
        to=to, template=template, subject=subject, context=context, reply_to=reply_to
    )
    add_to_outbox(
        mail,
        attachments,
        submission_id=submission_id,
        registration_id=registration_id,
        organizer_id=organizer_id,
        batch_id=batch_id,
    )
    return mail


def compose_mail(
    *,
    to: str | Sequence[str],
    template: str,
    subject: str,
    context: dict[str, Any] | None = None,
    reply_to: str | None = None,
) -> OutboxMail:
    """The mail queue_mail would queue, rendered and checked but not yet in the session.

    For callers that render before they take a lock and queue it under the lock with
    add_to_outbox (rendering is the slow part, and a lock should be held briefly).
    """
    workshop = current_workshop()
    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients:
        raise ValueError("a mail needs at least one recipient")
    for address in recipients:
        _check_recipient(address)
    envelope = _envelope(reply_to)

    values = {"workshop": workshop, **(context or {})}
    body_text = render_template(f"email/{template}.txt", **values)
    body_html = render_template(f"email/{template}.html", **values)
    return OutboxMail(
        message_id=make_msgid(domain=envelope.domain),
        template=template,
        sender=envelope.sender,
        recipients="\n".join(recipients),
        reply_to=envelope.reply_to,
        subject=envelope.subject(subject),
        body_text=body_text,
        body_html=body_html,
        status=OutboxStatus.QUEUED,
        attempts=0,
    )


@dataclass(frozen=True)
class _Envelope:
    """What every mail of this edition carries: checked once per mail or once per batch."""

    sender: str
    reply_to: str | None
    domain: str  # for the Message-ID
    prefix: str  # "[FastPath 2020] "

    def subject(self, subject: str) -> str:
        return _check_header("subject", f"{self.prefix}{subject}")


def _envelope(reply_to: str | None = None) -> _Envelope:
    short_name = current_workshop().short_name
    reply_to = reply_to or current_app.config.get("MAIL_REPLY_TO")
    if reply_to:
        _check_header("reply-to", reply_to)
    sender = _check_header("sender", _sender(short_name))
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    return _Envelope(sender, reply_to, domain, f"[{short_name}] ")


def _check_recipient(address: str) -> str:
    _check_header("recipient", address)
    if "@" not in parseaddr(address)[1]:
        raise ValueError(f"not a mail address: {address!r}")
    return address


def _sender(edition_name: str) -> str:
    """MAIL_DEFAULT_SENDER, named after the edition unless it names itself."""
    name, address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    return str(Address(display_name=name or edition_name, addr_spec=address))


def add_to_outbox(
    mail: OutboxMail,
    attachments: Iterable[Attachment] = (),
    *,
    submission_id: int | None = None,
    registration_id: int | None = None,
    organizer_id: int | None = None,
    batch_id: int | None = None,
) -> None:
    """Add a composed mail, with its attachments, to the caller's transaction (due now)."""
    mail.submission_id = submission_id
    mail.registration_id = registration_id
    mail.organizer_id = organizer_id
    mail.batch_id = batch_id
    mail.created_at = now()  # the site's moment: the Date: header and the .eml name
    mail.next_attempt_at = real_now()  # delivery runs on real time, even on a pinned clock
    for attachment in attachments:
        _check_header("attachment name", attachment.filename)
        mail.attachments.append(
            OutboxAttachment(
                filename=attachment.filename,
                content_type=attachment.content_type,
                data=attachment.data,
            )
        )
    db.session.add(mail)


def add_many_to_outbox(
    mails: Iterable[dict[str, Any]], *, template: str, batch_id: int | None = None
) -> int:
    """Add many mails, already rendered, in one bulk insert (group mail: thousands at once);
    return how many. Each dict has `to`, `subject` (without the edition's prefix),
    `body_text`, `body_html` and optionally `submission_id` / `registration_id` /
    `organizer_id`. The same format as compose_mail's (sender, prefix, reply-to, a
    Message-ID each, created_at for the Date: header); the caller commits."""
    envelope = _envelope()
    created_at, due = now(), real_now()
    rows = []
    for mail in mails:
        rows.append(
            {
                "message_id": make_msgid(domain=envelope.domain),
                "template": template,
                "sender": envelope.sender,
                "recipients": _check_recipient(mail["to"]),
                "reply_to": envelope.reply_to,
                "subject": envelope.subject(mail["subject"]),
                "body_text": mail["body_text"],
                "body_html": mail["body_html"],
                "status": OutboxStatus.QUEUED,
                "attempts": 0,
                "created_at": created_at,
                "next_attempt_at": due,
                "submission_id": mail.get("submission_id"),
                "registration_id": mail.get("registration_id"),
                "organizer_id": mail.get("organizer_id"),
                "batch_id": batch_id,
            }
        )
    if rows:
        db.session.execute(db.insert(OutboxMail), rows)
        note_outbox_changed()  # a bulk insert bypasses the flush that notices outbox rows
    return len(rows)


def retry_mail(mail_id: int) -> bool:
    """Queue a failed mail again, due now, with a fresh set of attempts; False if it had not
    failed (a sent mail is never resent, a queued or sending one is already on its way)."""
    result = db.session.execute(
        db.update(OutboxMail)
        .where(OutboxMail.id == mail_id, OutboxMail.status == OutboxStatus.FAILED)
        .values(_requeued_values())
        .execution_options(synchronize_session="fetch")
    )
    requeued = result.rowcount == 1  # type: ignore[attr-defined]
    if requeued:
        note_outbox_changed()
    return requeued


def retry_failed(*, batch_id: int | None = None) -> int:
    """Queue every failed mail again (or only those of one group-mail batch), due now;
    return how many. The caller commits."""
    failed = OutboxMail.status == OutboxStatus.FAILED
    if batch_id is not None:
        failed = failed & (OutboxMail.batch_id == batch_id)
    result = db.session.execute(
        db.update(OutboxMail)
        .where(failed)
        .values(_requeued_values())
        .execution_options(synchronize_session="fetch")
    )
    count = result.rowcount  # type: ignore[attr-defined]
    if count:
        note_outbox_changed()
    return count


def outbox_counts() -> dict[OutboxStatus, int]:
    """How many mails have each status (every status present, zero included)."""
    counts = dict.fromkeys(OutboxStatus, 0)
    rows = db.session.execute(
        db.select(OutboxMail.status, db.func.count()).group_by(OutboxMail.status)
    )
    for status, count in rows:
        counts[status] = count
    return counts


def _requeued_values() -> dict[str, Any]:
    # last_error stays: it tells the organizers what went wrong until the retry succeeds.
    return {
        "status": OutboxStatus.QUEUED,
        "attempts": 0,
        "next_attempt_at": real_now(),
        "claimed_at": None,
        "claimed_by": None,
    }
