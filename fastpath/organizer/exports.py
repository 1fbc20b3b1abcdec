"""CSV exports that open cleanly in Excel, LibreOffice and Python.

- UTF-8 with a byte-order mark: Excel otherwise guesses a legacy code page and garbles
  accents and non-Latin names.
- The csv module's RFC 4180 quoting with CRLF line ends: commas, quotes and line breaks
  inside a cell survive.
- Times in ISO 8601 with their zone (UTC).
- A fixed header row and column order, so scripts reading the file keep working.
- Formula injection neutralised: a spreadsheet runs a cell starting with = + - @ (or a tab,
  CR, LF) as a formula, so such a cell gets a leading single quote. Nothing else changes:
  "+41 44 123 45 67" comes out as "'+41 44 123 45 67", still all there.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import selectinload

from ..cfp.models import Submission
from ..cfp.services import topic_titles
from ..clock import as_utc, now
from ..content import current_workshop
from ..core.extensions import db
from ..core.urls import public_url
from ..materials import services as materials_services
from . import lists

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
BOM = "\ufeff"


def neutralize(value: str) -> str:
    """The cell text, with a leading quote when a spreadsheet would read it as a formula."""
    if value.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + value
    return value


def iso_time(value: datetime | None) -> str:
    """ISO 8601 with zone; naive values (SQLite gives those back) are UTC."""
    if value is None:
        return ""
    return as_utc(value).isoformat(timespec="seconds")


def cell(value: Any) -> str:
    """One value as the text of a CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return iso_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return str(value)  # our own numbers: never a formula, so never quoted
    return neutralize(str(value))


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """The CSV file's bytes: BOM, header row, one line per row, CRLF line ends."""
    buffer = io.StringIO(newline="")
    buffer.write(BOM)
    writer = csv.writer(buffer, dialect="excel", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return buffer.getvalue().encode("utf-8")


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], Any]


def table(columns: Sequence[Column], items: Iterable[Any]) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of `items` under `columns`."""
    return [c.header for c in columns], [[c.value(item) for c in columns] for item in items]


def export_csv(kind: str, filters: Mapping[str, str]) -> tuple[bytes, int]:
    """The export `kind` (a key of EXPORTS) as CSV bytes, and its
    number of data rows. `filters` are a list page's query arguments."""
    header, rows = EXPORTS[kind](filters)
    return write_csv(header, rows), len(rows)


# --- The exports --------------------------------------------------------------------------


def _position_labels() -> dict[str, str]:
    return dict(current_workshop().registration.positions)


def registration_table(filters: Mapping[str, str]) -> tuple[list[str], list[list[Any]]]:
    """One row per registration matching the registrations list's filters."""
    lq = lists.ListQuery.from_args(filters, sorts=lists.REGISTRATION_SORTS)
    registrations = db.session.scalars(lists.registration_query(lq)).all()
    waiting = lists.waiting_positions()
    labels = _position_labels()
    columns = [
        Column("Registration", lambda r: r.id),
        Column("Status", lambda r: r.status.value),
        Column("Waiting list place", lambda r: waiting.get(r.id)),
        Column("Name", lambda r: r.name),
        Column("Email", lambda r: r.email),
        Column("Affiliation", lambda r: r.affiliation),
        Column("Position", lambda r: labels.get(r.position, r.position)),
        Column("Dietary needs", lambda r: r.dietary),
        Column("Accessibility needs", lambda r: r.accessibility),
        Column("Public attendee list", lambda r: r.public_listing),
        Column("Registered at", lambda r: r.created_at),
        Column("Updated at", lambda r: r.updated_at),
        Column("Promoted at", lambda r: r.promoted_at),
        Column("Cancelled at", lambda r: r.cancelled_at),
    ]
    return table(columns, registrations)


def _submissions(filters: Mapping[str, str]) -> list[Submission]:
    lq = lists.ListQuery.from_args(filters, sorts=lists.SUBMISSION_SORTS)
    query = lists.submission_query(lq).options(
        selectinload(Submission.authors), selectinload(Submission.topics)
    )
    return list(db.session.scalars(query))


