"""The work behind the call for papers: checking and storing PDFs, submitting, editing and
withdrawing abstracts, private links, the PDF to download. Plain typed functions a test (or the
organizers' area) can call: they take values (a posted form arrives as a SubmissionPost, read
by cfp/forms.py), return values or raise this module's errors, add to the session and leave
the commit to the caller. Nothing here builds a response: cfp/views.py does."""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from pypdf import PdfReader
from sqlalchemy import func, or_
from sqlalchemy.exc import IntegrityError

from ..clock import now, real_now
from ..content import SubmissionRules, current_workshop
from ..core.emails import normalize_email
from ..core.extensions import db
from ..core.text import file_size, megabytes
from ..core.tokens import hash_token, looks_like_token, new_token
from ..core.windows import Window
from ..mail import queue_mail
from ..mail.allowance import spend_visitor_mails
from ..mail.models import OutboxMail
from .models import (
    Submission,
    SubmissionAuthor,
    SubmissionEvent,
    SubmissionEventKind,
    SubmissionStatus,
    SubmissionTopic,
)

# The path of the private link; mail needs it outside a request, where url_for cannot build.
PRIVATE_LINK_PATH = "/submission/{token}"
_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.pdf$")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

MAX_AUTHORS = 20  # authors per submission; also the most co-author notices one ever sends
COAUTHOR_TEMPLATE = "submission_coauthor"
NEW_CONTACT_TEMPLATE = "submission_new_contact"


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


@dataclass(frozen=True)
class SubmissionPost:
    """A posted submission form (new or edit) as the services see it."""

    entry: SubmissionEntry | None  # the cleaned fields; None when the form has errors
    upload: KeptUpload | None  # the PDF it carries: stored by this post or kept from before
    nonce: str | None = None  # the new-submission form's one-time value
    version: int | None = None  # the edit form's: the submission's version it was shown at
    spam: bool = False  # the honeypot was filled in (nothing was checked or stored)


class AlreadySubmitted(Exception):
    """The form with this nonce was already turned into a submission."""

    def __init__(self, submission: Submission) -> None:
        super().__init__(f"form already submitted as submission {submission.id}")
        self.submission = submission


class EntryInvalid(Exception):
    """The posted form did not validate; its errors are on the form."""


class LooksAutomated(Exception):
    """The form's honeypot field was filled in: refused generically, nothing stored or mailed."""


class EditConflict(Exception):
    """The edit form was shown at an older version: the submission changed since."""

    def __init__(self, version: int) -> None:
        super().__init__(f"the submission is at version {version} now")
        self.version = version


def rules() -> SubmissionRules:
    return current_workshop().submission


def submission_window(moment: datetime | None = None) -> Window:
    """Whether submissions (and edits) are accepted now: open, not yet open, or closed."""
    return rules().window.at(moment or now())


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


def _looks_like(data: bytes) -> str:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return " (it is a PNG image)"
    if data.startswith(b"\xff\xd8\xff"):
        return " (it is a JPEG image)"
    if data.startswith(b"PK\x03\x04"):
        return " (it looks like a Word or other Office document, or a ZIP archive)"
    return ""


@dataclass(frozen=True)
class PdfLimits:
    """What inspect_pdf checks, and how its messages name the document (the abstract's
    limits come from SubmissionRules; materials pass their own)."""

    max_file_bytes: int
    pages_min: int
    pages_max: int
    name: str = "extended abstract"  # "Choose your extended abstract as a PDF file."
    short_name: str = "abstract"  # "Export your abstract as PDF"
    pages_rule: str = "an extended abstract has"  # "...; an extended abstract has 2 to 4 pages."


