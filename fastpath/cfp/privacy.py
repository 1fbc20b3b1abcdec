"""What privacy does with submissions: find a person's author rows, export them, erase them.

Erasing an author turns the row into a placeholder; the submission stays as the record of
the program. The contact author's private link stops working; the PDF of a single-author
submission is deleted (it names its only author). fastpath/privacy/ runs this together with
the other features' parts.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..core.emails import normalize_email
from ..core.erasure import iso, placeholder, placeholder_address, rows_by_id
from ..core.extensions import db
from ..core.tokens import new_token
from .models import Submission, SubmissionAuthor, SubmissionEvent, SubmissionEventKind
from .services import topic_titles, upload_path

# Columns holding one person's name: the sweep leaves a namesake's name there alone.
NAME_COLUMNS = {("submission_author", "name")}


def find(address: str) -> list[SubmissionAuthor]:
    """The author rows with this (normalised) address, on any submission."""
    ids = [
        author_id
        for author_id, typed in db.session.execute(
            select(SubmissionAuthor.id, SubmissionAuthor.email)
        )
        if normalize_email(typed) == address
    ]
    return rows_by_id(SubmissionAuthor, ids)


def export(author: SubmissionAuthor) -> dict[str, Any]:
    """One author row, and for the contact author their submission (JSON-ready)."""
    submission = author.submission
    data: dict[str, Any] = {
        "reference": submission.reference,
        "number": submission.number,
        "title": submission.title,
        "role": "contact author" if author.is_contact else "co-author",
        "author": {
            "position": author.position,
            "name": author.name,
            "email": author.email,
            "affiliation": author.affiliation,
            "is_contact": author.is_contact,
        },
    }
    if author.is_contact:
        # The status as the authors' private link shows it: a decision counts once notified.
        status = submission.status_for_authors
        data["submission"] = {
            "abstract": submission.abstract,
            "note": submission.note,
            "topics": topic_titles(submission.topic_keys),
            "status": status.value,
            "decided_at": iso(submission.decided_at) if submission.decision_notified_at else None,
            "consented_at": iso(submission.consented_at),
            "created_at": iso(submission.created_at),
            "updated_at": iso(submission.updated_at),
            "withdrawn_at": iso(submission.withdrawn_at),
            "authors": len(submission.authors),
            "pdf": {
                "filename": submission.pdf_filename,
                "size": submission.pdf_size,
                "pages": submission.pdf_pages,
                "sha256": submission.pdf_sha256,
            },
            # Kinds and times only: the details list the other authors by name and address.
            "history": [{"at": iso(event.at), "kind": event.kind} for event in submission.events],
        }
    return data


@dataclass
class Erased:
    authors: int = 0
    contact_of: int = 0  # submissions whose private link was theirs
    pdfs_deleted: int = 0
    files: list[Path] = field(default_factory=list)  # to delete once the commit succeeded


def erase(authors: list[SubmissionAuthor], moment: datetime) -> Erased:
    """Anonymise these author rows at their owner's request. The caller commits, then
    deletes `files`."""
    erased = Erased()
    for author in authors:
        _erase_author(author, moment, erased)
    return erased


def _erase_author(author: SubmissionAuthor, moment: datetime, erased: Erased) -> None:
    submission: Submission = author.submission
    details = f"The details of author {author.position} were erased at their request"
    if author.is_contact:
        # The private link was theirs: it stops working. Organizers can still decide.
        submission.token_hash = new_token()[1]
        submission.pending_token_hash = None
        erased.contact_of += 1
    if len(submission.authors) == 1:
        # The PDF names its only author. The columns are NOT NULL, so the stored name points
        # at a fresh name with no file behind it (a download answers 404).
        erased.files.append(upload_path(submission.pdf_stored_name))
        submission.pdf_stored_name = f"{secrets.token_hex(16)}.pdf"
        submission.pdf_filename = "erased.pdf"
        erased.pdfs_deleted += 1
        details += "; the PDF was deleted"
    author.name = placeholder("author", author.id)
    author.email = placeholder_address("author", author.id)
    author.affiliation = ""
    submission.updated_at = moment
    submission.events.append(
        SubmissionEvent(at=moment, kind=SubmissionEventKind.AUTHOR_ERASED, details=details)
    )
    erased.authors += 1
