"""Tables of the organizers' area: accounts and their sign-in sessions (the audit log is in
fastpath/core/audit.py: every feature writes to it).

Decisions live on the submission itself (status, decided_at, decision_notified_at, set by
organizer/decisions.py); who decided is in the audit log."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.audit import event_kind
from ..core.extensions import db


class OrganizerRole(enum.StrEnum):
    """Chairs run the whole workshop; reviewers (the program committee) see only the
    submissions they may review (fastpath/reviews/access.py says which)."""

    CHAIR = "chair"
    REVIEWER = "reviewer"


class Organizer(db.Model):
    __tablename__ = "organizer"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored as normalize_email spells it, so the unique index is the one rule for "same".
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    password_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    role: Mapped[OrganizerRole] = mapped_column(
        event_kind(OrganizerRole, 20), default=OrganizerRole.CHAIR, server_default="chair"
    )
    # Shown to the chairs and used to suggest conflicts of interest (reviewers).
    name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    affiliation: Mapped[str] = mapped_column(String(200), default="", server_default="")

    sessions: Mapped[list[OrganizerSession]] = relationship(
        back_populates="organizer", cascade="all, delete-orphan"
    )

    @property
    def is_chair(self) -> bool:
        return self.role == OrganizerRole.CHAIR

    @property
    def display_name(self) -> str:
        return self.name or self.email


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
