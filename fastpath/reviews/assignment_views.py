"""The chairs' assignment pages: by hand per submission, and automatic with a preview."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from ..content import current_workshop
from ..core.extensions import db
from ..organizer.auth import chair_required, current_organizer, safe_next
from ..web.forms import SHOWN, SHOWN_AGAIN, posted_status, render_form_page
from . import assignment
from .assignment_forms import AutoAssignForm, ReviewerActionForm, SaveAutoForm
from .views import bp, visible_submission


def _auto_page(form, status: int, plan=None, save_form=None, message=None):
    mail_count, mail_reviewers = assignment.pending_notifications()
    if plan is not None and save_form is None:
        save_form = SaveAutoForm(formdata=None)
        save_form.per_submission.data = plan.per_submission
        save_form.fingerprint.data = plan.fingerprint
    return render_form_page(
        "reviews/assign_auto.html",
        form,
        status,
        org_section="reviews-table",
        plan=plan,
        save_form=save_form,
        message=message,
        pending_mail=mail_count,
        pending_reviewers=mail_reviewers,
    )


@bp.get("/assign")
@chair_required
def auto_assign():
    args = request.args
    if "per_submission" not in args:
        args = MultiDict({"per_submission": str(current_workshop().review.per_submission)})
    form = AutoAssignForm(formdata=args, meta={"csrf": False})
    if not form.validate():
        return _auto_page(form, SHOWN_AGAIN)
    return _auto_page(form, SHOWN, plan=assignment.plan_auto(form.per_submission.data))


@bp.post("/assign")
@chair_required
def save_auto_assign():
    save_form = SaveAutoForm()
    form = AutoAssignForm(formdata=None, meta={"csrf": False})
    if not save_form.validate_on_submit():
        form.per_submission.data = current_workshop().review.per_submission
        message = "The saved preview was not valid. Check the new preview below."
        plan = None
        if not save_form.per_submission.errors:
            form.per_submission.data = save_form.per_submission.data
            plan = assignment.plan_auto(save_form.per_submission.data)
        return _auto_page(form, posted_status(save_form), plan=plan, message=message)
    form.per_submission.data = save_form.per_submission.data
    try:
        added = assignment.save_plan(
            save_form.per_submission.data, save_form.fingerprint.data, by=current_organizer()
        )
    except assignment.PlanChanged as changed:
        db.session.rollback()
        return _auto_page(form, SHOWN_AGAIN, plan=changed.plan, message=str(changed))
    db.session.commit()  # the assignments, their audit rows and the mails; the commit sends
    flash(
        f"{added} assignment{'s' if added != 1 else ''} saved; each reviewer with new "
        "assignments was mailed the list.",
        "success",
    )
    return redirect(url_for(".auto_assign", per_submission=save_form.per_submission.data), code=303)


@bp.post("/assignments/notify")
@chair_required
def notify_assignments():
    mails = assignment.notify_new_assignments(by=current_organizer())
    db.session.commit()
    if mails:
        flash(
            f"{mails} reviewer{'s' if mails != 1 else ''} mailed their new assignments.", "success"
        )
    else:
        flash("Every assignment has been mailed already; nobody was mailed.", "info")
    return redirect(safe_back() or url_for(".auto_assign"), code=303)


def safe_back() -> str | None:
    return safe_next(request.form.get("back"))


def _submission_page(submission, form, status: int, message=None):
    return render_form_page(
        "reviews/assign_submission.html",
        form,
        status,
        org_section="reviews-table",
        submission=submission,
        rows=assignment.submission_reviewers(submission),
        message=message,
    )


@bp.route("/submissions/<int:number>/assign", methods=["GET", "POST"])
@chair_required
def assign_submission(number: int):
    submission = visible_submission(number)
    form = ReviewerActionForm()
    if request.method == "GET":
        return _submission_page(submission, ReviewerActionForm(formdata=None), SHOWN)
    if not form.validate_on_submit():
        return _submission_page(submission, form, posted_status(form), "Nothing was changed.")
    by = current_organizer()
    reviewer_id = form.reviewer_id.data
    try:
        if form.action.data == "assign":
            row = assignment.assign(reviewer_id, submission.id, by=by)
            done = f"{row.reviewer.display_name} assigned to {submission.reference}."
        elif form.action.data == "unassign":
            done = assignment.unassign(
                reviewer_id, submission.id, by=by, confirmed=form.confirm.data == "1"
            )
        elif form.action.data == "conflict":
            done = assignment.set_conflict(
                reviewer_id, submission.id, by=by, reason=form.reason.data or ""
            )
        else:
            done = assignment.clear_conflict(reviewer_id, submission.id, by=by)
    except assignment.NeedsConfirmation as needed:
        db.session.rollback()
        return render_template(
            "reviews/unassign_confirm.html",
            org_section="reviews-table",
            submission=submission,
            review=needed.review,
            reviewer=needed.review.reviewer,
            message=str(needed),
            rules=current_workshop().review,
        ), SHOWN
    except assignment.AssignmentError as error:
        db.session.rollback()
        return _submission_page(submission, form, SHOWN_AGAIN, f"{error} Nothing was changed.")
    db.session.commit()
    flash(done[0].upper() + done[1:] + ("" if done.endswith(".") else "."), "success")
    return redirect(url_for(".assign_submission", number=submission.number), code=303)
