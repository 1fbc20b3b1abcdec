"""The work of registration: register, wait, update, cancel, promote, resend the link.

Every change to who has a place runs under one lock (the registration_counter row, locked
FOR UPDATE), inside the request's single transaction: on SQLite every transaction already
starts with BEGIN IMMEDIATE, so writers queue; on PostgreSQL the row lock does the same. The
count against capacity and the insert or promotion after it therefore never interleave.
Mail is queued in the same transaction and sent after the caller commits.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from ..clock import as_utc, now, real_now
from ..content import current_workshop
from ..core.database import reading
from ..core.emails import normalize_email
from ..core.extensions import db
from ..core.tokens import hash_token, looks_like_token, new_token
from ..core.windows import TimeWindow, Window
from ..mail import Attachment, add_to_outbox, compose_mail
from ..mail.allowance import recipient_has_room
from ..mail.models import OutboxMail
from .calendar import (
    CALENDAR_CONTENT_TYPE,
    attendee_calendar,
    calendar_filename,
    calendar_template,
)
from .models import (
    CapacitySetting,
    Registration,
    RegistrationCounter,
    RegistrationEvent,
    RegistrationEventKind,
    RegistrationStatus,
)

CALENDAR_TEMPLATE_KEY = "fastpath_calendar_template"  # in app.extensions
EDITABLE_FIELDS = ("name", "affiliation", "position", "dietary", "accessibility", "public_listing")


class Outcome(enum.StrEnum):
    NEW = "new"  # a row was created
    DUPLICATE = "duplicate"  # the address already had an active registration: link re-sent
    REPLAY = "replay"  # the same form arrived again (double click, reload): nothing done


@dataclass(frozen=True)
class RegistrationDetails:
    name: str
    email: str
    affiliation: str = ""
    position: str = ""
    dietary: str = ""
    accessibility: str = ""
    public_listing: bool = False
    consent: bool = False


@dataclass(frozen=True)
class Answer:
    """What the page tells the person who sent the form."""

    status: RegistrationStatus  # registered or waiting
    waiting_position: int | None = None


@dataclass(frozen=True)
class RegisterResult:
    outcome: Outcome
    answer: Answer
    registration: Registration


@dataclass(frozen=True)
class CancelResult:
    previous_status: RegistrationStatus
    promoted: list[Registration]


# --- Reading ---------------------------------------------------------------------------------


def registration_window(moment: datetime | None = None) -> Window:
    """Whether registration is open now, according to the content's opens/closes."""
    return current_workshop().registration.window.at(moment or now())


def changes_allowed(moment: datetime | None = None) -> bool:
    """Whether attendees may still update or cancel: until the workshop starts."""
    return TimeWindow(None, current_workshop().starts).at(moment or now()) == Window.OPEN


def find_by_token(token: str) -> Registration | None:
    """The registration a private link belongs to (its link, or the one mailed since and not
    used yet), or None."""
    if not looks_like_token(token):
        return None
    wanted = hash_token(token)
    return db.session.scalars(
        select(Registration).where(
            or_(Registration.token_hash == wanted, Registration.pending_token_hash == wanted)
        )
    ).one_or_none()


def use_link(registration: Registration, token: str) -> bool:
    """Make a link mailed again the registration's link once its owner uses it (the earlier
    one stops working then, not before); True when that happened and the caller must commit."""
    wanted = hash_token(token)
    if registration.pending_token_hash != wanted:
        return False
    registration.token_hash, registration.pending_token_hash = wanted, None
    return True


def _count(status: RegistrationStatus) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Registration).where(Registration.status == status)
    )


def waiting_position(registration: Registration) -> int | None:
    """1 for the first person on the waiting list; None when not waiting."""
    if registration.status != RegistrationStatus.WAITING:
        return None
    return db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(Registration.status == RegistrationStatus.WAITING)
        .where(Registration.arrival <= registration.arrival)
    )


