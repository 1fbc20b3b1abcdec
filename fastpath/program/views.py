"""Public views for program: /program.ics, each item's .ics, a published talk's slides.

(/program, /speakers/ and /speakers/<key> are site pages, fastpath/site/views.py; they read
the same program through program.public.current_program.)"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("program", __name__)
