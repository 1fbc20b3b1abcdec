"""Who on the committee may see which submission: the one place that says it.

Chairs see every submission. A reviewer sees the submissions that are not withdrawn and that
they are not in conflict with. A conflict is in force when a reviewer or chair declared it, or
when it is suggested automatically (same email domain, affiliation or name as an author) and
no chair has cleared the suggestion. Suggestions are computed from today's author list, so an
author added after the reviewer signed up is still caught.

Every reviews view and export goes through `visible_ids` / `submission_for`; a submission a
reviewer may not see answers exactly like one that does not exist.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from flask import g, has_app_context

from ..cfp.models import Submission, SubmissionAuthor, SubmissionStatus
from ..core.extensions import db
from ..organizer.lists import fold
from ..organizer.models import Organizer, OrganizerRole
from .models import Assignment, Conflict, ConflictKind

# Mail providers anyone can sign up with: a shared domain there says nothing about who
# someone works with. The reserved example domains (RFC 2606) say nothing either.
PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "ymail.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "protonmail.com",
        "proton.me",
        "pm.me",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.com",
        "zoho.com",
        "fastmail.com",
        "yandex.ru",
        "yandex.com",
        "mail.ru",
        "qq.com",
        "163.com",
        "126.com",
        "naver.com",
        "hanmail.net",
        "example.com",
        "example.org",
        "example.net",
    }
)
# Second-level labels under which organisations register (cs.ox.ac.uk → ox.ac.uk).
_SHARED_SECOND_LEVEL = frozenset({"ac", "co", "com", "edu", "gov", "net", "org"})


class NotVisible(LookupError):
    """The submission does not exist for this person (the views answer 404)."""


def organisation_domain(address: str) -> str | None:
    """The organisation part of an address's domain ("cs.mcgill.ca" → "mcgill.ca"), or None
    for a public mail provider."""
    domain = address.rpartition("@")[2].strip().lower().rstrip(".")
    labels = [label for label in domain.split(".") if label]
    if len(labels) < 2:
        return None
    shared_second_level = len(labels[-1]) == 2 and labels[-2] in _SHARED_SECOND_LEVEL
    keep = 3 if len(labels) >= 3 and shared_second_level else 2
    organisation = ".".join(labels[-keep:])
    if organisation in PUBLIC_MAIL_DOMAINS or domain in PUBLIC_MAIL_DOMAINS:
        return None
    return organisation


def _fold(text: str) -> str:
    """The search's folding (accents, case), then only letters and digits, one space between
    words: "Université de Montréal," is "universite de montreal"."""
    return " ".join(re.findall(r"\w+", fold(text)))


def affiliation_keys(affiliation: str) -> set[str]:
    """The normalised names of an affiliation; "NYU / Facebook" is two ("nyu", "facebook")."""
    parts = re.split(r"[/;&]|\band\b", affiliation)
    return {folded for part in parts if (folded := _fold(part))}


def name_key(name: str) -> str:
    return _fold(name)


@dataclass(frozen=True)
class AuthorFacts:
    submission_id: int
    name: str
    email: str
    affiliation: str


def suggestion_reason(reviewer: Organizer, author: AuthorFacts) -> str | None:
    """Why the reviewer may be in conflict with this author, or None."""
    domain = organisation_domain(reviewer.email)
    if domain and organisation_domain(author.email) == domain:
        return f"same email domain as an author ({domain})"
    shared = affiliation_keys(reviewer.affiliation) & affiliation_keys(author.affiliation)
    if shared:
        return f"same affiliation as an author ({sorted(shared)[0]})"
    own_name = name_key(reviewer.name)
    if own_name and own_name == name_key(author.name):
        return "same name as an author"
    return None


def _author_facts(submission_ids: Iterable[int] | None = None) -> list[AuthorFacts]:
    query = db.select(
        SubmissionAuthor.submission_id,
        SubmissionAuthor.name,
        SubmissionAuthor.email_normalized,
        SubmissionAuthor.affiliation,
    )
    if submission_ids is not None:
        query = query.where(SubmissionAuthor.submission_id.in_(list(submission_ids)))
    return [AuthorFacts(*row) for row in db.session.execute(query)]


def suggested_conflicts(
    reviewer: Organizer, submission_ids: Iterable[int] | None = None
) -> dict[int, str]:
    """Submission id → why a conflict is suggested, for every submission (or those given)."""
    found: dict[int, str] = {}
    for author in _author_facts(submission_ids):
        if author.submission_id in found:
            continue
        reason = suggestion_reason(reviewer, author)
        if reason:
            found[author.submission_id] = reason
    return found


def stated_conflicts(reviewer_id: int) -> dict[int, Conflict]:
    """Submission id → the reviewer's conflict rows (declared or cleared)."""
    rows = db.session.scalars(db.select(Conflict).where(Conflict.reviewer_id == reviewer_id))
    return {row.submission_id: row for row in rows}


