"""The work behind final materials: what an accepted submission's authors hand in (final
version, slides, presenter, bio, video link, consent), the deadline and its reopening, the
reminder to the contact authors, the files to download.

Plain typed functions: they take values, return values or raise this module's errors, add to
the session and leave the commit to the caller. A replaced file is returned as `unused_file`:
the caller deletes it once the commit succeeded, never before. Nothing here builds a
response: fastpath/materials/views.py and organizer_views.py do.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app, render_template
from sqlalchemy.orm import selectinload

from ..cfp.models import (
    Submission,
    SubmissionAuthor,
    SubmissionEvent,
    SubmissionEventKind,
    SubmissionStatus,
)
from ..cfp.services import (
    PdfDownload,
    PdfInfo,
    PdfLimits,
    count_words,
    describe_pdf,
    display_filename,
    inspect_pdf,
    upload_dir,
    write_atomically,
)
from ..clock import as_utc, now
from ..content import MaterialsRules, current_workshop
from ..core.audit import Actor, AuditAction, AuditEvent, record
from ..core.extensions import db
from ..core.tokens import looks_like_nonce
from ..core.urls import public_url
from ..mail import queue_mail
from ..web.templating import deadline_text
from .models import BIO_MAX, VIDEO_URL_MAX, FinalMaterials

FOLDER = "materials"  # under UPLOAD_DIR; cfp's clean-up of unsent abstracts never looks inside
_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.pdf$")
# Slides have no page range; this only bounds what reading the page tree may cost.
SLIDES_PAGES_MAX = 500
# The four things every accepted talk needs (FinalMaterials.missing's labels); the video link
# is optional and consent is a choice, so neither counts as missing.
ITEMS = ("final version", "slides", "presenter", "speaker bio")
RECEIVED_TEMPLATE = "materials_received"
REMINDER_TEMPLATE = "materials_reminder"
REMINDER_TARGET = "materials-reminder:{nonce}"  # the audit target of one sent reminder form
REOPEN_DAYS = 7  # the reopen form's default: a week from now


class MaterialsError(Exception):
    """A change to the materials was refused; the message says why, for the author."""


class NotOffered(MaterialsError):
    """The submission is not accepted (or its authors were not told yet): no materials."""


class UploadsClosed(MaterialsError):
    """The deadline has passed (and the organizers did not reopen this submission)."""


class StaleVersion(MaterialsError):
    """The form was shown at an older version of the materials."""

    def __init__(self, version: int, last_change: str) -> None:
        super().__init__(last_change)
        self.version = version
        self.last_change = last_change


class FileProblem(MaterialsError):
    """The uploaded file is not acceptable (not a PDF, pages, size...)."""


class FileMissing(LookupError):
    """The stored file is not there (never sent, or gone); the pages answer 404."""


class ReminderRefused(MaterialsError):
    """The reminder form cannot be sent (incomplete, or sent already)."""


# --- Rules and state ---------------------------------------------------------------------


def rules() -> MaterialsRules:
    return current_workshop().materials


def final_limits() -> PdfLimits:
    r = rules()
    return PdfLimits(
        r.final_max_file_bytes,
        r.pages_min,
        r.pages_max,
        name="final version",
        short_name="paper",
        pages_rule="the final version has",
    )


def slides_limits() -> PdfLimits:
    return PdfLimits(
        rules().slides_max_file_bytes,
        1,
        SLIDES_PAGES_MAX,
        name="slides",
        short_name="slides",
        pages_rule="slides may have",
    )


def materials_for(submission: Submission) -> FinalMaterials | None:
    """The submission's materials row, if anything was handed in (or reopened, reminded)."""
    return db.session.get(FinalMaterials, submission.id)


def offered(submission: Submission) -> bool:
    """Materials are asked for once a submission is accepted and its authors were told."""
    return submission.status_for_authors == SubmissionStatus.ACCEPTED


def closes_for(row: FinalMaterials | None) -> datetime:
    """When uploads close for this submission: the content file's deadline, or the moment an
    organizer reopened it until, whichever is later (UTC)."""
    closes = rules().closes
    if row is not None and row.reopened_until is not None:
        closes = max(closes, as_utc(row.reopened_until))
    return closes


