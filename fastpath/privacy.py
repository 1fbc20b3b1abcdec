"""Privacy: everything stored about one person (export), erasing it on request, and
anonymising attendee data a while after the workshop (retention).

Erasure and retention keep rows and replace what identifies a person, so counts, the waiting
list's order, submission numbers and the audit trail still add up afterwards:

- a registration keeps its status, position, arrival and dates; name, addresses, affiliation
  and needs become placeholders or empty, its private link stops working. An active one is
  first cancelled through the registration service while changes are still allowed (before
  the workshop starts), so the waiting list moves up and its mails go out as usual;
- an author row becomes a placeholder; the submission stays as the record of the program
  (the contact author's private link stops working; the PDF of a single-author submission is
  deleted, see `_erase_author`);
- mails to the person: sent ones keep their row (date, status, subject) without recipient or
  body, unsent ones are deleted; their attachments go;
- audit events keep their rows; the address and name are scrubbed from them;
- finally every text column of every table is swept for the address and the name, so copies
  in mail bodies, histories and the audit log go too.

`flask --app app privacy export|erase|retention`; see README, "Privacy".
"""

from __future__ import annotations

import json
import math
import re
import secrets
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from markupsafe import escape
from sqlalchemy import Enum, String, and_, select, update

from .cfp.models import Submission, SubmissionAuthor, SubmissionEvent
from .cfp.services import topic_titles, upload_path
from .content import current_workshop
from .core.clock import as_utc, now
from .core.emails import normalize_email
from .core.extensions import db
from .core.tokens import new_token
from .mail.models import OutboxMail, OutboxStatus
from .organizer.models import AuditEvent, Organizer
from .organizer.services import record
from .registration import services as registration_services
from .registration.models import Registration, RegistrationEvent

ERASED = "[erased]"  # what an address or a name inside free text becomes
# Placeholder addresses end in a reserved top-level domain (RFC 2606): nothing is ever
# delivered there, and a placeholder never collides with a real address.
ERASED_DOMAIN = "erased.invalid"
ERASED_BODY = "(The text of this mail was erased at the recipient's request.)"
EXPIRED_BODY = "(The text of this mail was erased under the attendee data retention rule.)"
# Names shorter than this are replaced in their own fields but not searched for in free text,
# where they would also match ordinary words ("Li", "Al").
MIN_SWEPT_NAME = 4

_ANY_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")


def normalize_address(address: str) -> str:
    """The form used to recognise the same person: the site's one email normaliser."""
    return normalize_email(address)


def placeholder(kind: str, row_id: int) -> str:
    """'erased-registration-12': what a name becomes."""
    return f"erased-{kind}-{row_id}"


def placeholder_address(kind: str, row_id: int) -> str:
    """'erased-registration-12@erased.invalid': what an address becomes."""
    return f"{placeholder(kind, row_id)}@{ERASED_DOMAIN}"


def is_erased_address(address: str) -> bool:
    """Whether an address is one of our placeholders (mail to it would go nowhere)."""
    return normalize_email(address).endswith("@" + ERASED_DOMAIN)


def _iso(moment: datetime | None) -> str | None:
    return as_utc(moment).isoformat() if moment is not None else None


# --- Finding a person ------------------------------------------------------------------------


@dataclass
class Person:
    """Everything stored about one address."""

    address: str  # normalized
    registrations: list[Registration]
    authors: list[SubmissionAuthor]
    mails: list[OutboxMail]
    organizer: Organizer | None
    audit_events: list[AuditEvent]

    @property
    def spellings(self) -> set[str]:
        """The address as typed in each place (for searching free text)."""
        found = {self.address}
        found.update(r.email.strip() for r in self.registrations)
        found.update(a.email.strip() for a in self.authors)
        if self.organizer is not None:
            found.add(self.organizer.email)
        return {spelling for spelling in found if spelling}

    @property
    def names(self) -> set[str]:
        found = {r.name.strip() for r in self.registrations}
        found.update(a.name.strip() for a in self.authors)
        return {name for name in found if name}

    def counts(self) -> str:
        organizer = "an organizer account" if self.organizer else "no organizer account"
        return (
            f"{len(self.registrations)} registration(s), {len(self.authors)} author row(s), "
            f"{len(self.mails)} mail(s), {organizer}, {len(self.audit_events)} audit event(s)"
        )


