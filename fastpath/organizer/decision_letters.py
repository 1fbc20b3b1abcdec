"""The editable part of a decision mail: the letter.

The chair may edit each outcome's subject and letter before sending; the default is rendered
from templates/email/decision_<outcome>_letter.txt, so the templates stay the starting point.
The letter takes the placeholders {name}, {submission_number}, {title} and {authors}
(fastpath/groupmail/placeholders.py checks and fills them). What the site must say is not in
the letter and cannot be edited away; templates/email/decision_<outcome>.txt|html put it
around the letter: that this mail replaces an earlier decision (after the letter's first
paragraph, the greeting), how to hand in the final materials with the deadline and the
lost-link address (acceptances), the reviewers' comments when included, and the signature.

The letter is plain text. For the HTML part each paragraph (separated by an empty line)
becomes a <p>; a paragraph with an indented line or a "- " line keeps its line breaks (an
all-indented one is indented); addresses starting with http:// or https:// become links.
Placeholder values are inserted as text: escaped, isolated (<bdi>), links defanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app, render_template
from markupsafe import Markup, escape

from ..cfp.models import Submission, SubmissionAuthor, SubmissionStatus
from ..content import current_workshop
from ..core.text import bdi, unlinked
from ..groupmail.placeholders import fill, problems

LETTER_PLACEHOLDERS = ("name", "submission_number", "title", "authors")
SUBJECT_MAX = 200
TEXT_MAX = 20_000

_DEFAULT_SUBJECTS = {
    SubmissionStatus.ACCEPTED: "Submission {submission_number} accepted",
    SubmissionStatus.REJECTED: "Submission {submission_number} not accepted",
}
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_URL = re.compile(r"https?://[^\s<>{}\"]*[^\s<>{}\".,;:!?)]")


@dataclass(frozen=True)
class Letter:
    """An outcome's subject and letter as written, placeholders and all."""

    subject: str
    text: str


@dataclass(frozen=True)
class FilledLetter:
    """The letter for one author, split after its first paragraph (the greeting), where the
    site puts "this mail replaces our mail of ..." when it does."""

    text_head: str
    text_rest: str
    html_head: Markup
    html_rest: Markup


def _literal(value: object) -> str:
    """A fact of the workshop as letter text: a brace in it stays a brace."""
    return str(value).replace("{", "{{").replace("}", "}}")


def default_letter(outcome: SubmissionStatus) -> Letter:
    """The letter the editor starts from, rendered from the outcome's letter template."""
    text = render_template(
        f"email/decision_{outcome.value}_letter.txt",
        workshop=current_workshop(),
        lit=_literal,
        register_url=f"{current_app.config['PUBLIC_BASE_URL']}/register",
    )
    return Letter(default_subject(outcome), normalized(text))


def default_subject(outcome: SubmissionStatus) -> str:
    """The subject the editor starts from; distinct per outcome."""
    return _DEFAULT_SUBJECTS[outcome]


def normalized(text: str) -> str:
    """Unix line ends, no trailing spaces on a line, no blank lines around the text."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def subject_problems(subject: str) -> list[str]:
    """What is wrong with the placeholders of an edited subject (empty when fine)."""
    return problems(subject, LETTER_PLACEHOLDERS)


def text_problems(text: str) -> list[str]:
    """What is wrong with the placeholders of an edited letter (empty when fine)."""
    return problems(text, LETTER_PLACEHOLDERS)


def values_for(submission: Submission, author: SubmissionAuthor) -> dict[str, str]:
    """What the placeholders stand for in the mail to `author`."""
    return {
        "name": author.name,
        "submission_number": submission.reference,
        "title": submission.title,
        "authors": ", ".join(a.name for a in submission.authors),
    }


def fill_subject(subject: str, values: dict[str, str]) -> str:
    """The subject for one author (queue_mail adds the workshop prefix); values on one line."""
    return fill(subject, {key: " ".join(unlinked(v).split()) for key, v in values.items()})


def fill_letter(text: str, values: dict[str, str]) -> FilledLetter:
    """The letter for one author as plain text and HTML, split after the greeting."""
    head, rest = _split(normalized(text))
    plain = {key: unlinked(value) for key, value in values.items()}
    html = {key: str(bdi(unlinked(value))) for key, value in values.items()}
    return FilledLetter(fill(head, plain), fill(rest, plain), _html(head, html), _html(rest, html))


def _split(text: str) -> tuple[str, str]:
    parts = _BLANK_LINE.split(text, maxsplit=1)
    if len(parts) == 1:
        return text, ""
    return parts[0], parts[1].strip("\n")


def _html(text: str, values: dict[str, str]) -> Markup:
    """Paragraphs of plain text as HTML; the placeholders are filled after escaping, so
    their (already escaped) values are never read as markup or linked."""
    if not text.strip():
        return Markup("")
    paragraphs = []
    for paragraph in _BLANK_LINE.split(str(escape(text)).strip("\n")):
        lines = [line for line in paragraph.split("\n") if line.strip()]
        if not lines:
            continue
        indented = [line[:1].isspace() for line in lines]
        keep_breaks = any(indented) or any(line.startswith(("- ", "* ")) for line in lines)
        body = ("<br>\n" if keep_breaks else "\n").join(line.strip() for line in lines)
        body = _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', body)
        style = ' style="margin-left: 1.5em;"' if all(indented) else ""
        paragraphs.append(f"<p{style}>{fill(body, values)}</p>")
    return Markup("\n".join(paragraphs))
