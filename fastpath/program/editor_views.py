"""The organizers' program editor at /organizer/program/ (chairs only): sessions, talks and
fixed items, the checks before publishing, publishing. Plain forms, no JavaScript needed.

Every form posts the draft version its page showed; a save from an older page answers 409
with the form as typed and what changed since (services.StaleDraft)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from ..clock import as_utc
from ..content import current_workshop
from ..core.extensions import db
from ..core.urls import bounded_int
from ..organizer.area import organizer_area
from ..organizer.auth import chair_required, current_organizer
from ..organizer.models import Organizer
from ..web.forms import SHOWN, SHOWN_AGAIN, posted_status, render_form_page
from . import publish as publishing
from . import services
from .checks import check_program
from .editor_forms import (
    OUTSIDE,
    EntryForm,
    FixedItemForm,
    PublishForm,
    SessionForm,
    TalkForm,
    VersionForm,
)
from .models import EntryKind, ProgramChange, ProgramEntry, ProgramSession
from .public import forget_program_version

bp = organizer_area(Blueprint("program_editor", __name__))

STALE = 409


# --- Pages ----------------------------------------------------------------------------------


def _session_choices(outside: bool) -> list[SelectChoice]:
    workshop = current_workshop()
    sessions = db.session.scalars(db.select(ProgramSession).order_by(ProgramSession.starts))
    choices = [SelectChoice(OUTSIDE, "Outside any session (give start and end)")] if outside else []
    return choices + [
        SelectChoice(
            str(s.id),
            f"{s.title} ({services.hhmm(workshop, s.starts)}–{services.hhmm(workshop, s.ends)}"
            + (f", {s.room}" if s.room else "")
            + ")",
        )
        for s in sessions
    ]


def _fresh(form_class: type[FlaskForm], version: int, **kwargs: Any) -> FlaskForm:
    form = form_class(formdata=None, **kwargs)
    form.draft_version.data = str(version)
    return form


def _who(changes: list[ProgramChange]) -> dict[int, str]:
    ids = {c.organizer_id for c in changes if c.organizer_id}
    if not ids:
        return {}
    return {
        o.id: o.name or o.email
        for o in db.session.scalars(db.select(Organizer).where(Organizer.id.in_(ids)))
    }


def _prepare(form: FlaskForm, status: int, version: int) -> None:
    """A form shown again after a stale save carries the version now shown (its input kept)."""
    if status == STALE:
        form.draft_version.data = str(version)


def _index_page(
    status: int = SHOWN,
    *,
    shown: dict[str, FlaskForm] | None = None,
    message: str | None = None,
    changes: list[ProgramChange] | None = None,
) -> ResponseReturnValue:
    workshop = current_workshop()
    draft = services.load_draft(workshop)
    shown = shown or {}
    for form in shown.values():
        _prepare(form, status, draft.version)
    session_choices = _session_choices(outside=False)
    fixed_choices = _session_choices(outside=True)
    forms: dict[str, FlaskForm] = {
        "session": shown.get("session") or _fresh(SessionForm, draft.version),
        "fixed": shown.get("fixed") or _fresh(FixedItemForm, draft.version),
        "publish": shown.get("publish") or _fresh(PublishForm, draft.version),
        "version": _fresh(VersionForm, draft.version),
    }
    forms["fixed"].session_id.choices = fixed_choices
    talk_forms = {}
    for submission in draft.unplaced:
        key = f"talk-{submission.id}"
        form = shown.get(key) or _fresh(TalkForm, draft.version, prefix=f"place{submission.id}")
        form.session_id.choices = [SelectChoice("", "Choose a session")] + session_choices
        talk_forms[submission.id] = form
    publication = services.latest_publication()
    page_form = next(iter(shown.values()), forms["session"])
    return render_form_page(
        "program/editor.html",
        page_form,
        status,
        org_section="program",
        workshop=workshop,
        zone_name=str(workshop.zone),
        draft=draft,
        forms=forms,
        talk_forms=talk_forms,
        problems=check_program(workshop, draft),
        publication=publication,
        published_by=_publisher(publication),
        message=message,
        changes=changes or [],
        who=_who(changes or []),
        day=(workshop.starts, workshop.ends),
        as_utc=as_utc,
    )


def _publisher(publication) -> str:  # type: ignore[no-untyped-def]
    if publication is None or publication.organizer_id is None:
        return "the command line" if publication else ""
    organizer = db.session.get(Organizer, publication.organizer_id)
    return (organizer.name or organizer.email) if organizer else "an organizer since removed"


def _session_page(
    session: ProgramSession,
    form: SessionForm,
    status: int,
    message: str | None = None,
    changes: list[ProgramChange] | None = None,
) -> ResponseReturnValue:
    _prepare(form, status, services.draft_row().version)
    return render_form_page(
        "program/session.html",
        form,
        status,
        org_section="program",
        session=session,
        message=message,
        changes=changes or [],
        who=_who(changes or []),
        zone_name=str(current_workshop().zone),
    )


def _entry_page(
    entry: ProgramEntry,
    form: EntryForm,
    status: int,
    message: str | None = None,
    changes: list[ProgramChange] | None = None,
) -> ResponseReturnValue:
    _prepare(form, status, services.draft_row().version)
    form.session_id.choices = _session_choices(outside=entry.kind != EntryKind.TALK)
    return render_form_page(
        "program/entry.html",
        form,
        status,
        org_section="program",
        entry=entry,
        title=services.entry_title(entry),
        is_talk=entry.kind == EntryKind.TALK,
        message=message,
        changes=changes or [],
        who=_who(changes or []),
        zone_name=str(current_workshop().zone),
    )


Page = Callable[..., ResponseReturnValue]


def _save(
    form: FlaskForm, page: Page, action: Callable[[], Any], done: str, anchor: str = ""
) -> ResponseReturnValue:
    """Validate, run the service, commit, redirect to the editor (at `anchor`); or show the
    page again: 422 with the messages, 409 with what changed since the page was opened."""
    if not form.validate_on_submit():
        return page(form, posted_status(form))
    try:
        action()
    except services.StaleDraft as stale:
        db.session.rollback()
        return page(
            form,
            STALE,
            message="Not saved: the program was changed since you opened this page. Your "
            "input is kept below; look at what changed, then save again.",
            changes=stale.changes,
        )
    except services.EditRefused as refusal:
        db.session.rollback()
        field = getattr(form, refusal.field, None) if refusal.field else None
        if field is not None:
            field.errors = [*field.errors, refusal.message]
        return page(form, SHOWN_AGAIN, message=None if field is not None else refusal.message)
    db.session.commit()
    flash(done)
    return redirect(url_for(".index") + (f"#{anchor}" if anchor else ""), 303)


def _index_with(key: str) -> Page:
    def page(form, status, message=None, changes=None):  # type: ignore[no-untyped-def]
        return _index_page(status, shown={key: form}, message=message, changes=changes)

    return page


def _time(text: str | None):  # type: ignore[no-untyped-def]
    return services.parse_hhmm(text or "")


def _session_input(form: SessionForm) -> services.SessionInput:
    return services.SessionInput(
        title=form.title.data.strip(),
        starts=_time(form.starts.data),
        ends=_time(form.ends.data),
        chair=(form.chair.data or "").strip(),
        room=(form.room.data or "").strip(),
    )


def _session_id(value: str | None) -> int | None:
    # Out of range (0..MAX_INT) is no session: the service says it is no longer there.
    try:
        return bounded_int(value) if value else None
    except ValueError:
        return -1 if value and value.isdigit() else None


@bp.get("/")
@chair_required
def index():
    return _index_page()


# --- Sessions -------------------------------------------------------------------------------


@bp.post("/sessions")
@chair_required
def add_session():
    form = SessionForm()
    created: list[ProgramSession] = []

    def action() -> None:
        created.append(
            services.add_session(form.version, current_organizer(), _session_input(form))
        )

    response = _save(form, _index_with("session"), action, "Session added.")
    if created and not isinstance(response, tuple):
        return redirect(url_for(".index") + f"#session-{created[0].id}", 303)
    return response


def _session_or_404(session_id: int) -> ProgramSession:
    session = db.session.get(ProgramSession, session_id)
    if session is None:
        abort(404)
    return session


@bp.get("/sessions/<int:session_id>")
@chair_required
def session(session_id: int):
    row = _session_or_404(session_id)
    workshop = current_workshop()
    form = SessionForm(
        formdata=None,
        title=row.title,
        starts=services.hhmm(workshop, row.starts),
        ends=services.hhmm(workshop, row.ends),
        chair=row.chair,
        room=row.room,
        draft_version=str(services.draft_row().version),
    )
    return _session_page(row, form, SHOWN)


@bp.post("/sessions/<int:session_id>")
@chair_required
def edit_session(session_id: int):
    row = _session_or_404(session_id)
    form = SessionForm()
    return _save(
        form,
        lambda f, status, **kw: _session_page(row, f, status, **kw),
        lambda: services.edit_session(
            form.version, current_organizer(), session_id, _session_input(form)
        ),
        "Session saved.",
        f"session-{session_id}",
    )


@bp.post("/sessions/<int:session_id>/delete")
@chair_required
def delete_session(session_id: int):
    form = VersionForm()
    return _save(
        form,
        _index_with("version"),
        lambda: services.delete_session(form.version, current_organizer(), session_id),
        "Session deleted; its talks are back under “not placed yet”.",
    )


# --- Talks and fixed items ------------------------------------------------------------------


@bp.post("/talks/<int:submission_id>")
@chair_required
def place_talk(submission_id: int):
    form = TalkForm(prefix=f"place{submission_id}")
    form.session_id.choices = [SelectChoice("", "Choose a session")] + _session_choices(
        outside=False
    )
    return _save(
        form,
        _index_with(f"talk-{submission_id}"),
        lambda: services.add_talk(
            form.version,
            current_organizer(),
            submission_id,
            _session_id(form.session_id.data) or 0,
            form.minutes.data,
        ),
        "Talk placed.",
        f"session-{_session_id(form.session_id.data) or ''}",
    )


@bp.post("/items")
@chair_required
def add_item():
    form = FixedItemForm()
    form.session_id.choices = _session_choices(outside=True)
    return _save(
        form,
        _index_with("fixed"),
        lambda: services.add_fixed_item(
            form.version,
            current_organizer(),
            services.FixedInput(
                kind=EntryKind(form.kind.data),
                title=(form.title.data or "").strip(),
                presenters=form.presenters.data or "",
                speaker_keys=form.speaker_keys.data or "",
                session_id=_session_id(form.session_id.data),
                minutes=form.minutes.data,
                starts=_time(form.starts.data),
                ends=_time(form.ends.data),
            ),
        ),
        "Item added.",
    )


def _entry_or_404(entry_id: int) -> ProgramEntry:
    entry = db.session.get(ProgramEntry, entry_id)
    if entry is None:
        abort(404)
    return entry


@bp.get("/entries/<int:entry_id>")
@chair_required
def entry(entry_id: int):
    row = _entry_or_404(entry_id)
    workshop = current_workshop()
    form = EntryForm(
        formdata=None,
        title=row.title,
        presenters=row.presenters,
        speaker_keys=row.speaker_keys,
        session_id=str(row.session_id or ""),
        minutes=row.minutes if row.session_id else None,
        starts=services.hhmm(workshop, row.starts),
        ends=services.hhmm(workshop, row.ends),
        draft_version=str(services.draft_row().version),
    )
    return _entry_page(row, form, SHOWN)


@bp.post("/entries/<int:entry_id>")
@chair_required
def edit_entry(entry_id: int):
    row = _entry_or_404(entry_id)
    form = EntryForm()
    form.is_talk = row.kind == EntryKind.TALK
    form.session_id.choices = _session_choices(outside=row.kind != EntryKind.TALK)
    return _save(
        form,
        lambda f, status, **kw: _entry_page(row, f, status, **kw),
        lambda: services.edit_entry(
            form.version,
            current_organizer(),
            entry_id,
            services.EntryInput(
                title=form.title.data or "",
                presenters=form.presenters.data or "",
                speaker_keys=form.speaker_keys.data or "",
                session_id=_session_id(form.session_id.data),
                minutes=form.minutes.data,
                starts=_time(form.starts.data),
                ends=_time(form.ends.data),
            ),
        ),
        "Item saved.",
        f"entry-{entry_id}",
    )


@bp.post("/entries/<int:entry_id>/up")
@chair_required
def move_up(entry_id: int):
    form = VersionForm()
    return _save(
        form,
        _index_with("version"),
        lambda: services.move_entry(form.version, current_organizer(), entry_id, -1),
        "Moved up.",
        f"entry-{entry_id}",
    )


@bp.post("/entries/<int:entry_id>/down")
@chair_required
def move_down(entry_id: int):
    form = VersionForm()
    return _save(
        form,
        _index_with("version"),
        lambda: services.move_entry(form.version, current_organizer(), entry_id, 1),
        "Moved down.",
        f"entry-{entry_id}",
    )


@bp.post("/entries/<int:entry_id>/delete")
@chair_required
def delete_entry(entry_id: int):
    form = VersionForm()
    return _save(
        form,
        _index_with("version"),
        lambda: services.delete_entry(form.version, current_organizer(), entry_id),
        "Removed from the program.",
    )


@bp.post("/import")
@chair_required
def import_content():
    form = VersionForm()
    return _save(
        form,
        _index_with("version"),
        lambda: services.import_content_program(form.version, current_organizer()),
        "The content file's program is in the draft as fixed items.",
    )


# --- Publishing -----------------------------------------------------------------------------


@bp.post("/publish")
@chair_required
def publish():
    form = PublishForm()
    response = _save(
        form,
        _index_with("publish"),
        lambda: publishing.publish(
            form.version, current_organizer(), anyway=bool(form.anyway.data)
        ),
        "Published: /program shows this program now.",
        "publication",
    )
    forget_program_version()
    return response


@bp.post("/unpublish")
@chair_required
def unpublish():
    form = VersionForm()
    response = _save(
        form,
        _index_with("version"),
        lambda: publishing.unpublish(form.version, current_organizer()),
        "Publication withdrawn: /program shows the content file's program again.",
        "publication",
    )
    forget_program_version()
    return response