def _mentions(pattern: re.Pattern[str], *texts: str | None) -> bool:
    return any(text and pattern.search(text) for text in texts)


def _mails_to(address: str) -> list[OutboxMail]:
    # Compared in Python, line by line: SQLite's lower() only folds ASCII letters.
    ids = [
        mail_id
        for mail_id, recipients in db.session.execute(select(OutboxMail.id, OutboxMail.recipients))
        if any(normalize_address(line) == address for line in recipients.splitlines())
    ]
    return _load(OutboxMail, ids)


def _load(model: Any, ids: list[int]) -> list[Any]:
    if not ids:
        return []
    return list(db.session.scalars(select(model).where(model.id.in_(ids)).order_by(model.id)))


def find_person(email: str) -> Person:
    """Everything stored about this address (any case, surrounding spaces ignored)."""
    address = normalize_address(email)
    registrations = list(
        db.session.scalars(
            select(Registration)
            .where(Registration.email_normalized == address)
            .order_by(Registration.id)
        )
    )
    author_ids = [
        author_id
        for author_id, typed in db.session.execute(
            select(SubmissionAuthor.id, SubmissionAuthor.email)
        )
        if normalize_address(typed) == address
    ]
    organizer_ids = [
        organizer_id
        for organizer_id, typed in db.session.execute(select(Organizer.id, Organizer.email))
        if normalize_address(typed) == address
    ]
    organizers = _load(Organizer, organizer_ids)  # at most one: the address is unique
    person = Person(
        address=address,
        registrations=registrations,
        authors=_load(SubmissionAuthor, author_ids),
        mails=_mails_to(address),
        organizer=organizers[0] if organizers else None,
        audit_events=[],
    )
    person.audit_events = _audit_events_about(person)
    return person


def _audit_events_about(person: Person) -> list[AuditEvent]:
    """Audit events that name the address, were done by the person's organizer account, or
    are about their registrations, submissions, mails or account."""
    pattern = _address_pattern(person.spellings)
    targets = {f"registration:{r.id}" for r in person.registrations}
    targets.update(f"submission:{a.submission_id}" for a in person.authors)
    targets.update(f"mail:{m.id}" for m in person.mails)
    organizer_id = person.organizer.id if person.organizer else None
    if organizer_id is not None:
        targets.add(f"organizer:{organizer_id}")
    ids = [
        row.id
        for row in db.session.execute(
            select(
                AuditEvent.id,
                AuditEvent.organizer_id,
                AuditEvent.actor,
                AuditEvent.target,
                AuditEvent.details,
            )
        )
        if (organizer_id is not None and row.organizer_id == organizer_id)
        or row.target in targets
        or _mentions(pattern, row.actor, row.target, row.details)
    ]
    return _load(AuditEvent, ids)


# --- Export ----------------------------------------------------------------------------------


def _other_addresses_hidden(text: str | None, address: str) -> str | None:
    """The text with every address but the person's own replaced (others' data stays out)."""
    if text is None:
        return None
    return _ANY_ADDRESS.sub(
        lambda m: m.group(0) if normalize_address(m.group(0)) == address else "[another address]",
        text,
    )


def _registration_data(registration: Registration) -> dict[str, Any]:
    return {
        "id": registration.id,
        "name": registration.name,
        "email": registration.email,
        "affiliation": registration.affiliation,
        "position": registration.position,
        "position_label": registration_services.position_label(registration.position),
        "dietary": registration.dietary,
        "accessibility": registration.accessibility,
        "public_listing": registration.public_listing,
        "consent": registration.consent,
        "status": registration.status.value,
        "waiting_position": registration_services.waiting_position(registration),
        "arrival": registration.arrival,
        "created_at": _iso(registration.created_at),
        "updated_at": _iso(registration.updated_at),
        "promoted_at": _iso(registration.promoted_at),
        "cancelled_at": _iso(registration.cancelled_at),
        "history": [
            {"at": _iso(event.at), "kind": event.kind, "details": event.details}
            for event in registration.events
        ],
    }


