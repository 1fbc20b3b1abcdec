"""Views of the organizers' area. Every view but the sign-in page is behind login_required;
every change is a POST with a CSRF token, answered with a redirect. Form pages are rendered
with fastpath/web/forms.py; a refused sign-in or password form answers 200 here (the public
forms answer 422 when shown again), as the tests pin it."""

from __future__ import annotations

from datetime import datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError

from ..cfp.models import Submission, SubmissionStatus
from ..cfp.services import PdfMissing, pdf_download, topic_titles
from ..clock import as_utc
from ..content import current_workshop
from ..core.audit import AuditAction, record
from ..core.extensions import db, limiter
from ..core.tokens import new_nonce
from ..core.urls import int_arg
from ..groupmail.placeholders import PLACEHOLDERS
from ..materials import services as materials_services
from ..registration.models import Registration
from ..web.downloads import private_download
from ..web.forms import EXPIRED, SHOWN, SHOWN_AGAIN, posted_status, render_form_page
from . import area, decision_letters, decisions, exports, lists, mailbox, services
from . import dashboard as dashboard_data
from .auth import (
    current_organizer,
    end_session,
    home_endpoint,
    login_required,
    reviewer_fence,
    safe_next,
    start_session,
)
from .forms import DecisionForm, NotifyForm, PasswordForm, SignInForm

bp = area.organizer_area(Blueprint("organizer", __name__))
# Reviewers sign in here too, but every chair page answers them 404 (fastpath/organizer/auth.py).
bp.before_request(reviewer_fence)

SIGN_IN_FAILED = (
    "That email and password do not match an organizer account, or signing in from here is "
    "paused for a while after too many failed attempts."
)


def _sign_in_limit() -> str:
    return current_app.config["ORGANIZER_SIGN_IN_LIMIT"]


@bp.errorhandler(429)
def too_many_attempts(_error: Exception):
    message = "Too many sign-in attempts from this address. Wait a few minutes and try again."
    return render_form_page("organizer/login.html", SignInForm(), 429, error=message)


@bp.errorhandler(CSRFError)
def form_expired(_error: CSRFError):
    # Nothing was changed; say so, rather than a bare "400 Bad Request".
    if request.endpoint == "organizer.login":
        form = SignInForm()
        form.password.data = ""
        message = "The sign-in form had expired. Please sign in again."
        return render_form_page("organizer/login.html", form, EXPIRED, error=message)
    return area.form_expired(_error)


@bp.app_template_filter("org_time")
def org_time(value: datetime) -> str:
    """'2020-01-20 12:00 UTC': organizers compare times across mails and logs in UTC."""
    return f"{as_utc(value):%Y-%m-%d %H:%M} UTC"


@bp.app_template_filter("org_iso")
def org_iso(value: datetime) -> str:
    return exports.iso_time(value)


# --- Signing in and out -------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
def login():
    form = SignInForm()
    if request.method == "GET":
        if current_organizer() is not None:
            home = url_for(home_endpoint(current_organizer()))
            return redirect(safe_next(request.args.get("next")) or home)
        form.next.data = safe_next(request.args.get("next")) or ""
    error = None
    if form.validate_on_submit():
        organizer = services.check_sign_in(
            form.email.data, form.password.data, client=request.remote_addr
        )
        if organizer is not None:
            start_session(organizer)
            record(AuditAction.SIGN_IN, organizer=organizer, target=f"organizer:{organizer.id}")
            db.session.commit()
            return redirect(safe_next(form.next.data) or url_for(home_endpoint(organizer)))
        db.session.commit()  # the failed attempt counts towards the lockout and is recorded
        error = SIGN_IN_FAILED
    elif request.method == "POST":
        error = "Enter your email and password."
    form.password.data = ""
    status = SHOWN_AGAIN if error else SHOWN
    return render_form_page("organizer/login.html", form, status, error=error)


@bp.post("/logout")
@login_required
def logout():
    organizer = current_organizer()
    assert organizer is not None
    record(AuditAction.SIGN_OUT, organizer=organizer, target=f"organizer:{organizer.id}")
    end_session()
    db.session.commit()
    flash("You are signed out.", "success")
    return redirect(url_for(".login"), code=303)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    organizer = current_organizer()
    assert organizer is not None
    form = PasswordForm()
    if form.validate_on_submit():
        if services.check_password(organizer, form.current_password.data):
            services.set_password(organizer, form.new_password.data, by=organizer)
            # set_password ended every session, this one too: start a fresh one.
            start_session(organizer)
            db.session.commit()
            flash("Your password is changed; other sessions have been signed out.", "success")
            return redirect(url_for(home_endpoint(organizer)), code=303)
        form.current_password.errors.append("This is not your current password.")
    return render_form_page("organizer/password.html", form, posted_status(form))


