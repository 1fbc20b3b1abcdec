"""The work behind the call for papers: checking and storing PDFs, submitting, editing and
withdrawing abstracts, private links. Plain functions a test (or the organizers' area) can call;
they add to the session and the caller commits."""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

from flask import Response, abort, current_app, send_file
from itsdangerous import BadSignature, URLSafeSerializer
from pypdf import PdfReader
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from ..clock import now
from ..content import SubmissionRules, Workshop
from ..extensions import db
from ..mail import queue_mail
from ..tokens import hash_token, new_token
from .models import (
    Submission,
    SubmissionAuthor,
    SubmissionEvent,
    SubmissionStatus,
    SubmissionTopic,
)

# The path of the private link; mail needs it outside a request, where url_for cannot build.
PRIVATE_LINK_PATH = "/submission/{token}"
_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.pdf$")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

Window = Literal["open", "not_yet", "closed"]


# --- What an author sends --------------------------------------------------------------------


@dataclass(frozen=True)
class AuthorEntry:
    name: str
    email: str
    affiliation: str


@dataclass(frozen=True)
class SubmissionEntry:
    """The cleaned fields of a submission form, listed explicitly (never the raw request)."""

    title: str
    abstract: str
    note: str
    authors: tuple[AuthorEntry, ...]
    contact_index: int  # which of `authors` is the contact author
    topics: tuple[str, ...]  # topic keys, in the content file's order


@dataclass(frozen=True)
class Change:
    """One field an edit changed, with its value before and after, as plain text."""

    label: str
    before: str
    after: str


class AlreadySubmitted(Exception):
    """The form with this nonce was already turned into a submission."""

    def __init__(self, submission: Submission) -> None:
        super().__init__(f"form already submitted as submission {submission.id}")
        self.submission = submission


def workshop() -> Workshop:
    return current_app.extensions["workshop"]


def rules() -> SubmissionRules:
    return workshop().submission


def submission_window(moment: datetime | None = None) -> Window:
    """Whether submissions (and edits) are accepted now: open, not yet open, or closed."""
    moment = moment or now()
    if rules().opens and moment < rules().opens:
        return "not_yet"
    if moment > rules().closes:
        return "closed"
    return "open"


def can_change(submission: Submission) -> bool:
    """Authors may edit or withdraw until the deadline, while nobody has decided on it."""
    return submission.status == SubmissionStatus.SUBMITTED and submission_window() == "open"


def count_words(text: str) -> int:
    """Words as the form counts them: runs of non-space characters."""
    return len(text.split())


def clean_line(value: str | None) -> str | None:
    """One line of text: control characters removed, runs of spaces and line breaks as one
    space (a title or name with a line break would end up in headers and one-line lists)."""
    if value is None:
        return None
    return " ".join(_CONTROL_CHARS.sub("", value).split())


def clean_text(value: str | None) -> str | None:
    """Multi-line text: control characters (except line breaks and tabs) removed, Windows line
    ends unified, surrounding blank space trimmed."""
    if value is None:
        return None
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_CHARS.sub("", value).strip()


# --- The PDF -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PdfInfo:
    size: int
    pages: int
    sha256: str


class PdfProblem(ValueError):
    """The uploaded file is not an acceptable abstract PDF; the message tells the author why."""


def megabytes(size: int) -> str:
    return f"{size / 1048576:.1f}".removesuffix(".0")


def file_size(size: int) -> str:
    """'840 KB', '2.5 MB'."""
    if size < 1024 * 1024:
        return f"{max(1, -(-size // 1024))} KB"
    return f"{megabytes(size)} MB"


def _looks_like(data: bytes) -> str:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return " (it is a PNG image)"
    if data.startswith(b"\xff\xd8\xff"):
        return " (it is a JPEG image)"
    if data.startswith(b"PK\x03\x04"):
        return " (it looks like a Word or other Office document, or a ZIP archive)"
    return ""


