"""What erased data looks like, and scrubbing a person out of free text.

Shared by each feature's `privacy.py` (which erase their own rows), by fastpath/privacy/ (which
orchestrates them) and by anything that must not mail a placeholder (`is_erased_address`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from markupsafe import escape
from sqlalchemy import select

from ..clock import as_utc
from .emails import normalize_email
from .extensions import db

ERASED = "[erased]"  # what an address or a name inside free text becomes
# Placeholder addresses end in a reserved top-level domain (RFC 2606): nothing is ever
# delivered there, and a placeholder never collides with a real address.
ERASED_DOMAIN = "erased.invalid"
# Names shorter than this are replaced in their own fields but not searched for in free text,
# where they would also match ordinary words ("Li", "Al").
MIN_SWEPT_NAME = 4

_ANY_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")


def placeholder(kind: str, row_id: int) -> str:
    """'erased-registration-12': what a name becomes."""
    return f"erased-{kind}-{row_id}"


def placeholder_address(kind: str, row_id: int) -> str:
    """'erased-registration-12@erased.invalid': what an address becomes."""
    return f"{placeholder(kind, row_id)}@{ERASED_DOMAIN}"


def is_erased_address(address: str) -> bool:
    """Whether an address is one of our placeholders (mail to it would go nowhere)."""
    return normalize_email(address).endswith("@" + ERASED_DOMAIN)


def iso(moment: datetime | None) -> str | None:
    """A stored moment as exported: ISO 8601 in UTC (None stays None)."""
    return as_utc(moment).isoformat() if moment is not None else None


def other_addresses_hidden(text: str | None, address: str) -> str | None:
    """The text with every address but the person's own (normalised) replaced, so an export
    carries nobody else's data."""
    if text is None:
        return None
    return _ANY_ADDRESS.sub(
        lambda m: m.group(0) if normalize_email(m.group(0)) == address else "[another address]",
        text,
    )


def _variants(values: Iterable[str]) -> list[str]:
    # Mail bodies come in HTML too, where Jinja escaped the value (O'Brien is O&#39;Brien).
    found = {variant for value in values for variant in (value, str(escape(value)))}
    return sorted(found, key=len, reverse=True)  # the longest first wins the alternation


def address_pattern(spellings: Iterable[str]) -> re.Pattern[str]:
    """Any of these spellings of an address, not as part of a longer address."""
    alternatives = "|".join(re.escape(v) for v in _variants(spellings))
    # Not part of a longer address: ada@x.org must not match inside xada@x.org or ada@x.org.uk.
    return re.compile(rf"(?<![\w.%+-])(?:{alternatives})(?![\w-]|\.\w)", re.IGNORECASE)


def _name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    swept = [name for name in names if len(name) >= MIN_SWEPT_NAME]
    if not swept:
        return None
    # Any run of white space between the words (a wrapped line in a mail).
    alternatives = "|".join(re.escape(v).replace(r"\ ", r"\s+") for v in _variants(swept))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


class Scrubber:
    """Replaces a person's address and name in free text with ERASED."""

    def __init__(self, spellings: Iterable[str], names: Iterable[str]) -> None:
        self.address = address_pattern(spellings)
        self.name = _name_pattern(names)

    def __call__(self, text: str | None, *, names: bool = True) -> str | None:
        if not text:
            return text
        text = self.address.sub(ERASED, text)
        if names and self.name is not None:
            text = self.name.sub(ERASED, text)
        return text


def rows_by_id(model: Any, ids: list[int]) -> list[Any]:
    """The rows of `model` with these ids, in id order (none for no ids)."""
    if not ids:
        return []
    return list(db.session.scalars(select(model).where(model.id.in_(ids)).order_by(model.id)))
