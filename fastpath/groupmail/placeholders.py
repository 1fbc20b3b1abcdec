"""Placeholders in mail an organizer writes: `{name}`, `{private_link}`, `{submission_number}`,
`{title}`. The one place that finds them, refuses unknown ones and fills them in, for group
mail and for the edited text of decision notifications alike.

`{{` and `}}` stand for a literal brace. Anything else in braces is a placeholder, so a typo
like `{nmae}` is refused before anything is sent instead of reaching people as typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

# What each placeholder becomes, for the compose page's help text.
PLACEHOLDERS: dict[str, str] = {
    "name": "the recipient's name",
    "private_link": "the recipient's private link (a new one, mailed only to them)",
    "submission_number": "the submission's number, like FP20-001",
    "title": "the submission's title",
    "authors": "the submission's authors, in order",
}

# A placeholder, or an escaped brace. Unclosed or nested braces are refused by `problems`.
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


def placeholders_in(text: str) -> list[str]:
    """The placeholder names used in `text`, in order of first use, each once."""
    found: dict[str, None] = {}
    for match in _TOKEN.finditer(text):
        if match.group(1) is not None:
            found[match.group(1).strip()] = None
    return list(found)


def problems(text: str, allowed: Iterable[str]) -> list[str]:
    """What is wrong with the placeholders of `text` for a group offering `allowed`: one
    message per unknown or unavailable placeholder, or a stray brace. Empty when fine."""
    allowed = set(allowed)
    messages = []
    for name in placeholders_in(text):
        if name not in PLACEHOLDERS:
            messages.append(f"{{{name}}} is not a placeholder")
        elif name not in allowed:
            messages.append(f"{{{name}}} is not available for this group")
    leftover = _TOKEN.sub("", text)
    if "{" in leftover or "}" in leftover:
        messages.append("a brace that is not part of a placeholder: write {{ or }} for one")
    if messages:
        known = ", ".join(f"{{{name}}}" for name in sorted(allowed))
        messages.append(f"placeholders for this group: {known or 'none'}")
    return messages


def fill(text: str, values: Mapping[str, str]) -> str:
    """`text` with each placeholder replaced by its value and `{{`/`}}` by one brace.
    Values are inserted as they are; check `problems` first (a missing value is a KeyError)."""

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        return values[match.group(1).strip()]

    return _TOKEN.sub(replace, text)
