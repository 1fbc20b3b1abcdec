"""The work of group mail: check a draft, render it for each recipient, send a batch in one
transaction, follow its progress and retry its failed mails. No request, no response.

Speed: the Markdown is rendered ONCE, with a sentinel where each placeholder stands; each
recipient's copy is then the prepared pieces joined with their values (escaped for HTML, so
no value is ever read as Markdown or markup), and the outbox rows go in with one bulk insert.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import render_template
from markupsafe import Markup, escape
from sqlalchemy.exc import IntegrityError

from ..cfp import services as cfp_services
from ..cfp.models import Submission, SubmissionEvent, SubmissionEventKind
from ..clock import now
from ..content import current_workshop
from ..content.markdown import render_markdown
from ..core.audit import AuditAction, record
from ..core.emails import normalize_email
from ..core.extensions import db
from ..core.text import bdi, unlinked
from ..core.tokens import new_token
from ..mail import retry_failed
from ..mail.models import OutboxMail, OutboxStatus
from ..mail.outbox import add_many_to_outbox
from ..organizer.models import Organizer
from ..registration import services as registration_services
from ..registration.models import Registration, RegistrationEvent, RegistrationEventKind
from .groups import GROUPS, Group, Recipient, fingerprint
from .models import BatchKind, MailBatch
from .placeholders import fill, placeholders_in, problems

TEMPLATE = "group_mail"  # templates/email/group_mail.txt + .html: the body and the signature
SUBJECT_MAX = 200
BODY_MAX = 50_000
# What the preview shows where each recipient's new private link will be.
PREVIEW_LINK = "[a new private link for this person, made when the mail is sent]"
_WRAP = "\x00body\x00"  # where the body goes in the rendered wrapper templates


class GroupMailError(Exception):
    """The mail cannot be sent as asked; the message says why (shown next to the form)."""


class EmptyGroup(GroupMailError):
    pass


class RecipientsChanged(GroupMailError):
    """The group is not who the preview showed any more (someone registered, cancelled...)."""

    def __init__(self, before: int, after: int) -> None:
        self.before, self.after = before, after
        super().__init__(
            f"The group changed since your preview ({before} then, {after} now): check the "
            "new list below and send again. Nothing was sent."
        )


# --- Checking and rendering ----------------------------------------------------------------


def subject_problems(subject: str, group: Group) -> list[str]:
    """What is wrong with the subject's placeholders ({private_link} never goes in one)."""
    allowed = [name for name in group.placeholders if name != "private_link"]
    found = problems(subject, allowed)
    if "private_link" in group.placeholders:
        found = [
            "{private_link} cannot be used in the subject"
            if text == "{private_link} is not available for this group"
            else text
            for text in found
        ]
    return found


def body_problems(body: str, group: Group) -> list[str]:
    """What is wrong with the body's placeholders, including ones the HTML part would lose
    or would put inside a tag (a value there could become a link of the value's choosing)."""
    found = problems(body, group.placeholders)
    if found:
        return found
    _, html, lost, in_tags = _body_parts(body)
    for name in lost:
        found.append(f"{{{name}}} would disappear from the HTML part: do not put it inside < >")
    for name in in_tags:
        if name != "private_link":
            found.append(
                f"{{{name}}} cannot be used inside a link address or an HTML tag "
                "(only {private_link} can)"
            )
    return found


@dataclass(frozen=True)
class _Piece:
    """Literal text, then (optionally) a placeholder's value; in_tag: inside an HTML tag."""

    text: str
    name: str | None = None
    in_tag: bool = False


@dataclass(frozen=True)
class CompiledMail:
    subject: tuple[_Piece, ...]
    text: tuple[_Piece, ...]
    html: tuple[_Piece, ...]
    uses: frozenset[str]


def _sentinels(names: Iterable[str]) -> dict[str, str]:
    # Letters and digits only: Markdown and the sanitiser leave such words exactly as they are.
    salt = secrets.token_hex(6)
    return {name: f"zgm{salt}q{index}q" for index, name in enumerate(names)}