# --- Dashboard and activity ---------------------------------------------------------------


@bp.get("/")
@login_required
def dashboard():
    return render_template(
        "organizer/dashboard.html",
        submissions=dashboard_data.submission_counts(),
        registrations=dashboard_data.registration_counts(),
        mail=mailbox.mail_counts(),
        chart=dashboard_data.per_day_chart(
            [
                ("submissions", "Submissions", dashboard_data.submission_times()),
                ("registrations", "Registrations", dashboard_data.registration_times()),
            ]
        ),
        activity=services.recent_activity(15),
    )


@bp.get("/activity")
@login_required
def activity():
    page = int_arg(request.args, "page", 1)
    events = db.paginate(services.activity_query(), page=page, per_page=100, error_out=False)
    return render_template("organizer/activity.html", events=events)


# --- Submissions and decisions ------------------------------------------------------------


@bp.get("/submissions")
@login_required
def submissions():
    lq = lists.ListQuery.from_args(request.args, sorts=lists.SUBMISSION_SORTS)
    found = db.paginate(
        lists.submission_query(lq), page=lq.page, per_page=lists.page_size(), error_out=False
    )
    return render_template(
        "organizer/submissions.html",
        lq=lq,
        submissions=found,
        statuses=lists.SUBMISSION_STATUSES,
        sorts=lists.SUBMISSION_SORTS,
        materials=lists.materials_summaries(found.items),
    )


@bp.get("/submissions/<int:submission_id>")
@login_required
def submission_detail(submission_id: int):
    submission = db.get_or_404(Submission, submission_id)
    return render_template(
        "organizer/submission.html",
        submission=submission,
        topics=topic_titles(submission.topic_keys),
        mails=mailbox.mails_about(submission),
        history=services.history_of(f"submission:{submission.id}"),
        materials=materials_services.organizer_state(submission),
        reopen_default=materials_services.default_reopen_until(),
    )


@bp.get("/submissions/<int:submission_id>/pdf")
@login_required
def submission_pdf(submission_id: int):
    try:
        download = pdf_download(db.get_or_404(Submission, submission_id))
    except PdfMissing:
        abort(404)
    return private_download(download.path, download.download_name, download.mimetype)


@bp.post("/submissions/<int:submission_id>/resend-link")
@login_required
def resend_submission_link(submission_id: int):
    submission = db.get_or_404(Submission, submission_id)
    count = services.resend_submission_link(submission, by=current_organizer())
    db.session.commit()
    flash(
        f"A new private link was mailed to {submission.contact.email} "
        f"(for {count} submission{'s' if count != 1 else ''} with that contact address; "
        "earlier links work until it is opened).",
        "success",
    )
    return redirect(url_for(".submission_detail", submission_id=submission.id), code=303)


def _preview_page(form: DecisionForm, status: int, notice: str | None = None):
    """The decision preview: each mail as it will go out, the editable subject and text,
    "send" and "record only". A text with errors is shown again, and cannot be sent."""
    outcome = decisions.OUTCOMES[form.outcome.data]
    default = decision_letters.default_letter(outcome)
    text_ok = not (form.subject.errors or form.text.errors)
    letter = form.letter(default) if text_ok else default
    form.fill_from(default)
    include_reviews = bool(form.include_reviews.data)
    planned = decisions.plan(
        decisions.submissions_by_id(form.ids.data),
        outcome,
        include_reviews=include_reviews,
        letter=letter,
    )
    return render_form_page(
        "organizer/decision_preview.html",
        form,
        status,
        outcome=outcome.value,
        letter=letter,
        edited=letter != default,
        text_ok=text_ok,
        notice=notice,
        include_reviews=include_reviews,
        comment_fields=current_workshop().review.author_text_fields,
        placeholders=_letter_placeholders(),
        planned=planned,
        to_send=[item for item in planned if item.skip_reason is None],
        to_record=[
            item
            for item in planned
            if item.submission.status not in (outcome, SubmissionStatus.WITHDRAWN)
        ],
        reviews_seen=decisions.reviews_fingerprint([item.submission for item in planned])
        if include_reviews
        else "",
        back=safe_next(request.values.get("back")) or url_for(".submissions"),
    )


def _letter_placeholders() -> dict[str, str]:
    return {name: PLACEHOLDERS[name] for name in decision_letters.LETTER_PLACEHOLDERS}


