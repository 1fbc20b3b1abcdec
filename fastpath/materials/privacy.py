"""What materials store about a person: the presenter's bio and video link, the slides they
present, and the final version (which names every author). fastpath/privacy/ runs this with
the other features' parts, for the author rows cfp/privacy.py found.

Erasing the presenter clears the bio, the video link, the consent and the presenter, and
deletes the slides (they show the presenter); the final version is deleted only when the
person is the submission's only author, as cfp does with the abstract's PDF. Files go once
the caller's commit succeeded (`Erased.files`); the columns stop naming them at once, so no
page can hand them out meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..cfp.models import SubmissionAuthor, SubmissionEvent, SubmissionEventKind
from ..core.erasure import iso
from ..core.extensions import db
from .models import FinalMaterials
from .services import current_version, stored_path


def _rows_of(authors: list[SubmissionAuthor]) -> list[tuple[SubmissionAuthor, FinalMaterials]]:
    """The materials of these authors' submissions, with the author each was found for."""
    found = []
    for author in authors:
        row = db.session.get(FinalMaterials, author.submission_id)
        if row is not None:
            found.append((author, row))
    return found


def _file(row: FinalMaterials, kind: str) -> dict[str, Any] | None:
    if not getattr(row, f"{kind}_stored_name"):
        return None
    return {
        "filename": getattr(row, f"{kind}_filename"),
        "pages": getattr(row, f"{kind}_pages"),
        "size": getattr(row, f"{kind}_size"),
        "sha256": getattr(row, f"{kind}_sha256"),
        "uploaded_at": iso(getattr(row, f"{kind}_uploaded_at")),
    }


def export(authors: list[SubmissionAuthor]) -> list[dict[str, Any]]:
    """Per submission of these authors that has materials: what it holds about the person
    (everything, when they present it; the final version's facts otherwise)."""
    data = []
    for author, row in _rows_of(authors):
        entry: dict[str, Any] = {
            "reference": row.submission.reference,
            "presenter": row.presenter_id == author.id,
            "final_version": _file(row, "final"),
        }
        if row.presenter_id == author.id:
            entry.update(
                {
                    "bio": row.bio,
                    "video_url": row.video_url,
                    "consent_publish": row.consent_publish,
                    "slides": _file(row, "slides"),
                    "details_saved_at": iso(row.details_saved_at),
                }
            )
        data.append(entry)
    return data


@dataclass
class Erased:
    presenters: int = 0
    files: list[Path] = field(default_factory=list)  # to delete once the commit succeeded


def _drop_file(row: FinalMaterials, kind: str, erased: Erased) -> bool:
    stored = getattr(row, f"{kind}_stored_name")
    if not stored:
        return False
    erased.files.append(stored_path(stored))
    for column in ("stored_name", "filename", "size", "pages", "sha256", "uploaded_at"):
        setattr(row, f"{kind}_{column}", None)
    return True


def erase(authors: list[SubmissionAuthor], moment: datetime) -> Erased:
    """Erase what the materials hold about these authors; the caller commits, then deletes
    `files`."""
    erased = Erased()
    for author, row in _rows_of(authors):
        done = []
        if row.presenter_id == author.id:
            row.presenter_id = None
            row.bio = ""
            row.video_url = None
            row.consent_publish = False
            done.append("the presenter's bio and video link")
            if _drop_file(row, "slides", erased):
                done.append("the slides")
            erased.presenters += 1
        if len(row.submission.authors) == 1 and _drop_file(row, "final", erased):
            done.append("the final version")
        if not done:
            continue
        row.version = current_version(row) + 1
        row.updated_at = moment
        row.submission.events.append(
            SubmissionEvent(
                at=moment,
                kind=SubmissionEventKind.MATERIALS_EDITED,
                details="Erased at an author's request: " + ", ".join(done),
            )
        )
    return erased
