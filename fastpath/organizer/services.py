"""The organizers' work: accounts, sign-in, reading the audit log, private links sent again.
The caller commits."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Select, or_
from sqlalchemy.exc import IntegrityError

from ..cfp.models import Submission
from ..cfp.services import send_lost_links
from ..clock import as_utc, now, real_now
from ..core.audit import AuditAction, AuditEvent, record
from ..core.extensions import db
from ..registration.models import Registration
from ..registration.services import cancel, send_link
from .auth import (
    hash_password,
    needs_rehash,
    normalize_email,
    password_problem,
    verify_password,
)
from .models import Organizer, OrganizerRole, SignInThrottle

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(ValueError):
    """An organizer account cannot be created or changed as asked; the message says why."""


# --- The audit log (written with core.audit.record) ----------------------------------------


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


def create_organizer(
    email: str,
    password: str,
    *,
    by: Organizer | None = None,
    role: OrganizerRole = OrganizerRole.CHAIR,
    name: str = "",
    affiliation: str = "",
) -> Organizer:
    """A new organizer account (a chair unless `role` says reviewer); AccountError if the
    address or password won't do."""
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
        role=role,
        name=name.strip()[:200],
        affiliation=affiliation.strip()[:200],
    )
    try:
        # A savepoint, so a duplicate leaves the caller's transaction usable.
        with db.session.begin_nested():
            db.session.add(organizer)
    except IntegrityError:
        raise AccountError(f"an organizer with the address {address} exists already") from None
    record(
        AuditAction.ACCOUNT_CREATE,
        organizer=by,
        target=f"organizer:{organizer.id}",
        details=f"{address} ({role})",
    )
    return organizer


def set_password(organizer: Organizer, password: str, *, by: Organizer | None = None) -> None:
    """Give the organizer a new password and end all their sessions."""
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
    organizer.password_hash = hash_password(password)
    organizer.password_changed_at = now()
    # A new password lifts the pauses on this account (a way to let the chair back in).
    db.session.execute(db.delete(SignInThrottle).where(SignInThrottle.organizer_id == organizer.id))
    for row in organizer.sessions:
        if row.ended_at is None:
            row.ended_at = real_now()  # session rows keep real time (see auth.start_session)
    record(AuditAction.PASSWORD_CHANGE, organizer=by, target=f"organizer:{organizer.id}")


def check_password(organizer: Organizer, password: str) -> bool:
    """Whether `password` is the organizer's current one."""
    return verify_password(organizer.password_hash, password)


def list_organizers() -> list[Organizer]:
    """Every organizer account, by address."""
    return list(db.session.scalars(db.select(Organizer).order_by(Organizer.email)))


# --- Signing in ---------------------------------------------------------------------------


def _lockout_attempts() -> int:
    return int(current_app.config["ORGANIZER_LOCKOUT_ATTEMPTS"])


def _client_lockout_attempts() -> int:
    return int(current_app.config["ORGANIZER_LOCKOUT_CLIENT_ATTEMPTS"])


def _lockout_duration() -> timedelta:
    return timedelta(minutes=float(current_app.config["ORGANIZER_LOCKOUT_MINUTES"]))


def _throttle_key(client: str, organizer: Organizer | None = None) -> str:
    return f"{client} organizer:{organizer.id}" if organizer else client


def _throttle(key: str) -> SignInThrottle | None:
    # Locked (FOR UPDATE on PostgreSQL) so two failures at once both count.
    return db.session.scalar(
        db.select(SignInThrottle).where(SignInThrottle.key == key).with_for_update()
    )


def _is_locked(row: SignInThrottle | None, moment: datetime) -> bool:
    return bool(row and row.locked_until and as_utc(row.locked_until) > moment)


def _count_failure(
    key: str, organizer: Organizer | None, limit: int, moment: datetime
) -> SignInThrottle | None:
    """Count one failure under `key`; the row when this failure locks it, else None.

    Failures are counted over one lockout duration: a few typos a day never add up."""
    row = _throttle(key)
    if row is None:
        row = SignInThrottle(
            key=key,
            organizer_id=organizer.id if organizer else None,
            failures=0,
            counting_since=moment,
        )
        try:
            with db.session.begin_nested():  # a concurrent first failure may insert it too
                db.session.add(row)
        except IntegrityError:
            row = _throttle(key)
            assert row is not None
    if as_utc(row.counting_since) + _lockout_duration() <= moment:
        row.failures, row.counting_since = 0, moment
    row.failures += 1
    if row.failures < limit:
        return None
    row.failures, row.counting_since = 0, moment
    row.locked_until = moment + _lockout_duration()
    return row


