"""Organizer pages of group mail: compose, preview, send, and follow a batch."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for

from ..core.extensions import db
from ..core.tokens import looks_like_nonce, new_nonce
from ..organizer.area import organizer_area
from ..organizer.auth import chair_required, current_organizer
from ..web.forms import SHOWN, SHOWN_AGAIN, render_form_page
from . import services
from .forms import ComposeForm, SendForm
from .groups import GROUPS, group_counts
from .models import MailBatch
from .placeholders import PLACEHOLDERS

bp = organizer_area(Blueprint("groupmail", __name__))

EMPTY_GROUP = "Nobody is in this group right now: choose another one. Nothing was sent."


@bp.app_template_global("group_mails_of")
def group_mails_of(mails):  # type: ignore[no-untyped-def]
    """For the person pages: which of their mails were part of a group mail (and which)."""
    return services.batches_of(mails)


def _compose_page(form: ComposeForm, status: int, message: str | None = None):
    return render_form_page(
        "groupmail/index.html",
        form,
        status,
        groups=GROUPS,
        counts=group_counts(),
        placeholders=PLACEHOLDERS,
        batches=services.recent_batches(),
        message=message,
    )


def _preview_page(form: SendForm, status: int, message: str | None = None):
    result = services.preview(form.group.data, form.subject.data, form.body.data, form.shown())
    if not result.recipients:
        form.group.errors = [EMPTY_GROUP]
        return _compose_page(form, SHOWN_AGAIN)
    # A fresh nonce for each showing: a double click or a replay of this page sends once.
    form.nonce.data = new_nonce()
    form.count.data = str(len(result.recipients))
    form.fingerprint.data = result.fingerprint
    form.show.data = str(result.shown)
    return render_form_page("groupmail/preview.html", form, status, preview=result, message=message)


@bp.route("/", methods=["GET", "POST"])
@chair_required
def index():
    # POST: "Edit" on the preview, back to the form with what was typed.
    form = ComposeForm() if request.method == "POST" else ComposeForm(formdata=None)
    return _compose_page(form, SHOWN)


@bp.post("/preview")
@chair_required
def preview():
    form = SendForm()
    if not form.validate():
        return _compose_page(form, SHOWN_AGAIN)
    return _preview_page(form, SHOWN)


@bp.post("/send")
@chair_required
def send():
    form = SendForm()
    if not form.validate():
        return _compose_page(form, SHOWN_AGAIN)
    if not looks_like_nonce(form.nonce.data):
        return _preview_page(form, SHOWN_AGAIN, "This form was incomplete; nothing was sent.")
    try:
        result = services.send(
            form.group.data,
            form.subject.data,
            form.body.data,
            nonce=form.nonce.data,
            seen_count=form.seen_count(),
            seen_fingerprint=form.fingerprint.data or "",
            by=current_organizer(),
        )
    except services.RecipientsChanged as error:
        db.session.rollback()
        return _preview_page(form, 409, str(error))
    except services.EmptyGroup:
        db.session.rollback()
        form.group.errors = [EMPTY_GROUP]
        return _compose_page(form, SHOWN_AGAIN)
    except services.GroupMailError as error:
        db.session.rollback()
        return _compose_page(form, SHOWN_AGAIN, str(error))
    db.session.commit()  # the commit wakes the mail sender
    if result.created:
        count = result.batch.recipient_count
        flash(f"{count} mail{'s' if count != 1 else ''} queued: they are being sent.", "success")
    else:
        flash("This mail had been sent already; nothing was sent twice.", "info")
    return redirect(url_for(".batch", batch_id=result.batch.id), code=303)


@bp.get("/batches/<int:batch_id>")
@chair_required
def batch(batch_id: int):
    row = db.get_or_404(MailBatch, batch_id)
    return render_template(
        "groupmail/batch.html",
        batch=row,
        progress=services.progress(row),
        failed=services.failed_mails(row),
        sender=services.sender_of(row),
    )


@bp.get("/batches/<int:batch_id>/status.json")
@chair_required
def batch_status(batch_id: int):
    row = db.get_or_404(MailBatch, batch_id)
    return jsonify(services.progress(row).as_json())


@bp.post("/batches/<int:batch_id>/retry")
@chair_required
def retry_batch(batch_id: int):
    row = db.get_or_404(MailBatch, batch_id)
    count = services.retry_batch(row, by=current_organizer())
    db.session.commit()  # the commit wakes the mail sender
    if count:
        flash(f"{count} failed mail{'s' if count != 1 else ''} queued again.", "success")
    else:
        flash("No mail of this batch has failed; nothing to retry.", "info")
    return redirect(url_for(".batch", batch_id=row.id), code=303)