def _author_data(author: SubmissionAuthor) -> dict[str, Any]:
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
            "decided_at": _iso(submission.decided_at) if submission.decision_notified_at else None,
            "consented_at": _iso(submission.consented_at),
            "created_at": _iso(submission.created_at),
            "updated_at": _iso(submission.updated_at),
            "withdrawn_at": _iso(submission.withdrawn_at),
            "authors": len(submission.authors),
            "pdf": {
                "filename": submission.pdf_filename,
                "size": submission.pdf_size,
                "pages": submission.pdf_pages,
                "sha256": submission.pdf_sha256,
            },
            # Kinds and times only: the details list the other authors by name and address.
            "history": [{"at": _iso(event.at), "kind": event.kind} for event in submission.events],
        }
    return data


def _mail_data(mail: OutboxMail) -> dict[str, Any]:
    return {
        "id": mail.id,
        "subject": mail.subject,
        "status": mail.status.value,
        "created_at": _iso(mail.created_at),
        "sent_at": _iso(mail.sent_at),
        "attempts": mail.attempts,
        "body_text": mail.body_text,
        "attachments": [attachment.filename for attachment in mail.attachments],
    }


def _organizer_data(organizer: Organizer) -> dict[str, Any]:
    return {
        "email": organizer.email,
        "created_at": _iso(organizer.created_at),
        "password_changed_at": _iso(organizer.password_changed_at),
        "last_sign_in_at": _iso(organizer.last_sign_in_at),
        "sessions": [
            {
                "created_at": _iso(row.created_at),
                "expires_at": _iso(row.expires_at),
                "ended_at": _iso(row.ended_at),
            }
            for row in sorted(organizer.sessions, key=lambda row: row.id)
        ],
    }


def _audit_data(event: AuditEvent, address: str) -> dict[str, Any]:
    return {
        "at": _iso(event.at),
        "action": event.action,
        "actor": _other_addresses_hidden(event.actor, address),
        "target": _other_addresses_hidden(event.target, address),
        "details": _other_addresses_hidden(event.details, address),
    }


def export_person(person: Person) -> dict[str, Any]:
    """What is stored about the person, as JSON-ready data (nothing about anyone else,
    except inside the mails they were sent)."""
    return {
        "email": person.address,
        "exported_at": now().isoformat(),
        "registrations": [_registration_data(r) for r in person.registrations],
        "submissions": [_author_data(a) for a in person.authors],
        "mails": [_mail_data(m) for m in person.mails],
        "organizer": _organizer_data(person.organizer) if person.organizer else None,
        "audit_events": [_audit_data(e, person.address) for e in person.audit_events],
    }


# --- Scrubbing free text ---------------------------------------------------------------------


def _variants(values: Iterable[str]) -> list[str]:
    # Mail bodies come in HTML too, where Jinja escaped the value (O'Brien is O&#39;Brien).
    found = {variant for value in values for variant in (value, str(escape(value)))}
    return sorted(found, key=len, reverse=True)  # the longest first wins the alternation


