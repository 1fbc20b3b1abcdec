"""Views for registration: the form, the answer page, the private link, the lost link.

Thin: each reads its form (registration/forms.py), calls one service
(registration/services.py), commits, and redirects or renders the form page with
fastpath/web/forms.py. The error handlers at the end show a posted form again with its input."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, TooManyRequests

from ..clock import as_utc
from ..content import current_workshop
from ..core.after_response import after_response
from ..core.database import reading
from ..core.extensions import db, limiter
from ..mail.allowance import TooManyMails, recipient_has_room, spend_visitor_mails
from ..web.errors import (
    DATABASE_REASON,
    FULL_ERRNOS,
    STORAGE_REASON,
    database_unavailable,
    storage_unavailable,
)
from ..web.forms import SHOWN, posted_status, render_form_page
from . import services
from .calendar import calendar_filename
from .forms import ConfirmForm, DetailsForm, LostLinkForm, RegistrationForm
from .models import Registration, RegistrationStatus

bp = Blueprint("registration", __name__)

ANSWER_KEY = "registration_answer"


def _rules():
    return current_workshop().registration


def _form_posts_limit() -> str:
    return current_app.config["RATELIMIT_FORM_POSTS"]


def _remember_answer(name: str, email: str, answer: services.Answer) -> None:
    # Shown by /register/thanks after the redirect. A repeated address gets exactly this
    # too, so the page never tells who is registered already.
    session[ANSWER_KEY] = {
        "name": name,
        "email": email,
        "status": str(answer.status),
        "waiting_position": answer.waiting_position,
    }


def _render_register(form: RegistrationForm, status: int = SHOWN, problem: str | None = None):
    window = services.registration_window()
    if window != services.Window.OPEN and request.method == "POST":
        status = 403  # the page says why and when
    full = window == services.Window.OPEN and services.is_full()
    return render_form_page(
        "registration/register.html",
        form,
        status,
        cache_key=("register", window, full, problem),
        nonce_field="nonce",
        window=window,
        rules=_rules(),
        full=full,
        problem=problem,
        confirm_hours=services.confirm_hours() if services.needs_confirmation() else None,
    )


TOO_MANY_MAILS_PROBLEM = (
    "Too many confirmation mails were sent from your network today, so nothing was saved. "
    "Everything you typed is still here; please send it again later."
)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_form_posts_limit, methods=["POST"])
def register():
    form = RegistrationForm(_rules())
    if services.registration_window() != services.Window.OPEN:
        return _render_register(form)
    if not form.validate_on_submit():
        return _render_register(form, posted_status(form))
    details = services.RegistrationDetails(
        name=form.name.data,
        email=form.email.data,
        affiliation=_data(form, "affiliation", ""),
        position=form.position.data,
        dietary=_data(form, "dietary", ""),
        accessibility=_data(form, "accessibility", ""),
        public_listing=_data(form, "public_listing", False),
        consent=form.consent.data,
    )
    if form.is_spam:
        # Answer a bot like anyone else, and keep nothing.
        _remember_answer(details.name, details.email, services.newcomer_answer())
        return redirect(url_for(".thanks"), code=303)
    try:
        # The confirmation goes to an address the visitor typed: it spends from the same
        # per-client allowance as the mails to a submission's authors.
        spend_visitor_mails(request.remote_addr or "unknown", 1)
    except TooManyMails:
        return _render_register(form, 429, problem=TOO_MANY_MAILS_PROBLEM)
    result = services.register(details, form.nonce.data)
    db.session.commit()
    _remember_answer(details.name, details.email, result.answer)
    return redirect(url_for(".thanks"), code=303)


def _data(form: Any, name: str, default: Any) -> Any:
    """A field's value, or the default when the content switched the field off."""
    return form[name].data if name in form else default


@bp.get("/register/thanks")
def thanks():
    answer = session.get(ANSWER_KEY)
    if not answer:
        return redirect(url_for(".register"))
    return render_template(
        "registration/thanks.html", answer=answer, confirm_hours=services.confirm_hours()
    )