def capacity() -> int | None:
    """The number of places in force (None = no limit): the organizers' setting once one
    was saved (fastpath/registration/organizer_views.py), else the content file's."""
    try:
        with reading():
            setting = db.session.get(CapacitySetting, 1)
    except OperationalError:
        # The database cannot even be read (a full or read-only disk): the pages that say
        # so still render, with the content file's value.
        db.session.rollback()
        return current_workshop().registration.capacity
    if setting is not None:
        return setting.capacity
    return current_workshop().registration.capacity


def newcomer_answer() -> Answer:
    """What a new registration would get right now: a place, or the next waiting position.

    Outside a transaction it reads without a lock (the form page waits for no one saving a
    registration); under the registration lock it reads in that transaction.
    """
    limit = capacity()
    if limit is None:
        # No limit: anyone still waiting (from before the limit was lifted) is promoted by
        # the same registration's _fill_free_places, so nobody is overtaken.
        return Answer(RegistrationStatus.REGISTERED)
    with reading():
        waiting = _count(RegistrationStatus.WAITING)
        # Nobody overtakes the waiting list, even if a place happens to be free.
        if waiting == 0 and _count(RegistrationStatus.REGISTERED) < limit:
            return Answer(RegistrationStatus.REGISTERED)
    return Answer(RegistrationStatus.WAITING, waiting + 1)


@dataclass(frozen=True)
class ListedAttendee:
    name: str
    affiliation: str


def public_attendees(moment: datetime | None = None) -> list[ListedAttendee]:
    """Who may appear on the public attendee list: people with a place who ticked the box,
    as of the site's moment (nobody registered, confirmed or promoted after it). Names and
    affiliations only, sorted by name; the affiliation only if the content asks for it."""
    moment = moment or now()
    with_affiliation = current_workshop().registration.fields.get("affiliation") != "off"
    with reading():
        rows = db.session.execute(
            select(Registration.name, Registration.affiliation)
            .where(Registration.status == RegistrationStatus.REGISTERED)
            .where(Registration.public_listing.is_(True))
            .where(Registration.created_at <= moment)
            .where(or_(Registration.promoted_at.is_(None), Registration.promoted_at <= moment))
            .where(or_(Registration.confirmed_at.is_(None), Registration.confirmed_at <= moment))
        ).all()
    listed = [
        ListedAttendee(name, affiliation if with_affiliation else "") for name, affiliation in rows
    ]
    return sorted(listed, key=lambda attendee: (attendee.name.casefold(), attendee.affiliation))


def answer_for(registration: Registration) -> Answer:
    """What the page says about an existing registration."""
    return Answer(registration.status, waiting_position(registration))


def is_full() -> bool:
    """Whether a new registration would go to the waiting list."""
    return newcomer_answer().status == RegistrationStatus.WAITING


def position_label(key: str) -> str:
    """The content's label for a position key (the key itself if the content dropped it)."""
    return dict(current_workshop().registration.positions).get(key, key)


def calendar_for(registration: Registration) -> bytes:
    """The .ics file for this attendee."""
    base = current_app.config["PUBLIC_BASE_URL"]
    # The same for every attendee but its UID and DTSTAMP, so built once per app (calendar.py).
    template = current_app.extensions.get(CALENDAR_TEMPLATE_KEY)
    if template is None:
        template = current_app.extensions[CALENDAR_TEMPLATE_KEY] = calendar_template(
            current_workshop(), base
        )
    return attendee_calendar(template, registration, base, stamp=now())


# --- Changing --------------------------------------------------------------------------------