def _address_pattern(spellings: Iterable[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(v) for v in _variants(spellings))
    # Not part of a longer address: ada@x.org must not match inside xada@x.org or ada@x.org.uk.
    return re.compile(rf"(?<![\w.%+-])(?:{alternatives})(?![\w-]|\.\w)", re.IGNORECASE)


def _name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    swept = [name for name in names if len(name) >= MIN_SWEPT_NAME]
    if not swept:
        return None
    # Any run of white space between the words (a wrapped line in a mail).
    alternatives = "|".join(re.escape(v).replace(r"\ ", r"\s+") for v in _variants(swept))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


class Scrubber:
    """Replaces a person's address and name in free text with ERASED."""

    def __init__(self, spellings: Iterable[str], names: Iterable[str]) -> None:
        self.address = _address_pattern(spellings)
        self.name = _name_pattern(names)

    def __call__(self, text: str | None, *, names: bool = True) -> str | None:
        if not text:
            return text
        text = self.address.sub(ERASED, text)
        if names and self.name is not None:
            text = self.name.sub(ERASED, text)
        return text


# Each of these holds one person's name. The person's own rows were anonymised before the
# sweep, so a match here is a namesake, who keeps their name.
NAME_COLUMNS = {("registration", "name"), ("submission_author", "name")}


def _text_columns(table: Any) -> list[Any]:
    return [
        column
        for column in table.columns
        if isinstance(column.type, String) and not isinstance(column.type, Enum)
    ]


def sweep(scrub: Scrubber) -> dict[str, list[tuple[Any, ...]]]:
    """Scrub every text column of every table; return the primary keys of changed rows by
    table. Runs on flushed data (Core updates); the caller expires the session afterwards."""
    changed: dict[str, list[tuple[Any, ...]]] = {}
    for table in db.metadata.sorted_tables:
        columns = _text_columns(table)
        keys = list(table.primary_key.columns)
        if not columns or not keys:
            continue
        updates = []
        for row in db.session.execute(select(*keys, *columns)):
            values = {}
            for column in columns:
                before = row._mapping[column]
                after = scrub(before, names=(table.name, column.name) not in NAME_COLUMNS)
                if after != before:
                    values[column.name] = after
            if values:
                updates.append((tuple(row._mapping[key] for key in keys), values))
        for key, values in updates:
            condition = and_(*(column == value for column, value in zip(keys, key, strict=True)))
            db.session.execute(update(table).where(condition).values(**values))
        if updates:
            changed[table.name] = [key for key, _ in updates]
    return changed


# --- Anonymising rows ------------------------------------------------------------------------


def _anonymise_registration(registration: Registration, kind: str, details: str) -> None:
    registration.name = placeholder("registration", registration.id)
    registration.email = registration.email_normalized = placeholder_address(
        "registration", registration.id
    )
    registration.active_email = None
    registration.affiliation = ""
    registration.dietary = ""
    registration.accessibility = ""
    registration.public_listing = False
    # Nobody knows the token of this hash: the private link stops working.
    registration.token_hash = new_token()[1]
    registration.pending_token_hash = None
    registration.form_nonce = None
    moment = now()
    registration.updated_at = moment
    registration.events.append(RegistrationEvent(at=moment, kind=kind, details=details))


def _anonymise_mail(mail: OutboxMail, body: str) -> bool:
    """Keep a sent mail's row without recipient, text or attachments; delete one not sent
    yet (it must not go out to a placeholder). True if the row was kept."""
    if mail.status != OutboxStatus.SENT:
        db.session.delete(mail)
        return False
    mail.recipients = placeholder_address("mail", mail.id)
    mail.body_text = body
    mail.body_html = None
    mail.last_error = None
    mail.attachments.clear()
    return True


@dataclass
class ErasureReport:
    registrations: int = 0
    cancelled: int = 0
    promoted: int = 0
    authors: int = 0
    contact_of: int = 0
    pdfs_deleted: int = 0
    mails_kept: int = 0
    mails_deleted: int = 0
    organizer_deleted: bool = False
    swept: dict[str, int] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)  # to delete once the commit succeeded

    def summary(self) -> str:
        swept = ", ".join(f"{table} {count}" for table, count in sorted(self.swept.items()))
        return (
            f"{self.registrations} registration(s) anonymised ({self.cancelled} cancelled first, "
            f"{self.promoted} promoted from the waiting list); {self.authors} author row(s) "
            f"anonymised (contact author of {self.contact_of}; {self.pdfs_deleted} PDF(s) "
            f"deleted); mails: {self.mails_kept} kept without recipient and text, "
            f"{self.mails_deleted} unsent deleted; organizer account "
            f"{'deleted' if self.organizer_deleted else 'none'}; rows scrubbed of the address "
            f"or name: {swept or 'none'}"
        )


def _spool_copies(mail_ids: Iterable[int]) -> list[Path]:
    """The .eml copies `flask mail deliver` wrote when no mail server is configured."""
    spool = Path(current_app.config["MAIL_SPOOL_DIR"])
    if not spool.is_dir():
        return []
    return [path for mail_id in mail_ids for path in spool.glob(f"*-{mail_id:06d}.eml")]


