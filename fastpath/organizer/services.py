"""The organizers' work: accounts, sign-in, the audit log, private links sent again.
The caller commits."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import Select
from sqlalchemy.exc import IntegrityError

from ..cfp.models import Submission
from ..cfp.services import send_lost_links
from ..clock import as_utc, now, real_now
from ..extensions import db
from ..registration.models import Registration
from ..registration.services import cancel, send_link
from .auth import (
    hash_password,
    needs_rehash,
    normalize_email,
    password_problem,
    verify_password,
)
from .models import AuditEvent, Organizer, OrganizerSession

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

COMMAND_LINE = "command line"


class AccountError(ValueError):
    """An organizer account cannot be created or changed as asked; the message says why."""


# --- The audit log ------------------------------------------------------------------------


def record(
    action: str,
    *,
    organizer: Organizer | None = None,
    target: str | None = None,
    details: str = "",
    actor: str | None = None,
) -> AuditEvent:
    """Add an audit event (who, when, what, to what) to the session."""
    event = AuditEvent(
        at=now(),
        organizer=organizer,
        actor=(actor or (organizer.email if organizer else COMMAND_LINE))[:320],
        action=action,
        target=target,
        details=details,
    )
    db.session.add(event)
    return event


def activity_query() -> Select:
    """Every audit event, newest first (for a paged list)."""
    return db.select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def recent_activity(limit: int = 20) -> list[AuditEvent]:
    """The newest audit events, newest first."""
    return list(db.session.scalars(activity_query().limit(limit)))


def history_of(target: str) -> list[AuditEvent]:
    """The audit events about one thing ("submission:12"), oldest first."""
    return list(
        db.session.scalars(
            db.select(AuditEvent)
            .where(AuditEvent.target == target)
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    )


# --- Accounts -----------------------------------------------------------------------------


def find_organizer(email: str) -> Organizer | None:
    """The organizer with this address (any case, surrounding spaces ignored), or None."""
    return db.session.scalar(db.select(Organizer).where(Organizer.email == normalize_email(email)))


def create_organizer(email: str, password: str, *, by: Organizer | None = None) -> Organizer:
    """A new organizer account; AccountError if the address or password won't do."""
    address = normalize_email(email)
    if not _EMAIL.match(address) or len(address) > 320:
        raise AccountError(f"not a mail address: {email!r}")
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
    moment = now()
    organizer = Organizer(
        email=address,
        password_hash=hash_password(password),
        created_at=moment,
        password_changed_at=moment,
        failed_sign_ins=0,
    )
    try:
        # A savepoint, so a duplicate leaves the caller's transaction usable.
        with db.session.begin_nested():
            db.session.add(organizer)
    except IntegrityError:
        raise AccountError(f"an organizer with the address {address} exists already") from None
    record("account-create", organizer=by, target=f"organizer:{organizer.id}", details=address)
    return organizer


def set_password(organizer: Organizer, password: str, *, by: Organizer | None = None) -> None:
    """Give the organizer a new password and end all their sessions."""
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
    organizer.password_hash = hash_password(password)
    organizer.password_changed_at = now()
    organizer.failed_sign_ins = 0
    organizer.locked_until = None
    for row in organizer.sessions:
        if row.ended_at is None:
            row.ended_at = real_now()  # session rows keep real time (see auth.start_session)
    record("password-change", organizer=by, target=f"organizer:{organizer.id}")


def check_password(organizer: Organizer, password: str) -> bool:
    """Whether `password` is the organizer's current one."""
    return verify_password(organizer.password_hash, password)


def list_organizers() -> list[Organizer]:
    """Every organizer account, by address."""
    return list(db.session.scalars(db.select(Organizer).order_by(Organizer.email)))


# --- Signing in ---------------------------------------------------------------------------


def _lockout_attempts() -> int:
    return int(current_app.config["ORGANIZER_LOCKOUT_ATTEMPTS"])


def _lockout_duration() -> timedelta:
    return timedelta(minutes=float(current_app.config["ORGANIZER_LOCKOUT_MINUTES"]))


