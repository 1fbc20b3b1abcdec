"""What privacy does with the outbox: find the mails sent to a person, export them, erase
them, and anonymise the mails about registrations under the retention rule.

A sent mail keeps its row (date, status, subject) without recipient, text or attachments; an
unsent one is deleted (it must not go out to a placeholder). The .eml copies in the spool go
too, once the commit succeeded. fastpath/privacy/ runs this with the other features' parts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select

from ..core.emails import normalize_email
from ..core.erasure import is_erased_address, iso, placeholder_address, rows_by_id
from ..core.extensions import db
from .models import OutboxMail, OutboxStatus

ERASED_BODY = "(The text of this mail was erased at the recipient's request.)"
EXPIRED_BODY = "(The text of this mail was erased under the attendee data retention rule.)"


def find(address: str) -> list[OutboxMail]:
    """The mails with this (normalised) address among their recipients."""
    # Compared in Python, line by line: SQLite's lower() only folds ASCII letters.
    ids = [
        mail_id
        for mail_id, recipients in db.session.execute(select(OutboxMail.id, OutboxMail.recipients))
        if any(normalize_email(line) == address for line in recipients.splitlines())
    ]
    return rows_by_id(OutboxMail, ids)


def export(mail: OutboxMail) -> dict[str, Any]:
    """One mail as its recipient may read it (JSON-ready)."""
    return {
        "id": mail.id,
        "subject": mail.subject,
        "status": mail.status.value,
        "created_at": iso(mail.created_at),
        "sent_at": iso(mail.sent_at),
        "attempts": mail.attempts,
        "body_text": mail.body_text,
        "attachments": [attachment.filename for attachment in mail.attachments],
    }


@dataclass
class Erased:
    kept: int = 0  # sent: the row stays without recipient and text
    deleted: int = 0  # not sent yet: the row is gone
    mail_ids: list[int] = field(default_factory=list)  # whose spooled copies go


def erase(address: str) -> Erased:
    """Take the (normalised) address out of every mail to it: a mail to others as well only
    loses this recipient (the sweep scrubs its text); one to the person alone is anonymised
    or deleted. The caller commits."""
    erased = Erased()
    for mail in find(address):
        erased.mail_ids.append(mail.id)
        others = [r for r in mail.recipient_list if normalize_email(r) != address]
        if others:
            mail.recipients = "\n".join(others)
        else:
            _anonymise(mail, ERASED_BODY, erased)
    return erased


def about_registrations(registration_ids: Iterable[int]) -> list[OutboxMail]:
    """The mails about these registrations not anonymised yet."""
    wanted = list(registration_ids)
    if not wanted:
        return []
    return [
        mail
        for mail in db.session.scalars(
            select(OutboxMail).where(OutboxMail.registration_id.in_(wanted)).order_by(OutboxMail.id)
        )
        if not is_erased_address(mail.recipients)
    ]


def expire(mails: list[OutboxMail]) -> Erased:
    """Anonymise these mails under the retention rule (unsent ones are deleted)."""
    erased = Erased()
    for mail in mails:
        erased.mail_ids.append(mail.id)
        _anonymise(mail, EXPIRED_BODY, erased)
    return erased


def spool_copies(mail_ids: Iterable[int]) -> list[Path]:
    """The .eml copies `flask mail deliver` wrote when no mail server is configured."""
    spool = Path(current_app.config["MAIL_SPOOL_DIR"])
    if not spool.is_dir():
        return []
    return [path for mail_id in mail_ids for path in spool.glob(f"*-{mail_id:06d}.eml")]


def _anonymise(mail: OutboxMail, body: str, erased: Erased) -> None:
    """Keep a sent mail's row without recipient, text or attachments; delete one not sent
    yet. Counted in `erased`."""
    if mail.status != OutboxStatus.SENT:
        db.session.delete(mail)
        erased.deleted += 1
        return
    mail.recipients = placeholder_address("mail", mail.id)
    mail.body_text = body
    mail.body_html = None
    mail.last_error = None
    mail.attachments.clear()
    erased.kept += 1