@bp.get("/attendees")
def attendees():
    """The public attendee list: names and affiliations of those with a place who opted in."""
    offered = _rules().fields.get("public_listing") != "off"
    page = render_template(
        "registration/attendees.html",
        attendees=services.public_attendees() if offered else [],
        offered=offered,
    )
    # Personal data: no copy kept in browsers or proxies, so unticking the box (or a
    # cancellation) takes a name off the list at once.
    return page, 200, {"Cache-Control": "no-store"}


# --- The private link ------------------------------------------------------------------------


def _registration_or_404(token: str) -> Registration:
    registration = services.find_by_token(token)
    if registration is None:
        abort(404)
    if services.use_link(registration, token):
        db.session.commit()  # the link mailed again is the link from now on
    return registration


def _render_manage(token: str, registration: Registration, form: DetailsForm, status: int = SHOWN):
    return render_form_page(
        "registration/manage.html",
        form,
        status,
        token=token,
        registration=registration,
        waiting_position=services.waiting_position(registration),
        position_label=services.position_label(registration.position),
        changes_allowed=services.changes_allowed(),
        cancelled_at=as_utc(registration.cancelled_at) if registration.cancelled_at else None,
        confirm_by=as_utc(registration.confirm_by) if registration.confirm_by else None,
        confirm_form=ConfirmForm(),
        rules=_rules(),
    )


@bp.route("/registration/<token>", methods=["GET", "POST"])
def manage(token: str):
    registration = _registration_or_404(token)
    form = DetailsForm(_rules(), obj=registration if request.method == "GET" else None)
    if request.method == "GET":
        return _render_manage(token, registration, form)
    if not (registration.is_active and services.changes_allowed()):
        flash("This registration can no longer be changed.", "warning")
        return redirect(url_for(".manage", token=token), code=303)
    if not form.validate_on_submit():
        return _render_manage(token, registration, form, posted_status(form))
    changes = {name: form[name].data for name in services.EDITABLE_FIELDS if name in form}
    changed = services.update_details(registration, changes)
    db.session.commit()
    flash("Your details are saved." if changed else "Nothing changed.", "info")
    return redirect(url_for(".manage", token=token), code=303)


CONFIRM_MESSAGES = {
    RegistrationStatus.REGISTERED: "Your address is confirmed and you have a place. "
    "A confirmation is on its way by mail.",
    RegistrationStatus.WAITING: "Your address is confirmed. The workshop is full, so you are "
    "on the waiting list; a confirmation is on its way by mail.",
}


@bp.post("/registration/<token>/confirm")
def confirm(token: str):
    """The button on the private link's page (a POST, so mail scanners that open links
    confirm nothing); what the mailed link asks for when places are limited."""
    registration = _registration_or_404(token)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for(".manage", token=token), code=303)
    outcome = services.confirm(registration, token)
    db.session.commit()
    if outcome == services.ConfirmOutcome.CONFIRMED:
        flash(CONFIRM_MESSAGES[registration.status], "info")
    elif outcome == services.ConfirmOutcome.LAPSED:
        flash(
            "The time to confirm this registration had passed, so it was released. "
            "Please register again.",
            "warning",
        )
    else:
        flash("There is nothing to confirm: this registration is confirmed or cancelled.", "info")
    return redirect(url_for(".manage", token=token), code=303)