@bp.route("/decisions/preview", methods=["GET", "POST"])
@login_required
def decision_preview():
    # GET from the submission pages (showing changes nothing); POST with an edited text.
    if request.method == "POST":
        form = DecisionForm()
        valid = form.validate_on_submit()
    else:
        form = DecisionForm(formdata=request.args, meta={"csrf": False})
        valid = form.validate()
    if form.outcome.errors or form.ids.errors:
        flash("Choose at least one submission, then Accept or Reject.", "warning")
        return redirect(safe_next(request.values.get("back")) or url_for(".submissions"))
    return _preview_page(form, SHOWN if valid else SHOWN_AGAIN)


@bp.post("/decisions")
@login_required
def decide():
    form = DecisionForm()
    if not form.validate_on_submit():
        if form.outcome.errors or form.ids.errors:
            abort(400)
        return _preview_page(form, SHOWN_AGAIN)  # the text's errors next to it, text kept
    outcome = decisions.OUTCOMES[form.outcome.data]
    chosen = decisions.submissions_by_id(form.ids.data)
    include_reviews = bool(form.include_reviews.data)
    if include_reviews and form.reviews_seen.data != decisions.reviews_fingerprint(chosen):
        # A review was submitted or edited since the preview: show the mails again (with the
        # text as edited) rather than send text the chair has not read. Nothing is sent.
        return _preview_page(
            form,
            SHOWN_AGAIN,
            notice="The reviewers' comments changed since you opened this preview. Check the "
            "mails again; nothing was sent.",
        )
    report = decisions.decide(
        chosen,
        outcome,
        by=current_organizer(),
        include_reviews=include_reviews,
        letter=form.letter(decision_letters.default_letter(outcome)),
    )
    db.session.commit()  # the decisions and their mails in one transaction; the commit sends
    if report.decided:
        refs = ", ".join(s.reference for s in report.decided)
        plural = "s" if report.mails != 1 else ""
        flash(
            f"{outcome.value.capitalize()}: {refs}. {report.mails} mail{plural} queued.", "success"
        )
    for submission, reason in report.skipped:
        flash(f"{submission.reference} skipped: {reason}. Nothing was sent for it.", "warning")
    return _after_deciding(chosen, outcome)


def _after_deciding(chosen: list[Submission], outcome: SubmissionStatus):
    if len(chosen) == 1:
        return redirect(url_for(".submission_detail", submission_id=chosen[0].id), code=303)
    return redirect(url_for(".submissions", status=outcome.value), code=303)


@bp.post("/decisions/record")
@login_required
def record_decision():
    """Decide now, notify later: the decision is recorded and nobody is mailed."""
    form = DecisionForm()
    if not form.validate_on_submit() and (form.outcome.errors or form.ids.errors):
        abort(400)
    outcome = decisions.OUTCOMES[form.outcome.data]
    chosen = decisions.submissions_by_id(form.ids.data)
    report = decisions.record_decision(chosen, outcome, by=current_organizer())
    db.session.commit()
    if report.recorded:
        refs = ", ".join(s.reference for s in report.recorded)
        flash(
            f"Recorded as {outcome.value}: {refs}. Nobody was mailed; tell the authors from "
            "“Notify authors” when you are ready.",
            "success",
        )
    if report.as_told:
        refs = ", ".join(s.reference for s in report.as_told)
        flash(
            f"{outcome.value.capitalize()} again: {refs}. That is what the authors were told, "
            "so there is nothing to send.",
            "success",
        )
    for submission, reason in report.skipped:
        flash(f"{submission.reference} unchanged: {reason}.", "info")
    return _after_deciding(chosen, outcome)


def batch_page(batch_id: int) -> str:
    """The group-mail progress page of a batch (fastpath/groupmail follows every batch)."""
    return url_for("groupmail.batch", batch_id=batch_id)


def _notify_forms(posted: NotifyForm | None = None) -> dict[str, NotifyForm]:
    """One editor per outcome; `posted` (shown again with its errors) replaces its own."""
    forms = {}
    for value, outcome in decisions.OUTCOMES.items():
        if posted is not None and posted.outcome.data == value:
            form = posted
        else:
            form = NotifyForm(formdata=None, prefix=value, outcome=value)
        form.fill_from(decision_letters.default_letter(outcome))
        forms[value] = form
    return forms


def _notify_page(posted: NotifyForm | None = None, status: int = SHOWN):
    forms = _notify_forms(posted)
    waiting = {value: decisions.pending(outcome) for value, outcome in decisions.OUTCOMES.items()}
    return render_form_page(
        "organizer/notify.html",
        posted or forms["accepted"],
        status,
        forms=forms,
        waiting=waiting,
        placeholders=_letter_placeholders(),
        comment_fields=current_workshop().review.author_text_fields,
    )