def uploads_open(submission: Submission, moment: datetime | None = None) -> bool:
    """Whether the authors may hand in or change materials at `moment` (default now)."""
    if not offered(submission):
        return False
    return (moment or now()) < closes_for(materials_for(submission))


def reopened(row: FinalMaterials | None, moment: datetime | None = None) -> bool:
    """Whether this submission is open only because an organizer reopened it."""
    moment = moment or now()
    return moment >= rules().closes and moment < closes_for(row)


def current_version(row: FinalMaterials | None) -> int:
    """The version a form carries: 1 before anything was handed in (a new row starts at 1)."""
    return row.version if row is not None else 1


def missing_of(row: FinalMaterials | None) -> list[str]:
    """What is still to come (FinalMaterials.missing; everything when there is no row)."""
    return list(ITEMS) if row is None else row.missing


def in_count(row: FinalMaterials | None) -> int:
    """How many of the four ITEMS are in."""
    return len(ITEMS) - len(missing_of(row))


def rows_for(submission_ids: Iterable[int]) -> dict[int, FinalMaterials]:
    """The materials rows of these submissions, in one query (lists, the overview)."""
    ids = sorted(set(submission_ids))
    if not ids:
        return {}
    rows = db.session.scalars(
        db.select(FinalMaterials)
        .where(FinalMaterials.submission_id.in_(ids))
        .options(selectinload(FinalMaterials.presenter))
    )
    return {row.submission_id: row for row in rows}


def accepted_submissions() -> list[Submission]:
    """Every accepted submission (told or not), by number, with its authors."""
    return list(
        db.session.scalars(
            db.select(Submission)
            .where(Submission.status == SubmissionStatus.ACCEPTED)
            .options(selectinload(Submission.authors))
            .order_by(Submission.number)
        )
    )


def last_change(submission: Submission) -> str:
    """The newest line of the materials' history, for "changed since you opened this page"."""
    kinds = (
        SubmissionEventKind.FINAL_UPLOADED,
        SubmissionEventKind.SLIDES_UPLOADED,
        SubmissionEventKind.MATERIALS_EDITED,
    )
    event = db.session.scalar(
        db.select(SubmissionEvent)
        .where(SubmissionEvent.submission_id == submission.id)
        .where(SubmissionEvent.kind.in_(kinds))
        .order_by(SubmissionEvent.id.desc())
        .limit(1)
    )
    if event is None:
        return "the materials were changed"
    what = {
        SubmissionEventKind.FINAL_UPLOADED: "a final version was uploaded",
        SubmissionEventKind.SLIDES_UPLOADED: "slides were uploaded",
        SubmissionEventKind.MATERIALS_EDITED: "the presenter, bio, video link or consent changed",
    }[event.kind]
    at = as_utc(event.at)
    return f"{what} ({at:%Y-%m-%d %H:%M} UTC)"


@dataclass(frozen=True)
class Item:
    """One line of "what is in, what is missing"."""

    label: str
    done: bool
    detail: str = ""  # what was sent ("paper.pdf (4 pages, 1.2 MB)"), or why nothing is needed


@dataclass(frozen=True)
class MaterialsState:
    """What the pages show about one submission's materials."""

    submission: Submission
    row: FinalMaterials | None
    items: list[Item]
    missing: list[str]
    open: bool
    closes: datetime
    deadline: str  # in words, with its zone
    version: int

    @property
    def in_count(self) -> int:
        return len(ITEMS) - len(self.missing)

    @property
    def total(self) -> int:
        return len(ITEMS)

    @property
    def reopened_until(self) -> datetime | None:
        until = self.row.reopened_until if self.row is not None else None
        return as_utc(until) if until is not None else None


def _file_detail(row: FinalMaterials | None, kind: str) -> str:
    if row is None or not getattr(row, f"{kind}_stored_name"):
        return ""
    described = describe_pdf(
        getattr(row, f"{kind}_filename"),
        getattr(row, f"{kind}_pages"),
        getattr(row, f"{kind}_size"),
    )
    at = as_utc(getattr(row, f"{kind}_uploaded_at"))
    return f"{described}, sent {at:%Y-%m-%d %H:%M} UTC"


def state_of(submission: Submission, moment: datetime | None = None) -> MaterialsState:
    """The materials of one submission as the author's and the organizers' pages show them."""
    return _state(submission, materials_for(submission), moment or now())