def _pieces(text: str, sentinels: dict[str, str], *, html: bool = False) -> list[_Piece]:
    by_word = {word: name for name, word in sentinels.items()}
    if not by_word:
        return [_Piece(text)]
    pattern = re.compile("|".join(re.escape(word) for word in by_word))
    pieces, start, in_tag = [], 0, False
    for match in pattern.finditer(text):
        literal = text[start : match.start()]
        if html:
            opened, closed = literal.rfind("<"), literal.rfind(">")
            if opened != closed:  # -1 for both means no change
                in_tag = opened > closed
        pieces.append(_Piece(literal, by_word[match.group(0)], in_tag))
        start = match.end()
    pieces.append(_Piece(text[start:]))
    return pieces


def _body_parts(body: str) -> tuple[list[_Piece], list[_Piece], list[str], set[str]]:
    """The body's text and HTML pieces, the placeholders the HTML lost, those inside tags."""
    names = placeholders_in(body)
    sentinels = _sentinels(names)
    marked = fill(body, sentinels)
    text = _pieces(marked, sentinels)
    html = _pieces(str(render_markdown(marked)), sentinels, html=True)
    used_in_html = [piece.name for piece in html if piece.name]
    lost = [name for name in names if name not in used_in_html]
    in_tags = {piece.name for piece in html if piece.name and piece.in_tag}
    return text, html, lost, in_tags


def _wrapped(template: str, pieces: list[_Piece], **context: object) -> tuple[_Piece, ...]:
    """The pieces inside the mail template (rendered once, around a marker)."""
    rendered = render_template(template, workshop=current_workshop(), body=Markup(_WRAP), **context)
    before, _, after = rendered.partition(_WRAP)
    first = pieces[0]
    return (_Piece(before + first.text, first.name, first.in_tag), *pieces[1:], _Piece(after))


def compile_mail(subject: str, body: str) -> CompiledMail:
    """Render the mail once, ready to be filled in per recipient (check the problems first)."""
    text, html, _, _ = _body_parts(body)
    subject_sentinels = _sentinels(placeholders_in(subject))
    return CompiledMail(
        subject=tuple(_pieces(fill(subject, subject_sentinels), subject_sentinels)),
        text=_wrapped(f"email/{TEMPLATE}.txt", text),
        html=_wrapped(f"email/{TEMPLATE}.html", html),
        uses=frozenset(placeholders_in(body) + placeholders_in(subject)),
    )


@dataclass(frozen=True)
class RenderedMail:
    to: str
    subject: str
    text: str
    html: str


def _plain_values(recipient: Recipient, link: str | None) -> dict[str, str]:
    # What people typed is defanged (unlinked), as in every other mail.
    return {
        "name": unlinked(recipient.name),
        "title": unlinked(recipient.title),
        "submission_number": recipient.submission_number,
        "private_link": link or "",
    }


def _join(pieces: Iterable[_Piece], values: dict[str, str]) -> str:
    return "".join(piece.text + (values[piece.name] if piece.name else "") for piece in pieces)


def render_for(compiled: CompiledMail, recipient: Recipient, link: str | None) -> RenderedMail:
    """One recipient's copy: the subject and text with the values as they are, the HTML
    with them escaped (the private link made a link)."""
    plain = _plain_values(recipient, link)
    subject = _join(compiled.subject, {k: " ".join(v.split()) for k, v in plain.items()})
    html_text = {
        "name": str(bdi(plain["name"])),
        "title": str(bdi(plain["title"])),
        "submission_number": str(escape(plain["submission_number"])),
        "private_link": str(Markup('<a href="{0}">{0}</a>').format(plain["private_link"])),
    }
    html = "".join(
        piece.text
        + (
            (str(escape(plain[piece.name])) if piece.in_tag else html_text[piece.name])
            if piece.name
            else ""
        )
        for piece in compiled.html
    )
    return RenderedMail(recipient.email, subject, _join(compiled.text, plain), html)


# --- Preview --------------------------------------------------------------------------------


@dataclass
class Preview:
    group: Group
    recipients: list[Recipient]
    fingerprint: str
    shown: int  # 1-based position of the recipient whose copy is shown
    mail: RenderedMail | None
    body_html: Markup | None = None  # the shown copy's HTML body, for the page


def preview(group_key: str, subject: str, body: str, show: int = 1) -> Preview:
    """Who would get the mail and what one of them would read; nothing is changed."""
    group = GROUPS[group_key]
    recipients = group.find()
    if not recipients:
        return Preview(group, [], fingerprint([]), 0, None)
    shown = min(max(show, 1), len(recipients))
    compiled = compile_mail(subject, body)
    recipient = recipients[shown - 1]
    link = PREVIEW_LINK if "private_link" in compiled.uses else None
    mail = render_for(compiled, recipient, link)
    return Preview(group, recipients, fingerprint(recipients), shown, mail)