def inspect_pdf(data: bytes, limits: SubmissionRules | PdfLimits) -> PdfInfo:
    """Check that `data` is a readable, unencrypted PDF within the page and size limits."""
    if isinstance(limits, SubmissionRules):
        limits = PdfLimits(limits.max_file_bytes, limits.pages_min, limits.pages_max)
    if not data:
        raise PdfProblem(f"The file is empty. Choose your {limits.name} as a PDF file.")
    if len(data) > limits.max_file_bytes:
        raise PdfProblem(
            f"The file is {megabytes(len(data))} MB; the limit is "
            f"{megabytes(limits.max_file_bytes)} MB."
        )
    # Judged by the content, never by the file's name or the browser's Content-Type.
    if not data.startswith(b"%PDF-"):
        raise PdfProblem(
            f"This file is not a PDF{_looks_like(data)}. Export your {limits.short_name} as PDF "
            "and choose that file."
        )
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise PdfProblem(
                "The PDF is encrypted or password-protected. Save it without a password or "
                "restrictions and choose it again."
            )
        pages = _page_count(reader, limits.pages_max)
    except PdfProblem:
        raise
    except Exception:  # noqa: BLE001 (a damaged file can make the parser fail in many ways)
        raise PdfProblem(
            "The PDF could not be read; the file seems damaged. Export it again and choose "
            "the new file."
        ) from None
    if pages is None:
        raise PdfProblem(
            f"The PDF has more than {limits.pages_max} pages; {limits.pages_rule} "
            f"{limits.pages_min} to {limits.pages_max} pages."
        )
    if not limits.pages_min <= pages <= limits.pages_max:
        counted = "1 page" if pages == 1 else f"{pages} pages"
        raise PdfProblem(
            f"The PDF has {counted}; {limits.pages_rule} {limits.pages_min} to "
            f"{limits.pages_max} pages."
        )
    return PdfInfo(size=len(data), pages=pages, sha256=hashlib.sha256(data).hexdigest())


def _page_count(reader: PdfReader, pages_max: int) -> int | None:
    """The number of pages, or None for "more than pages_max", at a cost bounded by pages_max.

    len(reader.pages) walks the whole page tree: seconds of CPU for a file of 100,000 tiny
    pages. The root's /Pages /Count answers at once; a count in range is confirmed by walking
    the tree, but never past pages_max + 1 pages or a bounded number of nodes (a /Count can
    lie)."""
    root = reader.trailer["/Root"].get_object()["/Pages"].get_object()
    declared = int(root["/Count"])
    if declared > pages_max:
        return declared
    pages = 0
    budget = 4 * pages_max + 16  # page-tree nodes worth reading for a file this small
    stack = [root]
    while stack:
        node = stack.pop()
        budget -= 1
        if budget < 0:
            return None
        if "/Kids" in node:
            kids = node["/Kids"]
            if len(kids) > pages_max:
                return None
            stack.extend(kid.get_object() for kid in kids)
        else:
            pages += 1
            if pages > pages_max:
                return None
    return pages


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


class UploadRefused(Exception):
    """The server cannot keep another uploaded file right now; the message says so."""


def client_tag(client: str) -> str:
    """16 hex digits naming a client (its address, keyed with the secret so the names on disk
    reveal nothing), the first half of each stored name: a client's kept files are found by
    their names alone, without a table."""
    key = (current_app.secret_key or "").encode()
    return hmac.new(key, client.encode(), hashlib.sha256).hexdigest()[:16]


def write_atomically(path: Path, data: bytes) -> None:
    """Write an uploaded file so that it is either whole or absent: a temporary file in the
    same folder, synced, then renamed into place (every stored upload is written this way)."""
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".upload-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def keep_upload(data: bytes, info: PdfInfo, filename: str | None, client: str) -> KeptUpload:
    """Store a checked PDF under a generated name (temp file, then an atomic rename), first
    making room within the caps on kept-but-unsent files (see _make_room)."""
    directory = upload_dir()
    directory.mkdir(parents=True, exist_ok=True)
    tag = client_tag(client)
    _make_room(tag, len(data))
    stored_name = f"{tag}{secrets.token_hex(8)}.pdf"
    write_atomically(directory / stored_name, data)
    return KeptUpload(stored_name, display_filename(filename), info.size, info.pages, info.sha256)


@dataclass(frozen=True)
class _UnsentFile:
    path: Path
    size: int
    mtime: float


def _unsent_files() -> list[_UnsentFile]:
    """Stored PDFs no submission uses (kept for a form not sent yet), oldest first."""
    used = set(db.session.scalars(db.select(Submission.pdf_stored_name)))
    files = []
    for path in upload_dir().iterdir():
        if not _STORED_NAME.match(path.name) or path.name in used:
            continue
        try:
            stat = path.stat()
        except FileNotFoundError:
            # Deleted since iterdir() by a concurrent request (its _make_room, a discarded
            # or replaced PDF) or a purge: a real race, so the file is simply skipped.
            continue
        files.append(_UnsentFile(path, stat.st_size, stat.st_mtime))
    return sorted(files, key=lambda found: found.mtime)