def states_of(submissions: list[Submission]) -> dict[int, MaterialsState]:
    """state_of for many submissions, their rows read in one query (the overview)."""
    rows = rows_for(s.id for s in submissions)
    moment = now()
    return {s.id: _state(s, rows.get(s.id), moment) for s in submissions}


def _state(submission: Submission, row: FinalMaterials | None, moment: datetime) -> MaterialsState:
    presenter = row.presenter if row is not None else None
    bio = row.bio.strip() if row is not None and row.bio else ""
    video = row.video_url if row is not None else None
    consent = bool(row.consent_publish) if row is not None else False
    items = [
        Item("Final version", bool(_file_detail(row, "final")), _file_detail(row, "final")),
        Item("Slides", bool(_file_detail(row, "slides")), _file_detail(row, "slides")),
        Item("Presenter", presenter is not None, presenter.name if presenter else ""),
        Item("Speaker bio", bool(bio), f"{count_words(bio)} words" if bio else ""),
        Item("Video link", bool(video), video or "optional"),
        Item(
            "Consent to publish slides and video",
            consent,
            "given" if consent else "not given",
        ),
    ]
    return MaterialsState(
        submission=submission,
        row=row,
        items=items,
        missing=missing_of(row),
        open=offered(submission) and moment < closes_for(row),
        closes=closes_for(row),
        deadline=deadline_words(row),
        version=current_version(row),
    )


# --- Stored files ------------------------------------------------------------------------


def materials_dir() -> Path:
    return upload_dir() / FOLDER


def stored_path(stored_name: str) -> Path:
    if not _STORED_NAME.match(stored_name):
        raise ValueError(f"not a stored materials name: {stored_name!r}")
    return materials_dir() / stored_name


def store_file(data: bytes) -> str:
    """Write checked bytes under a generated name (temp file, then an atomic rename)."""
    directory = materials_dir()
    directory.mkdir(parents=True, exist_ok=True)
    stored_name = f"{secrets.token_hex(16)}.pdf"
    write_atomically(directory / stored_name, data)
    return stored_name


def delete_file(stored_name: str | None) -> None:
    """Remove a stored file (replaced, erased, or stored by a write that was rolled back)."""
    if stored_name:
        stored_path(stored_name).unlink(missing_ok=True)


def download(submission: Submission, kind: str) -> PdfDownload:
    """The final version ("final") or slides ("slides") as sent, to download."""
    row = materials_for(submission)
    stored = getattr(row, f"{kind}_stored_name", None) if row is not None else None
    if not stored:
        raise FileMissing(kind)
    path = stored_path(stored)
    if not path.is_file():
        current_app.logger.error(
            "the %s of submission %s is missing: %s", kind, submission.id, path
        )
        raise FileMissing(kind)
    suffix = "final" if kind == "final" else "slides"
    return PdfDownload(path, f"{submission.reference}-{suffix}.pdf")


# --- Handing in --------------------------------------------------------------------------


@dataclass(frozen=True)
class DetailsEntry:
    """The cleaned fields of the details form (forms.py), listed explicitly."""

    presenter_id: int
    bio: str
    video_url: str | None
    consent_publish: bool


@dataclass
class Saved:
    materials: FinalMaterials
    changes: list[str]  # what the save changed, one line each ("" list: nothing)
    unused_file: str | None = None  # delete once the commit succeeded
    new_file: str | None = None  # stored by this save: delete it if the commit fails


def _row_to_change(submission: Submission, version: int | None) -> FinalMaterials:
    """The row a change applies to (made if there is none yet), after the checks every
    change passes: accepted and told, uploads open, the form not stale."""
    if not offered(submission):
        raise NotOffered("This submission does not hand in final materials.")
    row = materials_for(submission)
    moment = now()
    if moment >= closes_for(row):
        raise UploadsClosed(closed_message(row))
    if version != current_version(row):
        raise StaleVersion(current_version(row), last_change(submission))
    return row or _new_row(submission, moment)


def _new_row(submission: Submission, moment: datetime) -> FinalMaterials:
    row = FinalMaterials(submission_id=submission.id, bio="", version=1, updated_at=moment)
    db.session.add(row)
    return row


