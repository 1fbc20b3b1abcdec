"""The workshop's facts and prose, loaded once at start-up from a content folder.

A content folder holds `workshop.toml` (the facts) and `pages/*.md` (prose with TOML front
matter between `+++` lines). Next year's edition is a new folder, chosen with
FASTPATH_CONTENT_DIR. Everything is validated when the app starts: a mistake stops start-up
with a message naming the file, the field and what is wrong.

- model.py: what an edition is (frozen dataclasses: Workshop and its parts)
- reading.py: ContentError and typed access to one TOML table (the one-line messages)
- load.py: load_workshop, one function per part of workshop.toml, and the checks across parts
- markdown.py: Markdown to sanitised HTML
"""

from __future__ import annotations

from flask import current_app

from .load import load_workshop
from .markdown import render_markdown
from .model import (
    AOE,
    AOE_LABEL,
    DEFAULT_POSITIONS,
    DEFAULT_REGISTRATION_FIELDS,
    PROGRAM_KINDS,
    SHOWN_WHILE,
    Deadline,
    KeyDate,
    MaterialsRules,
    NewsItem,
    Page,
    Person,
    PreviousEdition,
    ProgramItem,
    RegistrationRules,
    Speaker,
    SubmissionRules,
    Topic,
    Workshop,
)
from .reading import ContentError

__all__ = [
    "AOE",
    "AOE_LABEL",
    "DEFAULT_POSITIONS",
    "DEFAULT_REGISTRATION_FIELDS",
    "PROGRAM_KINDS",
    "SHOWN_WHILE",
    "ContentError",
    "Deadline",
    "KeyDate",
    "NewsItem",
    "Page",
    "Person",
    "PreviousEdition",
    "ProgramItem",
    "MaterialsRules",
    "RegistrationRules",
    "Speaker",
    "SubmissionRules",
    "Topic",
    "Workshop",
    "current_workshop",
    "load_workshop",
    "render_markdown",
]


def current_workshop() -> Workshop:
    """The edition this app serves (loaded once by create_app): the one way code reads it."""
    return current_app.extensions["workshop"]