def inspect_pdf(data: bytes, limits: SubmissionRules) -> PdfInfo:
    """Check that `data` is a readable, unencrypted PDF within the page and size limits."""
    if not data:
        raise PdfProblem("The file is empty. Choose your extended abstract as a PDF file.")
    if len(data) > limits.max_file_bytes:
        raise PdfProblem(
            f"The file is {megabytes(len(data))} MB; the limit is "
            f"{megabytes(limits.max_file_bytes)} MB."
        )
    # Judged by the content, never by the file's name or the browser's Content-Type.
    if not data.startswith(b"%PDF-"):
        raise PdfProblem(
            f"This file is not a PDF{_looks_like(data)}. Export your abstract as PDF and "
            "choose that file."
        )
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise PdfProblem(
                "The PDF is encrypted or password-protected. Save it without a password or "
                "restrictions and choose it again."
            )
        pages = len(reader.pages)
    except PdfProblem:
        raise
    except Exception:  # noqa: BLE001 (a damaged file can make the parser fail in many ways)
        raise PdfProblem(
            "The PDF could not be read; the file seems damaged. Export it again and choose "
            "the new file."
        ) from None
    if not limits.pages_min <= pages <= limits.pages_max:
        counted = "1 page" if pages == 1 else f"{pages} pages"
        raise PdfProblem(
            f"The PDF has {counted}; an extended abstract has {limits.pages_min} to "
            f"{limits.pages_max} pages."
        )
    return PdfInfo(size=len(data), pages=pages, sha256=hashlib.sha256(data).hexdigest())


@dataclass(frozen=True)
class KeptUpload:
    """A checked PDF already stored under UPLOAD_DIR, not yet (or no longer) part of a
    submission. It survives a form shown again, so the author need not choose it again."""

    stored_name: str
    filename: str
    size: int
    pages: int
    sha256: str

    def describe(self) -> str:
        return describe_pdf(self.filename, self.pages, self.size)


def describe_pdf(filename: str, pages: int, size: int) -> str:
    """'paper.pdf (3 pages, 840 KB)'."""
    counted = "1 page" if pages == 1 else f"{pages} pages"
    return f"{filename} ({counted}, {file_size(size)})"


def upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def upload_path(stored_name: str) -> Path:
    if not _STORED_NAME.match(stored_name):
        raise ValueError(f"not a stored upload name: {stored_name!r}")
    return upload_dir() / stored_name


def display_filename(filename: str | None) -> str:
    """The author's file name, for showing only: no folders, no control characters."""
    name = clean_line((filename or "").replace("\\", "/").rsplit("/", 1)[-1]) or ""
    return name[:200] or "abstract.pdf"


def keep_upload(data: bytes, info: PdfInfo, filename: str | None) -> KeptUpload:
    """Store a checked PDF under a generated name (temp file, then an atomic rename)."""
    directory = upload_dir()
    directory.mkdir(parents=True, exist_ok=True)
    stored_name = f"{secrets.token_hex(16)}.pdf"
    handle, temp_name = tempfile.mkstemp(dir=directory, prefix=".upload-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, directory / stored_name)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return KeptUpload(stored_name, display_filename(filename), info.size, info.pages, info.sha256)


def _upload_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="fastpath.cfp.kept-upload")


def upload_ref(upload: KeptUpload) -> str:
    """The kept upload as a signed value for a hidden form field."""
    return _upload_serializer().dumps(
        [upload.stored_name, upload.filename, upload.size, upload.pages, upload.sha256]
    )


def kept_upload(ref: str | None) -> KeptUpload | None:
    """The kept upload a hidden field refers to, if the signature holds, the file is still
    there and no submission uses it yet; None otherwise."""
    if not ref:
        return None
    try:
        stored_name, filename, size, pages, sha256 = _upload_serializer().loads(ref)
        path = upload_path(stored_name)
    except (BadSignature, ValueError, TypeError):
        return None
    if not path.is_file():
        return None
    in_use = db.session.scalar(
        db.select(Submission.id).where(Submission.pdf_stored_name == stored_name)
    )
    if in_use is not None:
        return None
    return KeptUpload(stored_name, filename, size, pages, sha256)


def delete_upload(stored_name: str) -> None:
    """Remove a stored PDF (one that was replaced, or a kept upload nobody will use)."""
    upload_path(stored_name).unlink(missing_ok=True)


