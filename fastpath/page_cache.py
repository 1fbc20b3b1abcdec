"""Public pages rendered once and served from memory, with ETags for conditional GETs.

The public pages depend only on the content folder (loaded once) and the clock, so a
rendered page is kept for a short while; a request that carries flashed messages is
rendered fresh so those messages are never cached or shown to someone else.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
import time
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, make_response, request, session
from markupsafe import escape
from werkzeug.http import parse_etags

CACHE_SECONDS = 60.0  # a page that depends on the clock is at most this stale


@dataclass(frozen=True)
class CachedPage:
    expires: float  # time.monotonic() after which the page is rendered again
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
        if page is None or page.expires < time.monotonic():
            response = make_response(view(*args, **kwargs))
            body = response.get_data()
            etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            page = CachedPage(time.monotonic() + CACHE_SECONDS, body, etag, response.status_code)
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


def serves_blank_form() -> bool:
    """Whether this request gets an empty form page that blank_form_page may serve."""
    return request.method == "GET" and not _may_carry_flashes()


def blank_form_page(
    key: Hashable, values: Mapping[str, str], render: Callable[[Mapping[str, str]], str]
) -> str:
    """An empty form's page, rendered once and served with each visitor's own values.

    A form page differs between visitors only in a few hidden values (the CSRF token, a
    one-time form nonce). `render(marks)` renders the page with a random mark in place of
    each of `values`; the HTML is kept as long as a cached page (under `key`, which must
    name everything else the page depends on) and the marks are replaced by `values`.
    """
    forms: dict[Hashable, tuple[float, str, dict[str, str]]] = current_app.extensions[
        "form_page_cache"
    ]
    entry = forms.get(key)
    if entry is None or entry[0] < time.monotonic():
        marks = {name: f"fastpath-mark-{secrets.token_hex(12)}" for name in values}
        entry = (time.monotonic() + CACHE_SECONDS, render(marks), marks)
        forms[key] = entry
    _, html, marks = entry
    for name, value in values.items():
        html = html.replace(marks[name], str(escape(value)), 1)
    return html


def init_app(app: Flask) -> None:
    app.extensions["page_cache"] = {}
    app.extensions["form_page_cache"] = {}