def _lock_registrations() -> RegistrationCounter:
    """Take the lock that serialises every change to who has a place; create it once."""
    query = (
        select(RegistrationCounter)
        .where(RegistrationCounter.id == 1)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    counter = db.session.scalars(query).one_or_none()
    if counter is None:
        highest = db.session.scalar(select(func.max(Registration.arrival))) or 0
        try:
            with db.session.begin_nested():
                db.session.add(RegistrationCounter(id=1, last_arrival=highest))
        except IntegrityError:
            pass  # another transaction created it first; we lock theirs below
        counter = db.session.scalars(query).one()
    return counter


def _take_arrival() -> int:
    """The next arrival number. Taking it locks the counter row like _lock_registrations,
    in one statement instead of a locked read and a later write."""
    statement = (
        update(RegistrationCounter)
        .where(RegistrationCounter.id == 1)
        .values(last_arrival=RegistrationCounter.last_arrival + 1)
        .returning(RegistrationCounter.last_arrival)
        .execution_options(synchronize_session=False)
    )
    arrival = db.session.execute(statement).scalar()
    if arrival is None:  # the very first change: create the counter, then take a number
        _lock_registrations()
        arrival = db.session.execute(statement).scalar_one()
    return arrival


def _insert_new(
    registration: Registration, kind: str, moment: datetime, details: str = ""
) -> int | None:
    """Insert the registration and its first event; its id, or None when a unique
    constraint refused it (the savepoint's rollback leaves the object unsaved).

    A plain ORM add in a savepoint. An INSERT ... ON CONFLICT DO NOTHING from the object's
    __dict__, attached with make_transient_to_detached, bought nothing measurable (make bench
    2026-12-02, section "hot-path tricks", medians of 8 rounds: one write 9.5 ms plain, 8.3
    ms trick; 2×4 writers queueing for the lock 10.8 against 10.6 ms per write).
    """
    try:
        with db.session.begin_nested():
            db.session.add(registration)
    except IntegrityError:
        return None
    # Added on its own, not through registration.events, which would load the empty list.
    db.session.add(
        RegistrationEvent(registration_id=registration.id, at=moment, kind=kind, details=details)
    )
    return registration.id


def _record(
    registration: Registration, kind: RegistrationEventKind, moment: datetime, details: str = ""
) -> None:
    registration.events.append(RegistrationEvent(at=moment, kind=kind, details=details))


def needs_confirmation() -> bool:
    """Whether a new registration must confirm its address before it holds anything: when
    places are limited (made-up addresses would take them); unlimited needs no step."""
    limited = capacity() is not None
    return limited and bool(current_app.config["REGISTRATION_CONFIRM_ADDRESS"])


def confirm_hours() -> int:
    return int(current_app.config["REGISTRATION_CONFIRM_HOURS"])


def new_registration_row(
    details: RegistrationDetails, *, token_hash: str, moment: datetime, **more: object
) -> Registration:
    """A new registration's row from its details, active under its normalised address
    (not yet in the session); `more` sets the remaining columns (status, nonce, ...)."""
    normalized = normalize_email(details.email)
    return Registration(
        name=details.name,
        email=details.email.strip(),
        email_normalized=normalized,
        active_email=normalized,
        affiliation=details.affiliation,
        position=details.position,
        dietary=details.dietary,
        accessibility=details.accessibility,
        public_listing=details.public_listing,
        consent=details.consent,
        token_hash=token_hash,
        created_at=moment,
        updated_at=moment,
        **more,
    )


def register(details: RegistrationDetails, form_nonce: str | None) -> RegisterResult:
    """Register someone (a place, or the waiting list when full; with a capacity, first
    unconfirmed until the mailed link confirms the address); the caller commits.

    The confirmation is rendered before the registration lock is taken, for the answer a
    newcomer gets right now, so the lock is held for the inserts alone; if the answer has
    changed by the time the lock is held (someone took the last place), it is rendered again.
    """
    moment = now()
    confirming = needs_confirmation()
    token, token_hash = new_token()
    registration = new_registration_row(
        details,
        token_hash=token_hash,
        moment=moment,
        confirm_by=real_now() + timedelta(hours=confirm_hours()) if confirming else None,
    )
    normalized = registration.email_normalized
    expected = Answer(RegistrationStatus.UNCONFIRMED) if confirming else newcomer_answer()
    confirmation = _compose_confirmation(registration, token, expected)

    arrival = _take_arrival()  # from here on this transaction holds the registration lock
    # Lapsed confirmations free their addresses (this one may be among them), and places may
    # have been added to the content since the last change: fill them first.
    _release_lapsed(moment)
    _fill_free_places(moment)
    answer = expected if confirming else newcomer_answer()
    if answer != expected:
        confirmation = _compose_confirmation(registration, token, answer)
    kind = _EVENT_FOR[answer.status]

    registration.arrival = arrival
    nonces = (form_nonce, None) if form_nonce else (None,)
    for nonce in nonces:
        registration.form_nonce = nonce
        registration_id = _insert_new(registration, kind, moment)
        if registration_id is None:
            # The constraints decide, not a look-up before the insert: either this form was
            # already sent, or this person already has an active registration.
            if nonce is not None:
                earlier = db.session.scalars(
                    select(Registration).where(Registration.form_nonce == nonce)
                ).one_or_none()
                if (
                    earlier is not None
                    and earlier.is_active
                    and (earlier.email_normalized == normalized)
                ):
                    return RegisterResult(Outcome.REPLAY, answer_for(earlier), earlier)
            existing = db.session.scalars(
                select(Registration).where(Registration.active_email == normalized)
            ).one_or_none()
            if existing is not None:
                _resend_to_existing(existing, moment)
                return RegisterResult(Outcome.DUPLICATE, answer, existing)
            if nonce is not None:
                # The nonce came with an earlier form that registered someone else or was
                # cancelled since (back button, changed fields): a new registration.
                continue
            # Neither explains it: insert outside a savepoint, so the constraint's error is raised.
            db.session.add(registration)
            db.session.flush()
            raise AssertionError("unreachable: the flush above must fail")
        add_to_outbox(
            confirmation,
            _calendar_attachments(registration),
            registration_id=registration_id,
        )
        return RegisterResult(Outcome.NEW, answer, registration)
    raise AssertionError("unreachable: the last attempt either returns or raises")


def add_by_hand(
    details: RegistrationDetails,
    *,
    by: str,
    beyond_capacity: bool,
    form_nonce: str | None,
    check_in_by_id: int | None = None,
) -> RegisterResult:
    """An organizer adds someone (an invited speaker, a walk-in); the caller commits and
    writes the audit entry.

    No address to confirm (the organizer vouches for it) and no registration window. They
    get a place, or the waiting list when the room is full, unless `beyond_capacity` gives
    them a place anyway. `by` (the organizer's address) goes into the history. With
    `check_in_by_id` (a walk-in at the desk) a person given a place is checked in at once.
    They get the usual confirmation with their private link. Outcome DUPLICATE: the address
    already has an active registration (returned; nothing changed, nothing mailed); REPLAY:
    this form was sent already (nothing done twice).
    """
    moment = now()
    if form_nonce:
        earlier = db.session.scalars(
            select(Registration).where(Registration.form_nonce == form_nonce)
        ).one_or_none()
        if earlier is not None:
            return RegisterResult(Outcome.REPLAY, answer_for(earlier), earlier)
    token, token_hash = new_token()
    registration = new_registration_row(
        details, token_hash=token_hash, moment=moment, form_nonce=form_nonce
    )
    normalized = registration.email_normalized
    registration.arrival = _take_arrival()  # holds the registration lock from here on
    _release_lapsed(moment)
    _fill_free_places(moment)
    answer = Answer(RegistrationStatus.REGISTERED) if beyond_capacity else newcomer_answer()
    confirmation = _compose_confirmation(registration, token, answer)
    note = f"by {by}" + (
        "; a place beyond the capacity" if beyond_capacity and is_full_under_lock() else ""
    )
    if check_in_by_id is not None and answer.status == RegistrationStatus.REGISTERED:
        registration.checked_in_at = moment
        registration.checked_in_by_id = check_in_by_id
        note += "; checked in at the desk"
    registration_id = _insert_new(
        registration, RegistrationEventKind.ADDED_BY_ORGANIZER, moment, note
    )
    if registration_id is None:
        existing = db.session.scalars(
            select(Registration).where(Registration.active_email == normalized)
        ).one_or_none()
        if existing is None:  # only the nonce can explain it: a replay that raced this one
            existing = db.session.scalars(
                select(Registration).where(Registration.form_nonce == form_nonce)
            ).one()
            return RegisterResult(Outcome.REPLAY, answer_for(existing), existing)
        return RegisterResult(Outcome.DUPLICATE, answer_for(existing), existing)
    add_to_outbox(
        confirmation, _calendar_attachments(registration), registration_id=registration_id
    )
    return RegisterResult(Outcome.NEW, answer, registration)


def is_full_under_lock() -> bool:
    """Whether every place is taken (the caller holds the registration lock)."""
    limit = capacity()
    return limit is not None and _count(RegistrationStatus.REGISTERED) >= limit


_EVENT_FOR = {
    RegistrationStatus.REGISTERED: RegistrationEventKind.REGISTERED,
    RegistrationStatus.WAITING: RegistrationEventKind.WAITLISTED,
    RegistrationStatus.UNCONFIRMED: RegistrationEventKind.UNCONFIRMED,
}


def _resend_to_existing(registration: Registration, moment: datetime) -> None:
    # Only the hash of the old token is stored, so giving the link again means a new token;
    # the earlier link works until the new one is used (see use_link).
    if not recipient_has_room(registration.email):
        # Many "already registered" mails asked for by strangers: this one is not sent, and
        # the link sent last stays the one that works.
        _record(
            registration,
            RegistrationEventKind.DUPLICATE_ATTEMPT,
            moment,
            "registered again; no mail (limit)",
        )
        return
    token, registration.pending_token_hash = new_token()
    registration.updated_at = moment
    _record(
        registration,
        RegistrationEventKind.DUPLICATE_ATTEMPT,
        moment,
        "registered again; link re-sent",
    )
    if registration.status == RegistrationStatus.UNCONFIRMED:
        _queue_confirm_request(registration, token)
        return
    _queue_mail_about(
        registration,
        template="registration_already",
        subject="You are already registered",
        token=token,
    )


class ConfirmOutcome(enum.StrEnum):
    CONFIRMED = "confirmed"  # now has a place or a waiting-list number
    LAPSED = "lapsed"  # too late: released
    NOTHING = "nothing"  # was not waiting for confirmation (done before, or cancelled)


def confirm(registration: Registration, token: str) -> ConfirmOutcome:
    """Confirm an unconfirmed registration's address: a place if one is free and nobody
    waits, else the end of the waiting list, in the order addresses are confirmed. Runs under
    the registration lock, so the count against capacity stays exact. The caller commits."""
    moment = now()
    _lock_registrations()
    db.session.refresh(registration)  # read again under the lock: it may have just changed
    if registration.status != RegistrationStatus.UNCONFIRMED:
        return ConfirmOutcome.NOTHING
    if _lapsed(registration):
        _release(registration, moment)
        return ConfirmOutcome.LAPSED
    registration.arrival = _take_arrival()  # confirming, not registering, decides the order
    _fill_free_places(moment)
    answer = newcomer_answer()
    registration.status = answer.status
    registration.confirmed_at = registration.updated_at = moment
    registration.confirm_by = None
    _record(registration, RegistrationEventKind.CONFIRMED, moment, "address confirmed")
    _record(registration, _EVENT_FOR[answer.status], moment)
    db.session.flush()
    add_to_outbox(
        _compose_confirmation(registration, token, answer),
        _calendar_attachments(registration),
        registration_id=registration.id,
    )
    return ConfirmOutcome.CONFIRMED


def _lapsed(registration: Registration) -> bool:
    # Real time: the deadline is a timer, whatever moment the site is shown as of.
    return registration.confirm_by is not None and as_utc(registration.confirm_by) <= real_now()


def _release(registration: Registration, moment: datetime) -> None:
    registration.status = RegistrationStatus.CANCELLED
    registration.active_email = None  # the address may register again
    registration.cancelled_at = registration.updated_at = moment
    registration.confirm_by = None
    _record(registration, RegistrationEventKind.RELEASED, moment, "address not confirmed in time")


def _release_lapsed(moment: datetime) -> list[Registration]:
    # Caller holds the registration lock. No mail: most such addresses are made up.
    lapsed = db.session.scalars(
        select(Registration)
        .where(Registration.status == RegistrationStatus.UNCONFIRMED)
        .where(Registration.confirm_by <= real_now())
        .order_by(Registration.arrival)
    ).all()
    for registration in lapsed:
        _release(registration, moment)
    if lapsed:
        db.session.flush()
    return list(lapsed)


def release_unconfirmed() -> list[Registration]:
    """Release registrations whose address was not confirmed in time, and let the waiting
    list move up; the caller commits. Also done by every registration and confirmation."""
    moment = now()
    _lock_registrations()
    released = _release_lapsed(moment)
    _fill_free_places(moment)
    return released


def update_details(registration: Registration, changes: dict[str, object]) -> list[str]:
    """Apply the editable fields that changed; return their names; the caller commits."""
    changed = []
    for name in EDITABLE_FIELDS:
        if name in changes and getattr(registration, name) != changes[name]:
            setattr(registration, name, changes[name])
            changed.append(name)
    if changed:
        moment = now()
        registration.updated_at = moment
        _record(
            registration, RegistrationEventKind.UPDATED, moment, "changed: " + ", ".join(changed)
        )
    return changed


def cancel(registration: Registration, *, by_organizers: bool = False) -> CancelResult | None:
    """Cancel a place or leave the waiting list and promote whoever is next; None if it was
    already cancelled. `by_organizers`: the mail says who cancelled. The caller commits."""
    moment = now()
    _lock_registrations()
    db.session.refresh(registration)  # read again under the lock: it may have just changed
    if not registration.is_active:
        return None
    previous = registration.status
    registration.status = RegistrationStatus.CANCELLED
    registration.active_email = None  # frees the address for a new registration
    registration.cancelled_at = moment
    registration.updated_at = moment
    was_waiting = previous == RegistrationStatus.WAITING
    details = "by the organizers" if by_organizers else ""
    kind = (
        RegistrationEventKind.LEFT_WAITING_LIST if was_waiting else RegistrationEventKind.CANCELLED
    )
    _record(registration, kind, moment, details)
    if by_organizers:
        subject = "Your registration was cancelled by the organizers"
    else:
        subject = "You have left the waiting list" if was_waiting else "Registration cancelled"
    _queue_mail_about(
        registration,
        template="registration_cancelled",
        subject=subject,
        previous_status=previous,
        by_organizers=by_organizers,
    )
    return CancelResult(previous, _fill_free_places(moment))


def fill_free_places() -> list[Registration]:
    """Promote waiting people into free places (after capacity was raised); caller commits."""
    _lock_registrations()
    return _fill_free_places(now())


def _fill_free_places(moment: datetime) -> list[Registration]:
    # Caller holds the registration lock.
    if not changes_allowed(moment):
        return []
    limit = capacity()
    # Without a capacity nobody needs counting (the count reads every registration).
    registered = 0 if limit is None else _count(RegistrationStatus.REGISTERED)
    promoted: list[Registration] = []
    while limit is None or registered < limit:
        # The id first: almost always there is nobody waiting, and loading no one is cheap.
        first_id = db.session.scalar(
            select(Registration.id)
            .where(Registration.status == RegistrationStatus.WAITING)
            .order_by(Registration.arrival)
            .limit(1)
        )
        if first_id is None:
            break
        first = db.session.get_one(Registration, first_id)
        first.status = RegistrationStatus.REGISTERED
        first.promoted_at = moment
        first.updated_at = moment
        _record(first, RegistrationEventKind.PROMOTED, moment, "a place became free")
        _queue_mail_about(
            first,
            template="registration_promoted",
            subject="A place is free: you are registered",
        )
        db.session.flush()
        registered += 1
        promoted.append(first)
    return promoted


def send_link(email: str) -> bool:
    """Mail a fresh private link if the address has an active registration; the current one
    works until the new one is used (see use_link). The caller commits."""
    registration = db.session.scalars(
        select(Registration).where(Registration.active_email == normalize_email(email))
    ).one_or_none()
    if registration is None:
        return False
    moment = now()
    token, registration.pending_token_hash = new_token()
    registration.updated_at = moment
    _record(registration, RegistrationEventKind.LINK_RESENT, moment, "asked for a new link")
    if registration.status == RegistrationStatus.UNCONFIRMED:
        _queue_confirm_request(registration, token)
        return True
    _queue_mail_about(
        registration, template="registration_link", subject="Your registration link", token=token
    )
    return True


# --- Mail ------------------------------------------------------------------------------------


def private_link(token: str) -> str:
    """The private link as it appears in mail (the public address, never the request's)."""
    return f"{current_app.config['PUBLIC_BASE_URL']}/registration/{token}"


def _compose_confirmation(registration: Registration, token: str, answer: Answer) -> OutboxMail:
    """The confirmation for a registration about to be inserted with this answer."""
    registration.status = answer.status
    if answer.status == RegistrationStatus.UNCONFIRMED:
        return _confirm_request(registration, token)
    if answer.status == RegistrationStatus.REGISTERED:
        subject = "Registration confirmed"
    else:
        subject = f"You are on the waiting list (number {answer.waiting_position})"
    return compose_mail(
        to=registration.email,
        template="registration_confirmed",
        subject=subject,
        context=_mail_context(registration, token, waiting=answer.waiting_position),
    )


def _confirm_request(registration: Registration, token: str) -> OutboxMail:
    """The mail asking to confirm the address, with the link that does it."""
    context = _mail_context(registration, token, waiting=None)
    return compose_mail(
        to=registration.email,
        template="registration_confirm_address",
        subject="Please confirm your address to complete your registration",
        context={**context, "confirm_hours": confirm_hours()},
    )


def _queue_confirm_request(registration: Registration, token: str) -> None:
    add_to_outbox(_confirm_request(registration, token), registration_id=registration.id)


def _queue_mail_about(
    registration: Registration,
    *,
    template: str,
    subject: str,
    token: str | None = None,
    previous_status: RegistrationStatus | None = None,
    by_organizers: bool = False,
) -> None:
    context = _mail_context(registration, token, waiting=waiting_position(registration))
    mail = compose_mail(
        to=registration.email,
        template=template,
        subject=subject,
        context={**context, "previous_status": previous_status, "by_organizers": by_organizers},
    )
    add_to_outbox(mail, _calendar_attachments(registration), registration_id=registration.id)


def _mail_context(registration: Registration, token: str | None, waiting: int | None) -> dict:
    workshop = current_workshop()
    base = current_app.config["PUBLIC_BASE_URL"]
    return {
        "registration": registration,
        "link": private_link(token) if token else None,
        "lost_link_url": f"{base}/registration/lost",
        "register_url": f"{base}/register",
        "position_label": position_label(registration.position),
        "waiting_position": waiting,
        "previous_status": None,
        "fields": workshop.registration.fields,
        # The calendar file goes with every mail to someone who has a place.
        "has_calendar": registration.status == RegistrationStatus.REGISTERED,
    }


def _calendar_attachments(registration: Registration) -> list[Attachment]:
    if registration.status != RegistrationStatus.REGISTERED:
        return []
    name = calendar_filename(current_workshop())
    return [Attachment(name, CALENDAR_CONTENT_TYPE, calendar_for(registration))]
