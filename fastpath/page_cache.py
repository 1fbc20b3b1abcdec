"""Public pages rendered once and served from memory, with ETags for conditional GETs.

The public pages depend only on the content folder (loaded once) and the clock, so a
rendered page is kept for a short while; a request that carries flashed messages is
rendered fresh so those messages are never cached or shown to someone else.
"""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, make_response, request, session

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


def init_app(app: Flask) -> None:
    app.extensions["page_cache"] = {}
