"""Organizer sign-in: argon2id password hashes, server-side sessions, and the guard on views.

The Flask session is a signed cookie; on its own it cannot be revoked. So the cookie only
carries a random session token whose hash is an `OrganizerSession` row: signing out, an
expired row, or a password change ends the session for good, even for a copied cookie.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import abort, current_app, g, redirect, request, session, url_for
from sqlalchemy import or_

from ..clock import as_utc, real_now

# The one normaliser; organizer.email is stored in its spelling (re-exported for services).
from ..core.emails import normalize_email as normalize_email
from ..core.extensions import db
from ..core.tokens import hash_token
from .models import Organizer, OrganizerSession

# argon2-cffi's defaults are RFC 9106's "low memory" argon2id profile (t=3, 64 MiB, p=4),
# which is above OWASP's minimum for argon2id.
_hasher = PasswordHasher()

SESSION_KEY = "organizer_session"
MIN_PASSWORD_LENGTH = 12

F = TypeVar("F", bound=Callable[..., Any])


def hash_password(password: str) -> str:
    """An argon2id hash of the password (salted; parameters encoded in the string)."""
    return _hasher.hash(password)


@functools.cache
def _dummy_hash() -> str:
    # Made once per process: an unknown email is checked against it, so the answer takes as
    # long as for a known one.
    return _hasher.hash(secrets.token_urlsafe(16))


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether the password matches; with no hash, spends the same time and says no."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str) -> str | None:
    """Why a new password is not good enough, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > 1024:
        return "Use at most 1024 characters."
    return None


def session_lifetime() -> timedelta:
    return timedelta(hours=float(current_app.config["ORGANIZER_SESSION_HOURS"]))


def start_session(organizer: Organizer) -> OrganizerSession:
    """A fresh session for the organizer; anything in the old cookie session is dropped."""
    # Clearing drops whatever an attacker may have planted before sign-in (session fixation),
    # including the old CSRF token.
    session.clear()
    token = secrets.token_urlsafe(32)
    moment = real_now()  # sessions must actually expire, whatever the site is shown as of
    # The organizer's finished sessions are of no further use (the audit log keeps the
    # sign-ins and sign-outs); dropping them here keeps the table small.
    db.session.execute(
        db.delete(OrganizerSession)
        .where(OrganizerSession.organizer_id == organizer.id)
        .where(or_(OrganizerSession.ended_at.is_not(None), OrganizerSession.expires_at < moment))
        # "fetch", not the default in-Python evaluation: a session row this request loaded
        # already (reviewer_fence looks first) holds SQLite's naive time, which Python cannot
        # compare with the aware moment.
        .execution_options(synchronize_session="fetch")
    )
    row = OrganizerSession(
        organizer=organizer,
        token_hash=hash_token(token),
        created_at=moment,
        expires_at=moment + session_lifetime(),
    )
    db.session.add(row)
    # A browser-session cookie (gone when the browser closes); the row's expires_at caps
    # the session at ORGANIZER_SESSION_HOURS even for a browser that stays open.
    session[SESSION_KEY] = token
    return row


def current_session() -> OrganizerSession | None:
    """The live organizer session of this request, or None."""
    if "organizer_session_row" in g:
        return g.organizer_session_row
    row = None
    token = session.get(SESSION_KEY)
    if isinstance(token, str) and token:
        found = db.session.scalar(
            db.select(OrganizerSession).where(OrganizerSession.token_hash == hash_token(token))
        )
        if found is not None and found.ended_at is None and as_utc(found.expires_at) > real_now():
            row = found
    g.organizer_session_row = row
    return row


def current_organizer() -> Organizer | None:
    """The signed-in organizer of this request, or None."""
    row = current_session()
    return row.organizer if row else None


def end_session() -> OrganizerSession | None:
    """End this request's organizer session (server row and cookie); return the row."""
    row = current_session()
    if row is not None:
        row.ended_at = real_now()
    session.clear()
    g.organizer_session_row = None
    return row


def login_required(view: F) -> F:
    """Signed out: a redirect to the sign-in page (which comes back here), never the view."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_organizer() is None:
            if session.get(SESSION_KEY):
                session.pop(SESSION_KEY, None)
            # Come back to the page after sign-in; a POST's target may not make sense as a
            # page, so only GETs are remembered.
            target = request.full_path if request.method == "GET" else None
            if target and target.endswith("?"):
                target = target[:-1]
            return redirect(url_for("organizer.login", next=target))
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


# The organizer pages a reviewer may use: their account, nothing of the chairs'. Everything
# else in the organizer blueprint answers 404 to a reviewer (see reviewer_fence).
REVIEWER_ENDPOINTS = frozenset({"organizer.login", "organizer.logout", "organizer.password"})


def home_endpoint(organizer: Organizer) -> str:
    """Where an organizer lands after signing in: chairs on the dashboard, reviewers on
    their own review page."""
    return "organizer.dashboard" if organizer.is_chair else "reviews.home"


def reviewer_fence() -> None:
    """before_request of the chairs' blueprints: a reviewer's request for a chair page gets
    the same 404 as a page that does not exist, before the view runs."""
    organizer = current_organizer()
    if organizer is not None and not organizer.is_chair:
        if request.endpoint == "organizer.dashboard":
            return redirect(url_for("reviews.home"))  # type: ignore[return-value]
        if request.endpoint not in REVIEWER_ENDPOINTS:
            abort(404)


def chair_required(view: F) -> F:
    """login_required, and a 404 for a reviewer (for chair views outside the organizer
    blueprint, whose reviewer_fence does the same for all of its views)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        organizer = current_organizer()
        if organizer is not None and not organizer.is_chair:
            abort(404)
        return view(*args, **kwargs)

    return login_required(wrapper)  # type: ignore[return-value]


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None (no open redirects)."""
    if not target or len(target) > 2000:
        return None
    if any(ord(ch) < 32 or ch == "\\" for ch in target):
        # Browsers read "\" as "/" ("/\evil.com" is "//evil.com") and drop tabs and newlines.
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