def _forget_old_failures(moment: datetime) -> None:
    """Drop rows whose lock and counting window are both over (the table stays small)."""
    ended = moment - _lockout_duration()
    db.session.execute(
        db.delete(SignInThrottle)
        .where(SignInThrottle.counting_since < ended)
        .where(or_(SignInThrottle.locked_until.is_(None), SignInThrottle.locked_until < moment))
        # "fetch": the rows this removes drop out of the session by their ids. Comparing the
        # times in Python instead would meet SQLite's naive datetimes.
        .execution_options(synchronize_session="fetch")
    )


def sign_in_pauses(organizer: Organizer) -> list[tuple[str, datetime]]:
    """(client address, until when) for each client the account is paused for now."""
    rows = db.session.scalars(
        db.select(SignInThrottle)
        .where(SignInThrottle.organizer_id == organizer.id)
        .where(SignInThrottle.locked_until > real_now())
        .order_by(SignInThrottle.key)
    )
    return [(row.key.split(" ")[0], as_utc(row.locked_until)) for row in rows if row.locked_until]


def check_sign_in(email: str, password: str, client: str | None) -> Organizer | None:
    """The organizer if the password is right and sign-in is not paused, else None.

    Wrong passwords pause one account for one client address (ORGANIZER_LOCKOUT_ATTEMPTS),
    and any failures from one address pause that address for every account
    (ORGANIZER_LOCKOUT_CLIENT_ATTEMPTS); the organizer can still sign in from anywhere else.
    Timers run on real time. Every path checks one argon2 hash (a stand-in one for an
    unknown address), so neither the answer nor its timing tells whether the address has
    an account.
    """
    organizer = find_organizer(email)
    correct = verify_password(organizer.password_hash if organizer else None, password)
    moment = real_now()  # lockouts must actually end, whatever the site is shown as of
    client = (client or "unknown")[:64]
    target = f"organizer:{organizer.id}" if organizer else None
    if organizer is None:
        # Only something shaped like an address is kept: people type passwords into the
        # email field, and the audit log must not collect them.
        typed = normalize_email(email)
        failed = {"actor": typed if _EMAIL.match(typed) else "(not a mail address)"}
    else:
        failed = {"organizer": organizer, "target": target}
    if _is_locked(_throttle(_throttle_key(client)), moment):
        record(AuditAction.SIGN_IN_FAILED, **failed, details=f"paused for {client}")
        return None
    if organizer is not None and _is_locked(_throttle(_throttle_key(client, organizer)), moment):
        record(AuditAction.SIGN_IN_FAILED, **failed, details=f"account paused for {client}")
        return None
    if organizer is not None and correct:
        db.session.execute(
            db.delete(SignInThrottle).where(SignInThrottle.key == _throttle_key(client, organizer))
        )
        organizer.last_sign_in_at = now()
        if needs_rehash(organizer.password_hash):
            organizer.password_hash = hash_password(password)
        return organizer

    record(
        AuditAction.SIGN_IN_FAILED,
        **failed,
        details="wrong password" if organizer else "unknown address",
    )
    _forget_old_failures(moment)
    locks = [_count_failure(_throttle_key(client), None, _client_lockout_attempts(), moment)]
    if organizer is not None:
        pair = _throttle_key(client, organizer)
        locks.append(_count_failure(pair, organizer, _lockout_attempts(), moment))
    for row in filter(None, locks):
        whom = f"{organizer.email} from {client}" if row.organizer_id else f"{client}"
        until = as_utc(row.locked_until).isoformat(timespec="seconds")
        record(
            AuditAction.LOCKOUT,
            organizer=organizer if row.organizer_id else None,
            actor=None if row.organizer_id else client,
            target=target if row.organizer_id else None,
            details=f"sign-in paused for {whom} until {until}",
        )
    return None


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
        AuditAction.LINK_RESENT,
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
        AuditAction.LINK_RESENT,
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
            AuditAction.REGISTRATION_CANCELLED,
            organizer=by,
            target=f"registration:{registration.id}",
            details=f"cancelled the registration of {registration.email}",
        )
    return cancelled