def ensure_row(submission: Submission) -> FinalMaterials:
    """The submission's row, made if there is none (an organizer's reopen or reminder)."""
    return materials_for(submission) or _new_row(submission, now())


def closed_message(row: FinalMaterials | None) -> str:
    at = closes_for(row)
    return (
        f"Final materials closed on {at:%B} {at.day}, {at.year}, {at:%H:%M} UTC: nothing can be "
        "handed in or changed through this page any more. If you still need to send something, "
        "write to the organizers; they can reopen uploads for your submission."
    )


def check_pdf(data: bytes, limits: PdfLimits) -> PdfInfo:
    try:
        return inspect_pdf(data, limits)
    except ValueError as problem:  # cfp's PdfProblem
        raise FileProblem(str(problem)) from None


def _touch(row: FinalMaterials, moment: datetime) -> None:
    row.version = current_version(row) + 1
    row.updated_at = moment


def save_final(
    submission: Submission, data: bytes, filename: str | None, *, version: int | None, token: str
) -> Saved:
    """Store a final version (a PDF in the materials' page range) in place of the one sent
    before, record it and confirm it to the owner of the private link."""
    row = _row_to_change(submission, version)
    info = check_pdf(data, final_limits())
    return _save_file(submission, row, "final", data, info, filename, token)


def save_slides(
    submission: Submission, data: bytes, filename: str | None, *, version: int | None, token: str
) -> Saved:
    """Store slides (a PDF up to slides_max_file_bytes) in place of those sent before."""
    row = _row_to_change(submission, version)
    info = check_pdf(data, slides_limits())
    return _save_file(submission, row, "slides", data, info, filename, token)


def _save_file(
    submission: Submission,
    row: FinalMaterials,
    kind: str,
    data: bytes,
    info: PdfInfo,
    filename: str | None,
    token: str,
) -> Saved:
    moment = now()
    shown_name = display_filename(filename)
    described = describe_pdf(shown_name, info.pages, info.size)
    if getattr(row, f"{kind}_sha256") == info.sha256:
        # The same file again: keep the stored one, change nothing, mail nothing.
        return Saved(row, [])
    unused = getattr(row, f"{kind}_stored_name")
    stored = store_file(data)
    setattr(row, f"{kind}_stored_name", stored)
    setattr(row, f"{kind}_filename", shown_name)
    setattr(row, f"{kind}_size", info.size)
    setattr(row, f"{kind}_pages", info.pages)
    setattr(row, f"{kind}_sha256", info.sha256)
    setattr(row, f"{kind}_uploaded_at", moment)
    _touch(row, moment)
    label = "Final version" if kind == "final" else "Slides"
    change = f"{label}: {described}" + (" (replacing the one sent before)" if unused else "")
    event_kind = (
        SubmissionEventKind.FINAL_UPLOADED
        if kind == "final"
        else SubmissionEventKind.SLIDES_UPLOADED
    )
    submission.events.append(
        SubmissionEvent(at=moment, kind=event_kind, details=f"{change}, sha256 {info.sha256}")
    )
    _mail_received(submission, row, [change], token)
    return Saved(row, [change], unused, stored)


def _presenter_text(author: SubmissionAuthor | None) -> str:
    return f"{author.name} ({author.affiliation})" if author else "(none)"


def save_details(
    submission: Submission, entry: DetailsEntry, *, version: int | None, token: str
) -> Saved:
    """Save presenter, bio, video link and consent; record and confirm what changed."""
    row = _row_to_change(submission, version)
    presenter = next((a for a in submission.authors if a.id == entry.presenter_id), None)
    if presenter is None:  # forms.py checks it; a service never stores a stranger
        raise MaterialsError("The presenter must be one of the submission's authors.")
    before = {
        "Presenter": _presenter_text(row.presenter),
        "Speaker bio": row.bio or "",
        "Video link": row.video_url or "",
        "Consent to publish slides and video": "yes" if row.consent_publish else "no",
    }
    row.presenter = presenter
    row.presenter_id = presenter.id
    row.bio = entry.bio
    row.video_url = entry.video_url or None
    row.consent_publish = entry.consent_publish
    after = {
        "Presenter": _presenter_text(presenter),
        "Speaker bio": row.bio,
        "Video link": row.video_url or "",
        "Consent to publish slides and video": "yes" if row.consent_publish else "no",
    }
    changed = [label for label in before if before[label] != after[label]]
    if not changed:
        return Saved(row, [])
    moment = now()
    row.details_saved_at = moment
    _touch(row, moment)
    changes = []
    for label in changed:
        if label == "Speaker bio":
            changes.append(f"Speaker bio: {count_words(row.bio)} words")
        else:
            changes.append(f"{label}: {after[label] or '(none)'}")
    submission.events.append(
        SubmissionEvent(
            at=moment, kind=SubmissionEventKind.MATERIALS_EDITED, details="\n".join(changes)
        )
    )
    _mail_received(submission, row, changes, token)
    return Saved(row, changes)