@bp.get("/decisions/notify")
@login_required
def notify():
    """The decisions recorded but not yet told, by outcome, each with its editable mail."""
    return _notify_page()


def _posted_notify_form() -> NotifyForm:
    """The editor of the outcome that was posted (each outcome's fields have its prefix)."""
    value = next((v for v in decisions.OUTCOMES if f"{v}-outcome" in request.form), "none")
    return NotifyForm(prefix=value)


@bp.post("/decisions/notify/preview")
@login_required
def notify_preview():
    form = _posted_notify_form()
    if not form.validate_on_submit():
        if form.outcome.errors:
            abort(400)
        return _notify_page(form, SHOWN_AGAIN)
    return _notify_preview_page(form)


def _notify_preview_page(form: NotifyForm, status: int = SHOWN, notice: str | None = None):
    outcome = decisions.OUTCOMES[form.outcome.data]
    letter = form.letter(decision_letters.default_letter(outcome))
    # The preview shows every submission waiting for this outcome now; "send" sends those.
    chosen = decisions.pending(outcome)
    include_reviews = bool(form.include_reviews.data)
    planned = decisions.plan(
        chosen, outcome, include_reviews=include_reviews, letter=letter, notifying=True
    )
    form.nonce.data = new_nonce()
    return render_form_page(
        "organizer/notify_preview.html",
        form,
        status,
        outcome=outcome.value,
        label=decisions.BATCH_LABELS[outcome],
        letter=letter,
        notice=notice,
        planned=planned,
        to_send=[item for item in planned if item.skip_reason is None],
        include_reviews=include_reviews,
        reviews_seen=decisions.reviews_fingerprint(chosen) if include_reviews else "",
        placeholders=_letter_placeholders(),
        comment_fields=current_workshop().review.author_text_fields,
    )


@bp.post("/decisions/notify/send")
@login_required
def notify_send():
    form = _posted_notify_form()
    if not form.validate_on_submit():
        if form.outcome.errors or form.nonce.errors or not form.nonce.data:
            abort(400)
        return _notify_page(form, SHOWN_AGAIN)  # a hand-made post with a bad text
    outcome = decisions.OUTCOMES[form.outcome.data]
    already = decisions.batch_for_nonce(form.nonce.data)
    if already is not None:
        flash("These notifications were sent already; nothing was sent again.", "info")
        return redirect(batch_page(already.id), code=303)
    chosen = decisions.submissions_by_id(form.ids.data or [])
    include_reviews = bool(form.include_reviews.data)
    if include_reviews and form.reviews_seen.data != decisions.reviews_fingerprint(chosen):
        return _notify_preview_page(
            form,
            SHOWN_AGAIN,
            notice="The reviewers' comments changed since you opened this preview. Check the "
            "mails again; nothing was sent.",
        )
    try:
        report = decisions.notify(
            chosen,
            outcome,
            by=current_organizer(),
            letter=form.letter(decision_letters.default_letter(outcome)),
            nonce=form.nonce.data,
            include_reviews=include_reviews,
        )
        db.session.commit()  # the batch, its mails and the marks in one transaction
    except IntegrityError:
        # The same form posted twice at once: the other post sent it.
        db.session.rollback()
        report = decisions.NotifyReport(batch=decisions.batch_for_nonce(form.nonce.data))
        if report.batch is None:
            raise
        report.replayed = True
    if report.replayed:
        flash("These notifications were sent already; nothing was sent again.", "info")
    for submission, reason in report.skipped:
        flash(f"{submission.reference} skipped: {reason}. Nothing was sent for it.", "warning")
    if report.batch is None:
        flash("Nothing was sent.", "warning")
        return redirect(url_for(".notify"), code=303)
    if not report.replayed:
        plural = "s" if report.mails != 1 else ""
        flash(
            f"{report.batch.label}: {report.mails} mail{plural} queued for "
            + ", ".join(s.reference for s in report.notified)
            + ".",
            "success",
        )
    return redirect(batch_page(report.batch.id), code=303)


# --- Registrations ------------------------------------------------------------------------


@bp.get("/registrations")
@login_required
def registrations():
    lq = lists.ListQuery.from_args(request.args, sorts=lists.REGISTRATION_SORTS)
    found = db.paginate(
        lists.registration_query(lq), page=lq.page, per_page=lists.page_size(), error_out=False
    )
    return render_template(
        "organizer/registrations.html",
        lq=lq,
        registrations=found,
        waiting=lists.waiting_positions(),
        statuses=lists.REGISTRATION_STATUSES,
        sorts=lists.REGISTRATION_SORTS,
    )


