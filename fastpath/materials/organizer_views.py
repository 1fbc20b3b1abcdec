"""The organizers' side of materials at /organizer/materials/ (chairs only): what is in and
what is missing, reopening one submission, the reminder with its preview, the files."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from ..cfp.models import Submission, SubmissionStatus
from ..core.extensions import db
from ..core.tokens import new_nonce
from ..core.urls import int_arg
from ..organizer.area import organizer_area
from ..organizer.auth import chair_required, current_organizer, safe_next
from ..web.downloads import private_download
from . import services
from .forms import RemindForm, ReopenForm

bp = organizer_area(Blueprint("materials_organizer", __name__))


@bp.get("/")
@chair_required
def overview():
    submissions = services.accepted_submissions()
    return render_template(
        "materials/overview.html",
        submissions=submissions,
        states=services.states_of(submissions),
        reopen_default=services.default_reopen_until(),
        recipients=len(services.reminder_recipients()),
        rules=services.rules(),
    )


def _accepted_or_404(submission_id: int) -> Submission:
    submission = db.get_or_404(Submission, submission_id)
    if submission.status != SubmissionStatus.ACCEPTED:
        abort(404)  # a reversed decision's files are not handed out any more
    return submission


@bp.get("/<int:submission_id>/final.pdf")
@chair_required
def final_pdf(submission_id: int):
    return _download(submission_id, "final")


@bp.get("/<int:submission_id>/slides.pdf")
@chair_required
def slides_pdf(submission_id: int):
    return _download(submission_id, "slides")


def _download(submission_id: int, kind: str):
    try:
        download = services.download(_accepted_or_404(submission_id), kind)
    except services.FileMissing:
        abort(404)
    return private_download(download.path, download.download_name, download.mimetype)


@bp.post("/<int:submission_id>/reopen")
@chair_required
def reopen(submission_id: int):
    submission = db.get_or_404(Submission, submission_id)
    back = safe_next(request.form.get("back")) or url_for(".overview")
    form = ReopenForm()
    if not form.validate_on_submit():
        flash("Give the date and time to reopen until, as 2020-04-12 18:00 (UTC).", "error")
        return redirect(back, code=303)
    try:
        row = services.reopen(submission, form.until_utc(), by=current_organizer())
    except services.MaterialsError as refused:
        db.session.rollback()
        flash(f"{submission.reference} was not reopened: {refused}", "warning")
        return redirect(back, code=303)
    db.session.commit()
    until = services.closes_for(row)
    flash(
        f"Uploads for {submission.reference} are open until {until:%Y-%m-%d %H:%M} UTC. "
        "Its authors were not mailed: tell them yourself.",
        "success",
    )
    return redirect(back, code=303)


@bp.route("/remind", methods=["GET", "POST"])
@chair_required
def remind():
    if request.method == "POST":
        form = RemindForm()
        if not form.validate_on_submit():
            flash("The reminder form was incomplete; nothing was sent.", "error")
            return redirect(url_for(".remind"), code=303)
        try:
            count = services.send_reminders(form.nonce.data, by=current_organizer())
        except services.ReminderRefused as refused:
            db.session.rollback()
            flash(str(refused), "warning")
            return redirect(url_for(".overview"), code=303)
        db.session.commit()
        if count:
            flash(
                f"Reminder mailed to {count} contact author{'s' if count != 1 else ''}.", "success"
            )
        else:
            flash("Nothing is missing anywhere; no reminder was sent.", "info")
        return redirect(url_for(".overview"), code=303)
    recipients = services.reminder_recipients()
    chosen_id = int_arg(request.args, "submission", 0, minimum=0)
    chosen = next((r for r in recipients if r.submission.id == chosen_id), None)
    chosen = chosen or (recipients[0] if recipients else None)
    return render_template(
        "materials/remind.html",
        recipients=recipients,
        chosen=chosen,
        mail=services.render_reminder(chosen) if chosen else None,
        form=RemindForm(formdata=None, nonce=new_nonce()),
    )
