"""The groups a mail can go to: who is in each (exactly), and which placeholders it offers.

Every group is a list of Recipient, each person once. Author groups have one recipient per
submission and author (the mail is about that submission: its number, title and page), so an
author of two submissions gets two mails, one about each. Erased people (placeholder
addresses) are in no group; withdrawn submissions are in no author group.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.orm import selectinload

from ..cfp.models import Submission, SubmissionStatus
from ..core.emails import normalize_email
from ..core.erasure import is_erased_address
from ..core.extensions import db
from ..materials.services import reminder_recipients
from ..organizer.models import Organizer, OrganizerRole
from ..registration.models import Registration, RegistrationStatus
from ..reviews.reminders import pending_reviewers

REGISTRATION_PLACEHOLDERS = ("name", "private_link")
SUBMISSION_PLACEHOLDERS = ("name", "submission_number", "title")
# The contact author holds the submission's private link: only they get a new one.
CONTACT_PLACEHOLDERS = ("name", "private_link", "submission_number", "title")


@dataclass(frozen=True)
class Recipient:
    """One copy of the mail: to whom, what it is about, and the values of its placeholders."""

    name: str
    email: str
    about: str  # for the recipient list: "Registered", "FP20-003 Roofline models", ...
    registration_id: int | None = None
    submission_id: int | None = None
    organizer_id: int | None = None
    submission_number: str = ""
    title: str = ""

    @property
    def key(self) -> str:
        """What makes this copy this one (the fingerprint of a group is made of these)."""
        if self.registration_id is not None:
            return f"registration:{self.registration_id}"
        if self.submission_id is not None:
            return f"submission:{self.submission_id}:{normalize_email(self.email)}"
        return f"organizer:{self.organizer_id}"


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    description: str
    placeholders: tuple[str, ...]
    find: Callable[[], list[Recipient]]
    per_submission: bool = False


# --- Registrations ----------------------------------------------------------------------------


def _registrations(status: RegistrationStatus) -> list[Recipient]:
    rows = db.session.execute(
        db.select(Registration.id, Registration.name, Registration.email)
        .where(Registration.status == status)
        .order_by(func.coalesce(Registration.waiting_order, Registration.arrival))
    )
    found = []
    for position, (registration_id, name, email) in enumerate(rows, start=1):
        if is_erased_address(email):
            continue
        about = f"Waiting list, number {position}" if status == "waiting" else status.title()
        found.append(Recipient(name, email, about, registration_id=registration_id))
    return found


def registered() -> list[Recipient]:
    return _registrations(RegistrationStatus.REGISTERED)


def waiting() -> list[Recipient]:
    return _registrations(RegistrationStatus.WAITING)


def cancelled() -> list[Recipient]:
    """Cancelled registrations, each person once (their latest), leaving out people who have
    registered again since (they are attendees or waiting now, not cancelled)."""
    active = set(
        db.session.scalars(
            db.select(Registration.email_normalized).where(Registration.active_email.is_not(None))
        )
    )
    rows = db.session.execute(
        db.select(
            Registration.id, Registration.name, Registration.email, Registration.email_normalized
        )
        .where(Registration.status == RegistrationStatus.CANCELLED)
        .order_by(Registration.arrival.desc())
    )
    found: dict[str, Recipient] = {}
    for registration_id, name, email, normalized in rows:
        if normalized in active or normalized in found or is_erased_address(email):
            continue
        found[normalized] = Recipient(name, email, "Cancelled", registration_id=registration_id)
    return sorted(found.values(), key=lambda r: r.registration_id or 0)


# --- Authors ----------------------------------------------------------------------------------


def _authors(submissions: list[Submission], *, contacts_only: bool) -> list[Recipient]:
    found = []
    for submission in submissions:
        seen: set[str] = set()
        for author in submission.authors:
            if contacts_only and not author.is_contact:
                continue
            if author.email_normalized in seen or is_erased_address(author.email):
                continue
            seen.add(author.email_normalized)
            found.append(
                Recipient(
                    author.name,
                    author.email,
                    f"{submission.reference} {submission.title}",
                    submission_id=submission.id,
                    submission_number=submission.reference,
                    title=submission.title,
                )
            )
    return found


def _submissions(*conditions) -> list[Submission]:  # type: ignore[no-untyped-def]
    return list(
        db.session.scalars(
            db.select(Submission)
            .where(Submission.status != SubmissionStatus.WITHDRAWN, *conditions)
            .options(selectinload(Submission.authors))
            .order_by(Submission.number)
        )
    )


def _told(status: SubmissionStatus) -> list[Submission]:
    # What the authors were told: a decision recorded but not mailed yet must not leak.
    return _submissions(Submission.status == status, Submission.decision_notified_at.is_not(None))


def contact_authors() -> list[Recipient]:
    return _authors(_submissions(), contacts_only=True)


def all_authors() -> list[Recipient]:
    return _authors(_submissions(), contacts_only=False)


def accepted_authors() -> list[Recipient]:
    return _authors(_told(SubmissionStatus.ACCEPTED), contacts_only=False)


def rejected_authors() -> list[Recipient]:
    return _authors(_told(SubmissionStatus.REJECTED), contacts_only=False)


def missing_materials() -> list[Recipient]:
    """The contact authors the materials reminder would mail: accepted and told, something
    missing, uploads still open; one per submission."""
    found = []
    for item in reminder_recipients():
        submission = item.submission
        contact = submission.contact
        if is_erased_address(contact.email):
            continue
        found.append(
            Recipient(
                contact.name,
                contact.email,
                f"{submission.reference} {submission.title} (missing: {', '.join(item.missing)})",
                submission_id=submission.id,
                submission_number=submission.reference,
                title=submission.title,
            )
        )
    return found


# --- Reviewers --------------------------------------------------------------------------------


def reviewers() -> list[Recipient]:
    rows = db.session.scalars(
        db.select(Organizer)
        .where(Organizer.role == OrganizerRole.REVIEWER)
        .order_by(Organizer.name, Organizer.email)
    )
    return [
        Recipient(reviewer.display_name, reviewer.email, "Reviewer", organizer_id=reviewer.id)
        for reviewer in rows
        if not is_erased_address(reviewer.email)
    ]


def pending_review() -> list[Recipient]:
    found = []
    for item in pending_reviewers():
        reviewer = item.reviewer
        if is_erased_address(reviewer.email):
            continue
        count = len(item.submissions)
        about = f"{count} review{'s' if count != 1 else ''} pending"
        found.append(
            Recipient(reviewer.display_name, reviewer.email, about, organizer_id=reviewer.id)
        )
    return found


GROUPS: dict[str, Group] = {
    group.key: group
    for group in (
        Group("registered", "Registered attendees", "Everyone with a place.",
              REGISTRATION_PLACEHOLDERS, registered),
        Group("waiting", "Waiting list", "Everyone on the waiting list, in its order.",
              REGISTRATION_PLACEHOLDERS, waiting),
        Group("cancelled", "Cancelled registrations",
              "People who cancelled (or left the waiting list) and have not registered again; "
              "each once.", ("name",), cancelled),
        Group("contact_authors", "Contact authors",
              "The contact author of every submission not withdrawn.",
              CONTACT_PLACEHOLDERS, contact_authors, per_submission=True),
        Group("all_authors", "All authors", "Every author of every submission not withdrawn.",
              SUBMISSION_PLACEHOLDERS, all_authors, per_submission=True),
        Group("accepted_authors", "Accepted authors",
              "Every author of a submission whose authors were told it is accepted.",
              SUBMISSION_PLACEHOLDERS, accepted_authors, per_submission=True),
        Group("rejected_authors", "Rejected authors",
              "Every author of a submission whose authors were told it is rejected.",
              SUBMISSION_PLACEHOLDERS, rejected_authors, per_submission=True),
        Group("missing_materials", "Authors with missing final materials",
              "The contact author of each accepted submission with something missing, "
              "while uploads are open.", CONTACT_PLACEHOLDERS, missing_materials,
              per_submission=True),
        Group("reviewers", "Reviewers", "Every member of the program committee.",
              ("name",), reviewers),
        Group("pending_reviews", "Reviewers with pending reviews",
              "Reviewers with an assigned submission whose review is not submitted.",
              ("name",), pending_review),
    )
}  # fmt: skip


def fingerprint(recipients: list[Recipient]) -> str:
    """A short digest of who is in a group: the preview's list and the send's must match."""
    digest = hashlib.sha256("\n".join(sorted(r.key for r in recipients)).encode())
    return digest.hexdigest()[:32]


def group_counts() -> dict[str, int]:
    """How many are in each group right now."""
    return {key: len(group.find()) for key, group in GROUPS.items()}
