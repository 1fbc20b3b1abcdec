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
from typing import Any

from flask import Flask, Response, current_app, make_response, request, session
from markupsafe import escape

CACHE_SECONDS = 60.0  # a page that depends on the clock is at most this stale


def cached_page(view: Callable[..., Any]) -> Callable[..., Response]:
    """Serve a GET view's rendered HTML from the app's page cache."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        cache: dict[str, tuple[float, bytes, str, int]] = current_app.extensions["page_cache"]
        if "_flashes" in session:
            return make_response(view(*args, **kwargs))
        key = request.path  # the views read no query arguments; this keeps the cache bounded
        entry = cache.get(key)
        if entry is None or entry[0] < time.monotonic():
            response = make_response(view(*args, **kwargs))
            body = response.get_data()
            etag = hashlib.sha256(body).hexdigest()[:32]
            entry = (time.monotonic() + CACHE_SECONDS, body, etag, response.status_code)
            cache[key] = entry
        _, body, etag, status = entry
        response = Response(body, status=status, mimetype="text/html")
        response.set_etag(etag)
        response.cache_control.no_cache = True  # revalidate each time: cheap with the ETag
        return response.make_conditional(request)

    return wrapper


def serves_blank_form() -> bool:
    """Whether this request gets an empty form page that blank_form_page may serve."""
    return request.method == "GET" and "_flashes" not in session


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
