"""What people type, made safe to store and to show: invisible characters removed before any
"required" check, user text isolated from the page's direction, and links in user text made
unrecognisable in mail (so the site cannot be used to send clickable spam)."""

from __future__ import annotations

import re
import unicodedata

from flask import Flask
from markupsafe import Markup, escape
from wtforms import StringField

# Characters that show nothing yet make a field look filled in, or reorder the text around
# them (bidi embeddings, overrides and isolates: an "evil.exe" shown as "exe.live").
_ALWAYS_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200e\u200f"
    "\u202a-\u202e\u2060-\u206f\u2800\u3164\ufeff\uffa0\ufff9-\ufffb]"
)
# Zero-width (non-)joiners shape Persian, Indic and emoji text between letters; alone or at
# either end of a value they are invisible filler.
_JOINERS = "\u200c\u200d"


def strip_invisible(value: object) -> object:
    """A form filter: the value without invisible characters ('' if nothing visible is left);
    values that are not text pass unchanged. Runs before every other filter and validator."""
    if not isinstance(value, str):
        return value
    value = _ALWAYS_INVISIBLE.sub("", value).strip(_JOINERS + " \t\r\n")
    if not any(_visible(char) for char in value):
        return ""
    return value


def _visible(char: str) -> bool:
    if char.isspace() or char in _JOINERS:
        return False
    return unicodedata.category(char) not in ("Cc", "Cf", "Mn", "Me", "Zs", "Zl", "Zp", "Co")


class VisibleTextMeta:
    """A form Meta mixin (`Meta = VisibleTextMeta` in the form class): every text field of
    the form gets strip_invisible as its first filter, so "required" and length checks see
    only what a reader would see. WTForms combines it with the Meta of the base classes."""

    def bind_field(self, form, unbound_field, options):  # type: ignore[no-untyped-def]
        if issubclass(unbound_field.field_class, StringField):
            filters = unbound_field.kwargs.get("filters") or ()
            options = {**options, "filters": [strip_invisible, *filters]}
        return super().bind_field(form, unbound_field, options)  # type: ignore[misc]


# What mail clients turn into links: anything with a scheme, www.-names, and bare host names
# ending in a common top-level domain. A dot between file-name parts ("paper.pdf", "Node.js")
# is left alone.
_COMMON_TLDS = (
    "com|net|org|info|biz|io|co|me|xyz|top|online|site|click|link|app|dev|shop|club|live|"
    "ru|cn|de|uk|fr|nl|eu|us|in|br|au|ca|it|es|pl|ch|se|jp|kr|tv|cc|ly|tk|ml|ga|cf|gq|ws"
)
_LINK = re.compile(
    r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)\S+"
    rf"|\b[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*\.(?:{_COMMON_TLDS})\b(?:/\S*)?",
    re.IGNORECASE,
)


def unlinked(value: object) -> str:
    """User text for mail with every link-like part defanged ('http[:]//x[.]example'): it
    reads the same to a person, but no mail client makes it clickable."""
    text = "" if value is None else str(value)
    return _LINK.sub(_defang, text)


def _defang(match: re.Match[str]) -> str:
    return match.group(0).replace("://", "[:]//").replace(".", "[.]")


def bdi(value: object) -> Markup:
    """User text isolated from the surrounding direction (a right-to-left name cannot
    reorder the words after it), escaped."""
    return Markup("<bdi>{}</bdi>").format(escape("" if value is None else value))


def init_app(app: Flask) -> None:
    app.add_template_filter(unlinked)
    app.add_template_filter(bdi)


def megabytes(size: int) -> str:
    """'2.5' for 2.5 MiB: how a size is written next to "MB"."""
    return f"{size / 1048576:.1f}".removesuffix(".0")


def file_size(size: int) -> str:
    """'840 KB', '2.5 MB': the one way a size is written (forms, organizer pages, mail)."""
    if size < 1024 * 1024:
        return f"{max(1, -(-size // 1024))} KB"
    return f"{megabytes(size)} MB"


def slug(text: str, *, limit: int = 48) -> str:
    """A name for an address: 'Vivienne Sze' -> 'vivienne-sze', 'Gu-Yeon Wei' -> 'gu-yeon-wei'.
    Accents are dropped and any other run of non-ASCII letters or digits becomes one dash;
    '' when nothing is left (the caller adds what makes the address unique)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    name = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(name) > limit:  # cut at a word's end where there is one
        cut = name[: limit + 1].rfind("-")
        name = name[: cut if cut > 0 else limit]
    return name.strip("-")
