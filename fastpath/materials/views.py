"""Views for materials under the private link: /submission/<token>/materials and its forms
(final version, slides, presenter, bio, video link, consent), downloads of what was sent.

Thin: each finds the submission by its token (a plain 404 unless it is accepted and its
authors were told), reads its form, calls one service, commits, then redirects; a refusal
shows the page again with the posted form's input and a notice (403 closed, 409 stale,
413 too large, 422 errors, 429 too many)."""

from __future__ import annotations

from collections.abc import Callable

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
    url_for,
)
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from ..cfp import services as cfp_services
from ..cfp.models import Submission
from ..core.extensions import db, limiter
from ..core.text import file_size
from ..web.downloads import private_download
from ..web.forms import EXPIRED, SHOWN, SHOWN_AGAIN, render_form_page
from . import services
from .forms import DetailsForm, FinalForm, SlidesForm

bp = Blueprint("materials", __name__)

CLOSED = 403
STALE_NOTICE = (
    "The materials were changed after you opened this page ({what}), perhaps in another "
    "window or by a co-author. Nothing from this form was saved. Check the page below and "
    "send the form again to replace those changes."
)
# Room for the form's other fields and the multipart framing around the largest file.
BODY_MARGIN = 1024 * 1024
PRIVATE_ENDPOINTS = {
    "materials.page",
    "materials.final",
    "materials.slides",
    "materials.details",
    "materials.final_pdf",
    "materials.slides_pdf",
}


def _body_limits() -> dict[str, int]:
    rules = services.rules()
    return {
        "materials.final": rules.final_max_file_bytes + BODY_MARGIN,
        "materials.slides": rules.slides_max_file_bytes + BODY_MARGIN,
    }


@bp.url_value_preprocessor
def raise_body_limit(endpoint: str | None, _values: dict | None) -> None:
    # Slides may be larger than the site's MAX_CONTENT_LENGTH: these two posts get a limit of
    # their own. URL value preprocessors run before every before_request function (the
    # app's CSRF check and upload-field check read the body), so the limit is in place first.
    limit = _body_limits().get(endpoint or "")
    if limit is not None and request.method == "POST":
        request.max_content_length = max(limit, current_app.config["MAX_CONTENT_LENGTH"] or 0)


@bp.after_request
def private_headers(response: Response) -> Response:
    if request.endpoint in PRIVATE_ENDPOINTS:
        # web/security.py already sends no-referrer and no-store for /submission/...
        response.headers["X-Robots-Tag"] = "noindex"
    return response


def _exempt_from_post_limit() -> bool:
    # As cfp's: this app's own switch (Flask-Limiter's flag is shared by every app built).
    return not current_app.config.get("RATELIMIT_ENABLED", True)


def _limited_posts() -> Callable:
    """Posts that store files (and mail a confirmation) count like cfp's form posts."""
    return limiter.limit(
        lambda: current_app.config["RATELIMIT_FORM_POSTS"],
        methods=["POST"],
        exempt_when=_exempt_from_post_limit,
    )


@bp.app_template_global("materials_state")
def materials_state(submission: Submission) -> services.MaterialsState | None:
    """For the private submission page: the materials, once they are asked for."""
    return services.state_of(submission) if services.offered(submission) else None


# --- The page -------------------------------------------------------------------------------


def _submission_or_404(token: str) -> Submission:
    # A POST changes the materials: the submission's row is locked (and read afresh) first.
    found = cfp_services.find_submission_by_token(token, for_update=request.method == "POST")
    if found is None or not services.offered(found):
        abort(404)  # never issued, or nothing to hand in: the same plain 404
    if cfp_services.use_link(found, token):
        db.session.commit()  # the newly mailed link is the link from now on
    return found


def _render(
    found: Submission,
    token: str,
    status: int = SHOWN,
    *,
    notice: str | None = None,
    posted: FlaskForm | None = None,
):
    """The materials page; `posted` (a form shown again with its input) replaces the fresh
    form of its kind."""
    state = services.state_of(found)
    version = str(state.version)
    forms: dict[str, FlaskForm] = {
        "final_form": FinalForm(formdata=None, version=version),
        "slides_form": SlidesForm(formdata=None, version=version),
    }
    details = DetailsForm(found, formdata=None, version=version)
    details.load(state.row)
    forms["details_form"] = details
    if posted is not None:
        forms[_form_key(posted)] = posted
    rules = services.rules()
    return render_form_page(
        "materials/page.html",
        posted or details,
        status,
        submission=found,
        token=token,
        materials=state,
        notice=notice,
        posted=posted,
        posted_kind=_form_key(posted) if posted is not None else None,
        rules=rules,
        final_limits=services.final_limits(),
        slides_limit=file_size(rules.slides_max_file_bytes),
        final_limit=file_size(rules.final_max_file_bytes),
        **forms,
    )


def _form_key(form: FlaskForm) -> str:
    if isinstance(form, FinalForm):
        return "final_form"
    if isinstance(form, SlidesForm):
        return "slides_form"
    return "details_form"


@bp.get("/submission/<token>/materials")
def page(token: str):
    return _render(_submission_or_404(token), token)


def _refusal(found: Submission, token: str, form: FlaskForm):
    """The page again when the deadline has passed or the form is stale; None to go on."""
    if not services.uploads_open(found):
        notice = services.closed_message(services.materials_for(found))
        return _render(found, token, CLOSED, notice=notice, posted=form)
    return None


