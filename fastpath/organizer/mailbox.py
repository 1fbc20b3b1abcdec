"""The outbox as organizers see it: what was queued, sent and failed, and retrying by hand."""

from __future__ import annotations

from sqlalchemy import Select

from ..cfp.models import Submission
from ..core.audit import AuditAction, record
from ..core.extensions import db
from ..mail import outbox_counts, retry_mail
from ..mail.models import OutboxMail, OutboxStatus
from ..registration.models import Registration
from .models import Organizer

STATUSES = [status.value for status in OutboxStatus]


def outbox_query(status: str = "") -> Select:
    """Mails, newest first, optionally only those with one status."""
    query = db.select(OutboxMail).order_by(OutboxMail.created_at.desc(), OutboxMail.id.desc())
    if status in STATUSES:
        query = query.where(OutboxMail.status == OutboxStatus(status))
    return query


def mail_counts() -> dict[str, int]:
    """How many mails have each status, by status name (zero included)."""
    return {status.value: count for status, count in outbox_counts().items()}


def get_mail(mail_id: int) -> OutboxMail | None:
    """One outbox mail, or None."""
    return db.session.get(OutboxMail, mail_id)


def mails_about(subject: Submission | Registration) -> list[OutboxMail]:
    """The mails sent (or to be sent) about one submission or registration, oldest first."""
    if isinstance(subject, Submission):
        about = OutboxMail.submission_id == subject.id
    else:
        about = OutboxMail.registration_id == subject.id
    return list(
        db.session.scalars(
            db.select(OutboxMail).where(about).order_by(OutboxMail.created_at, OutboxMail.id)
        )
    )


def retry(mail: OutboxMail, *, by: Organizer | None) -> bool:
    """Queue a failed mail again (the mail feature's retry) and record who did; False if it
    had not failed: a sent mail is never sent twice, a queued one is on its way."""
    error = mail.last_error or ""
    if not retry_mail(mail.id):
        return False
    record(
        AuditAction.MAIL_RETRY,
        organizer=by,
        target=f"mail:{mail.id}",
        details=f"{mail.subject} to {', '.join(mail.recipient_list)}; last error: {error}",
    )
    return True


def retry_all_failed(*, by: Organizer | None) -> int:
    """Queue every failed mail again, one audit event each; return how many."""
    failed = db.session.scalars(
        db.select(OutboxMail).where(OutboxMail.status == OutboxStatus.FAILED)
    ).all()
    return sum(1 for mail in failed if retry(mail, by=by))
