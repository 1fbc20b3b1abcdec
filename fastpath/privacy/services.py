"""Privacy, orchestrated: everything stored about one person (export), erasing it on request,
and anonymising attendee data a while after the workshop (retention).

Each feature says what it does with its own rows in its own `privacy.py` (find, export,
erase, expire); this module only runs them in order and adds what no feature owns:

- audit events keep their rows; the address and name are scrubbed from them;
- finally every text column of every table is swept for the address and the name, so copies
  in mail bodies, histories and the audit log go too.

The erasure itself is recorded, naming nobody: only what was done.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Enum, String, and_, select, update

from ..cfp import privacy as cfp_privacy
from ..cfp.models import SubmissionAuthor
from ..clock import now
from ..content import current_workshop
from ..core.audit import AuditAction, AuditEvent, record
from ..core.emails import normalize_email
from ..core.erasure import Scrubber, address_pattern, iso, other_addresses_hidden, rows_by_id
from ..core.extensions import db
from ..mail import privacy as mail_privacy
from ..mail.models import OutboxMail
from ..materials import privacy as materials_privacy
from ..organizer import privacy as organizer_privacy
from ..organizer.models import Organizer
from ..registration import privacy as registration_privacy
from ..registration.models import Registration

# Columns that each hold one person's name. The person's own rows were anonymised before the
# sweep, so a match there is a namesake, who keeps their name.
NAME_COLUMNS = cfp_privacy.NAME_COLUMNS | registration_privacy.NAME_COLUMNS


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


def find_person(email: str) -> Person:
    """Everything stored about this address (any case, surrounding spaces ignored)."""
    address = normalize_email(email)
    person = Person(
        address=address,
        registrations=registration_privacy.find(address),
        authors=cfp_privacy.find(address),
        mails=mail_privacy.find(address),
        organizer=organizer_privacy.find(address),
        audit_events=[],
    )
    person.audit_events = _audit_events_about(person)
    return person


# --- The audit log's part (the log is in the core; no feature owns it) --------------------


def _mentions(pattern: re.Pattern[str], *texts: str | None) -> bool:
    return any(text and pattern.search(text) for text in texts)


def _audit_events_about(person: Person) -> list[AuditEvent]:
    """Audit events that name the address, were done by the person's organizer account, or
    are about their registrations, submissions, mails or account."""
    pattern = address_pattern(person.spellings)
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
    return rows_by_id(AuditEvent, ids)


def _audit_data(event: AuditEvent, address: str) -> dict[str, Any]:
    return {
        "at": iso(event.at),
        "action": event.action,
        "actor": other_addresses_hidden(event.actor, address),
        "target": other_addresses_hidden(event.target, address),
        "details": other_addresses_hidden(event.details, address),
    }


def _scrub_audit_targets(scrubbers: dict[str, Scrubber]) -> int:
    """Scrub the actor and details of the audit events about these targets
    ("registration:7", "mail:31"), each with its own scrubber; return how many changed."""
    changed = 0
    for event in db.session.scalars(
        select(AuditEvent).where(AuditEvent.target.in_(list(scrubbers)))
    ):
        scrub = scrubbers[event.target]
        details, actor = scrub(event.details), scrub(event.actor)
        if (details, actor) != (event.details, event.actor):
            event.details, event.actor = details, actor
            changed += 1
    return changed


# --- Export ----------------------------------------------------------------------------------


def export_person(person: Person) -> dict[str, Any]:
    """What is stored about the person, as JSON-ready data (nothing about anyone else,
    except inside the mails they were sent)."""
    return {
        "email": person.address,
        "exported_at": now().isoformat(),
        "registrations": [registration_privacy.export(r) for r in person.registrations],
        "submissions": [cfp_privacy.export(a) for a in person.authors],
        "materials": materials_privacy.export(person.authors),
        "mails": [mail_privacy.export(m) for m in person.mails],
        "organizer": organizer_privacy.export(person.organizer) if person.organizer else None,
        "audit_events": [_audit_data(e, person.address) for e in person.audit_events],
    }


def record_export(person: Person) -> None:
    """The audit trail of an export: counts only."""
    record(AuditAction.PRIVACY_EXPORT, details=person.counts())


# --- Sweeping free text ----------------------------------------------------------------------


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


# --- Erasure ---------------------------------------------------------------------------------


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


def erase_person(person: Person) -> ErasureReport:
    """Erase or anonymise everything stored about the person; the caller commits, then
    deletes `report.files`."""
    report = ErasureReport()
    scrub = Scrubber(person.spellings, person.names)  # before the names are replaced
    moment = now()

    registrations = registration_privacy.erase(person.registrations, moment)
    report.registrations = registrations.registrations
    report.cancelled, report.promoted = registrations.cancelled, registrations.promoted

    report.files.extend(materials_privacy.erase(person.authors, moment).files)
    authors = cfp_privacy.erase(person.authors, moment)
    report.authors, report.contact_of = authors.authors, authors.contact_of
    report.pdfs_deleted = authors.pdfs_deleted
    report.files.extend(authors.files)

    # Looked up again: the cancellation above queued one more mail to the person.
    mails = mail_privacy.erase(person.address)
    report.mails_kept, report.mails_deleted = mails.kept, mails.deleted

    if person.organizer is not None:
        organizer_privacy.erase(person.organizer)
        report.organizer_deleted = True

    db.session.flush()
    changed = sweep(scrub)
    db.session.expire_all()
    report.swept = {table: len(keys) for table, keys in changed.items()}
    swept_mails = [key[0] for key in changed.get(OutboxMail.__tablename__, [])]
    report.files.extend(mail_privacy.spool_copies([*mails.mail_ids, *swept_mails]))

    # The trail of the erasure itself names nobody: only what was done.
    record(AuditAction.PRIVACY_ERASE, details=report.summary())
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
    pending = registration_privacy.due_for_retention()
    if not pending:
        return report
    scrubbers = {r.id: registration_privacy.scrubber(r) for r in pending}
    mails = mail_privacy.about_registrations(scrubbers)
    # The audit log names what it is about as text: "registration:7", "mail:31".
    targets = {f"registration:{rid}": scrub for rid, scrub in scrubbers.items()}
    for mail in mails:
        assert mail.registration_id is not None
        targets[f"mail:{mail.id}"] = scrubbers[mail.registration_id]
    report.audit_events = _scrub_audit_targets(targets)

    report.registrations = registration_privacy.expire(pending, days)
    expired = mail_privacy.expire(mails)
    report.mails_kept, report.mails_deleted = expired.kept, expired.deleted
    report.files = mail_privacy.spool_copies(expired.mail_ids)
    record(AuditAction.PRIVACY_RETENTION, details=report.summary())
    return report
