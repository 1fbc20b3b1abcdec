"""The one email-address normaliser: how the site recognises the same address everywhere."""

from __future__ import annotations

import unicodedata


def normalize_email(address: str) -> str:
    """The spelling stored and looked up: trimmed, Unicode NFC, case-folded (full Unicode)."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", address.strip()).casefold())
