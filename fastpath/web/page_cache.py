"""Public pages rendered once and served from memory, with ETags for conditional GETs.

The public pages depend only on the content folder (loaded once) and the state at the
request's moment (submissions and registration open or closed, the room full, the workshop
before, under way or over: fastpath/site/state.py). A rendered page is kept for a short
while together with the state it was rendered in, and rendered anew as soon as the state
differs, so the request after a deadline passes says so, also on a server started before
it. A request that carries flashed messages is rendered fresh so those messages are never
cached or shown to someone else.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, make_response, request, session
from markupsafe import escape
from werkzeug.http import parse_etags
from wtforms.csrf.core import CSRFTokenField

from .state import SiteState, site_state

CACHE_SECONDS = 60.0  # how long a page is kept while the state it was rendered in holds


@dataclass(frozen=True)
class CachedPage:
    expires: float  # time.monotonic() after which the page is rendered again
    state: SiteState  # the state it was rendered in: rendered again once the state differs
    body: bytes
    etag: str  # quoted, as in the ETag header
    status: int


def cached_page(view: Callable[..., Any]) -> Callable[..., Response]:
    """Serve a GET view's rendered HTML from the app's page cache.

    This is the path every public page takes, so it does as little as it can: the headers
    are fixed per page, and a conditional GET is answered from the ETag alone.
    """

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        if _may_carry_flashes():
            return make_response(view(*args, **kwargs))
        cache: dict[str, CachedPage] = current_app.extensions["page_cache"]
        key = request.path  # the views read no query arguments; this keeps the cache bounded
        page = cache.get(key)
        state = site_state()
        if page is None or page.expires < time.monotonic() or page.state != state:
            response = make_response(view(*args, **kwargs))
            body = response.get_data()
            etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            expires = time.monotonic() + CACHE_SECONDS
            page = CachedPage(expires, state, body, etag, response.status_code)
            cache[key] = page
        # Revalidated each time (no-cache): cheap with the ETag.
        headers = [("ETag", page.etag), ("Cache-Control", "no-cache")]
        if_none_match = request.environ.get("HTTP_IF_NONE_MATCH")
        if if_none_match and parse_etags(if_none_match).contains_weak(page.etag.strip('"')):
            return Response(status=304, headers=headers)
        return Response(page.body, status=page.status, headers=headers, mimetype="text/html")

    return wrapper


def _may_carry_flashes() -> bool:
    # Flashed messages live in the session: without a session cookie there are none, and
    # the session need not be opened at all.
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        return False
    return "_flashes" in session


# Kept for what it buys: rendering each time costs GET /register 6.6 ms and /submit 8.6 ms, this
# 1.7 ms each (make bench 2026-12-02, "hot-path tricks" (a), medians of 8 rounds).
def form_page(key: Hashable, form: Any, nonce_field: str, render: Callable[[], str]) -> str:
    """The HTML of a form page, from the cache when the form is empty (a first GET).

    An empty form's page differs between visitors only in two hidden values: the CSRF token
    and the form's one-time nonce (`nonce_field`). So it is rendered once, with a random mark
    in place of each, kept as long as a cached page under `key` (which must name everything
    else the page depends on), and served with the marks replaced by this visitor's values.
    A form shown again with input or errors, or a page with flashed messages, is rendered.
    """
    if request.method != "GET" or _may_carry_flashes():
        return render()
    fields = [form[nonce_field]]
    if form.meta.csrf:  # (tests may switch CSRF off)
        fields.append(form[form.meta.csrf_field_name])
    forms: dict[Hashable, tuple[float, SiteState, str, list[str]]] = current_app.extensions[
        "form_page_cache"
    ]
    entry = forms.get(key)
    # The menu and notices around the form follow the clock too (see cached_page).
    state = site_state()
    if entry is None or entry[0] < time.monotonic() or entry[1] != state:
        values = [_hidden_value(field) for field in fields]
        marks = [f"fastpath-mark-{secrets.token_hex(12)}" for _ in fields]
        for field, mark in zip(fields, marks, strict=True):
            _set_hidden_value(field, mark)
        try:
            entry = (time.monotonic() + CACHE_SECONDS, state, render(), marks)
        finally:
            for field, value in zip(fields, values, strict=True):
                _set_hidden_value(field, value)
        forms[key] = entry
    _, _, html, marks = entry
    for field, mark in zip(fields, marks, strict=True):
        html = html.replace(mark, str(escape(_hidden_value(field))), 1)
    return html


def _hidden_value(field: Any) -> str:
    # The CSRF field renders its current_token; a hidden field renders its data.
    return field.current_token if isinstance(field, CSRFTokenField) else field.data


def _set_hidden_value(field: Any, value: str) -> None:
    if isinstance(field, CSRFTokenField):
        field.current_token = value
    else:
        field.data = value


def init_app(app: Flask) -> None:
    app.extensions["page_cache"] = {}
    app.extensions["form_page_cache"] = {}