def _joined(values: Iterable[str]) -> str:
    return "; ".join(values)


def submission_table(filters: Mapping[str, str]) -> tuple[list[str], list[list[Any]]]:
    """One row per submission matching the submissions list's filters; the author columns
    list every author in order, separated by "; "."""
    columns = [
        Column("Submission", lambda s: s.reference),
        Column("Status", lambda s: s.status.value),
        Column("Title", lambda s: s.title),
        Column("Authors", lambda s: _joined(a.name for a in s.authors)),
        Column("Author affiliations", lambda s: _joined(a.affiliation for a in s.authors)),
        Column("Author emails", lambda s: _joined(a.email for a in s.authors)),
        Column("Contact author", lambda s: s.contact.name),
        Column("Contact email", lambda s: s.contact.email),
        Column("Topics", lambda s: _joined(topic_titles(s.topic_keys))),
        Column("Abstract", lambda s: s.abstract),
        Column("Note to the organizers", lambda s: s.note),
        Column("PDF file", lambda s: s.pdf_filename),
        Column("PDF pages", lambda s: s.pdf_pages),
        Column("PDF bytes", lambda s: s.pdf_size),
        Column("Submitted at", lambda s: s.created_at),
        Column("Updated at", lambda s: s.updated_at),
        Column("Withdrawn at", lambda s: s.withdrawn_at),
        Column("Decided at", lambda s: s.decided_at),
        Column("Authors notified at", lambda s: s.decision_notified_at),
    ]
    return table(columns, _submissions(filters))


def author_table(filters: Mapping[str, str]) -> tuple[list[str], list[list[Any]]]:
    """One row per author of each submission matching the submissions list's filters."""
    columns = [
        Column("Submission", lambda a: a.submission.reference),
        Column("Title", lambda a: a.submission.title),
        Column("Status", lambda a: a.submission.status.value),
        Column("Author position", lambda a: a.position),
        Column("Name", lambda a: a.name),
        Column("Affiliation", lambda a: a.affiliation),
        Column("Email", lambda a: a.email),
        Column("Contact author", lambda a: a.is_contact),
    ]
    authors = [author for s in _submissions(filters) for author in s.authors]
    return table(columns, authors)


def _reviewer_label(organizer) -> str:
    return organizer.name or organizer.email


def review_export_table(_filters: Mapping[str, str]) -> tuple[list[str], list[list[Any]]]:
    """One row per review (drafts too, with their status), by submission number and
    reviewer: every score field and every text field of the content file's review form."""
    from ..reviews.models import Review

    rules = current_workshop().review
    reviews = db.session.scalars(
        db.select(Review)
        .join(Submission, Submission.id == Review.submission_id)
        .options(selectinload(Review.submission), selectinload(Review.reviewer))
        .order_by(Submission.number, Review.id)
    )
    columns = [
        Column("Submission", lambda r: r.submission.reference),
        Column("Title", lambda r: r.submission.title),
        Column("Reviewer", lambda r: _reviewer_label(r.reviewer)),
        Column("Reviewer email", lambda r: r.reviewer.email),
    ]
    for f in rules.score_fields:
        columns.append(Column(f.label, lambda r, key=f.key: (r.scores or {}).get(key)))
    for f in rules.text_fields:
        columns.append(Column(f.label, lambda r, key=f.key: (r.texts or {}).get(key, "")))
    columns += [
        Column("Status", lambda r: r.status.value),
        Column("Submitted at", lambda r: r.submitted_at),
        Column("Updated at", lambda r: r.updated_at),
    ]
    return table(columns, reviews)