def _erase_author(author: SubmissionAuthor, moment: datetime, report: ErasureReport) -> None:
    submission: Submission = author.submission
    details = f"The details of author {author.position} were erased at their request"
    if author.is_contact:
        # The private link was theirs: it stops working. Organizers can still decide.
        submission.token_hash = new_token()[1]
        submission.pending_token_hash = None
        report.contact_of += 1
    if len(submission.authors) == 1:
        # The PDF names its only author. The columns are NOT NULL, so the stored name points
        # at a fresh name with no file behind it (a download answers 404).
        report.files.append(upload_path(submission.pdf_stored_name))
        submission.pdf_stored_name = f"{secrets.token_hex(16)}.pdf"
        submission.pdf_filename = "erased.pdf"
        report.pdfs_deleted += 1
        details += "; the PDF was deleted"
    author.name = placeholder("author", author.id)
    author.email = placeholder_address("author", author.id)
    author.affiliation = ""
    submission.updated_at = moment
    submission.events.append(SubmissionEvent(at=moment, kind="author_erased", details=details))
    report.authors += 1


def erase_person(person: Person) -> ErasureReport:
    """Erase or anonymise everything stored about the person; the caller commits, then
    deletes `report.files`."""
    report = ErasureReport()
    scrub = Scrubber(person.spellings, person.names)  # before the names are replaced
    moment = now()

    for registration in person.registrations:
        # Before the workshop: a normal cancellation, so the next person gets the place.
        # From its start on, the status is the record of who held a place and stays.
        if registration.is_active and registration_services.changes_allowed(moment):
            result = registration_services.cancel(registration)
            if result is not None:
                report.cancelled += 1
                report.promoted += len(result.promoted)
        _anonymise_registration(registration, "erased", "personal details erased on request")
        report.registrations += 1

    for author in person.authors:
        _erase_author(author, moment, report)

    # Looked up again: the cancellation above queued one more mail to the person.
    mail_ids = []
    for mail in _mails_to(person.address):
        mail_ids.append(mail.id)
        others = [r for r in mail.recipient_list if normalize_address(r) != person.address]
        if others:
            mail.recipients = "\n".join(others)  # the sweep scrubs the text
        elif _anonymise_mail(mail, ERASED_BODY):
            report.mails_kept += 1
        else:
            report.mails_deleted += 1

    organizer = person.organizer
    if organizer is not None:
        # The audit rows stay; they say which (erased) account acted.
        db.session.execute(
            update(AuditEvent)
            .where(AuditEvent.organizer_id == organizer.id)
            .values(actor=f"erased organizer #{organizer.id}", organizer_id=None)
        )
        db.session.delete(organizer)
        report.organizer_deleted = True

    db.session.flush()
    changed = sweep(scrub)
    db.session.expire_all()
    report.swept = {table: len(keys) for table, keys in changed.items()}
    mail_ids.extend(key[0] for key in changed.get("outbox_mail", []))
    report.files.extend(_spool_copies(mail_ids))

    # The trail of the erasure itself names nobody: only what was done.
    record("privacy.erase", details=report.summary())
    return report


def delete_files(paths: Iterable[Path]) -> None:
    """Remove files once the commit that stopped referring to them succeeded."""
    for path in paths:
        path.unlink(missing_ok=True)


# --- Retention -------------------------------------------------------------------------------


def retention_cutoff(days: int) -> datetime:
    """When attendee data is due to be anonymised: `days` after the workshop ended."""
    return current_workshop().ends.astimezone(UTC) + timedelta(days=days)


@dataclass
class RetentionReport:
    registrations: int = 0
    mails_kept: int = 0
    mails_deleted: int = 0
    audit_events: int = 0
    files: list[Path] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.registrations or self.mails_kept or self.mails_deleted)

    def summary(self) -> str:
        return (
            f"{self.registrations} registration(s) anonymised; mails about them: "
            f"{self.mails_kept} kept without recipient and text, {self.mails_deleted} unsent "
            f"deleted; {self.audit_events} audit event(s) scrubbed"
        )


