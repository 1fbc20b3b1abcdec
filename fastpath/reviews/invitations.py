"""Inviting reviewers: a chair names someone, they get a one-time link that sets a password
and makes their reviewer account. The caller commits.

The link expires after INVITATION_DAYS in real time (`clock.real_now()`, like organizer
sessions), whatever the site is shown as of; it works once.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from ..clock import as_utc, real_now
from ..core.audit import AuditAction, record
from ..core.emails import normalize_email
from ..core.extensions import db
from ..core.tokens import hash_token, looks_like_token, new_token
from ..core.urls import public_url
from ..mail.outbox import queue_mail
from ..organizer.auth import password_problem
from ..organizer.models import Organizer, OrganizerRole
from ..organizer.services import AccountError, create_organizer, find_organizer
from .models import ReviewerInvitation

INVITATION_DAYS = 7
# A bound on one chair action that sends mail: invitations not yet used or expired.
MAX_PENDING_INVITATIONS = 200
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

LINK_UNUSABLE = (
    "This invitation link has expired or was used already. Ask the chairs for a new invitation."
)


class InvitationError(ValueError):
    """An invitation cannot be sent or used as asked; the message says why."""


def _clean(text: str, limit: int = 200) -> str:
    """One line of text: control characters dropped, spaces collapsed."""
    return " ".join("".join(ch for ch in text if ch >= " " and ch != "\x7f").split())[:limit]


def pending_invitations() -> list[ReviewerInvitation]:
    """Invitations not used, not superseded and not expired, newest first."""
    return list(
        db.session.scalars(
            db.select(ReviewerInvitation)
            .where(ReviewerInvitation.used_at.is_(None))
            .where(ReviewerInvitation.expires_at > real_now())
            .order_by(ReviewerInvitation.created_at.desc(), ReviewerInvitation.id.desc())
        )
    )


def invite_reviewer(
    name: str, email: str, affiliation: str = "", *, by: Organizer | None
) -> tuple[ReviewerInvitation, str]:
    """Invite someone to the committee: the invitation row, its mail queued, and the token
    of its link. An earlier invitation to the same address stops working."""
    address = normalize_email(email)
    name = _clean(name)
    affiliation = _clean(affiliation)
    if not name:
        raise InvitationError("Enter the reviewer's name.")
    if not _EMAIL.match(address) or len(address) > 320 or any(ch < " " for ch in address):
        raise InvitationError("Enter a mail address like name@example.org.")
    existing = find_organizer(address)
    if existing is not None:
        what = "a chair" if existing.is_chair else "a reviewer"
        raise InvitationError(f"{address} has an account already ({what}); nothing was sent.")
    moment = real_now()
    earlier = list(
        db.session.scalars(
            db.select(ReviewerInvitation)
            .where(ReviewerInvitation.email == address)
            .where(ReviewerInvitation.used_at.is_(None))
        )
    )
    if len(pending_invitations()) - len(earlier) >= MAX_PENDING_INVITATIONS:
        raise InvitationError(
            f"There are {MAX_PENDING_INVITATIONS} invitations waiting already; wait until "
            "some are used or expire before inviting more."
        )
    for old in earlier:
        old.used_at = moment  # superseded: its link no longer works (organizer_id stays empty)
    token, token_hash = new_token()
    invitation = ReviewerInvitation(
        email=address,
        name=name,
        affiliation=affiliation,
        token_hash=token_hash,
        created_at=moment,
        expires_at=moment + timedelta(days=INVITATION_DAYS),
        invited_by_id=by.id if by else None,
    )
    db.session.add(invitation)
    db.session.flush()
    queue_mail(
        to=address,
        template="reviews_invitation",
        subject="Invitation to the program committee",
        context={
            "name": name,
            "inviter": by.display_name if by else "The chairs",
            "url": public_url("reviews.accept_invitation", token=token),
            "expires_at": invitation.expires_at,
        },
    )
    record(
        AuditAction.REVIEWER_INVITED,
        organizer=by,
        target=f"invitation:{invitation.id}",
        details=f"{name} <{address}>" + (f" (replaces {len(earlier)} earlier)" if earlier else ""),
    )
    return invitation, token


def usable_invitation(token: str | None, *, lock: bool = False) -> ReviewerInvitation | None:
    """The invitation of this link if it can still be used, else None (unknown, used,
    superseded or expired all look the same)."""
    if not token or not looks_like_token(token):
        return None
    query = db.select(ReviewerInvitation).where(ReviewerInvitation.token_hash == hash_token(token))
    if lock:
        query = query.with_for_update()
    invitation = db.session.scalar(query)
    if invitation is None or invitation.used_at is not None:
        return None
    if as_utc(invitation.expires_at) <= real_now():
        return None
    return invitation


def is_known(token: str | None) -> bool:
    """Whether this link was ever issued (used or expired since, perhaps)."""
    if not token or not looks_like_token(token):
        return False
    query = db.select(ReviewerInvitation.id).where(
        ReviewerInvitation.token_hash == hash_token(token)
    )
    return db.session.scalar(query) is not None


def accept_invitation(token: str, password: str) -> Organizer:
    """Use the invitation: the new reviewer account with this password. InvitationError
    when the link cannot be used or the password won't do (nothing changed then)."""
    invitation = usable_invitation(token, lock=True)
    if invitation is None:
        raise InvitationError(LINK_UNUSABLE)
    problem = password_problem(password)
    if problem:
        raise InvitationError(problem)
    try:
        organizer = create_organizer(
            invitation.email,
            password,
            role=OrganizerRole.REVIEWER,
            name=invitation.name,
            affiliation=invitation.affiliation,
        )
    except (AccountError, IntegrityError):
        raise InvitationError(
            f"{invitation.email} has an account already; sign in at the organizer sign-in page."
        ) from None
    moment: datetime = real_now()
    invitation.used_at = moment
    invitation.organizer_id = organizer.id
    record(
        AuditAction.INVITATION_ACCEPTED,
        organizer=organizer,
        target=f"organizer:{organizer.id}",
        details=f"invitation:{invitation.id} used by {invitation.email}",
    )
    return organizer