def video_url_problem(url: str) -> str | None:
    """Why this is not an acceptable video link (https, a host, no spaces), or None."""
    if len(url) > VIDEO_URL_MAX:
        return f"The link has {len(url)} characters; the limit is {VIDEO_URL_MAX}."
    if any(ch.isspace() or not ch.isprintable() for ch in url):
        return "The link contains spaces or invisible characters. Paste the address alone."
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError:
        return "This is not a web address. Paste the video's address, starting with https://."
    if parts.scheme.lower() != "https":
        return "The video link must start with https:// (a secure address)."
    if not host or "." not in host.strip(".") or parts.username or parts.password:
        return "This is not a web address with a host name, like https://video.example.org/talk."
    return None


def bio_problem(bio: str) -> str | None:
    limit = rules().bio_words_max
    words = count_words(bio)
    if words > limit:
        return (
            f"The bio has {words} words; the limit is {limit}. Please shorten it by "
            f"{words - limit}."
        )
    if len(bio) > BIO_MAX:
        return "The bio is too long. Please shorten it."
    return None


# --- Mail --------------------------------------------------------------------------------


def materials_link(token: str) -> str:
    return public_url("materials.page", token=token)


def _owner_address(submission: Submission) -> str | None:
    """Where confirmations go: the address the private link was mailed to (as the author
    typed it, when it is still one of the authors'), never an address typed in a form."""
    owner = submission.link_mailed_to
    if owner is None:
        return None
    return next((a.email for a in submission.authors if a.email_normalized == owner), owner)


def _mail_received(
    submission: Submission, row: FinalMaterials, received: list[str], token: str
) -> None:
    to = _owner_address(submission)
    if to is None:
        return
    queue_mail(
        to=to,
        template=RECEIVED_TEMPLATE,
        subject=f"Final materials received for {submission.reference}",
        context={
            "submission": submission,
            "received": received,
            "missing": missing_of(row),
            "materials": row,
            "deadline": deadline_words(row),
            "link": materials_link(token),
        },
        submission_id=submission.id,
    )


def deadline_words(row: FinalMaterials | None) -> str:
    """The deadline as pages and mail state it: in the announced zone and UTC, or the moment
    an organizer reopened this submission until."""
    at = closes_for(row)
    if at > rules().closes:
        return f"{at:%B} {at.day}, {at.year}, {at:%H:%M} UTC (reopened for your submission)"
    return deadline_text(rules().deadline)


# --- Organizers: reopening, reminding ----------------------------------------------------


def default_reopen_until() -> datetime:
    """A week from now, to the minute, naive (the value of a datetime-local field, in UTC)."""
    moment = now() + timedelta(days=REOPEN_DAYS)
    return moment.replace(second=0, microsecond=0, tzinfo=None)


def organizer_state(submission: Submission) -> MaterialsState | None:
    """The materials for the organizers' submission page: for accepted ones (told or not)."""
    if submission.status != SubmissionStatus.ACCEPTED:
        return None
    return state_of(submission)


def reopen(submission: Submission, until: datetime, *, by: Actor | None) -> FinalMaterials:
    """Let this submission's authors hand in materials until `until` (UTC), after the
    deadline; recorded in its history and the audit log."""
    if submission.status != SubmissionStatus.ACCEPTED:
        raise MaterialsError(f"{submission.reference} is not accepted; there is nothing to reopen.")
    until = as_utc(until)
    moment = now()
    if until <= moment:
        raise MaterialsError("Choose a moment in the future.")
    row = ensure_row(submission)
    row.reopened_until = until
    text = f"Uploads reopened until {until:%Y-%m-%d %H:%M} UTC"
    submission.events.append(
        SubmissionEvent(at=moment, kind=SubmissionEventKind.MATERIALS_REOPENED, details=text)
    )
    record(
        AuditAction.MATERIALS_REOPENED,
        organizer=by,
        target=f"submission:{submission.id}",
        details=f"{submission.reference}: {text}",
    )
    return row