def _post(
    found: Submission,
    token: str,
    form: FlaskForm,
    save: Callable[[Submission], services.Saved],
    what: str,
):
    """The three posts' one shape: checks, the save, the commit, the redirect."""
    g.materials_reshow = lambda status, notice: _render(
        found, token, status, notice=notice, posted=form
    )
    refused = _refusal(found, token, form)
    if refused is not None:
        return refused
    if not form.validate():
        return _render(found, token, SHOWN_AGAIN, posted=form)
    try:
        saved = save(found)
    except services.FileProblem as problem:
        db.session.rollback()
        field = form.pdf if isinstance(form, FinalForm) else form.slides
        field.errors = [*field.errors, str(problem)]
        return _render(found, token, SHOWN_AGAIN, posted=form)
    except services.StaleVersion as stale:
        db.session.rollback()
        form.version.data = str(stale.version)  # sending again replaces those changes
        notice = STALE_NOTICE.format(what=stale.last_change)
        return _render(found, token, 409, notice=notice, posted=form)
    except services.UploadsClosed as closed:
        db.session.rollback()
        return _render(found, token, CLOSED, notice=str(closed), posted=form)
    try:
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        services.delete_file(saved.new_file)  # stored for a change that never happened
        raise
    services.delete_file(saved.unused_file)
    if saved.changes:
        flash(
            f"{what} saved. We mailed a confirmation to the address this private link was sent to.",
            "success",
        )
    else:
        flash("Nothing was changed: this is what we have already.", "info")
    return redirect(url_for(".page", token=token), code=303)


@bp.post("/submission/<token>/materials/final")
@_limited_posts()
def final(token: str):
    found = _submission_or_404(token)
    form = FinalForm()

    def save(found: Submission) -> services.Saved:
        data, filename = form.upload()
        return services.save_final(
            found, data, filename, version=form.version_number(), token=token
        )

    return _post(found, token, form, save, "Final version")


@bp.post("/submission/<token>/materials/slides")
@_limited_posts()
def slides(token: str):
    found = _submission_or_404(token)
    form = SlidesForm()

    def save(found: Submission) -> services.Saved:
        data, filename = form.upload()
        return services.save_slides(
            found, data, filename, version=form.version_number(), token=token
        )

    return _post(found, token, form, save, "Slides")


@bp.post("/submission/<token>/materials/details")
@_limited_posts()
def details(token: str):
    found = _submission_or_404(token)
    form = DetailsForm(found)

    def save(submission: Submission) -> services.Saved:
        return services.save_details(
            submission, form.entry(), version=form.version_number(), token=token
        )

    return _post(found, token, form, save, "Presenter and speaker details")


@bp.get("/submission/<token>/materials/final.pdf")
def final_pdf(token: str):
    return _download(token, "final")


@bp.get("/submission/<token>/materials/slides.pdf")
def slides_pdf(token: str):
    return _download(token, "slides")


def _download(token: str, kind: str):
    try:
        download = services.download(_submission_or_404(token), kind)
    except services.FileMissing:
        abort(404)
    return private_download(download.path, download.download_name, download.mimetype)


# --- Errors on the forms: the page again, with a notice ------------------------------------


def _page_again(status: int, notice: str, *, read_form: bool = True):
    """The materials page with `notice`, and the posted form's input when it can be read
    (not after a body too large to read); the plain 404 when the token names nothing."""
    reshow = g.get("materials_reshow")
    if reshow is not None:
        return reshow(status, notice)
    token = (request.view_args or {}).get("token", "")
    found = cfp_services.find_submission_by_token(token)
    if found is None or not services.offered(found):
        return render_template("errors/404.html"), 404
    posted: FlaskForm | None = None
    if read_form and request.method == "POST":
        posted = {
            "materials.final": lambda: FinalForm(),
            "materials.slides": lambda: SlidesForm(),
            "materials.details": lambda: DetailsForm(found),
        }.get(request.endpoint or "", lambda: None)()
    return _render(found, token, status, notice=notice, posted=posted)


@bp.errorhandler(413)
def too_large(_error: HTTPException):
    # The body was refused before it was read: nothing of it is there to show again.
    endpoint = request.endpoint or ""
    limit = _body_limits().get(endpoint, current_app.config["MAX_CONTENT_LENGTH"] or 0)
    what = {
        "materials.slides": "slides you chose are",
        "materials.final": "file you chose is",
    }.get(endpoint, "form you sent is")
    allowed = file_size(limit - BODY_MARGIN if endpoint in _body_limits() else limit)
    notice = (
        f"The {what} too large: the limit is {allowed}. Nothing was saved. "
        "Make the PDF smaller (for example, export it with compressed images) and send it again."
    )
    return _page_again(413, notice, read_form=False)


@bp.errorhandler(CSRFError)
def csrf_failed(_error: CSRFError):
    notice = (
        "Your session ran out (or cookies are blocked), so this form could not be accepted. "
        "Nothing was saved: check the form and send it again (choose the file again)."
    )
    return _page_again(EXPIRED, notice)


@bp.errorhandler(429)
def too_many_posts(_error: HTTPException):
    notice = (
        "Too many forms were sent from your network in the last hour, so this one was not "
        "accepted. Nothing was saved; please send it again later."
    )
    return _page_again(429, notice)