def apply_retention(days: int) -> RetentionReport:
    """Anonymise every registration not anonymised yet, with the mails about it and the audit
    events naming it; statuses and rows stay. The caller commits, then deletes the files."""
    report = RetentionReport()
    pending = [
        registration
        for registration in db.session.scalars(select(Registration).order_by(Registration.id))
        if not is_erased_address(registration.email)
    ]
    if not pending:
        return report
    scrubbers = {
        f"registration:{r.id}": Scrubber([r.email, r.email_normalized], [r.name]) for r in pending
    }
    mails = [
        mail
        for mail in db.session.scalars(
            select(OutboxMail).where(OutboxMail.subject_ref.like("registration:%"))
        )
        if mail.subject_ref in scrubbers and not is_erased_address(mail.recipients)
    ]
    for mail in mails:
        scrubbers[f"mail:{mail.id}"] = scrubbers[mail.subject_ref]
    for event in db.session.scalars(
        select(AuditEvent).where(AuditEvent.target.in_(list(scrubbers)))
    ):
        scrub = scrubbers[event.target]
        details, actor = scrub(event.details), scrub(event.actor)
        if (details, actor) != (event.details, event.actor):
            event.details, event.actor = details, actor
            report.audit_events += 1

    detail = f"details anonymised {days} days after the workshop"
    for registration in pending:
        _anonymise_registration(registration, "anonymised", detail)
        report.registrations += 1
    spooled = []
    for mail in mails:
        spooled.append(mail.id)
        if _anonymise_mail(mail, EXPIRED_BODY):
            report.mails_kept += 1
        else:
            report.mails_deleted += 1
    report.files = _spool_copies(spooled)
    record("privacy.retention", details=report.summary())
    return report


# --- Commands --------------------------------------------------------------------------------

privacy_cli = AppGroup("privacy", help="What is stored about a person: export, erase, retention.")


def _address_argument(email: str) -> str:
    if "@" not in email:
        raise click.BadParameter(f"not a mail address: {email!r}", param_hint="EMAIL")
    return email


@privacy_cli.command("export")
@click.argument("email")
def export_command(email: str) -> None:
    """Print everything stored about EMAIL as JSON (UTF-8)."""
    person = find_person(_address_argument(email))
    data = export_person(person)
    record("privacy.export", details=person.counts())
    db.session.commit()
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    sys.stdout.buffer.write(text.encode("utf-8"))  # UTF-8 whatever the terminal's locale
    sys.stdout.flush()


@privacy_cli.command("erase")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask before erasing.")
def erase_command(email: str, yes: bool) -> None:
    """Erase or anonymise everything stored about EMAIL (rows and counts stay)."""
    person = find_person(_address_argument(email))
    if not yes:
        click.echo(f"Stored about {person.address}: {person.counts()}.")
        if person.organizer is not None:
            click.echo("Their organizer account will be deleted.")
        click.confirm("Erase it? This cannot be undone", abort=True)
    report = erase_person(person)
    db.session.commit()
    delete_files(report.files)
    click.echo(f"Erased {person.address}: {report.summary()}.")
    if report.promoted:
        click.echo("The mails to the people promoted from the waiting list are in the outbox.")


@privacy_cli.command("retention")
@click.option(
    "--days",
    type=click.IntRange(min=0),
    default=None,
    help="Days after the workshop (default: RETENTION_DAYS_AFTER_WORKSHOP).",
)
@click.option("--dry-run", is_flag=True, help="Say what would be anonymised; change nothing.")
def retention_command(days: int | None, dry_run: bool) -> None:
    """Anonymise attendee data once the retention time after the workshop has passed."""
    if days is None:
        days = int(current_app.config["RETENTION_DAYS_AFTER_WORKSHOP"])
    cutoff = retention_cutoff(days)
    moment = now()
    if moment < cutoff:
        remaining = math.ceil((cutoff - moment) / timedelta(days=1))
        click.echo(
            f"Attendee data is kept until {cutoff.isoformat()} ({days} days after the "
            f"workshop): {remaining} day(s) remain. Nothing done."
        )
        return
    report = apply_retention(days)
    if not report.changed:
        db.session.rollback()
        click.echo("Nothing left to anonymise.")
        return
    if dry_run:
        db.session.rollback()
        click.echo(f"Would be done (dry run, nothing changed): {report.summary()}.")
        return
    db.session.commit()
    delete_files(report.files)
    click.echo(f"Done: {report.summary()}.")


def init_app(app: Flask) -> None:
    app.cli.add_command(privacy_cli)
