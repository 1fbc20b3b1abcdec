"""The one way a form page is rendered, on its first showing and shown again.

A form shown again after a post with errors, or with input kept after a refusal, answers
SHOWN_AGAIN (422); a form that came back expired (CSRF) answers EXPIRED (400); a refusal with
its own meaning keeps its own status (409 conflict, 429 too many, 503 unavailable, 403 closed).
A first showing whose page differs between visitors only in the CSRF token and the form's
nonce is served from form_page's cache when the view names a `cache_key`.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from flask import render_template
from flask_wtf import FlaskForm

from .page_cache import form_page

SHOWN = 200
SHOWN_AGAIN = 422  # a posted form shown again: errors on it, or its input kept after a refusal
EXPIRED = 400  # a posted form whose CSRF token had expired, shown again


def render_form_page(
    template: str,
    form: FlaskForm,
    status: int = SHOWN,
    *,
    cache_key: Hashable | None = None,
    nonce_field: str | None = None,
    **context: Any,
) -> tuple[str, int]:
    """The page of `template` showing `form` (and `context`), with its status.

    With `cache_key` (which must name everything but the form that the page depends on) and
    `nonce_field` (the form's one-time hidden value), an empty form's page comes from the
    form-page cache; a form shown again is always rendered.
    """

    def render() -> str:
        return render_template(template, form=form, **context)

    if cache_key is None or nonce_field is None:
        return render(), status
    return form_page(cache_key, form, nonce_field, render), status


def posted_status(form: FlaskForm) -> int:
    """SHOWN_AGAIN for a posted form that did not validate, SHOWN for a first showing."""
    return SHOWN_AGAIN if form.is_submitted() else SHOWN