@dataclass
class Reminder:
    submission: Submission
    materials: FinalMaterials | None
    to: str  # the contact author's address
    missing: list[str] = field(default_factory=list)


def reminder_recipients(moment: datetime | None = None) -> list[Reminder]:
    """The contact authors of accepted, notified submissions with anything missing whose
    uploads are open (a reminder after the deadline would ask for what cannot be sent), one
    per submission, by number."""
    moment = moment or now()
    submissions = [s for s in accepted_submissions() if offered(s)]
    rows = rows_for(s.id for s in submissions)
    found = []
    for submission in submissions:
        row = rows.get(submission.id)
        missing = missing_of(row)
        if missing and moment < closes_for(row):
            found.append(Reminder(submission, row, submission.contact.email, missing))
    return found


def _reminder_context(item: Reminder) -> dict:
    return {
        "submission": item.submission,
        "contact": item.submission.contact,
        "missing": item.missing,
        "deadline": deadline_words(item.materials),
        "lost_url": public_url("cfp.lost"),
        "base_url": current_app.config["PUBLIC_BASE_URL"],
    }


def reminder_subject(item: Reminder) -> str:
    return f"Final materials for {item.submission.reference}: still to come"


@dataclass(frozen=True)
class RenderedReminder:
    to: str
    subject: str
    text: str


def render_reminder(item: Reminder) -> RenderedReminder:
    """The reminder mail's text as it would be sent (for the preview)."""
    workshop = current_workshop()
    text = render_template(
        f"email/{REMINDER_TEMPLATE}.txt", workshop=workshop, **_reminder_context(item)
    )
    return RenderedReminder(item.to, f"[{workshop.short_name}] {reminder_subject(item)}", text)


def reminders_sent_with(nonce: str) -> AuditEvent | None:
    return db.session.scalar(
        db.select(AuditEvent)
        .where(AuditEvent.action == AuditAction.MATERIALS_REMINDER)
        .where(AuditEvent.target == REMINDER_TARGET.format(nonce=nonce))
    )


def send_reminders(nonce: str | None, *, by: Actor | None) -> int:
    """Mail every reminder recipient once, in the caller's transaction; return how many.
    The form's nonce is recorded with the audit event: a double click or a replay of the same
    form is refused (ReminderRefused) and sends nothing."""
    if not nonce or not looks_like_nonce(nonce):
        raise ReminderRefused("The reminder form was incomplete; nothing was sent.")
    # Lock the accepted submissions first (PostgreSQL; SQLite's writers queue anyway), so a
    # second post of the same form waits for the first and then finds its audit event.
    db.session.execute(
        db.select(Submission.id)
        .where(Submission.status == SubmissionStatus.ACCEPTED)
        .order_by(Submission.id)
        .with_for_update()
    ).all()
    earlier = reminders_sent_with(nonce)
    if earlier is not None:
        raise ReminderRefused(
            "These reminders were sent already (this form was sent before, at "
            f"{as_utc(earlier.at):%Y-%m-%d %H:%M} UTC); nothing was sent again."
        )
    moment = now()
    recipients = reminder_recipients(moment)
    for item in recipients:
        queue_mail(
            to=item.to,
            template=REMINDER_TEMPLATE,
            subject=reminder_subject(item),
            context=_reminder_context(item),
            submission_id=item.submission.id,
        )
        row = item.materials or ensure_row(item.submission)
        row.reminded_at = moment
    record(
        AuditAction.MATERIALS_REMINDER,
        organizer=by,
        target=REMINDER_TARGET.format(nonce=nonce),
        details=f"{len(recipients)} reminder(s): "
        + (
            ", ".join(f"{i.submission.reference} ({', '.join(i.missing)})" for i in recipients)
            or "none"
        ),
    )
    return len(recipients)