@bp.get("/registrations/<int:registration_id>")
@login_required
def registration_detail(registration_id: int):
    registration = db.get_or_404(Registration, registration_id)
    return render_template(
        "organizer/registration.html",
        registration=registration,
        waiting_place=lists.waiting_positions().get(registration.id),
        mails=mailbox.mails_about(registration),
        history=services.history_of(f"registration:{registration.id}"),
    )


@bp.post("/registrations/<int:registration_id>/resend-link")
@login_required
def resend_registration_link(registration_id: int):
    registration = db.get_or_404(Registration, registration_id)
    if services.resend_registration_link(registration, by=current_organizer()):
        db.session.commit()
        flash(f"A new private link was mailed to {registration.email}.", "success")
    else:
        db.session.rollback()
        flash("This registration is cancelled; there is no link to send.", "warning")
    return redirect(url_for(".registration_detail", registration_id=registration.id), code=303)


MAX_CANCELLED_AT_ONCE = 1000


@bp.post("/registrations/<int:registration_id>/cancel")
@login_required
def cancel_registration(registration_id: int):
    registration = db.get_or_404(Registration, registration_id)
    if services.cancel_registrations([registration], by=current_organizer()):
        db.session.commit()
        flash(f"Cancelled; {registration.email} gets the usual mail.", "success")
    else:
        db.session.rollback()
        flash("This registration was cancelled already.", "warning")
    return redirect(url_for(".registration_detail", registration_id=registration.id), code=303)


@bp.post("/registrations/cancel")
@login_required
def cancel_registrations():
    ids = request.form.getlist("ids", type=int)[:MAX_CANCELLED_AT_ONCE]
    chosen = list(db.session.scalars(db.select(Registration).where(Registration.id.in_(ids))))
    if not chosen:
        flash("Choose at least one registration to cancel.", "warning")
        return redirect(url_for(".registrations"), code=303)
    count = services.cancel_registrations(chosen, by=current_organizer())
    db.session.commit()
    skipped = len(chosen) - count
    flash(
        f"Cancelled {count} registration{'s' if count != 1 else ''}; each gets the usual mail."
        + (f" {skipped} chosen were cancelled already." if skipped else ""),
        "success",
    )
    return redirect(url_for(".registrations"), code=303)


# --- CSV exports --------------------------------------------------------------------------


@bp.get(
    "/export/<any(registrations, submissions, authors, reviews, assignments, materials):kind>.csv"
)
@login_required
def export(kind: str):
    data, count = exports.export_csv(kind, request.args)
    filters = "; ".join(f"{key}={value}" for key, value in sorted(request.args.items()))
    record(
        AuditAction.EXPORT,
        organizer=current_organizer(),
        target=f"export:{kind}",
        details=f"{count} rows" + (f" (filter: {filters})" if filters else ""),
    )
    db.session.commit()
    return Response(
        data,
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{exports.filename(kind)}"',
        },
    )


# --- The outbox ---------------------------------------------------------------------------


@bp.get("/mail")
@login_required
def outbox():
    status = request.args.get("status", "")
    page = int_arg(request.args, "page", 1)
    mails = db.paginate(mailbox.outbox_query(status), page=page, per_page=50, error_out=False)
    return render_template(
        "organizer/outbox.html",
        mails=mails,
        status=status,
        statuses=mailbox.STATUSES,
        counts=mailbox.mail_counts(),
    )


@bp.get("/mail/<int:mail_id>")
@login_required
def mail_detail(mail_id: int):
    mail = mailbox.get_mail(mail_id)
    if mail is None:
        abort(404)
    return render_template("organizer/mail.html", mail=mail)


@bp.post("/mail/<int:mail_id>/retry")
@login_required
def retry_mail(mail_id: int):
    mail = mailbox.get_mail(mail_id)
    if mail is None:
        abort(404)
    if mailbox.retry(mail, by=current_organizer()):
        db.session.commit()  # the commit wakes the mail sender
        flash(f"Mail {mail.id} is queued again.", "success")
    else:
        flash(f"Mail {mail.id} has not failed; nothing to retry.", "warning")
    back = safe_next(request.form.get("back"))
    return redirect(back or url_for(".mail_detail", mail_id=mail.id), code=303)


@bp.post("/mail/retry-failed")
@login_required
def retry_failed_mail():
    count = mailbox.retry_all_failed(by=current_organizer())
    db.session.commit()
    flash(f"{count} failed mail{'s' if count != 1 else ''} queued again.", "success")
    return redirect(url_for(".outbox", status="queued"), code=303)