def check_sign_in(email: str, password: str) -> Organizer | None:
    """The organizer if the password is right and the account not locked, else None.

    Every path checks one argon2 hash (a stand-in one for an unknown address), so neither
    the answer nor its timing tells whether the address has an account.
    """
    organizer = find_organizer(email)
    correct = verify_password(organizer.password_hash if organizer else None, password)
    moment = real_now()  # lockouts must actually end, whatever the site is shown as of
    if organizer is None:
        # Only something shaped like an address is kept: people type passwords into the
        # email field, and the audit log must not collect them.
        typed = normalize_email(email)
        actor = typed if _EMAIL.match(typed) else "(not a mail address)"
        record("sign-in-failed", actor=actor, details="unknown address")
        return None
    target = f"organizer:{organizer.id}"
    if organizer.locked_until is not None and as_utc(organizer.locked_until) > moment:
        record("sign-in-failed", organizer=organizer, target=target, details="account locked")
        return None
    if not correct:
        organizer.failed_sign_ins += 1
        record("sign-in-failed", organizer=organizer, target=target, details="wrong password")
        if organizer.failed_sign_ins >= _lockout_attempts():
            organizer.failed_sign_ins = 0
            organizer.locked_until = moment + _lockout_duration()
            record(
                "lockout",
                organizer=organizer,
                target=target,
                details=f"locked until {organizer.locked_until.isoformat(timespec='seconds')}",
            )
        return None
    organizer.failed_sign_ins = 0
    organizer.locked_until = None
    organizer.last_sign_in_at = now()
    if needs_rehash(organizer.password_hash):
        organizer.password_hash = hash_password(password)
    return organizer


def active_sessions(organizer: Organizer) -> list[OrganizerSession]:
    """The organizer's sessions that have not ended or expired."""
    moment = real_now()
    return [s for s in organizer.sessions if s.ended_at is None and as_utc(s.expires_at) > moment]


DEMO_ORGANIZER_EMAIL = "organizer@fastpath.test"


def create_demo_organizer() -> tuple[Organizer, str] | None:
    """The `make run` demo account with a fresh random password, or None if it exists
    already (its password was shown when it was made and is not kept anywhere)."""
    if find_organizer(DEMO_ORGANIZER_EMAIL) is not None:
        return None
    password = secrets.token_urlsafe(12)
    return create_organizer(DEMO_ORGANIZER_EMAIL, password), password


# --- Private links, sent again --------------------------------------------------------------


def resend_submission_link(submission: Submission, *, by: Organizer | None) -> int:
    """Mail the contact author a fresh private link (the cfp feature's lost-link mail, which
    covers every submission with that contact address); return how many submissions."""
    address = submission.contact.email
    count = send_lost_links(address)
    record(
        "link-resent",
        organizer=by,
        target=f"submission:{submission.id}",
        details=f"new private link mailed to {address} ({count} submission(s))",
    )
    return count


def resend_registration_link(registration: Registration, *, by: Organizer | None) -> bool:
    """Mail the attendee a fresh private link (the registration feature's lost-link mail);
    False for a cancelled registration, which has no link to use."""
    if not registration.is_active or not send_link(registration.email):
        return False
    record(
        "link-resent",
        organizer=by,
        target=f"registration:{registration.id}",
        details=f"new private link mailed to {registration.email}",
    )
    return True


# --- Cancelling registrations -----------------------------------------------------------------


def cancel_registrations(registrations: list[Registration], *, by: Organizer | None) -> int:
    """Cancel these registrations as their owners could (the usual mails, the waiting list
    moves up), each in the audit log; return how many were still active."""
    cancelled = 0
    for registration in registrations:
        if cancel(registration, by_organizers=True) is None:
            continue  # cancelled already (by its owner, or another organizer just now)
        cancelled += 1
        record(
            "registration-cancelled",
            organizer=by,
            target=f"registration:{registration.id}",
            details=f"cancelled the registration of {registration.email}",
        )
    return cancelled