def _make_room(tag: str, size: int) -> None:
    """Keep kept-but-unsent files within bounds before storing `size` more bytes: a client's
    own (count and bytes: its oldest are deleted first, so a form kept long ago loses its PDF
    before the one being filled in now; never one younger than UPLOAD_KEPT_MIN_AGE_SECONDS,
    which a request may still be saving), then everyone's together (the oldest are deleted if
    older than UPLOAD_KEPT_GRACE_SECONDS, so a file being submitted right now is never taken
    from under its request; if that is not enough, the upload is refused). Files a submission
    uses are never counted nor deleted."""
    config = current_app.config
    unsent = _unsent_files()
    moment = real_now().timestamp()
    # Only files past the in-flight age: a concurrent submit from the same client may be
    # committing the newest ones (deleting one would lose a submitted PDF).
    settled = moment - config["UPLOAD_KEPT_MIN_AGE_SECONDS"]
    own = [found for found in unsent if found.path.name.startswith(tag)]
    while own and (
        len(own) + 1 > config["UPLOAD_KEPT_PER_CLIENT"]
        or sum(found.size for found in own) + size > config["UPLOAD_KEPT_BYTES_PER_CLIENT"]
    ):
        oldest = own.pop(0)
        if oldest.mtime > settled:
            break
        oldest.path.unlink(missing_ok=True)
        unsent.remove(oldest)
    grace_cutoff = moment - config["UPLOAD_KEPT_GRACE_SECONDS"]
    total = sum(found.size for found in unsent)
    for found in list(unsent):
        if total + size <= config["UPLOAD_KEPT_TOTAL_BYTES"] or found.mtime > grace_cutoff:
            break
        found.path.unlink(missing_ok=True)
        total -= found.size
    if total + size > config["UPLOAD_KEPT_TOTAL_BYTES"]:
        current_app.logger.warning("upload refused: kept-but-unsent files at their bound")
        raise UploadRefused(
            "We cannot take another file at the moment (too many forms are being filled in "
            "at once). Please choose the PDF again in a few minutes."
        )


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
    # File times are real: the age of a leftover upload is a real-time timer.
    cutoff = (real_now() - older_than).timestamp()
    removed = 0
    for path in directory.iterdir():
        stale = path.is_file() and path.stat().st_mtime < cutoff
        ours = _STORED_NAME.match(path.name) or path.name.startswith(".upload-")
        if stale and ours and path.name not in used:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


class PdfMissing(LookupError):
    """The stored PDF of a submission is not on disk (logged; the pages answer 404)."""


@dataclass(frozen=True)
class PdfDownload:
    path: Path
    download_name: str
    mimetype: str = "application/pdf"


def pdf_download(submission: Submission) -> PdfDownload:
    """The submission's PDF, to download (for the private link and the organizers' area)."""
    path = upload_path(submission.pdf_stored_name)
    if not path.is_file():
        current_app.logger.error("the PDF of submission %s is missing: %s", submission.id, path)
        raise PdfMissing(submission.pdf_stored_name)
    return PdfDownload(path, f"{submission.reference}.pdf")


# --- Submitting ------------------------------------------------------------------------------


def private_link(token: str) -> str:
    """The private link as mailed: the configured public address, never the request's host."""
    return current_app.config["PUBLIC_BASE_URL"] + PRIVATE_LINK_PATH.format(token=token)


def find_submission_by_token(token: str, *, for_update: bool = False) -> Submission | None:
    """The submission a private link belongs to (its link, or the one mailed since and not
    used yet); looked up by the token's hash through unique indexes, so neither the answer nor
    its timing tells how close a guess was.

    `for_update` locks the row until the commit (SELECT ... FOR UPDATE; SQLite's BEGIN
    IMMEDIATE already serialises writers) and reads it afresh, so an edit or withdrawal
    checks the status and version an organizer's decision left, never a stale copy."""
    if not looks_like_token(token):
        return None
    wanted = hash_token(token)
    query = db.select(Submission).where(
        or_(Submission.token_hash == wanted, Submission.pending_token_hash == wanted)
    )
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(query)


def use_link(submission: Submission, token: str) -> bool:
    """Make a newly mailed link the submission's link once its owner uses it (earlier links
    stop working then, not before); True when that happened and the caller must commit."""
    wanted = hash_token(token)
    if submission.pending_token_hash != wanted:
        return False
    submission.token_hash, submission.pending_token_hash = wanted, None
    return True


