"""Views for materials under the private link: /submission/<token>/materials and its forms
(final version, slides, presenter, bio, video link, consent), downloads of what was sent."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("materials", __name__)
