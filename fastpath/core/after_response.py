"""Work that runs after the response has gone out, so its duration tells the client nothing.

The lost-link forms answer the same whatever the address; if they looked the address up
before answering, a known one would answer measurably slower than an unknown one. So the
view validates the form, answers, and the look-up and the mail run when the server closes
the response (WSGI `close()`: gunicorn and the development server call it after the last
byte is sent; Flask's test client when the test closes the response).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, after_this_request, current_app

from .extensions import db


def after_response(work: Callable[[], object]) -> None:
    """Run `work` in its own app context once this request's response is sent; commit it."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def run() -> None:
        with app.app_context():
            try:
                work()
                db.session.commit()
            except Exception:
                # Nobody is waiting for an answer any more: log it, keep the worker alive.
                db.session.rollback()
                app.logger.exception("work after the response failed")

    @after_this_request
    def attach(response: Response) -> Response:
        response.call_on_close(run)
        return response