def submission_for_nonce(nonce: str | None) -> Submission | None:
    if not nonce:
        return None
    return db.session.scalar(db.select(Submission).where(Submission.form_nonce == nonce))


def topic_titles(keys: list[str] | tuple[str, ...]) -> list[str]:
    """The titles of these topics, in the content file's order (unknown keys last, as keys)."""
    chosen = set(keys)
    titles = [topic.title for topic in current_workshop().topics if topic.key in chosen]
    known = {topic.key for topic in current_workshop().topics}
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


def submit_form(post: SubmissionPost, client: str) -> Submission:
    """Turn a posted new-submission form into a submission (see submit_abstract). Raises
    LooksAutomated for a filled-in honeypot; AlreadySubmitted when this form (its nonce) was
    sent before, checked ahead of the form's errors: a double click's second post finds its kept
    PDF taken by the first; EntryInvalid when the form has errors; TooManyMails."""
    if post.spam:
        current_app.logger.info("submission refused: honeypot filled from %s", client)
        raise LooksAutomated()
    duplicate = submission_for_nonce(post.nonce)
    if duplicate is not None:
        raise AlreadySubmitted(duplicate)
    if post.entry is None or post.upload is None or not post.nonce:
        raise EntryInvalid()
    return submit_abstract(post.entry, post.upload, post.nonce, client)


def submit_abstract(
    entry: SubmissionEntry, upload: KeptUpload, nonce: str, client: str
) -> Submission:
    """Create a submission from a checked form and its stored PDF, and queue the mails to its
    authors. Raises AlreadySubmitted when this form (its nonce) was already sent, TooManyMails
    when `client` may not have that many mails sent to addresses it typed."""
    duplicate = submission_for_nonce(nonce)
    if duplicate is not None:
        raise AlreadySubmitted(duplicate)
    spend_visitor_mails(client, len(entry.authors))
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
        link_mailed_to=normalize_email(entry.authors[entry.contact_index].email),
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
            kind=SubmissionEventKind.SUBMITTED,
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
        submission_id=submission.id,
    )


def _coauthors_notified(submission: Submission, *templates: str) -> set[str]:
    """The addresses this submission's notices (`templates`) were ever queued for (the outbox
    keeps every mail, sent or not; queued ones of this transaction are flushed first)."""
    recipients = db.session.scalars(
        db.select(OutboxMail.recipients)
        .where(OutboxMail.submission_id == submission.id)
        .where(OutboxMail.template.in_(templates))
    )
    return {normalize_email(line) for text in recipients for line in text.splitlines() if line}


def _mail_coauthor(submission: Submission, author: SubmissionAuthor) -> None:
    """Tell a co-author they were listed (edits that swap co-authors send no more)."""
    _mail_notice(
        submission,
        author,
        COAUTHOR_TEMPLATE,
        f"You are an author of submission {submission.reference}",
    )


def _mail_notice(
    submission: Submission, author: SubmissionAuthor, template: str, subject: str
) -> None:
    """Queue a fixed-text notice to an address an author typed in (the only free text it
    quotes is the title, with links defanged): once per address and template per
    submission, ever, and within the notices' cap of MAX_AUTHORS per submission."""
    notified = _coauthors_notified(submission, template)
    if author.email_normalized in notified or _notices_used_up(submission):
        return
    queue_mail(
        to=author.email,
        template=template,
        subject=subject,
        context={"submission": submission},
        submission_id=submission.id,
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


def save_edit(submission: Submission, post: SubmissionPost, token: str, client: str) -> EditResult:
    """Apply a posted edit form (see edit_submission). Raises EntryInvalid when the form has
    errors, EditConflict when it was shown at an older version (an edit from an outdated page
    is shown again for review instead of silently undoing the changes made since), and
    TooManyMails."""
    if post.entry is None:
        raise EntryInvalid()
    if post.version != submission.version:
        raise EditConflict(submission.version)
    return edit_submission(submission, post.entry, post.upload, token, client)


def edit_submission(
    submission: Submission,
    entry: SubmissionEntry,
    upload: KeptUpload | None,
    token: str,
    client: str,
) -> EditResult:
    """Apply an author's edit, record what changed and mail it to the contact author (and to
    the previous one, if the contact changed); authors the edit added get the co-author mail.
    No change, no mail. Raises TooManyMails (changing nothing) when `client` may not have
    mail sent to that many new addresses."""
    previous_emails = {author.email_normalized for author in submission.authors}
    new_emails = {normalize_email(author.email) for author in entry.authors} - previous_emails
    spend_visitor_mails(client, len(new_emails))
    before = _snapshot(submission)
    # Taken now: the edit may rename or remove the former contact author.
    previous_contact = (submission.contact.email, submission.contact.name)

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
            SubmissionEvent(
                at=moment, kind=SubmissionEventKind.EDITED, details=_edit_details(field_changes)
            )
        )
    if pdf_before != after_pdf:
        submission.events.append(
            SubmissionEvent(
                at=moment,
                kind=SubmissionEventKind.PDF_REPLACED,
                details=f"{pdf_before} → {after_pdf}, sha256 {submission.pdf_sha256}",
            )
        )

    _mail_changes(submission, token, changes, previous_contact)
    for author in submission.authors:
        if author.is_contact and author.email_normalized != submission.link_mailed_to:
            _mail_new_contact(submission, author)
        elif not author.is_contact and author.email_normalized not in previous_emails:
            _mail_coauthor(submission, author)
    return EditResult(changes, unused_file)


