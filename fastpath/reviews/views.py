"""Views of the committee's review, under /organizer/reviews. Reviewer pages are in this
module; the chairs' pages are in chair_views.py and the assignment pages in
assignment_views.py, on the same blueprint. Every view is behind login_required (reviewer
pages) or chair_required (chair pages), and every submission is looked up through
access.submission_for, so a submission a reviewer may not see answers 404."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from sqlalchemy.orm import selectinload

from ..cfp.models import Submission
from ..cfp.services import PdfMissing, pdf_download
from ..content import current_workshop
from ..core.extensions import db
from ..core.tokens import looks_like_nonce, new_nonce
from ..core.urls import bounded_int
from ..organizer.area import organizer_area
from ..organizer.auth import current_organizer, login_required
from ..organizer.lists import fold
from ..organizer.models import Organizer
from ..web.downloads import private_download
from ..web.forms import EXPIRED, SHOWN, SHOWN_AGAIN, posted_status, render_form_page
from . import access, services
from .forms import (
    BID_CHOICES,
    BidForm,
    CommentForm,
    ConfirmConflictForm,
    ConflictForm,
    review_form,
)
from .models import BidPreference

bp = organizer_area(Blueprint("reviews", __name__))


def visible_submission(number: int):
    """The submission for the signed-in committee member, or 404 (also when it exists but
    they may not see it)."""
    person = current_organizer()
    assert person is not None
    try:
        return access.submission_for(person, number)
    except access.NotVisible:
        abort(404)


# --- The reviewer's own page ----------------------------------------------------------------


def _person() -> Organizer:
    person = current_organizer()
    assert person is not None
    return person


@bp.get("/")
@login_required
def home():
    person = _person()
    rows = []
    for assignment in access.assignments_of(person):
        review = services.review_of(person, assignment.submission)
        status = "not started" if review is None else review.status.value
        rows.append({"submission": assignment.submission, "status": status})
    return render_template(
        "reviews/home.html",
        org_section="reviews",
        rows=rows,
        assignments=rows,
        time_left=services.time_left(),
        rules=current_workshop().review,
    )


# --- Bids -----------------------------------------------------------------------------------


def _excerpt(text: str, length: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[:length].rsplit(" ", 1)[0] + "…"


def _bids_page(form: BidForm | None, status: int, error_number: int | None = None):
    person = _person()
    q = (request.args.get("q") or "").strip()[:200]
    ids = access.visible_ids(person)
    query = (
        db.select(Submission)
        .where(Submission.id.in_(ids))
        .options(selectinload(Submission.topics), selectinload(Submission.authors))
        .order_by(Submission.number)
    )
    submissions = list(db.session.scalars(query))
    if q:
        wanted = fold(q)
        submissions = [
            s for s in submissions if wanted in fold(s.title) or wanted in fold(s.abstract)
        ]
    workshop = current_workshop()
    topics = {t.key: t.title for t in workshop.topics}
    return render_template(
        "reviews/bids.html",
        org_section="bids",
        submissions=submissions,
        q=q,
        bids=services.bids_of(person),
        choices=BID_CHOICES,
        topics=topics,
        excerpt=_excerpt,
        show_authors=access.shows_authors(person, workshop.review.double_blind),
        form=form,
        error_number=error_number,
    ), status


@bp.get("/bids")
@login_required
def bids():
    return _bids_page(None, SHOWN)


@bp.post("/bids")
@login_required
def save_bid():
    person = _person()
    form = BidForm()
    number = None
    if form.validate_on_submit():
        try:
            number = bounded_int(form.number.data)
        except ValueError:
            abort(404)
        submission = visible_submission(number)
        preference = BidPreference(form.preference.data) if form.preference.data else None
        services.set_bid(person, submission, preference)
        db.session.commit()
        flash(f"Your bid on {submission.reference} is saved.", "success")
        return redirect(url_for(".bids", q=request.args.get("q") or None) + f"#s{number}", 303)
    return _bids_page(form, SHOWN_AGAIN)


# --- Conflicts ------------------------------------------------------------------------------


def _conflicts_page(form: ConflictForm, status: int, message: str | None = None):
    person = _person()
    return render_form_page(
        "reviews/conflicts.html",
        form,
        status,
        org_section="conflicts",
        summary=services.conflict_summary(person),
        message=message,
    )


@bp.get("/conflicts")
@login_required
def conflicts():
    return _conflicts_page(ConflictForm(), SHOWN)


@bp.post("/conflicts")
@login_required
def declare_conflict():
    person = _person()
    form = ConflictForm()
    if form.validate_on_submit():
        number = form.number_value()
        if number is None:
            form.number.errors.append("Give the submission's number, such as 3.")
        else:
            try:
                submission = services.submission_to_declare(person, number)
                services.declare_conflict(person, submission, form.reason.data or "")
            except services.ReviewError as refusal:
                db.session.rollback()
                target = form.reason if refusal.field == "reason" else form.number
                target.errors.append(refusal.message)
            else:
                db.session.commit()
                flash(
                    f"Your conflict with submission {number} is recorded; "
                    "you will not see it any more.",
                    "success",
                )
                return redirect(url_for(".conflicts"), code=303)
    return _conflicts_page(form, posted_status(form) if not form.errors else SHOWN_AGAIN)


@bp.post("/conflicts/confirm")
@login_required
def confirm_conflict():
    person = _person()
    form = ConfirmConflictForm()
    if form.validate_on_submit():
        try:
            count = services.confirm_suggested_conflicts(person)
        except services.ReviewError as refusal:
            db.session.rollback()
            return _conflicts_page(ConflictForm(formdata=None), 409, refusal.message)
        db.session.commit()
        flash(f"{count} suggested conflict{'s' if count != 1 else ''} confirmed.", "success")
        return redirect(url_for(".conflicts"), code=303)
    return _conflicts_page(ConflictForm(formdata=None), EXPIRED, "The form had expired.")


# --- One submission: its page, the review form, the discussion -----------------------------


def _review_form_for(person: Organizer, submission: Submission, formdata=None):
    rules = current_workshop().review
    review = services.review_of(person, submission)
    if formdata is not None:
        return review_form(rules.fields, formdata=formdata), review
    data: dict = {"version": str(review.version if review else 0)}
    if review is not None:
        data.update(review.scores)
        data.update(review.texts)
    return review_form(rules.fields, formdata=None, data=data), review


def _submission_page(
    submission: Submission,
    *,
    form=None,
    comment_form: CommentForm | None = None,
    status: int = SHOWN,
    message: str | None = None,
):
    person = _person()
    workshop = current_workshop()
    rules = workshop.review
    assigned = services.may_review(person, submission)
    review = services.review_of(person, submission)
    if assigned and form is None:
        form, review = _review_form_for(person, submission)
    return render_template(
        "reviews/submission.html",
        org_section="reviews",
        submission=submission,
        rules=rules,
        topics={t.key: t.title for t in workshop.topics},
        show_authors=access.shows_authors(person, rules.double_blind),
        assigned=assigned,
        review=review,
        form=form,
        is_open=services.reviews_open(),
        time_left=services.time_left(),
        others=services.others_reviews(person, submission),
        may_discuss=services.may_discuss(person, submission),
        comments=services.comments_for(person, submission),
        comment_form=comment_form or CommentForm(formdata=None),
        message=message,
    ), status


@bp.get("/submissions/<int:number>")
@login_required
def submission(number: int):
    return _submission_page(visible_submission(number))


@bp.post("/submissions/<int:number>/review")
@login_required
def save_review(number: int):
    person = _person()
    submission = visible_submission(number)
    rules = current_workshop().review
    form, _ = _review_form_for(person, submission, formdata=request.form)
    submit = "submit" in request.form
    if not form.validate_on_submit():
        return _submission_page(submission, form=form, status=posted_status(form))
    try:
        review = services.save_review(
            person,
            submission,
            form.score_values(rules.score_fields),
            form.text_values(rules.text_fields),
            submit=submit,
            version=form.version_number() if form.version_number() is not None else -1,
        )
    except services.ReviewError as refusal:
        db.session.rollback()
        status = SHOWN_AGAIN
        if isinstance(refusal, services.ReviewClosed):
            status = 403
        elif isinstance(refusal, services.NotAssigned):
            status = 403
        elif isinstance(refusal, services.StaleReview):
            status = 409
            # Keep what they typed, on the review's current version: saving again is
            # deliberate now.
            current = services.review_of(person, submission)
            form.version.data = str(current.version if current else 0)
        for key, text in refusal.errors.items():
            if key in form:
                form[key].errors = [*form[key].errors, text]
        return _submission_page(submission, form=form, status=status, message=refusal.message)
    db.session.commit()
    if review.is_submitted:
        flash(f"Your review of {submission.reference} is submitted.", "success")
    else:
        flash(f"Your draft review of {submission.reference} is saved.", "success")
    return redirect(url_for(".submission", number=number), code=303)


@bp.post("/submissions/<int:number>/comments")
@login_required
def comment(number: int):
    person = _person()
    submission = visible_submission(number)
    form = CommentForm()
    if form.validate_on_submit():
        nonce = form.form_nonce.data
        try:
            if not looks_like_nonce(nonce):
                raise services.ReviewError(
                    "The comment form is incomplete; write it again.", "body"
                )
            services.post_comment(person, submission, form.body.data or "", nonce)
        except services.ReviewError as refusal:
            db.session.rollback()
            if refusal.field == "posted_twice":
                flash(refusal.message, "info")
                return redirect(url_for(".submission", number=number) + "#discussion", code=303)
            form.body.errors = [*form.body.errors, refusal.message]
            form.form_nonce.data = new_nonce()
            status = SHOWN_AGAIN if refusal.field else 403
            return _submission_page(
                submission, comment_form=form, status=status, message=refusal.message
            )
        db.session.commit()
        flash("Your comment is posted; the committee gets it in the next digest.", "success")
        return redirect(url_for(".submission", number=number) + "#discussion", code=303)
    return _submission_page(submission, comment_form=form, status=posted_status(form))


@bp.get("/submissions/<int:number>/paper.pdf")
@login_required
def pdf(number: int):
    submission = visible_submission(number)
    try:
        download = pdf_download(submission)
    except PdfMissing:
        abort(404)
    return private_download(download.path, download.download_name, download.mimetype)


@bp.get("/papers.zip")
@login_required
def papers_zip():
    person = _person()
    chunks = services.assigned_pdfs_zip(person)
    name = f"{current_workshop().short_name.replace(' ', '')}-papers.zip"
    response = Response(stream_with_context(chunks), mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# The chairs' pages and the assignment pages add their routes to this blueprint.
from . import assignment_views, chair_views  # noqa: E402, F401
