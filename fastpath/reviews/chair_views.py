"""The chairs' review pages: the table, reviewers and invitations, progress, reminders; and
the public page where an invited reviewer sets their password."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from ..content import current_workshop
from ..core.audit import AuditAction, record
from ..core.extensions import db, limiter
from ..organizer.auth import chair_required, current_organizer, start_session
from ..web.forms import SHOWN_AGAIN, posted_status, render_form_page
from . import invitations, reminders
from .chair_forms import AcceptInvitationForm, InviteForm, RemindForm
from .table import SORTS, review_table, reviewer_progress
from .views import bp


def _sign_in_limit() -> str:
    return current_app.config["ORGANIZER_SIGN_IN_LIMIT"]


# --- The table ------------------------------------------------------------------------------


@bp.get("/table")
@chair_required
def table():
    sort = request.args.get("sort", "number")
    sort = sort if sort in SORTS else "number"
    descending = request.args.get("dir") == "desc"
    include_withdrawn = request.args.get("withdrawn") == "1"
    rows = review_table(sort, descending, include_withdrawn=include_withdrawn)
    # Three links a row: joined to these two bases instead of 1,500 url_for calls, and the
    # cells' text made in table.py instead of Jinja loops and macros. At 500 submissions × 3
    # reviews (make bench-reviews' data) the template renders in 23 ms instead of 76 ms.
    return render_template(
        "reviews/table.html",
        desk_base=url_for("organizer.submission_detail", submission_id=1).removesuffix("/1"),
        reviews_base=url_for("reviews.submission", number=1).removesuffix("/1"),
        org_section="reviews-table",
        rows=rows,
        sort=sort,
        descending=descending,
        include_withdrawn=include_withdrawn,
        rules=current_workshop().review,
    )


# --- Reviewers and invitations ---------------------------------------------------------------


def _reviewers_page(form: InviteForm, status: int, error: str | None = None):
    return render_form_page(
        "reviews/reviewers.html",
        form,
        status,
        org_section="reviewers",
        error=error,
        progress=reviewer_progress(),
        pending=invitations.pending_invitations(),
        committee=current_workshop().program_committee,
        invitation_days=invitations.INVITATION_DAYS,
    )


@bp.get("/reviewers")
@chair_required
def reviewers():
    return _reviewers_page(InviteForm(formdata=None), 200)


@bp.post("/reviewers/invite")
@chair_required
def invite():
    form = InviteForm()
    if not form.validate_on_submit():
        return _reviewers_page(form, posted_status(form))
    try:
        invitation, _token = invitations.invite_reviewer(
            form.name.data, form.email.data, form.affiliation.data or "", by=current_organizer()
        )
    except invitations.InvitationError as error:
        db.session.rollback()
        form.email.errors = [*form.email.errors, str(error)]
        return _reviewers_page(form, SHOWN_AGAIN, error=str(error))
    db.session.commit()  # the invitation and its mail; the commit sends
    flash(f"Invitation mailed to {invitation.email}.", "success")
    return redirect(url_for(".reviewers"), code=303)


# --- Accepting an invitation (public: the link is the credential) -----------------------------


def _unusable():
    return render_template(
        "reviews/accept_invitation.html", invitation=None, message=invitations.LINK_UNUSABLE
    ), 404


@bp.errorhandler(429)
def too_many_attempts(_error: Exception):
    # Only the invitation page is rate-limited on this blueprint.
    message = "Too many attempts from this address. Wait a few minutes and try again."
    return render_template("reviews/accept_invitation.html", invitation=None, message=message), 429


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
def accept_invitation(token: str):
    invitation = invitations.usable_invitation(token)
    if invitation is None:
        # A link never issued is the plain 404 of every private link (it says nothing); the
        # holder of a real but used or expired one is told so, and whom to ask.
        if not invitations.is_known(token):
            abort(404)
        return _unusable()
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            organizer = invitations.accept_invitation(token, form.password.data)
        except invitations.InvitationError as error:
            db.session.rollback()
            if str(error) == invitations.LINK_UNUSABLE:
                return _unusable()
            form.password.errors = [*form.password.errors, str(error)]
        else:
            start_session(organizer)
            record(AuditAction.SIGN_IN, organizer=organizer, target=f"organizer:{organizer.id}")
            db.session.commit()
            flash("Welcome to the program committee. Your account is ready.", "success")
            return redirect(url_for(".home"), code=303)
    form.password.data = ""
    form.repeat_password.data = ""
    status = SHOWN_AGAIN if form.is_submitted() else posted_status(form)
    return render_form_page(
        "reviews/accept_invitation.html", form, status, invitation=invitation, message=None
    )


# --- Reminders ------------------------------------------------------------------------------


def _reminders_page(form: RemindForm, status: int, error: str | None = None):
    form.seen.data = str(reminders.last_reminder_id())
    return render_form_page(
        "reviews/reminders.html",
        form,
        status,
        org_section="reviewers",
        preview=reminders.preview(),
        error=error,
    )


# The endpoint is reviews.reminders (the function's own name would hide the module).
@bp.route("/reminders", methods=["GET", "POST"], endpoint="reminders")
@chair_required
def reminders_page():
    form = RemindForm()
    if request.method == "GET":
        return _reminders_page(RemindForm(formdata=None), 200)
    if not form.validate_on_submit():
        return _reminders_page(form, posted_status(form), error="The form was incomplete.")
    try:
        count = reminders.remind(by=current_organizer(), seen_reminder_id=int(form.seen.data))
    except reminders.ReminderError as error:
        db.session.rollback()
        return _reminders_page(RemindForm(formdata=None), 409, error=str(error))
    db.session.commit()
    if count:
        flash(f"Reminder mailed to {count} reviewer{'s' if count != 1 else ''}.", "success")
    else:
        flash("Nobody has a pending review; no reminder was sent.", "info")
    return redirect(url_for(".reminders"), code=303)
