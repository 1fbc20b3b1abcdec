"""Tables of the organizers' area: accounts and their sign-in sessions (the audit log is in
fastpath/core/audit.py: every feature writes to it).

Decisions live on the submission itself (status, decided_at, decision_notified_at, set by
organizer/decisions.py); who decided is in the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.extensions import db


class Organizer(db.Model):
    __tablename__ = "organizer"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored as normalize_email spells it, so the unique index is the one rule for "same".
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    password_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    sessions: Mapped[list[OrganizerSession]] = relationship(
        back_populates="organizer", cascade="all, delete-orphan"
    )


class OrganizerSession(db.Model):
    """One sign-in. The cookie holds a random token; this row holds its hash, so signing out
    (or changing the password) ends the session on the server, not only in the browser."""

    __tablename__ = "organizer_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    organizer_id: Mapped[int] = mapped_column(
        ForeignKey("organizer.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    organizer: Mapped[Organizer] = relationship(back_populates="sessions")


class SignInThrottle(db.Model):
    """Failed sign-ins from one client address: to one account (organizer_id set), or to any
    address typed, known or not (organizer_id None). Too many lock that account for that
    client only, or that client for every account: a stranger's guesses never lock the
    organizer out from their own address."""

    __tablename__ = "sign_in_throttle"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "203.0.113.7" for the client over all accounts, "203.0.113.7 organizer:3" for one
    # account from it. One unique key, since a UNIQUE over a NULL organizer_id is no limit.
    key: Mapped[str] = mapped_column(String(120), unique=True)
    organizer_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizer.id", ondelete="CASCADE"), index=True
    )
    failures: Mapped[int] = mapped_column(default=0)  # since counting_since
    counting_since: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