def _mail_changes(
    submission: Submission, token: str, changes: list[Change], previous_contact: tuple[str, str]
) -> None:
    """Mail what changed to the owner of the private link: the address it was last mailed to
    (the contact author at submission, or whoever asked for it since as the contact). Only
    they get the edit's text; an address the edit typed in gets a fixed notice instead."""
    owner = submission.link_mailed_to
    if owner is None:
        return
    names = {author.email_normalized: author.name for author in submission.authors}
    former_address, former_name = previous_contact
    names.setdefault(normalize_email(former_address), former_name)
    queue_mail(
        to=next((a.email for a in submission.authors if a.email_normalized == owner), owner),
        template="submission_edited",
        subject=f"Submission {submission.reference} changed",
        # The mail greets its own recipient (also when the edit made someone else contact).
        context={
            **_mail_context(submission, token),
            "changes": changes,
            "greet": names.get(owner, "author"),
        },
        submission_id=submission.id,
    )


def _notices_used_up(submission: Submission) -> bool:
    # Co-author and new-contact notices share one cap: the author limit, for all time.
    return len(_coauthors_notified(submission, COAUTHOR_TEMPLATE, NEW_CONTACT_TEMPLATE)) >= (
        MAX_AUTHORS
    )


def _mail_new_contact(submission: Submission, author: SubmissionAuthor) -> None:
    """Tell an address an edit made the contact author. The private link is not in it: they
    ask for it with "lost your link" (and own it from then on)."""
    _mail_notice(
        submission,
        author,
        NEW_CONTACT_TEMPLATE,
        f"You are now the contact author of submission {submission.reference}",
    )


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
        SubmissionEvent(
            at=moment,
            kind=SubmissionEventKind.WITHDRAWN,
            details="Withdrawn through the private link",
        )
    )
    queue_mail(
        to=submission.contact.email,
        template="submission_withdrawn",
        subject=f"Submission {submission.reference} withdrawn",
        context=_mail_context(submission, token),
        submission_id=submission.id,
    )


# --- Lost links ------------------------------------------------------------------------------


def send_lost_links(email: str) -> int:
    """Mail fresh private links for every submission whose contact author has this address;
    return how many. Only hashes are stored, so each gets a new token; the current link keeps
    working until the new one is used (see use_link), so asking for someone else's links
    changes nothing for them. The caller commits."""
    submissions = db.session.scalars(
        db.select(Submission)
        .join(SubmissionAuthor)
        .where(SubmissionAuthor.is_contact.is_(True))
        .where(SubmissionAuthor.email_normalized == normalize_email(email))
        .order_by(Submission.number)
    ).all()
    if not submissions:
        return 0
    moment = now()
    links = []
    for submission in submissions:
        token, submission.pending_token_hash = new_token()
        submission.link_mailed_to = normalize_email(email)
        submission.events.append(
            SubmissionEvent(
                at=moment,
                kind=SubmissionEventKind.LINK_REISSUED,
                details=f"A new private link was mailed to {submission.contact.email}; "
                "the earlier link works until the new one is used",
            )
        )
        links.append((submission, private_link(token)))
    queue_mail(
        to=submissions[0].contact.email,
        template="submission_links",
        subject="Your private submission link" + ("s" if len(links) > 1 else ""),
        context={"links": links},
        submission_id=submissions[0].id,
    )
    return len(submissions)
