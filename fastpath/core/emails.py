"""Email addresses: the one normaliser (how the site recognises the same address everywhere)
and the one policy (which addresses a form accepts, and the one message for each mistake).

Every form that takes an address (submission authors, registration, both lost-link forms)
uses `EmailAddress`; every look-up compares `normalize_email` values stored next to the
address as typed, never SQL lower() (SQLite's folds ASCII letters only).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app, has_app_context
from wtforms.validators import ValidationError

EMAIL_MAX = 254  # the longest address SMTP can carry

# One message for each kind of mistake, the same on every form.
MESSAGE_SEVERAL_LINES = "Enter one address, on a single line."
MESSAGE_WITH_NAME = (
    "Enter only the address, like name@example.org, without a name or angle brackets."
)
MESSAGE_TOO_LONG = f"An address can be at most {EMAIL_MAX} characters long."
MESSAGE_INVALID = "Enter a valid email address, like name@example.org."
MESSAGE_NON_ASCII_LOCAL_PART = (
    "We cannot send mail to an address with accents or non-Latin letters before the @ sign; "
    "please enter another address (such letters after the @ sign are fine)."
)

# Line breaks and other control characters: never part of an address, and a classic way to
# smuggle headers into mail.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


def normalize_email(address: str) -> str:
    """The spelling stored and looked up: trimmed, Unicode NFC, case-folded (full Unicode)."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", address.strip()).casefold())


def smtputf8_enabled() -> bool:
    """Whether the mail server takes SMTPUTF8, so non-ASCII local parts can be delivered."""
    return has_app_context() and bool(current_app.config.get("MAIL_SMTPUTF8", False))


def email_problem(address: str, *, smtputf8: bool | None = None) -> str | None:
    """What is wrong with this (trimmed) address, as the message to show; None if it is fine.

    Internationalised domains are fine (mail goes to their IDNA form); a non-ASCII part
    before the @ needs a server that speaks SMTPUTF8, so it is refused unless MAIL_SMTPUTF8.
    Deliverability (DNS) is not checked: it is slow and fails on offline machines.
    """
    if _CONTROL.search(address):
        return MESSAGE_SEVERAL_LINES
    if "<" in address or ">" in address or '"' in address:
        return MESSAGE_WITH_NAME
    if len(address) > EMAIL_MAX:
        return MESSAGE_TOO_LONG
    try:
        validate_email(address, check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError:
        return MESSAGE_INVALID
    allowed = smtputf8_enabled() if smtputf8 is None else smtputf8
    local_part = address.rpartition("@")[0]
    if not allowed and not local_part.isascii():
        return MESSAGE_NON_ASCII_LOCAL_PART
    return None


class EmailAddress:
    """The WTForms validator for every address field: `email_problem` as the field's error.
    An empty field passes (DataRequired, with the form's own wording, says it is missing)."""

    def __call__(self, form: Any, field: Any) -> None:
        value = (field.data or "").strip()
        if not value:
            return
        problem = email_problem(value)
        if problem:
            raise ValidationError(problem)


def strip_address(value: Any) -> Any:
    """The filter of every address field: surrounding space trimmed, nothing else changed, so
    a line break inside is refused by the one policy instead of being folded into a space."""
    return value.strip() if isinstance(value, str) else "" if value is None else value
