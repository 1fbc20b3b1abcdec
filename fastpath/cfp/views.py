"""Views for cfp: /submit, its receipt, the private link /submission/<token>, lost links.

Thin: each reads its form (cfp/forms.py), calls one service (cfp/services.py), commits, and
answers: a redirect, or the form page (fastpath/web/forms.py) with the status and notice a
refusal calls for. The error handlers at the end show a posted form again with its input."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from ..clock import as_utc
from ..core.after_response import after_response
from ..core.extensions import db, limiter
from ..core.tokens import new_nonce
from ..mail.allowance import TooManyMails, recipient_has_room
from ..web.downloads import private_download
from ..web.errors import (
    DATABASE_REASON,
    FULL_ERRNOS,
    STORAGE_REASON,
    database_unavailable,
    storage_unavailable,
)
from ..web.forms import EXPIRED, SHOWN, SHOWN_AGAIN, posted_status, render_form_page
from . import services
from .forms import (
    MAX_AUTHORS,
    EditSubmissionForm,
    LostLinkForm,
    NewSubmissionForm,
    SubmissionFieldsForm,
    WithdrawForm,
    is_row_action,
)
from .models import Submission, SubmissionStatus

bp = Blueprint("cfp", __name__)

RECEIPT_KEY = "cfp_receipt"  # the session remembers which submission the receipt page shows
HONEYPOT_NOTICE = "We could not accept this form. Please check it and send it again."
TOO_MANY_MAILS_NOTICE = (
    "Too many mails to the authors of submissions were sent from your network today, so this "
    "form was not accepted. Everything you typed is still here; please send it again later."
)
CONFLICT_NOTICE = (
    "This submission was changed (in another window or by a co-author) after you opened this "
    "form. Check the values below and save again to replace those changes, or open the "
    "submission to see its current state."
)
PRIVATE_ENDPOINTS = {"cfp.submission", "cfp.edit", "cfp.withdraw", "cfp.pdf", "cfp.thanks"}


def _exempt_from_post_limit() -> bool:
    # Flask-Limiter's on/off switch is one flag shared by every app built in the process (the
    # last init_app wins); reading this app's own config keeps an app that switched it off
    # unlimited whatever other apps did. Posts that only rearrange author rows (the buttons
    # that work without JavaScript) are not submission attempts and are not counted, unless
    # they carry a file: storing it is what a submit costs.
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return True
    try:
        if any(upload.filename for upload in request.files.getlist("pdf")):
            return False
        return is_row_action(request.form.get("action"))
    except HTTPException:  # e.g. a body over MAX_CONTENT_LENGTH: let the view answer it
        return False


def _client() -> str:
    """Who sent this request, as the rate limiter counts it (the proxy-corrected address)."""
    return request.remote_addr or "unknown"


def _limited_posts() -> Callable:
    return limiter.limit(
        lambda: current_app.config["RATELIMIT_FORM_POSTS"],
        methods=["POST"],
        exempt_when=_exempt_from_post_limit,
    )


@bp.app_template_filter("cfp_when")
def cfp_when(moment: datetime) -> str:
    """A stored moment as 'January 20, 2020, 12:00 UTC'."""
    moment = as_utc(moment)
    return f"{moment:%B} {moment.day}, {moment.year}, {moment:%H:%M} UTC"


@bp.after_request
def private_headers(response: Response) -> Response:
    if request.endpoint in PRIVATE_ENDPOINTS:
        # The token is in the address: never send it on to other sites as a Referer, and keep
        # shared caches and search engines away from the page.
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Robots-Tag"] = "noindex"
        response.headers.setdefault("Cache-Control", "private, no-cache")
    return response


# --- Submitting ------------------------------------------------------------------------------


def _render_submit(form: NewSubmissionForm, status: int = SHOWN, notice: str | None = None):
    form.find_kept()
    window = services.submission_window()
    return render_form_page(
        "cfp/submit.html",
        form,
        status,
        cache_key=("submit", window, notice),
        nonce_field="form_nonce",
        window=window,
        notice=notice,
        max_authors=MAX_AUTHORS,
    )


@bp.route("/submit", methods=["GET", "POST"])
@_limited_posts()
def submit():
    window = services.submission_window()
    if request.method == "GET":
        if window != "open":
            return render_template("cfp/closed.html", window=window)
        return _render_submit(NewSubmissionForm(form_nonce=new_nonce()))
    form = NewSubmissionForm()
    g.cfp_reshow = lambda status, notice: _render_submit(form, status, notice=notice)
    if window != "open":  # refused, but everything typed is shown again
        return _render_submit(form, SHOWN_AGAIN)
    if form.rearrange_rows(request.form.get("action"), _client()):
        return _render_submit(form)
    post = form.read_post(_client())
    try:
        submission = services.submit_form(post, _client())
        db.session.commit()
    except services.AlreadySubmitted as already:  # a double click or a replay: the first won
        db.session.rollback()
        form.discard_new_pdf()
        return _receipt(already.submission, already=True)
    except REFUSALS as refusal:
        return _render_submit(form, *_refused(refusal))
    except SQLAlchemyError as error:
        _discard_unsaved_pdf(form, error)
        raise
    return _receipt(submission)


# What the services refuse a posted form for; it is shown again with its input and a notice.
REFUSALS = (services.EntryInvalid, services.LooksAutomated, services.EditConflict, TooManyMails)


def _refused(refusal: Exception) -> tuple[int, str | None]:
    """The status and notice of the form shown again after the services refused it."""
    if isinstance(refusal, TooManyMails):
        db.session.rollback()  # the allowance spent so far is not spent
        return 429, TOO_MANY_MAILS_NOTICE
    if isinstance(refusal, services.LooksAutomated):
        return SHOWN_AGAIN, HONEYPOT_NOTICE
    if isinstance(refusal, services.EditConflict):
        return 409, CONFLICT_NOTICE
    return SHOWN_AGAIN, None


def _discard_unsaved_pdf(form: SubmissionFieldsForm, error: SQLAlchemyError) -> None:
    """The database refused the post (an error page follows): the PDF this request stored
    belongs to nothing. When the database is only unavailable (locked, full, read-only) the
    form is shown again with the PDF kept, so the file stays; and after a lost connection the
    commit may have happened all the same. Either way `flask cfp purge-uploads` (which only
    deletes unused files) and the caps on kept files clean up what is never sent."""
    db.session.rollback()
    unavailable = isinstance(error, OperationalError)
    if not (unavailable or getattr(error, "connection_invalidated", False)):
        form.discard_new_pdf()


def _receipt(submission: Submission, already: bool = False):
    session[RECEIPT_KEY] = submission.id
    if already:
        flash(
            f"This form had already been sent: submission {submission.reference} was recorded "
            "once. To change it, use the private link in the confirmation mail.",
            "warning",
        )
    return redirect(url_for(".thanks"), code=303)


@bp.get("/submit/thanks")
def thanks():
    submission_id = session.get(RECEIPT_KEY)
    submission = None
    if isinstance(submission_id, int):
        submission = db.session.get(Submission, submission_id)
    if submission is None:
        return redirect(url_for(".submit"))
    return render_template(
        "cfp/thanks.html",
        submission=submission,
        topics=services.topic_titles(submission.topic_keys),
    )


# --- The private link ------------------------------------------------------------------------


def _submission_or_404(token: str) -> Submission:
    # A POST changes the submission: its row is locked before its status is checked.
    found = services.find_submission_by_token(token, for_update=request.method == "POST")
    if found is None:
        abort(404)
    if services.use_link(found, token):
        db.session.commit()  # the newly mailed link is the link from now on
    return found


@bp.get("/submission/<token>")
def submission(token: str):
    found = _submission_or_404(token)
    return render_template(
        "cfp/submission.html",
        submission=found,
        token=token,
        can_change=services.can_change(found),
        window=services.submission_window(),
        topics=services.topic_titles(found.topic_keys),
    )


def _render_edit(
    form: EditSubmissionForm,
    found: Submission,
    token: str,
    status: int = SHOWN,
    notice: str | None = None,
):
    form.find_kept()
    return render_form_page(
        "cfp/edit.html",
        form,
        status,
        submission=found,
        token=token,
        window=services.submission_window(),
        notice=notice,
        max_authors=MAX_AUTHORS,
    )


def _unchangeable(found: Submission, token: str):
    if found.status != SubmissionStatus.SUBMITTED:
        status = found.status_for_authors.value
        flash(f"This submission is {status} and can no longer be changed.", "warning")
    else:
        flash("Submissions have closed: this submission can no longer be changed.", "warning")
    return redirect(url_for(".submission", token=token), code=303)


@bp.route("/submission/<token>/edit", methods=["GET", "POST"])
@_limited_posts()
def edit(token: str):
    found = _submission_or_404(token)
    if request.method == "GET":
        if not services.can_change(found):
            return _unchangeable(found, token)
        form = EditSubmissionForm(formdata=None, version=str(found.version))
        form.load(found)
        return _render_edit(form, found, token)
    form = EditSubmissionForm()
    g.cfp_reshow = lambda status, notice: _render_edit(form, found, token, status, notice=notice)
    if found.status != SubmissionStatus.SUBMITTED:
        return _unchangeable(found, token)
    if services.submission_window() != "open":
        return _render_edit(form, found, token, SHOWN_AGAIN)
    if form.rearrange_rows(request.form.get("action"), _client()):
        return _render_edit(form, found, token)
    post = form.read_post(_client())
    try:
        result = services.save_edit(found, post, token, _client())
        db.session.commit()
    except REFUSALS as refusal:
        if isinstance(refusal, services.EditConflict):
            form.version.data = str(refusal.version)  # saving again replaces those changes
        return _render_edit(form, found, token, *_refused(refusal))
    except SQLAlchemyError as error:
        _discard_unsaved_pdf(form, error)
        raise
    if result.unused_file:
        services.delete_upload(result.unused_file)
    flash(_saved_message(result.changes))
    return redirect(url_for(".submission", token=token), code=303)


def _saved_message(changes: list[services.Change]) -> str:
    if not changes:
        return "Nothing was changed."
    changed = ", ".join(
        change.label if change.label == "PDF" else change.label.lower() for change in changes
    )
    return f"Saved ({changed}). We sent a summary of the changes to the contact author."


@bp.route("/submission/<token>/withdraw", methods=["GET", "POST"])
@_limited_posts()
def withdraw(token: str):
    found = _submission_or_404(token)
    if not services.can_change(found):
        return _unchangeable(found, token)
    form = WithdrawForm()
    if not form.validate_on_submit():
        return render_form_page("cfp/withdraw.html", form, submission=found, token=token)
    services.withdraw_submission(found, token)
    db.session.commit()
    flash(
        f"Submission {found.reference} is withdrawn. We sent a confirmation to the contact author."
    )
    return redirect(url_for(".submission", token=token), code=303)


@bp.get("/submission/<token>/pdf")
def pdf(token: str):
    try:
        download = services.pdf_download(_submission_or_404(token))
    except services.PdfMissing:
        abort(404)
    return private_download(download.path, download.download_name, download.mimetype)


@bp.route("/submission/lost", methods=["GET", "POST"])
@_limited_posts()
def lost():
    form = LostLinkForm()
    if form.validate_on_submit():
        # Looked up and mailed after the answer has gone out: the answer, and the time it
        # takes, are the same whether or not the address belongs to a contact author.
        address = form.email.data
        after_response(lambda: recipient_has_room(address) and services.send_lost_links(address))
        flash(
            f"If {form.email.data} is the contact address of a submission, a mail with its "
            "private link is on its way. Links sent earlier work until you open the new one."
        )
        return redirect(url_for(".lost"), code=303)
    return render_form_page("cfp/lost.html", form, posted_status(form))


# --- Errors on our forms: keep what the author typed -----------------------------------------


def _form_again(status: int, notice: str):
    """Show the posted submission form again with a notice, keeping every typed value (and
    the PDF the view already kept, when the view got that far)."""
    reshow = g.get("cfp_reshow")
    if reshow is not None:
        return reshow(status, notice)
    if request.endpoint == "cfp.submit" and request.method == "POST":
        return _render_submit(NewSubmissionForm(), status, notice=notice)
    if request.endpoint == "cfp.edit" and request.method == "POST":
        token = (request.view_args or {}).get("token", "")
        found = services.find_submission_by_token(token)
        if found is None:  # an error handler must not abort() again: answer the 404 itself
            return render_template("errors/404.html"), 404
        return _render_edit(EditSubmissionForm(), found, token, status, notice=notice)
    return None


@bp.errorhandler(CSRFError)
def csrf_failed(_error: CSRFError):
    notice = (
        "Your session ran out (or cookies are blocked), so this form could not be accepted. "
        "Everything you typed is still here: check it and send it again."
    )
    page = _form_again(EXPIRED, notice)
    if page is not None:
        return page
    flash(notice, "error")
    return redirect(request.path, code=303)


@bp.errorhandler(429)
def too_many_posts(_error: HTTPException):
    notice = (
        "Too many forms were sent from your network in the last hour, so this one was not "
        "accepted. Everything you typed is still here (choose the PDF again); please send it "
        "again later."
    )
    page = _form_again(429, notice)
    if page is not None:
        return page
    return render_template("cfp/too_many.html"), 429


def _unavailable_notice(reason: str) -> str:
    # A locked database refuses even the lookups that keep a PDF, so it may not be kept.
    return (
        f"The site cannot save anything right now. {reason} Nothing from this form was saved; "
        "everything you typed is still here (choose the PDF again if it is not named below). "
        "Please send it again in a few minutes."
    )


# The site-wide 503 pages (fastpath/web/errors.py) answer every other request; a submission
# form posted while the database or the file storage refuses writes comes back filled in.
@bp.errorhandler(OperationalError)
def database_refused(error: OperationalError):
    if request.method != "POST" or g.get("cfp_reshow") is None:
        return database_unavailable(error)
    db.session.rollback()
    current_app.logger.error("database write failed, form shown again: %s", error)
    return _form_again(503, _unavailable_notice(DATABASE_REASON))


@bp.errorhandler(OSError)
def storage_refused(error: OSError):
    if request.method != "POST" or g.get("cfp_reshow") is None or error.errno not in FULL_ERRNOS:
        return storage_unavailable(error)
    db.session.rollback()
    current_app.logger.error("storage write failed, form shown again: %s", error)
    return _form_again(503, _unavailable_notice(STORAGE_REASON))