# --- Sending --------------------------------------------------------------------------------


def batch_for_nonce(nonce: str) -> MailBatch | None:
    return db.session.scalar(db.select(MailBatch).where(MailBatch.nonce == nonce))


@dataclass(frozen=True)
class SendResult:
    batch: MailBatch
    created: bool  # False: this form had been sent already (a double click, a replay)


def send(
    group_key: str,
    subject: str,
    body: str,
    *,
    nonce: str,
    seen_count: int,
    seen_fingerprint: str,
    by: Organizer | None,
) -> SendResult:
    """Queue one mail per recipient, the batch and the audit event in the caller's
    transaction. The same nonce again sends nothing and answers the batch it made; a group
    that changed since the preview raises RecipientsChanged; the caller commits."""
    existing = batch_for_nonce(nonce)
    if existing is not None:
        return SendResult(existing, created=False)
    group = GROUPS[group_key]
    if subject_problems(subject, group) or body_problems(body, group):
        raise GroupMailError("The mail has placeholder problems; nothing was sent.")
    recipients = group.find()
    if not recipients:
        raise EmptyGroup("Nobody is in this group right now; nothing was sent.")
    if len(recipients) != seen_count or fingerprint(recipients) != seen_fingerprint:
        raise RecipientsChanged(seen_count, len(recipients))
    compiled = compile_mail(subject, body)
    moment = now()
    batch = MailBatch(
        kind=BatchKind.GROUP,
        group=group.key,
        label=group.label,
        subject=subject,
        body=body,
        recipient_count=len(recipients),
        organizer_id=by.id if by else None,
        created_at=moment,
        nonce=nonce,
    )
    try:
        with db.session.begin_nested():
            db.session.add(batch)
    except IntegrityError:
        # The same form, sent at the same moment from another request, got there first.
        existing = batch_for_nonce(nonce)
        if existing is None:
            raise
        return SendResult(existing, created=False)
    links = _new_links(recipients, batch.id, moment) if "private_link" in compiled.uses else {}
    rows = []
    for recipient in recipients:
        mail = render_for(compiled, recipient, links.get(recipient.key))
        rows.append(
            {
                "to": mail.to,
                "subject": mail.subject,
                "body_text": mail.text,
                "body_html": mail.html,
                "registration_id": recipient.registration_id,
                "submission_id": recipient.submission_id,
                "organizer_id": recipient.organizer_id,
            }
        )
    add_many_to_outbox(rows, template=TEMPLATE, batch_id=batch.id)
    record(
        AuditAction.GROUP_MAIL,
        organizer=by,
        target=f"batch:{batch.id}",
        details=f"{group.label}: {len(rows)} mail(s), subject “{subject}”",
    )
    return SendResult(batch, created=True)


def _new_links(recipients: list[Recipient], batch_id: int, moment: datetime) -> dict[str, str]:
    """A new pending private link for each recipient (the one they hold keeps working until
    they use the new one, as with a lost-link mail), in bulk; their links by Recipient.key."""
    links: dict[str, str] = {}
    registrations, registration_events, submissions, submission_events = [], [], [], []
    for recipient in recipients:
        token, token_hash = new_token()
        if recipient.registration_id is not None:
            links[recipient.key] = registration_services.private_link(token)
            registrations.append(
                {"id": recipient.registration_id, "pending_token_hash": token_hash,
                 "updated_at": moment}
            )  # fmt: skip
            registration_events.append(
                {"registration_id": recipient.registration_id, "at": moment,
                 "kind": RegistrationEventKind.LINK_RESENT,
                 "details": f"a new private link in group mail {batch_id}"}
            )  # fmt: skip
        elif recipient.submission_id is not None:
            links[recipient.key] = cfp_services.private_link(token)
            submissions.append(
                {"id": recipient.submission_id, "pending_token_hash": token_hash,
                 "link_mailed_to": normalize_email(recipient.email)}
            )  # fmt: skip
            submission_events.append(
                {"submission_id": recipient.submission_id, "at": moment,
                 "kind": SubmissionEventKind.LINK_REISSUED,
                 "details": f"A new private link was mailed to {recipient.email} in group "
                 f"mail {batch_id}; the earlier link works until the new one is used"}
            )  # fmt: skip
    for model, updates in ((Registration, registrations), (Submission, submissions)):
        if updates:
            db.session.execute(db.update(model), updates)
    for model, events in (
        (RegistrationEvent, registration_events),
        (SubmissionEvent, submission_events),
    ):
        if events:
            db.session.execute(db.insert(model), events)
    return links