@bp.get("/registration/<token>/calendar.ics")
def calendar_file(token: str):
    registration = _registration_or_404(token)
    if registration.status != RegistrationStatus.REGISTERED:
        abort(404)
    filename = calendar_filename(current_workshop())
    return Response(
        services.calendar_for(registration),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/registration/<token>/cancel", methods=["GET", "POST"])
def cancel(token: str):
    registration = _registration_or_404(token)
    form = ConfirmForm()
    if not registration.is_active:
        flash("This registration is already cancelled.", "info")
        return redirect(url_for(".manage", token=token), code=303)
    if not services.changes_allowed():
        flash("The workshop has started; registrations can no longer be changed.", "warning")
        return redirect(url_for(".manage", token=token), code=303)
    if not form.validate_on_submit():
        return render_form_page(
            "registration/cancel.html",
            form,
            posted_status(form),
            token=token,
            registration=registration,
            waiting_position=services.waiting_position(registration),
        )
    result = services.cancel(registration)
    db.session.commit()
    if result is None:
        flash("This registration is already cancelled.", "info")
    elif result.previous_status == RegistrationStatus.WAITING:
        flash("You have left the waiting list. A confirmation is on its way by mail.", "info")
    else:
        flash("Your registration is cancelled. A confirmation is on its way by mail.", "info")
    return redirect(url_for(".manage", token=token), code=303)


# --- Lost link -------------------------------------------------------------------------------


@bp.route("/registration/lost", methods=["GET", "POST"])
@limiter.limit(_form_posts_limit, methods=["POST"])
def lost():
    form = LostLinkForm()
    if not form.validate_on_submit():
        return render_form_page("registration/lost.html", form, posted_status(form))
    if not form.is_spam:
        # Looked up and mailed after the answer has gone out: the answer, and the time it
        # takes, are the same whether or not the address has a registration.
        address = form.email.data
        after_response(lambda: recipient_has_room(address) and services.send_link(address))
    session["registration_lost_email"] = form.email.data
    return redirect(url_for(".lost_sent"), code=303)


@bp.get("/registration/lost/sent")
def lost_sent():
    email = session.get("registration_lost_email")
    if not email:
        return redirect(url_for(".lost"))
    return render_template("registration/lost_sent.html", email=email)


# --- Errors on these forms: the input stays, the message says what to do ---------------------


@bp.errorhandler(CSRFError)
def csrf_error(error: CSRFError):
    return _answer_refusal(
        error,
        "This form had expired (or was sent from another page), so nothing was saved. "
        "Please check your details and send it again.",
    )


@bp.errorhandler(TooManyRequests)
def too_many_requests(error: TooManyRequests):
    return _answer_refusal(
        error,
        "Too many forms were sent from your network in a short time, so nothing was saved. "
        "Please wait a while and send it again.",
    )


def _unavailable_problem(reason: str) -> str:
    return (
        f"The site cannot save anything right now. {reason} Nothing from this form was saved; "
        "everything you typed is still here. Please send it again in a few minutes."
    )


# The site-wide 503 pages answer every other request; a registration form posted while the
# database or the disk refuses writes comes back filled in, with what to do.
@bp.errorhandler(OperationalError)
def database_refused(error: OperationalError):
    db.session.rollback()
    page = _form_again(503, _unavailable_problem(DATABASE_REASON))
    if page is None:
        return database_unavailable(error)
    current_app.logger.error("database write failed, form shown again: %s", error)
    return page


@bp.errorhandler(OSError)
def storage_refused(error: OSError):
    if error.errno not in FULL_ERRNOS:
        raise error
    db.session.rollback()
    page = _form_again(503, _unavailable_problem(STORAGE_REASON))
    if page is None:
        return storage_unavailable(error)
    current_app.logger.error("storage write failed, form shown again: %s", error)
    return page


def _form_again(status: int, problem: str):
    """The posted form of this request shown again with its input and `problem`, or None
    when this request is no form post we can show again."""
    if request.method != "POST":
        return None
    if request.endpoint == "registration.register":
        return _render_register(RegistrationForm(_rules()), status, problem=problem)
    if request.endpoint == "registration.lost":
        return render_form_page("registration/lost.html", LostLinkForm(), status, problem=problem)
    if request.endpoint == "registration.manage":
        token = (request.view_args or {}).get("token", "")
        try:
            # Read (and render) without the write lock this POST could not get.
            with reading():
                registration = services.find_by_token(token)
                if registration is None:
                    return None
                flash(problem, "error")
                return _render_manage(token, registration, DetailsForm(_rules()), status)
        except OperationalError:  # not even readable: the plain 503 page
            db.session.rollback()
            return None
    return None


def _answer_refusal(error: HTTPException, problem: str):
    status = error.code or 400
    page = _form_again(status, problem)
    if page is not None and request.endpoint != "registration.manage":
        return page
    token = (request.view_args or {}).get("token", "")
    if token and services.find_by_token(token) is not None:
        flash(problem, "error")
        return redirect(url_for(".manage", token=token), code=303)
    return error
