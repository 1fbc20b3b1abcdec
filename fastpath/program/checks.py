"""The checks before publishing: a plain function over the draft, a list of problems each
with a link to the place to fix it. Errors stop a publish; warnings need "publish anyway"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..cfp.models import SubmissionStatus
from ..content import Workshop
from ..core.extensions import db
from ..materials.models import FinalMaterials
from .models import EntryKind
from .services import Draft, TimedEntry, load_draft

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    severity: str  # ERROR or WARNING
    message: str
    anchor: str  # "session-3", "entry-12", "unplaced-7": the id on the editor's page


def _span(starts: datetime, ends: datetime) -> str:
    return f"{starts:%H:%M}–{ends:%H:%M}"


def check_program(workshop: Workshop, draft: Draft | None = None) -> list[Problem]:
    """Errors first, then warnings, each in the order of the day."""
    draft = draft or load_draft(workshop)
    errors: list[Problem] = []
    warnings: list[Problem] = []
    day_starts, day_ends = workshop.starts, workshop.ends
    day = _span(day_starts, day_ends)

    timed: list[TimedEntry] = [*draft.fixed]
    for block in draft.sessions:
        session = block.session
        anchor = f"session-{session.id}"
        if block.ends <= block.starts:
            errors.append(
                Problem(
                    ERROR,
                    f"The session “{session.title}” ends ({block.ends:%H:%M}) before it "
                    f"starts ({block.starts:%H:%M}).",
                    anchor,
                )
            )
        if block.starts < day_starts or block.ends > day_ends:
            errors.append(
                Problem(
                    ERROR,
                    f"The session “{session.title}” ({_span(block.starts, block.ends)}) is "
                    f"outside the workshop's day ({day}).",
                    anchor,
                )
            )
        for item in block.entries:
            if item.ends > block.ends:
                errors.append(
                    Problem(
                        ERROR,
                        f"“{item.title}” runs to {item.ends:%H:%M}, past the end of its session "
                        f"“{session.title}” ({block.ends:%H:%M}).",
                        f"entry-{item.entry.id}",
                    )
                )
        timed.extend(block.entries)

    for item in draft.fixed:
        if item.starts < day_starts or item.ends > day_ends:
            errors.append(
                Problem(
                    ERROR,
                    f"“{item.title}” ({_span(item.starts, item.ends)}) is outside the "
                    f"workshop's day ({day}).",
                    f"entry-{item.entry.id}",
                )
            )

    talks = sorted(
        (t for t in timed if t.entry.kind == EntryKind.TALK), key=lambda t: (t.starts, t.entry.id)
    )
    seen: dict[int, TimedEntry] = {}
    for item in talks:
        entry = item.entry
        submission = entry.submission
        if submission is None:
            continue
        if submission.id in seen:
            first = seen[submission.id]
            errors.append(
                Problem(
                    ERROR,
                    f"{submission.reference} is placed twice: at {first.starts:%H:%M} and at "
                    f"{item.starts:%H:%M}.",
                    f"entry-{entry.id}",
                )
            )
        else:
            seen[submission.id] = item
        if submission.status != SubmissionStatus.ACCEPTED:
            errors.append(
                Problem(
                    ERROR,
                    f"{submission.reference} is {submission.status.value}, no longer accepted, "
                    "but is in the program.",
                    f"entry-{entry.id}",
                )
            )
        elif submission.decision_notified_at is None:
            # Publishing would tell the world before the authors' own page does.
            errors.append(
                Problem(
                    ERROR,
                    f"{submission.reference} is accepted but its authors have not been told "
                    "yet: send the decision before publishing the program.",
                    f"entry-{entry.id}",
                )
            )

    # Overlaps among what stands side by side on the day: sessions and items outside them,
    # compared when their rooms are the same (no room given counts as the same room).
    blocks = [
        (
            b.starts,
            b.ends,
            b.session.room.strip(),
            f"“{b.session.title}”",
            f"session-{b.session.id}",
        )
        for b in draft.sessions
    ] + [(f.starts, f.ends, "", f"“{f.title}”", f"entry-{f.entry.id}") for f in draft.fixed]
    blocks.sort(key=lambda b: (b[0], b[1]))
    for index, first in enumerate(blocks):
        for second in blocks[index + 1 :]:
            if second[0] >= first[1]:
                break
            if first[2] != second[2]:
                continue
            room = f"in {first[2]}" if first[2] else "with no room given"
            warnings.append(
                Problem(
                    WARNING,
                    f"{first[3]} ({_span(first[0], first[1])}) and {second[3]} "
                    f"({_span(second[0], second[1])}) overlap {room}.",
                    second[4],
                )
            )

    for submission in draft.unplaced:
        warnings.append(
            Problem(
                WARNING,
                f"{submission.reference} “{submission.title}” is accepted but not placed yet.",
                f"unplaced-{submission.id}",
            )
        )

    ids = list(seen)
    materials = {
        m.submission_id: m
        for m in db.session.scalars(
            db.select(FinalMaterials).where(FinalMaterials.submission_id.in_(ids))
        )
    }
    for submission_id, item in seen.items():
        if item.entry.submission.status != SubmissionStatus.ACCEPTED:
            continue
        row = materials.get(submission_id)
        if row is None or row.presenter_id is None:
            warnings.append(
                Problem(
                    WARNING,
                    f"{item.entry.submission.reference} has no presenter chosen yet: the "
                    "program shows its authors.",
                    f"entry-{item.entry.id}",
                )
            )
    return errors + warnings