def conflicted_ids(reviewer: Organizer) -> set[int]:
    """The submissions the reviewer is in conflict with (declared, or suggested and not
    cleared). Memoised per request: every reviews view asks."""
    cache = g.setdefault("review_conflicts", {}) if has_app_context() else {}
    if reviewer.id in cache:
        return cache[reviewer.id]
    stated = stated_conflicts(reviewer.id)
    result = {sid for sid, row in stated.items() if row.kind == ConflictKind.DECLARED}
    for sid in suggested_conflicts(reviewer):
        row = stated.get(sid)
        if row is None or row.kind != ConflictKind.CLEARED:
            result.add(sid)
    cache[reviewer.id] = result
    return result


def forget_conflicts() -> None:
    """Drop the per-request memo (after a conflict changed within the request)."""
    if has_app_context():
        g.pop("review_conflicts", None)


def is_conflicted(reviewer: Organizer, submission_id: int) -> bool:
    return reviewer.role == OrganizerRole.REVIEWER and submission_id in conflicted_ids(reviewer)


def visible_ids(person: Organizer) -> set[int]:
    """Ids of the submissions this committee member may see: for chairs every submission,
    for a reviewer those not withdrawn and not in conflict."""
    query = db.select(Submission.id)
    if person.is_chair:
        return set(db.session.scalars(query))
    query = query.where(Submission.status != SubmissionStatus.WITHDRAWN)
    return set(db.session.scalars(query)) - conflicted_ids(person)


def may_see(person: Organizer, submission: Submission) -> bool:
    if person.is_chair:
        return True
    return submission.status != SubmissionStatus.WITHDRAWN and not is_conflicted(
        person, submission.id
    )


def submission_for(person: Organizer, number: int) -> Submission:
    """The submission with this number if the person may see it; else NotVisible."""
    submission = db.session.scalar(db.select(Submission).where(Submission.number == number))
    if submission is None or not may_see(person, submission):
        raise NotVisible(number)
    return submission


def is_assigned(reviewer: Organizer, submission_id: int) -> bool:
    return (
        db.session.scalar(
            db.select(Assignment.id)
            .where(Assignment.reviewer_id == reviewer.id)
            .where(Assignment.submission_id == submission_id)
        )
        is not None
    )


def assignments_of(reviewer: Organizer) -> list[Assignment]:
    """The reviewer's assignments they may act on (not withdrawn, not in conflict), by
    submission number."""
    rows = db.session.scalars(
        db.select(Assignment)
        .join(Submission, Submission.id == Assignment.submission_id)
        .where(Assignment.reviewer_id == reviewer.id)
        .where(Submission.status != SubmissionStatus.WITHDRAWN)
        .order_by(Submission.number)
    ).all()
    hidden = conflicted_ids(reviewer)
    return [row for row in rows if row.submission_id not in hidden]


def reviewers() -> list[Organizer]:
    """Every reviewer account, by name."""
    return list(
        db.session.scalars(
            db.select(Organizer)
            .where(Organizer.role == OrganizerRole.REVIEWER)
            .order_by(Organizer.name, Organizer.email)
        )
    )


def shows_authors(person: Organizer, double_blind: bool) -> bool:
    """Whether author names, emails and affiliations may be shown to this person."""
    return person.is_chair or not double_blind