# --- Progress and retry ---------------------------------------------------------------------


@dataclass
class Progress:
    total: int = 0
    queued: int = 0
    sending: int = 0
    sent: int = 0
    failed: int = 0

    @property
    def done(self) -> bool:
        """Nothing left on its way (every mail sent or failed)."""
        return self.queued == 0 and self.sending == 0

    @property
    def all_sent(self) -> bool:
        return self.total > 0 and self.sent == self.total

    def as_json(self) -> dict[str, int | bool]:
        return {
            "total": self.total,
            "queued": self.queued,
            "sending": self.sending,
            "sent": self.sent,
            "failed": self.failed,
            "done": self.done,
        }


def progress_of(batch_ids: Iterable[int]) -> dict[int, Progress]:
    """Each batch's counts, read from its outbox rows (one query)."""
    ids = list(batch_ids)
    found = {batch_id: Progress() for batch_id in ids}
    if not ids:
        return found
    rows = db.session.execute(
        db.select(OutboxMail.batch_id, OutboxMail.status, db.func.count())
        .where(OutboxMail.batch_id.in_(ids))
        .group_by(OutboxMail.batch_id, OutboxMail.status)
    )
    for batch_id, status, count in rows:
        progress = found[batch_id]
        setattr(progress, OutboxStatus(status).value, count)
        progress.total += count
    return found


def progress(batch: MailBatch) -> Progress:
    return progress_of([batch.id])[batch.id]


def failed_mails(batch: MailBatch, limit: int = 500) -> list[OutboxMail]:
    return list(
        db.session.scalars(
            db.select(OutboxMail)
            .where(OutboxMail.batch_id == batch.id, OutboxMail.status == OutboxStatus.FAILED)
            .order_by(OutboxMail.id)
            .limit(limit)
        )
    )


def retry_batch(batch: MailBatch, *, by: Organizer | None) -> int:
    """Queue this batch's failed mails again (the outbox's retry: sent ones never go twice),
    one audit event for the batch; return how many. The caller commits."""
    count = retry_failed(batch_id=batch.id)
    if count:
        record(
            AuditAction.MAIL_RETRY,
            organizer=by,
            target=f"batch:{batch.id}",
            details=f"{count} failed mail(s) of “{batch.subject}” ({batch.label}) queued again",
        )
    return count


@dataclass
class BatchRow:
    batch: MailBatch
    progress: Progress
    sender: str = ""


def recent_batches(limit: int = 50) -> list[BatchRow]:
    """The latest batches, newest first, with their counts."""
    batches = db.session.scalars(
        db.select(MailBatch).order_by(MailBatch.created_at.desc(), MailBatch.id.desc()).limit(limit)
    ).all()
    counts = progress_of(b.id for b in batches)
    senders = _senders(b.organizer_id for b in batches)
    return [BatchRow(b, counts[b.id], senders.get(b.organizer_id or 0, "")) for b in batches]


def _senders(ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = db.session.scalars(db.select(Organizer).where(Organizer.id.in_(wanted)))
    return {o.id: o.display_name for o in rows}


def sender_of(batch: MailBatch) -> str:
    return _senders([batch.organizer_id]).get(batch.organizer_id or 0, "")


@dataclass
class PersonBatchMail:
    mail: OutboxMail
    batch: MailBatch


def batches_of(mails: Iterable[OutboxMail]) -> list[PersonBatchMail]:
    """The mails among `mails` that were part of a batch, with their batch (person pages)."""
    mails = [m for m in mails if m.batch_id is not None]
    if not mails:
        return []
    ids = {m.batch_id for m in mails}
    batches = {
        b.id: b for b in db.session.scalars(db.select(MailBatch).where(MailBatch.id.in_(ids)))
    }
    return [PersonBatchMail(m, batches[m.batch_id]) for m in mails if m.batch_id in batches]
