"""Tables for registration."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Boolean, DateTime, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.audit import event_kind
from ..core.extensions import db

NAME_MAX = 200
EMAIL_MAX = 254  # the longest address SMTP can carry
AFFILIATION_MAX = 200
NEEDS_MAX = 1000  # dietary and accessibility needs


class RegistrationStatus(enum.StrEnum):
    REGISTERED = "registered"  # has a place
    WAITING = "waiting"  # on the waiting list, in arrival order
    CANCELLED = "cancelled"  # cancelled a place or left the waiting list
    # With a capacity: registered, address not yet confirmed; holds no place and no waiting
    # number (made-up addresses never confirm, so they must not take places).
    UNCONFIRMED = "unconfirmed"


ACTIVE_STATUSES = (
    RegistrationStatus.REGISTERED,
    RegistrationStatus.WAITING,
    RegistrationStatus.UNCONFIRMED,
)


class RegistrationEventKind(enum.StrEnum):
    """What a line of a registration's history says happened."""

    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    UNCONFIRMED = "unconfirmed"  # registered, the address not confirmed yet
    CONFIRMED = "confirmed"
    RELEASED = "released"  # not confirmed in time
    UPDATED = "updated"
    CANCELLED = "cancelled"
    LEFT_WAITING_LIST = "left_waiting_list"
    PROMOTED = "promoted"
    DUPLICATE_ATTEMPT = "duplicate_attempt"
    LINK_RESENT = "link_resent"
    ERASED = "erased"  # personal details erased on request (privacy)
    ANONYMISED = "anonymised"  # the retention rule (privacy)
    # the organizers' desk (fastpath/registration/organizer_views.py, fastpath/checkin)
    CORRECTED = "corrected"  # details changed by an organizer (who, in details)
    ADDED_BY_ORGANIZER = "added_by_organizer"  # an invited speaker, a walk-in
    MOVED = "moved"  # moved on the waiting list by an organizer, with the reason
    CHECKED_IN = "checked_in"
    CHECK_IN_UNDONE = "check_in_undone"


def new_calendar_uid() -> str:
    return f"registration-{uuid.uuid4().hex}"


class Registration(db.Model):
    __tablename__ = "registration"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    email: Mapped[str] = mapped_column(String(EMAIL_MAX))  # as typed (trimmed)
    email_normalized: Mapped[str] = mapped_column(String(EMAIL_MAX), index=True)
    # The normalized email while the registration is active and NULL once it is cancelled:
    # UNIQUE allows one active registration per person, and NULLs never collide, so the
    # same person can register again after cancelling (same on SQLite and PostgreSQL).
    active_email: Mapped[str | None] = mapped_column(String(EMAIL_MAX), unique=True)
    affiliation: Mapped[str] = mapped_column(String(AFFILIATION_MAX), default="")
    position: Mapped[str] = mapped_column(String(50))  # a key from the content's positions
    dietary: Mapped[str] = mapped_column(Text, default="")
    accessibility: Mapped[str] = mapped_column(Text, default="")
    public_listing: Mapped[bool] = mapped_column(Boolean, default=False)
    consent: Mapped[bool] = mapped_column(Boolean)

    status: Mapped[RegistrationStatus] = mapped_column(
        Enum(RegistrationStatus, native_enum=False, length=16, validate_strings=True)
    )
    # Handed out under the registration lock in the order requests got it: the waiting
    # list is ordered by it. Gaps are fine (a replayed form uses a number and inserts nothing).
    arrival: Mapped[int] = mapped_column(unique=True)

    # Only the hash of the private link's token is kept; a lost link means a new token.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The hash of a link mailed again (lost link, registering again), until its owner first
    # uses it: only then does it replace token_hash, so nobody can lock anyone else out.
    pending_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    # The one-time nonce of the form that created this row: a double-clicked or replayed
    # submit carries the same nonce and is answered from this row instead of creating another.
    form_nonce: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The calendar event's UID before "@host" (calendar.py): random, so it is unique across
    # editions and databases, and stored, so a resent .ics updates the entry it replaces.
    calendar_uid: Mapped[str] = mapped_column(String(64), unique=True, default=new_calendar_uid)

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    promoted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Unconfirmed registrations: the real-time deadline for confirming the address, after
    # which the registration is released (see services.release_unconfirmed).
    confirm_by: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set by an organizer moving this person on the waiting list; the list is ordered by
    # coalesce(waiting_order, arrival), so everyone else keeps their arrival order.
    waiting_order: Mapped[int | None] = mapped_column()
    # On the day (fastpath/checkin): when and by whom; cleared by "undo". Set with
    # UPDATE ... WHERE checked_in_at IS NULL, so two organizers tapping at once check in once.
    checked_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    checked_in_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizer.id", ondelete="SET NULL")
    )

    events: Mapped[list[RegistrationEvent]] = relationship(
        back_populates="registration",
        cascade="all, delete-orphan",
        order_by="RegistrationEvent.id",
    )

    __table_args__ = (Index("ix_registration_status_arrival", "status", "arrival"),)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class RegistrationEvent(db.Model):
    """One line of a registration's history, for the organizers."""

    __tablename__ = "registration_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[RegistrationEventKind] = mapped_column(event_kind(RegistrationEventKind, 32))
    details: Mapped[str] = mapped_column(Text, default="")

    registration: Mapped[Registration] = relationship(back_populates="events")


class RegistrationCounter(db.Model):
    """A single row (id 1): locked FOR UPDATE by every change to who has a place, so the
    count against capacity is exact on PostgreSQL too; it also hands out arrival numbers."""

    __tablename__ = "registration_counter"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_arrival: Mapped[int] = mapped_column(default=0)


class CapacitySetting(db.Model):
    """The capacity set from the organizers' page: a single row (id 1) that, once it exists,
    overrides the content file's `capacity` (None here = no limit). No row = the file's."""

    __tablename__ = "capacity_setting"

    id: Mapped[int] = mapped_column(primary_key=True)
    capacity: Mapped[int | None] = mapped_column()
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    changed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizer.id", ondelete="SET NULL")
    )
