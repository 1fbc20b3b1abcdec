"""The organizers' lists: search, filters and sorting read from the query string.

The same `ListQuery` drives a list page, its pager links and the CSV export started from it,
so an export holds exactly the rows the filtered list shows (all pages of them).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from flask import current_app
from sqlalchemy import Select

from ..cfp.models import Submission, SubmissionAuthor, SubmissionStatus, SubmissionTopic
from ..core.extensions import db
from ..core.urls import int_arg
from ..materials import services as materials_services
from ..registration.models import Registration, RegistrationStatus

SEARCH_MAX = 200


@dataclass(frozen=True)
class ListQuery:
    """What a list shows: every value is checked against what the list allows."""

    q: str = ""
    status: str = ""
    topic: str = ""
    position: str = ""
    sort: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str], *, sorts: Mapping[str, Any]) -> ListQuery:
        """The list's settings from query arguments; unknown values fall back to the default."""
        sort = args.get("sort", "")
        return cls(
            q=" ".join(_printable(args.get("q", "")).split())[:SEARCH_MAX],
            status=_printable(args.get("status", "")).strip(),
            topic=_printable(args.get("topic", "")).strip(),
            position=_printable(args.get("position", "")).strip(),
            sort=sort if sort in sorts else next(iter(sorts)),
            page=int_arg(args, "page", 1),
        )

    def args(self, **changes: Any) -> dict[str, Any]:
        """Query arguments that reproduce this list (defaults left out), with `changes`."""
        values = replace(self, **changes) if changes else self
        out: dict[str, Any] = {}
        for key in ("q", "status", "topic", "position", "sort"):
            if getattr(values, key):
                out[key] = getattr(values, key)
        if values.page != 1:
            out["page"] = values.page
        return out

    def filter_args(self) -> dict[str, Any]:
        """The arguments without the page (for exports and for links that restart paging)."""
        return {k: v for k, v in self.args().items() if k != "page"}

    @property
    def filtered(self) -> bool:
        return bool(self.q or self.status or self.topic or self.position)


def page_size() -> int:
    return int(current_app.config["ORGANIZER_PAGE_SIZE"])


# Letters that NFKD does not split into a base letter and a mark, spelt as people type them
# without the accent ("Søren" is found as "Soren").
_UNDECOMPOSED = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe"}
)


def fold(text: str) -> str:
    """Text as the search compares it: accents dropped (NFKD, combining marks removed), case
    folded ("Straße" is "strasse"), runs of white space as one space."""
    # Case first: casefold can itself add a mark ("İ" becomes "i" and a combining dot).
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.translate(_UNDECOMPOSED).split())


def matching_ids(id_column: Any, *text_columns: Any, text: str) -> set[int]:
    """The `id_column` values of the rows where any of `text_columns` contains `text`,
    accents and case ignored.

    The comparison runs here in Python over the searched columns, not in SQL: SQLite's LIKE
    folds only ASCII case, PostgreSQL's ILIKE depends on the server's locale, and neither
    drops accents, so only Python compares the same way on both. A workshop's lists are a
    few thousand rows at most; reading three short columns of each is a few milliseconds.
    """
    wanted = fold(text)
    rows = db.session.execute(db.select(id_column, *text_columns))
    return {row[0] for row in rows if any(wanted in fold(value or "") for value in row[1:])}


# --- Registrations ------------------------------------------------------------------------

REGISTRATION_SORTS: dict[str, tuple[str, list[Any]]] = {
    "newest": ("Newest first", [Registration.created_at.desc(), Registration.id.desc()]),
    "oldest": ("Oldest first", [Registration.created_at, Registration.id]),
    "name": ("Name", [Registration.name, Registration.id]),
    "affiliation": ("Affiliation", [Registration.affiliation, Registration.name]),
    "status": ("Status, then arrival", [Registration.status, Registration.arrival]),
}

REGISTRATION_STATUSES = [status.value for status in RegistrationStatus]


def registration_query(lq: ListQuery) -> Select:
    """Registrations matching the list's search and filters, in its order."""
    query = db.select(Registration)
    if lq.q:
        found = matching_ids(
            Registration.id,
            Registration.name,
            Registration.email,
            Registration.affiliation,
            text=lq.q,
        )
        query = query.where(Registration.id.in_(sorted(found)))
    if lq.status in REGISTRATION_STATUSES:
        query = query.where(Registration.status == RegistrationStatus(lq.status))
    if lq.position:
        query = query.where(Registration.position == lq.position)
    return query.order_by(*REGISTRATION_SORTS[lq.sort or "newest"][1])


def waiting_positions() -> dict[int, int]:
    """Registration id -> place on the waiting list (1 = next to get a place)."""
    ids = db.session.scalars(
        db.select(Registration.id)
        .where(Registration.status == RegistrationStatus.WAITING)
        .order_by(Registration.arrival)
    )
    return {registration_id: place for place, registration_id in enumerate(ids, start=1)}


# --- Submissions --------------------------------------------------------------------------

SUBMISSION_SORTS: dict[str, tuple[str, list[Any]]] = {
    "number": ("Number", [Submission.number]),
    "newest": ("Newest first", [Submission.created_at.desc(), Submission.number.desc()]),
    "title": ("Title", [Submission.title, Submission.number]),
    "status": ("Status, then number", [Submission.status, Submission.number]),
    "updated": ("Last changed", [Submission.updated_at.desc(), Submission.number.desc()]),
}

SUBMISSION_STATUSES = [status.value for status in SubmissionStatus]


def submission_query(lq: ListQuery) -> Select:
    """Submissions matching the list's search (title, any author's name, email or
    affiliation) and filters, in its order."""
    query = db.select(Submission)
    if lq.q:
        found = matching_ids(Submission.id, Submission.title, text=lq.q) | matching_ids(
            SubmissionAuthor.submission_id,
            SubmissionAuthor.name,
            SubmissionAuthor.email,
            SubmissionAuthor.affiliation,
            text=lq.q,
        )
        query = query.where(Submission.id.in_(sorted(found)))
    if lq.status in SUBMISSION_STATUSES:
        query = query.where(Submission.status == SubmissionStatus(lq.status))
    if lq.topic:
        query = query.where(
            db.select(SubmissionTopic.topic_key)
            .where(SubmissionTopic.submission_id == Submission.id)
            .where(SubmissionTopic.topic_key == lq.topic)
            .exists()
        )
    return query.order_by(*SUBMISSION_SORTS[lq.sort or "number"][1])


def materials_summaries(submissions: list[Submission]) -> dict[int, str]:
    """Submission id -> "materials: 2 of 4 in" for the accepted ones on a list page, their
    materials read in one query."""
    accepted = [s for s in submissions if s.status == SubmissionStatus.ACCEPTED]
    rows = materials_services.rows_for(s.id for s in accepted)
    total = len(materials_services.ITEMS)
    return {
        s.id: f"materials: {materials_services.in_count(rows.get(s.id))} of {total} in"
        for s in accepted
    }


def _printable(value: object) -> str:
    """Text without control characters (PostgreSQL refuses a NUL in a query parameter)."""
    return "".join(ch for ch in str(value) if ch.isprintable() or ch == " ")