def assignment_export_table(_filters: Mapping[str, str]) -> tuple[list[str], list[list[Any]]]:
    """One row per assignment, by submission number and reviewer name, with the state of
    its review ("not started", "draft", "submitted")."""
    from ..reviews.models import Assignment, Review

    assignments = list(
        db.session.scalars(
            db.select(Assignment)
            .join(Submission, Submission.id == Assignment.submission_id)
            .options(selectinload(Assignment.submission), selectinload(Assignment.reviewer))
            .order_by(Submission.number, Assignment.id)
        )
    )
    statuses = {
        (rid, sid): status.value
        for rid, sid, status in db.session.execute(
            db.select(Review.reviewer_id, Review.submission_id, Review.status)
        )
    }
    assignments.sort(key=lambda a: (a.submission.number, a.reviewer.name, a.reviewer.email))
    columns = [
        Column("Submission", lambda a: a.submission.reference),
        Column("Title", lambda a: a.submission.title),
        Column("Submission status", lambda a: a.submission.status.value),
        Column("Reviewer", lambda a: a.reviewer.name),
        Column("Reviewer email", lambda a: a.reviewer.email),
        Column("Assigned at", lambda a: a.assigned_at),
        Column("Notified at", lambda a: a.notified_at),
        Column(
            "Review status",
            lambda a: statuses.get((a.reviewer_id, a.submission_id), "not started"),
        ),
    ]
    return table(columns, assignments)


def _materials_link(submission: Submission, row: Any, kind: str) -> str:
    if row is None or not getattr(row, f"{kind}_stored_name"):
        return ""
    endpoint = f"materials_organizer.{kind}_pdf"
    return public_url(endpoint, submission_id=submission.id)


def materials_export_table(_filters: Mapping[str, str]) -> tuple[list[str], list[list[Any]]]:
    """One row per accepted submission, by number: what its authors handed in, what is
    missing, and the organizers' download links of the files."""
    submissions = materials_services.accepted_submissions()
    rows = materials_services.rows_for(s.id for s in submissions)
    items = [(s, rows.get(s.id)) for s in submissions]

    def presenter(item: tuple[Submission, Any]) -> Any:
        row = item[1]
        return row.presenter if row is not None else None

    def has(item: tuple[Submission, Any], column: str) -> Any:
        return getattr(item[1], column, None) if item[1] is not None else None

    columns = [
        Column("Submission", lambda i: i[0].reference),
        Column("Title", lambda i: i[0].title),
        Column("Presenter", lambda i: presenter(i).name if presenter(i) else ""),
        Column("Presenter affiliation", lambda i: presenter(i).affiliation if presenter(i) else ""),
        Column("Final version", lambda i: bool(has(i, "final_stored_name"))),
        Column("Final version pages", lambda i: has(i, "final_pages")),
        Column("Final version uploaded at", lambda i: has(i, "final_uploaded_at")),
        Column("Slides", lambda i: bool(has(i, "slides_stored_name"))),
        Column("Slides uploaded at", lambda i: has(i, "slides_uploaded_at")),
        Column("Video link", lambda i: has(i, "video_url") or ""),
        Column("Bio", lambda i: bool((has(i, "bio") or "").strip())),
        Column("Consent to publish", lambda i: bool(has(i, "consent_publish"))),
        Column("Missing", lambda i: _joined(materials_services.missing_of(i[1]))),
        Column("Final version link", lambda i: _materials_link(i[0], i[1], "final")),
        Column("Slides link", lambda i: _materials_link(i[0], i[1], "slides")),
    ]
    return table(columns, items)


Table = tuple[list[str], list[list[Any]]]

# The stable list of exports: kind -> builder(list filters) -> (header, rows).
EXPORTS: dict[str, Callable[[Mapping[str, str]], Table]] = {
    "registrations": registration_table,
    "submissions": submission_table,
    "authors": author_table,
    "reviews": review_export_table,
    "assignments": assignment_export_table,
    "materials": materials_export_table,
}


def filename(kind: str) -> str:
    """'fastpath-2020-registrations-2020-01-20.csv': the workshop, what, and the day made."""
    short = current_workshop().short_name
    slug = "-".join("".join(ch if ch.isalnum() else " " for ch in short.lower()).split())
    return f"{slug or 'workshop'}-{kind}-{now():%Y-%m-%d}.csv"