def purge_unused_uploads(older_than: timedelta) -> int:
    """Delete stored PDFs no submission uses that are older than `older_than` (kept uploads of
    forms never sent, leftovers of failed writes); return how many."""
    directory = upload_dir()
    if not directory.is_dir():
        return 0
    used = set(db.session.scalars(db.select(Submission.pdf_stored_name)))
    cutoff = time.time() - older_than.total_seconds()
    removed = 0
    for path in directory.iterdir():
        stale = path.is_file() and path.stat().st_mtime < cutoff
        ours = _STORED_NAME.match(path.name) or path.name.startswith(".upload-")
        if stale and ours and path.name not in used:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def pdf_response(submission: Submission) -> Response:
    """The submission's PDF as a download (for the private link and the organizers' area)."""
    path = upload_path(submission.pdf_stored_name)
    if not path.is_file():
        current_app.logger.error("the PDF of submission %s is missing: %s", submission.id, path)
        abort(404)
    response = send_file(
        path,
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"{submission.reference}.pdf",
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


# --- Submitting ------------------------------------------------------------------------------


def new_form_nonce() -> str:
    return secrets.token_urlsafe(32)


def private_link(token: str) -> str:
    """The private link as mailed: the configured public address, never the request's host."""
    return current_app.config["PUBLIC_BASE_URL"] + PRIVATE_LINK_PATH.format(token=token)


def find_submission_by_token(token: str, *, for_update: bool = False) -> Submission | None:
    """The submission a private link belongs to; looked up by the token's hash through a
    unique index, so neither the answer nor its timing tells how close a guess was.

    `for_update` locks the row until the commit (SELECT ... FOR UPDATE; SQLite's BEGIN
    IMMEDIATE already serialises writers) and reads it afresh, so an edit or withdrawal
    checks the status and version an organizer's decision left, never a stale copy."""
    query = db.select(Submission).where(Submission.token_hash == hash_token(token))
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(query)


def submission_for_nonce(nonce: str | None) -> Submission | None:
    if not nonce:
        return None
    return db.session.scalar(db.select(Submission).where(Submission.form_nonce == nonce))


def topic_titles(keys: list[str] | tuple[str, ...]) -> list[str]:
    """The titles of these topics, in the content file's order (unknown keys last, as keys)."""
    chosen = set(keys)
    titles = [topic.title for topic in workshop().topics if topic.key in chosen]
    known = {topic.key for topic in workshop().topics}
    return titles + sorted(key for key in chosen if key not in known)


def _author_rows(entry: SubmissionEntry) -> list[SubmissionAuthor]:
    return [
        SubmissionAuthor(
            position=index + 1,
            name=author.name,
            email=author.email,
            affiliation=author.affiliation,
            is_contact=index == entry.contact_index,
        )
        for index, author in enumerate(entry.authors)
    ]


def submit_abstract(entry: SubmissionEntry, upload: KeptUpload, nonce: str) -> Submission:
    """Create a submission from a checked form and its stored PDF, and queue the mails to its
    authors. Raises AlreadySubmitted when this form (its nonce) was already sent."""
    duplicate = submission_for_nonce(nonce)
    if duplicate is not None:
        raise AlreadySubmitted(duplicate)
    token, token_hash = new_token()
    moment = now()
    submission = Submission(
        title=entry.title,
        abstract=entry.abstract,
        note=entry.note,
        consented_at=moment,
        status=SubmissionStatus.SUBMITTED,
        created_at=moment,
        updated_at=moment,
        version=1,
        token_hash=token_hash,
        form_nonce=nonce,
        pdf_stored_name=upload.stored_name,
        pdf_filename=upload.filename,
        pdf_size=upload.size,
        pdf_pages=upload.pages,
        pdf_sha256=upload.sha256,
        authors=_author_rows(entry),
        topics=[SubmissionTopic(topic_key=key) for key in entry.topics],
    )
    _insert_numbered(submission, nonce)
    submission.events.append(
        SubmissionEvent(
            at=moment,
            kind="submitted",
            details=(
                f"Submitted as {submission.reference} by {submission.contact.email}: "
                f"{len(entry.authors)} author(s), "
                + describe_pdf(upload.filename, upload.pages, upload.size)
            ),
        )
    )
    _mail_received(submission, token)
    for author in submission.authors:
        if not author.is_contact:
            _mail_coauthor(submission, author)
    return submission


def _insert_numbered(submission: Submission, nonce: str) -> None:
    # SQLite hands the write lock to one transaction at a time (BEGIN IMMEDIATE), so max + 1
    # is safe there; elsewhere two inserts can race for a number, and the loser tries the next.
    for _attempt in range(5):
        highest = db.session.scalar(db.select(func.max(Submission.number))) or 0
        submission.number = highest + 1
        try:
            with db.session.begin_nested():
                db.session.add(submission)
            return
        except IntegrityError:
            duplicate = submission_for_nonce(nonce)
            if duplicate is not None:
                raise AlreadySubmitted(duplicate) from None
    raise RuntimeError("could not hand out a submission number after 5 attempts")


def _mail_received(submission: Submission, token: str) -> None:
    contact = submission.contact
    queue_mail(
        to=contact.email,
        template="submission_received",
        subject=f"Submission {submission.reference} received",
        context=_mail_context(submission, token),
        subject_ref=f"submission:{submission.id}",
    )


def _mail_coauthor(submission: Submission, author: SubmissionAuthor) -> None:
    queue_mail(
        to=author.email,
        template="submission_coauthor",
        subject=f"You are an author of submission {submission.reference}",
        context={"submission": submission, "author": author, "contact": submission.contact},
        subject_ref=f"submission:{submission.id}",
    )


def _mail_context(submission: Submission, token: str) -> dict:
    return {
        "submission": submission,
        "link": private_link(token),
        "topics": topic_titles(submission.topic_keys),
        "rules": rules(),
        "pdf": describe_pdf(submission.pdf_filename, submission.pdf_pages, submission.pdf_size),
    }


# --- Editing, withdrawing --------------------------------------------------------------------


@dataclass(frozen=True)
class EditResult:
    changes: list[Change]
    # A stored PDF nobody uses any more (the replaced one, or a re-upload of the same file):
    # delete it once the commit succeeded, never before.
    unused_file: str | None


def _authors_text(authors: list[SubmissionAuthor]) -> str:
    return "\n".join(
        f"{a.position}. {a.name} <{a.email}>, {a.affiliation}"
        + (" (contact author)" if a.is_contact else "")
        for a in authors
    )


def _snapshot(submission: Submission) -> dict[str, str]:
    return {
        "Title": submission.title,
        "Authors": _authors_text(submission.authors),
        "Topics": "\n".join(topic_titles(submission.topic_keys)),
        "Abstract": submission.abstract,
        "Note to the organizers": submission.note or "(none)",
        "PDF": describe_pdf(submission.pdf_filename, submission.pdf_pages, submission.pdf_size),
    }


def edit_submission(
    submission: Submission, entry: SubmissionEntry, upload: KeptUpload | None, token: str
) -> EditResult:
    """Apply an author's edit, record what changed and mail it to the contact author (and to
    the previous one, if the contact changed); authors the edit added get the co-author mail.
    No change, no mail."""
    before = _snapshot(submission)
    previous_contact = submission.contact.email
    previous_emails = {author.email.lower() for author in submission.authors}

    submission.title = entry.title
    submission.abstract = entry.abstract
    submission.note = entry.note
    # Rows are updated in place by position, so author ids stay put for the organizers' area.
    rows = _author_rows(entry)
    for index, row in enumerate(rows):
        if index < len(submission.authors):
            current = submission.authors[index]
            current.position, current.name, current.email = row.position, row.name, row.email
            current.affiliation, current.is_contact = row.affiliation, row.is_contact
        else:
            submission.authors.append(row)
    del submission.authors[len(rows) :]
    if set(entry.topics) != set(submission.topic_keys):
        submission.topics = [SubmissionTopic(topic_key=key) for key in entry.topics]

    unused_file = None
    pdf_before = before["PDF"]
    if upload is not None and upload.sha256 == submission.pdf_sha256:
        unused_file = upload.stored_name  # the same file chosen again: keep the stored one
    elif upload is not None:
        unused_file = submission.pdf_stored_name
        submission.pdf_stored_name = upload.stored_name
        submission.pdf_filename = upload.filename
        submission.pdf_size = upload.size
        submission.pdf_pages = upload.pages
        submission.pdf_sha256 = upload.sha256
        if upload.describe() == pdf_before:
            pdf_before += " (an earlier version)"

    after = _snapshot(submission)
    after_pdf = after["PDF"]
    before["PDF"] = pdf_before
    changes = [Change(label, before[label], after[label]) for label in before]
    changes = [change for change in changes if change.before != change.after]
    if not changes:
        return EditResult([], unused_file)

    moment = now()
    submission.updated_at = moment
    submission.version += 1
    field_changes = [change for change in changes if change.label != "PDF"]
    if field_changes:
        submission.events.append(
            SubmissionEvent(at=moment, kind="edited", details=_edit_details(field_changes))
        )
    if pdf_before != after_pdf:
        submission.events.append(
            SubmissionEvent(
                at=moment,
                kind="pdf_replaced",
                details=f"{pdf_before} → {after_pdf}, sha256 {submission.pdf_sha256}",
            )
        )

    for address in dict.fromkeys([submission.contact.email, previous_contact]):
        queue_mail(
            to=address,
            template="submission_edited",
            subject=f"Submission {submission.reference} changed",
            context={**_mail_context(submission, token), "changes": changes},
            subject_ref=f"submission:{submission.id}",
        )
    for author in submission.authors:
        if not author.is_contact and author.email.lower() not in previous_emails:
            _mail_coauthor(submission, author)
    return EditResult(changes, unused_file)


def _edit_details(changes: list[Change]) -> str:
    lines = []
    for change in changes:
        if change.label in ("Abstract", "Note to the organizers"):
            lines.append(f"{change.label} changed")
        else:
            before = change.before.replace("\n", "; ")
            after = change.after.replace("\n", "; ")
            lines.append(f"{change.label}: {before} → {after}")
    return "\n".join(lines)


def withdraw_submission(submission: Submission, token: str) -> None:
    """Withdraw a submission at its authors' request and confirm it to the contact author."""
    moment = now()
    submission.status = SubmissionStatus.WITHDRAWN
    submission.withdrawn_at = moment
    submission.updated_at = moment
    submission.version += 1
    submission.events.append(
        SubmissionEvent(at=moment, kind="withdrawn", details="Withdrawn through the private link")
    )
    queue_mail(
        to=submission.contact.email,
        template="submission_withdrawn",
        subject=f"Submission {submission.reference} withdrawn",
        context=_mail_context(submission, token),
        subject_ref=f"submission:{submission.id}",
    )


# --- Lost links ------------------------------------------------------------------------------


def send_lost_links(email: str) -> int:
    """Mail fresh private links for every submission whose contact author has this address;
    return how many. Only hashes are stored, so each gets a new token and older links stop
    working."""
    address = email.strip().lower()
    submissions = db.session.scalars(
        db.select(Submission)
        .join(SubmissionAuthor)
        .where(SubmissionAuthor.is_contact.is_(True))
        .where(func.lower(SubmissionAuthor.email) == address)
        .order_by(Submission.number)
    ).all()
    if not submissions:
        return 0
    moment = now()
    links = []
    for submission in submissions:
        token, submission.token_hash = new_token()
        submission.events.append(
            SubmissionEvent(
                at=moment,
                kind="link_reissued",
                details=f"A new private link was mailed to {submission.contact.email}; "
                "earlier links stopped working",
            )
        )
        links.append((submission, private_link(token)))
    queue_mail(
        to=submissions[0].contact.email,
        template="submission_links",
        subject="Your private submission link" + ("s" if len(links) > 1 else ""),
        context={"links": links},
        subject_ref=f"submission:{submissions[0].id}",
    )
    return len(submissions)
